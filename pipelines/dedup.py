"""Exactly once within a run: one article per canonical URL, one observation per distinct quote
(``newscrawl.identity``).

Quotes are remembered as 16-byte digests of their identity, not the identity's tuple of strings. A quote
whose page is tied to its article (pipelines/pagetie.py) and whose article was kept as the first of its
canonical URL is remembered with its page only: its identity holds that URL (``source_url``), and any later
page of the URL is a duplicate article whose quotes are dropped with it; so a long crawl's memory does not grow
by a page's quotes (12 a page on etoday: ~1 kB as digests, ~4 kB as tuples). Other quotes (a page without
an article, a portal copy's page) are remembered for the run."""

from __future__ import annotations

from hashlib import blake2b
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from newscrawl.identity import article_identity, ticker_identity
from newscrawl.items import ArticleItem, TickerItem
from newscrawl.keys import duplicate
from newscrawl.pageitems import existing_page_items


class DuplicateItem(DropItem):
    """Dropped as the same item as one already kept in this run: on purpose, not a failure."""


class DedupPipeline:
    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        self.articles: dict[str, tuple[str, bool]] = {}  # canonical URL -> (first URL, a portal copy?)
        self.tickers: set[bytes] = set()  # quote_digest() of each quote kept

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DedupPipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        if isinstance(item, ArticleItem):
            key = article_identity(item)
            first = self.articles.get(key)
            # A portal's copy seen first does not keep the publisher's own page out.
            if first is not None and not (first[1] and not item.syndicated):
                self.stats.inc_value(duplicate("article"))
                raise DuplicateItem(f"duplicate article {item.url} (same as {first[0]})", log_level="DEBUG")
            self.articles[key] = (item.url, item.syndicated)
            if first is None and not item.syndicated:
                page = self._page_of(item)
                if page is not None:
                    page.first_of_its_url = True
        elif isinstance(item, TickerItem):
            key = quote_digest(ticker_identity(item))
            page = self._page_of(item)
            remembered = page.quotes if page is not None and page.first_of_its_url else self.tickers
            if key in self.tickers or (page is not None and key in page.quotes):
                self.stats.inc_value(duplicate("ticker"))
                raise DuplicateItem(f"duplicate quote {item.name} from {item.source_url}", log_level="DEBUG")
            remembered.add(key)
        return item

    def _page_of(self, item: Any) -> Any:
        pages = existing_page_items(self.crawler)  # the tie pipeline's ledger, when it is on
        return pages.page_of(item) if pages is not None else None


def quote_digest(identity: tuple[str, ...]) -> bytes:
    """16 bytes that stand for a quote's identity (two distinct quotes alike: ~1 in 10^19 even among 10^9)."""
    return blake2b(repr(identity).encode(), digest_size=16).digest()  # repr: unambiguous, whatever the fields hold
