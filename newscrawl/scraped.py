"""The project's own item_scraped receivers: the feeds, the item counts and the database's commit point.

Scrapy calls every receiver of a signal in an asyncio task of its own, gathered, with pydispatch inspecting
the receiver's arguments on every call: per item (13 an etoday page) and per receiver. The project's receivers
are synchronous and their order matters — the database commits only items already written to every feed
(newscrawl/sinks.py) — so they are registered here with their place and called one after the other, by the
project's item processor (newscrawl/itemprocessor.py) once an item has passed every pipeline, which is when
Scrapy sends item_scraped. With another ITEM_PROCESSOR they are called from one item_scraped receiver instead.
An exception is logged as Scrapy logs a receiver's and the next receiver still runs. Receivers that anyone
else connects to item_scraped run as Scrapy runs them, after these.
"""

from __future__ import annotations

import bisect
import logging
from collections.abc import Callable
from contextlib import suppress
from typing import Any
from weakref import WeakKeyDictionary

from pydispatch.errors import DispatcherKeyError
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.utils.misc import load_object

from newscrawl.percrawler import per_crawler

logger = logging.getLogger(__name__)

# The places of the project's receivers: the feeds first, the database's commit point last.
FEEDS = 0
COUNTS = 50
PAGES = 75  # a kept article lets its page's tickers on (pipelines/pagetie.py)
DATABASE = 100


class ScrapedReceivers:
    def __init__(self, crawler: Crawler):
        self.receivers: list[tuple[int, int, Callable[[Any], object]]] = []
        processor = load_object(crawler.settings["ITEM_PROCESSOR"])
        if not getattr(processor, "calls_scraped_receivers", False):
            crawler.signals.connect(self.item_scraped, signal=signals.item_scraped)

    def add(self, receiver: Callable[[Any], object], place: int) -> None:
        """Call ``receiver(item)`` for every scraped item, after those of a lower place (ties: first added
        first)."""
        bisect.insort(self.receivers, (place, len(self.receivers), receiver), key=lambda entry: entry[:2])

    def item_scraped(self, item: Any) -> None:
        for _, _, receiver in self.receivers:
            try:
                receiver(item)
            except Exception:
                logger.error("Error caught on signal handler: %(receiver)s", {"receiver": receiver},
                             exc_info=True)


_RECEIVERS: WeakKeyDictionary[Crawler, ScrapedReceivers] = WeakKeyDictionary()


def scraped_receivers(crawler: Crawler) -> ScrapedReceivers:
    return per_crawler(_RECEIVERS, crawler, lambda: ScrapedReceivers(crawler))


def on_item_scraped(crawler: Crawler, receiver: Callable[[Any], object], place: int) -> None:
    """Have ``receiver(item)`` called for each scraped item at ``place``; a receiver already connected to
    item_scraped on its own (e.g. by Scrapy's ``from_crawler``) is disconnected first, so it runs once."""
    with suppress(DispatcherKeyError):  # raised when it was not connected
        crawler.signals.disconnect(receiver, signal=signals.item_scraped)
    scraped_receivers(crawler).add(receiver, place)
