"""Store articles (upsert with revisions) and tickers (appended) in the configured database.

Writes are committed only after the item has been written to the feeds (item_scraped), and an article's
URLs are marked done in the same transaction: a run killed at any point and resumed stores each item once
in the database and once in the JSONL feeds (whose exporter skips lines it already holds)."""

from __future__ import annotations

from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from newscrawl.items import ArticleItem, TickerItem
from newscrawl.keys import article_outcome
from newscrawl.storage import storage_for


class DatabasePipeline:
    def __init__(self, crawler: Crawler):
        self.stats = crawler.stats
        self.storage = storage_for(crawler)
        crawler.signals.connect(self.item_scraped, signal=signals.item_scraped)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DatabasePipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        if isinstance(item, ArticleItem):
            outcome = self.storage.upsert_article(item)
            self.storage.mark_done(item)
            self.stats.inc_value(article_outcome(outcome))
            if outcome == "copy":  # the publisher's own page is stored: the portal's copy only adds its URL
                raise DropItem(f"{item.url} is a copy of {item.canonical_url}, stored from its publisher",
                               log_level="INFO")
        elif isinstance(item, TickerItem):
            self.storage.add_ticker(item)
            self.stats.inc_value("newscrawl/tickers/stored")
        return item

    def item_scraped(self) -> None:
        self.storage.commit_if_due()
