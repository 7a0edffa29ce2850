"""Store articles (upsert with revisions) and tickers (appended) in the configured database."""

from __future__ import annotations

from typing import Any

from scrapy.crawler import Crawler

from newscrawl.items import ArticleItem, TickerItem
from newscrawl.storage import storage_for


class DatabasePipeline:
    def __init__(self, crawler: Crawler):
        self.stats = crawler.stats
        self.storage = storage_for(crawler)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DatabasePipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        if isinstance(item, ArticleItem):
            outcome = self.storage.upsert_article(item)
            self.stats.inc_value(f"newscrawl/articles/{outcome}")
        elif isinstance(item, TickerItem):
            self.storage.add_ticker(item)
            self.stats.inc_value("newscrawl/tickers/stored")
        return item
