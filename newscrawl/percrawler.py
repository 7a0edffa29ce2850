"""State shared by a crawler's components for as long as the crawler lives (the page ledger, the sinks' state,
the item_scraped receivers): one registry each, keyed weakly by the crawler."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar
from weakref import WeakKeyDictionary

from scrapy.crawler import Crawler

T = TypeVar("T")


def per_crawler(registry: WeakKeyDictionary[Crawler, T], crawler: Crawler, make: Callable[[], T]) -> T:
    """The crawler's entry in ``registry``, made by ``make()`` the first time it is asked for."""
    state = registry.get(crawler)
    if state is None:
        state = registry[crawler] = make()
    return state
