"""A user's own components, as a project built on newscrawl adds them (tests/test_crawl_cpu.py): item pipelines
of each kind Scrapy accepts (synchronous, a coroutine, a Deferred) and an extension with its own item_scraped
receiver. Each counts what it saw in the stats, by item type."""

from __future__ import annotations

import asyncio
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from twisted.internet import defer


class _Counting:
    kind = ""

    def __init__(self, crawler: Crawler):
        self.stats = crawler.stats
        self.drop = crawler.settings.get("USERPARTS_DROP_TICKER")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Any:
        return cls(crawler)

    def count(self, item: Any) -> Any:
        self.stats.inc_value(f"user/{self.kind}/{item.type}")
        return item


class SyncPipeline(_Counting):
    """Drops the ticker named by the USERPARTS_DROP_TICKER setting."""

    kind = "sync"

    def process_item(self, item: Any) -> Any:
        if item.type == "ticker" and item.name == self.drop:
            raise DropItem(f"the user's pipeline drops {item.name}")
        return self.count(item)


class AsyncPipeline(_Counting):
    kind = "async"

    async def process_item(self, item: Any) -> Any:
        await asyncio.sleep(0)  # really suspends
        return self.count(item)


class DeferredPipeline(_Counting):
    kind = "deferred"

    def process_item(self, item: Any) -> defer.Deferred:
        return defer.succeed(self.count(item))


class ScrapedReceiver(_Counting):
    """An extension connected to item_scraped directly, as Scrapy's documentation shows."""

    kind = "item_scraped"

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ScrapedReceiver:
        receiver = cls(crawler)
        crawler.signals.connect(receiver.item_scraped, signal=signals.item_scraped)
        return receiver

    def item_scraped(self, item: Any, response: Any, spider: Any) -> None:
        assert response is not None and spider is not None
        self.count(item)
