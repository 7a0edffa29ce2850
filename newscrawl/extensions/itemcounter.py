"""Scraped items counted by type, for the run report."""

from __future__ import annotations

from typing import Any

from scrapy.crawler import Crawler
from scrapy.extensions.corestats import CoreStats

from newscrawl.keys import scraped
from newscrawl.scraped import COUNTS, on_item_scraped


class ItemCounter(CoreStats):
    """Scrapy's core stats (item_scraped_count, start/finish time, finish reason, ...) plus scraped items by type
    (newscrawl/scraped/article, .../ticker) for the run report. It replaces CoreStats (settings.EXTENSIONS) so
    that both counts come from one item_scraped receiver, itself called from the project's one receiver
    (newscrawl/scraped.py): each receiver Scrapy calls costs an asyncio task per item."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ItemCounter:
        counter = super().from_crawler(crawler)
        on_item_scraped(crawler, counter.item_scraped, COUNTS)
        return counter

    def item_scraped(self, item: Any, spider: Any = None) -> None:
        self.stats.inc_value("item_scraped_count")
        self.stats.inc_value(scraped(getattr(item, "type", "other")))
