"""A page's items are stored together or not at all (issue #11).

The spider yields an article page's article, then its tickers, tied to the page (:func:`tie_page`). The store
pipeline (pipelines/store.py) writes a tied ticker only once its article is stored, and drops it when the
article was dropped anywhere in the pipelines (no body after chrome removal, failed validation, a duplicate);
until every ticker of a stored article has left the pipelines nothing is committed, so a SIGKILL never leaves
a page done without its tickers. Tickers of a page without an article are not tied: they are stored as they
come. Items are known by ``id()`` while they are in the pipelines (dataclass items are not hashable).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from weakref import WeakKeyDictionary

from scrapy.crawler import Crawler
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.defer import Deferred

STORED = "stored"  # a page's outcome when its article is in the database; otherwise why it was dropped


@dataclass(eq=False)
class Page:
    url: str  # the response URL: the raw page's key
    tickers: set[int]  # id() of its tickers still in the pipelines
    outcome: str | None = None  # STORED, or why the article was dropped; None while it is in the pipelines
    waiters: list[Deferred[str]] = field(default_factory=list)

    def decide(self, outcome: str) -> bool:
        """Settle the page's fate once; False when it was already settled."""
        if self.outcome is not None:
            return False
        self.outcome = outcome
        waiters, self.waiters = self.waiters, []
        for waiter in waiters:
            waiter.callback(outcome)
        return True

    async def decided(self) -> str:
        """The outcome, once the article has been stored or dropped."""
        if self.outcome is None:
            waiter: Deferred[str] = Deferred()
            self.waiters.append(waiter)
            return await maybe_deferred_to_future(waiter)
        return self.outcome


class PageItems:
    """The pages whose items are in the pipelines, by the id() of each of their items."""

    def __init__(self) -> None:
        self.by_item: dict[int, Page] = {}

    def tie(self, url: str, article: Any, tickers: list[Any]) -> None:
        page = Page(url, {id(ticker) for ticker in tickers})
        for item in (article, *tickers):
            self.by_item[id(item)] = page

    def page_of(self, item: Any) -> Page | None:
        return self.by_item.get(id(item))

    def left(self, item: Any) -> Page | None:
        """The item is out of the pipelines (scraped, dropped or failed): its page, if it had one."""
        page = self.by_item.pop(id(item), None)
        if page is not None:
            page.tickers.discard(id(item))
        return page

    def close(self, reason: str) -> None:
        for page in self.by_item.values():
            page.decide(reason)
        self.by_item.clear()


_PAGES: WeakKeyDictionary[Crawler, PageItems] = WeakKeyDictionary()


def page_items(crawler: Crawler) -> PageItems:
    """The crawler's page ledger; the store pipeline creates it (no store, no ties)."""
    pages = _PAGES.get(crawler)
    if pages is None:
        pages = _PAGES[crawler] = PageItems()
    return pages


def tie_page(crawler: Crawler, url: str, article: Any, tickers: list[Any]) -> None:
    """Tie a page's tickers to its article, when a store pipeline keeps them together."""
    pages = _PAGES.get(crawler)
    if pages is not None and tickers:
        pages.tie(url, article, tickers)
