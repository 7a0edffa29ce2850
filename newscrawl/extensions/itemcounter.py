"""Scraped items counted by type, for the run report."""

from __future__ import annotations

from scrapy import signals
from scrapy.crawler import Crawler

from newscrawl.keys import scraped


class ItemCounter:
    """Counts scraped items by type (newscrawl/scraped/article, .../ticker) for the run report."""

    def __init__(self, crawler: Crawler):
        self.stats = crawler.stats
        crawler.signals.connect(self.item_scraped, signal=signals.item_scraped)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ItemCounter:
        return cls(crawler)

    def item_scraped(self, item: object) -> None:
        self.stats.inc_value(scraped(getattr(item, 'type', 'other')))
