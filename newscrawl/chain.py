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

from newscrawl.items import ArticleItem, TickerItem
from newscrawl.pageitems import KEPT, existing_page_items

STORE_PIPELINE = "pipelines.store.DatabasePipeline"


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
        self.pages = existing_page_items(self.crawler)  # the tie pipeline's (pipelines/pagetie.py)

    def process(self, items: list[Any]) -> tuple[list[Any], list[str]]:
        """(kept items, drop reasons) of one page's items, article first: its tickers are tied to it as in a
        crawl, and the tie pipeline drops them when the article is dropped (newscrawl/pageitems.py) — with the
        store in the chain none of them is stored."""
        tickers = [item for item in items if isinstance(item, TickerItem)]
        if self.pages is not None and tickers and isinstance(items[0], ArticleItem):
            self.pages.tie(items[0].url, items[0], tickers)
        kept, dropped = [], []
        for item in items:
            result = item
            try:
                for pipeline in self.pipelines:
                    result = pipeline.process_item(result)
            except DropItem as reason:
                dropped.append(str(reason))
                self.left(item, str(reason))
                continue
            kept.append(result)
            self.left(item, KEPT)
        return kept, dropped

    def left(self, item: Any, outcome: str) -> None:
        if self.pages is not None:
            self.pages.left(item, outcome)

    @property
    def stats(self) -> dict[str, Any]:
        return self.crawler.stats.get_stats()

    def close(self) -> None:
        self.crawler.signals.send_catch_log(signals.spider_closed, spider=None, reason="finished")
