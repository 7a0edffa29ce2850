"""Exactly once within a run: one article per canonical URL, one observation per distinct quote
(``newscrawl.identity``).

A run remembers every quote it kept (12 a page on etoday): each as a 16-byte digest of its identity, not the
identity's tuple of strings (~4 kB a page, the growth of a long crawl's memory; ~1 kB a page as digests)."""

from __future__ import annotations

from hashlib import blake2b
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from newscrawl.identity import article_identity, ticker_identity
from newscrawl.items import ArticleItem, TickerItem
from newscrawl.keys import duplicate


class DuplicateItem(DropItem):
    """Dropped as the same item as one already kept in this run: on purpose, not a failure."""


class DedupPipeline:
    def __init__(self, crawler: Crawler):
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
        elif isinstance(item, TickerItem):
            key = quote_digest(ticker_identity(item))
            if key in self.tickers:
                self.stats.inc_value(duplicate("ticker"))
                raise DuplicateItem(f"duplicate quote {item.name} from {item.source_url}", log_level="DEBUG")
            self.tickers.add(key)
        return item


def quote_digest(identity: tuple[str, ...]) -> bytes:
    """16 bytes that stand for a quote's identity (two distinct quotes alike: ~1 in 10^19 even among 10^9)."""
    return blake2b(repr(identity).encode(), digest_size=16).digest()  # repr: unambiguous, whatever the fields hold
