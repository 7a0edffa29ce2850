"""Store articles (upsert with revisions) and tickers (appended) in the configured database.

The database is one sink among the feeds (newscrawl/sinks.py): writes are committed only when every item
written is also in every feed (its item_scraped is called after the feed exporter's: newscrawl/scraped.py),
with each feed's size recorded in the same transaction, and an article's URLs are marked done in that
transaction. Items the database already held (an unchanged revision, a quote seen before) are
not written to the feeds again. A database error stops the crawl (sink_failed).

A page's tickers leave the pipelines with its article or not at all (pipelines/pagetie.py holds them); the
store keeps the commit order: once a tied article is stored nothing is committed until every one of its
tickers has left the pipelines, so a kill -9 never leaves a page done without its tickers. A portal copy
(dropped here: the publisher's own page is stored) settles its page first: its tickers are the page's."""

from __future__ import annotations

from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from newscrawl.items import ArticleItem, TickerItem
from newscrawl.keys import article_outcome
from newscrawl.pageitems import KEPT, existing_page_items
from newscrawl.scraped import DATABASE, on_item_scraped
from newscrawl.sinks import adopt_feeds, sink_state
from newscrawl.storage import database_name, storage_errors, storage_for


class DatabasePipeline:
    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        self.storage = storage_for(crawler)
        self.sinks = sink_state(crawler)
        self.errors = storage_errors()
        self.name = database_name(crawler.settings.get("NEWSCRAWL_DATABASE"))
        self.pages = existing_page_items(crawler)  # the tie pipeline's (pipelines/pagetie.py), if it is on
        on_item_scraped(crawler, self.item_scraped, DATABASE)  # after the feeds' (newscrawl/scraped.py)
        crawler.signals.connect(self.item_left, signal=signals.item_dropped)
        crawler.signals.connect(self.item_left, signal=signals.item_error)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DatabasePipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        if self.sinks.failure:
            raise DropItem(f"not stored, the crawl is stopping: {self.sinks.failure}", log_level="DEBUG")
        try:
            known = self._store(item)
        except self.errors as error:
            self.sinks.fail(self.crawler, self.name, error)
            raise DropItem(f"not stored: {self.sinks.failure}", log_level="DEBUG") from None
        self.sinks.in_flight.add(id(item))
        if known:
            self.sinks.known.add(id(item))
        return item

    def _store(self, item: Any) -> bool:
        """Write the item; True when the database already held it (nothing for the feeds)."""
        if isinstance(item, ArticleItem):
            outcome = self.storage.upsert_article(item)
            self.storage.mark_done(item)
            self.stats.inc_value(article_outcome(outcome))
            page = self.pages.page_of(item) if self.pages is not None else None
            if page is not None:
                self.sinks.in_flight.update(page.tickers)  # no commit of the page done before its tickers
            if outcome == "copy":  # the publisher's own page is stored: the portal's copy only adds its URL
                if page is not None:
                    page.decide(KEPT)  # ... and its tickers are the page's, stored with it
                raise DropItem(f"{item.url} is a copy of {item.canonical_url}, stored from its publisher",
                               log_level="INFO")
            return outcome == "unchanged"
        if isinstance(item, TickerItem):
            added = self.storage.add_ticker(item)
            self.stats.inc_value("newscrawl/tickers/stored")
            return added is False
        return False

    def open_spider(self) -> None:
        try:
            adopt_feeds(self.crawler.settings, self.storage)
        except self.errors as error:
            self.sinks.fail(self.crawler, self.name, error)

    def item_left(self, item: Any) -> None:
        self.sinks.in_flight.discard(id(item))
        self.sinks.known.discard(id(item))

    def item_scraped(self, item: Any) -> None:
        self.item_left(item)
        if not self.sinks.in_flight and self.storage.pending >= self.storage.batch:
            self.commit()

    def close_spider(self) -> None:
        if not self.sinks.failure:
            self.commit()

    def commit(self) -> None:
        """Commit with each feed's size: every item of the transaction is in the feeds up to there."""
        if self.sinks.failure:
            return
        try:
            for feed in self.sinks.feeds:
                self.storage.record_feed(feed.feed, feed.size)
            self.storage.commit()
        except self.errors as error:
            self.sinks.fail(self.crawler, self.name, error)
