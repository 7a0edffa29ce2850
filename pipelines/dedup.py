"""Exactly once within a run: one article per canonical URL, one observation per distinct quote."""

from __future__ import annotations

from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from newscrawl.items import ArticleItem, TickerItem

DUPLICATE_TICKER_STAT = "newscrawl/duplicates/ticker"  # also counted by newscrawl/repeats.py


def ticker_key(item: TickerItem) -> tuple:
    return (item.site, item.market, item.code or item.name, str(item.price), str(item.change_pct), item.as_of)


class DedupPipeline:
    def __init__(self, crawler: Crawler):
        self.stats = crawler.stats
        self.articles: dict[str, tuple[str, bool]] = {}  # canonical URL -> (first URL, a portal copy?)
        self.tickers: set[tuple] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DedupPipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        if isinstance(item, ArticleItem):
            key = item.canonical_url or item.url
            first = self.articles.get(key)
            # A portal's copy seen first does not keep the publisher's own page out.
            if first is not None and not (first[1] and not item.syndicated):
                self.stats.inc_value("newscrawl/duplicates/article")
                raise DropItem(f"duplicate article {item.url} (same as {first[0]})", log_level="DEBUG")
            self.articles[key] = (item.url, item.syndicated)
        elif isinstance(item, TickerItem):
            key = ticker_key(item)
            if key in self.tickers:
                self.stats.inc_value(DUPLICATE_TICKER_STAT)
                raise DropItem(f"duplicate quote {item.name} from {item.source_url}", log_level="DEBUG")
            self.tickers.add(key)
        return item
