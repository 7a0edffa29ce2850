"""A page's tickers leave the pipelines with its article or not at all (issue #11).

The spider yields an article page's article, then its tickers, tied to the page (:func:`tie_page`). The tie
pipeline (pipelines/pagetie.py) holds a tied ticker until its article has left the pipelines: scraped, the
ticker goes on; dropped anywhere (no body after chrome removal, failed validation, a duplicate), the ticker is
dropped too (counted ``dropped/ticker/article_dropped``), with or without a database. The store (pipelines/store.py) commits
nothing until every ticker of a stored article has left the pipelines, so a SIGKILL never leaves a page done
without its tickers. ``scrapy extract`` and reextract tie pages the same way (newscrawl/chain.py). Tickers of
a page without an article are not tied: they go on as they come. Items are known by ``id()`` while they are
in the pipelines (dataclass items are not hashable).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from weakref import WeakKeyDictionary

from scrapy.crawler import Crawler
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.defer import Deferred

from newscrawl.items import ArticleItem
from newscrawl.percrawler import per_crawler

KEPT = "kept"  # a page's outcome when its article was scraped (or stored as a portal copy); else why it was dropped
TICKER_OF_DROPPED_ARTICLE = "ticker of a dropped article"  # the drop reason of a dropped article's tickers


@dataclass(eq=False)
class Page:
    url: str  # the response URL: the raw page's key
    tickers: set[int]  # id() of its tickers still in the pipelines
    raw_noted: bool = False  # the spider already recorded beside the raw page why it fails
    outcome: str | None = None  # KEPT, or why the article was dropped; None while it is in the pipelines
    waiters: list[Deferred[str]] = field(default_factory=list)
    # Set by the dedup pipeline: the article was kept as the first of its canonical URL (not a portal copy), so
    # a later page of that URL is a duplicate and its quotes go with it; this page's quotes are then told apart
    # here, for this page only, instead of in the run's memory (pipelines/dedup.py).
    first_of_its_url: bool = False
    quotes: set[bytes] = field(default_factory=set)

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
        """The outcome, once the article has left the pipelines."""
        if self.outcome is None:
            waiter: Deferred[str] = Deferred()
            self.waiters.append(waiter)
            return await maybe_deferred_to_future(waiter)
        return self.outcome


class PageItems:
    """The pages whose items are in the pipelines, by the id() of each of their items."""

    def __init__(self) -> None:
        self.by_item: dict[int, Page] = {}

    def tie(self, url: str, article: Any, tickers: list[Any], *, raw_noted: bool = False) -> None:
        page = Page(url, {id(ticker) for ticker in tickers}, raw_noted)
        for item in (article, *tickers):
            self.by_item[id(item)] = page

    def page_of(self, item: Any) -> Page | None:
        return self.by_item.get(id(item))

    def left(self, item: Any, outcome: str) -> Page | None:
        """The item is out of the pipelines: ``KEPT`` (scraped) or why it was dropped. For an article, its
        page when this settled the page's fate (None when it had no tickers or was settled already)."""
        page = self.by_item.pop(id(item), None)
        if page is None:
            return None
        if not isinstance(item, ArticleItem):
            page.tickers.discard(id(item))
            return None
        return page if page.decide(outcome) else None

    def close(self, reason: str) -> None:
        for page in self.by_item.values():
            page.decide(reason)
        self.by_item.clear()


_PAGES: WeakKeyDictionary[Crawler, PageItems] = WeakKeyDictionary()


def page_items(crawler: Crawler) -> PageItems:
    """The crawler's page ledger; the tie pipeline creates it (no tie pipeline, no ties)."""
    return per_crawler(_PAGES, crawler, PageItems)


def existing_page_items(crawler: Crawler) -> PageItems | None:
    return _PAGES.get(crawler)


def tie_page(crawler: Crawler, url: str, article: Any, tickers: list[Any], *, raw_noted: bool = False) -> None:
    """Tie a page's tickers to its article, when the tie pipeline is on."""
    pages = _PAGES.get(crawler)
    if pages is not None and tickers:
        pages.tie(url, article, tickers, raw_noted=raw_noted)
