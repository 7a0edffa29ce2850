"""The project's own item_scraped receivers, called in order from one receiver.

Scrapy runs every receiver of a signal as an asyncio task of its own, with pydispatch inspecting the receiver's
arguments on every call: per item and per receiver (13 items an etoday page). The project's receivers are
synchronous and their order matters — the database commits only items already written to every feed
(newscrawl/sinks.py) — so they are registered here with their place and called one after the other from a
single receiver. An exception is logged as Scrapy logs it and the next receiver still runs. Receivers that
anyone else connects to item_scraped run as Scrapy runs them.
"""

from __future__ import annotations

import bisect
import logging
from collections.abc import Callable
from typing import Any
from weakref import WeakKeyDictionary

from scrapy import signals
from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

# The places of the project's receivers: the feeds first, the database's commit point last.
FEEDS = 0
COUNTS = 50
DATABASE = 100


class ItemScraped:
    def __init__(self, crawler: Crawler):
        self.receivers: list[tuple[int, int, Callable[[Any], object]]] = []
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


_RECEIVERS: WeakKeyDictionary[Crawler, ItemScraped] = WeakKeyDictionary()


def on_item_scraped(crawler: Crawler, receiver: Callable[[Any], object], place: int) -> None:
    """Have ``receiver(item)`` called for each scraped item at ``place``; a receiver already connected to
    item_scraped on its own (e.g. by Scrapy's ``from_crawler``) is disconnected first, so it runs once."""
    crawler.signals.disconnect(receiver, signal=signals.item_scraped)
    dispatcher = _RECEIVERS.get(crawler)
    if dispatcher is None:
        dispatcher = _RECEIVERS[crawler] = ItemScraped(crawler)
    dispatcher.add(receiver, place)
