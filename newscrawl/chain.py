"""The project's item pipeline chain run outside the engine, for ``scrapy extract`` and re-extraction:
the same classes, in the same order, as a crawl."""

from __future__ import annotations

from typing import Any

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.settings import Settings
from scrapy.utils.conf import build_component_list
from scrapy.utils.misc import build_from_crawler, load_object

from newscrawl import keys
from newscrawl.items import ArticleItem, TickerItem

STORE_PIPELINE = "pipelines.store.DatabasePipeline"
TICKER_OF_DROPPED_ARTICLE = "ticker of a dropped article"  # the drop reason of a dropped article's tickers


class ItemChain:
    def __init__(self, settings: Settings, *, store: bool = False):
        settings = settings.copy()
        components = settings.getwithbase("ITEM_PIPELINES")
        if not store:
            components = {k: v for k, v in components.items() if k != STORE_PIPELINE}
        self.crawler = Crawler(scrapy.Spider, settings)
        self.crawler.stats = load_object(settings["STATS_CLASS"])(self.crawler)
        self.pipelines = [build_from_crawler(load_object(path), self.crawler)
                          for path in build_component_list(components)]

    def process(self, items: list[Any]) -> tuple[list[Any], list[str]]:
        """(kept items, drop reasons) of one page's items, article first: when the article is dropped, its tickers
        go with it, as in a crawl (newscrawl/pageitems.py) — with the store in the chain none of them is stored."""
        kept, dropped = [], []
        article_dropped: str | None = None
        for item in items:
            if article_dropped is not None and isinstance(item, TickerItem):
                self.crawler.stats.inc_value(keys.dropped("ticker", "article_dropped"))
                dropped.append(f"{TICKER_OF_DROPPED_ARTICLE}: {item.name} ({article_dropped})")
                continue
            try:
                for pipeline in self.pipelines:
                    item = pipeline.process_item(item)
            except DropItem as reason:
                dropped.append(str(reason))
                if isinstance(item, ArticleItem):
                    article_dropped = item.url
                continue
            kept.append(item)
        return kept, dropped

    @property
    def stats(self) -> dict[str, Any]:
        return self.crawler.stats.get_stats()

    def close(self) -> None:
        self.crawler.signals.send_catch_log(signals.spider_closed, spider=None, reason="finished")
