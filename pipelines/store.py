"""Store articles (upsert with revisions) and tickers (appended) in the configured database.

The database is one sink among the feeds (newscrawl/sinks.py): writes are committed only when every item
written is also in every feed (its item_scraped is called after the feed exporter's: newscrawl/scraped.py),
with each feed's size recorded in the same transaction, and an article's URLs are marked done in that
transaction. Items the database already held (an unchanged revision, a quote seen before) are
not written to the feeds again. A database error stops the crawl (sink_failed).

A page's tickers are stored with its article or not at all (newscrawl/pageitems.py): a tied ticker waits for
its article; when the article was dropped (an empty body after chrome removal, failed validation) the tickers
are dropped too (``newscrawl/dropped/ticker/article_dropped``) and the raw page records why, so that
``scrapy reextract --failed`` reads it again. A duplicate's tickers go with it, but its page is no failure."""

from __future__ import annotations

import logging
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from newscrawl.items import ArticleItem, TickerItem
from newscrawl.keys import article_outcome, dropped
from newscrawl.pageitems import STORED, Page, page_items
from newscrawl.scraped import DATABASE, on_item_scraped
from newscrawl.sinks import adopt_feeds, sink_state
from newscrawl.spidermiddlewares.rawpages import mark_parse_error
from newscrawl.storage import database_name, storage_errors, storage_for
from pipelines.dedup import DuplicateItem

logger = logging.getLogger(__name__)


class DatabasePipeline:
    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        self.storage = storage_for(crawler)
        self.sinks = sink_state(crawler)
        self.errors = storage_errors()
        self.name = database_name(crawler.settings.get("NEWSCRAWL_DATABASE"))
        self.pages = page_items(crawler)
        on_item_scraped(crawler, self.item_scraped, DATABASE)  # after the feeds' (newscrawl/scraped.py)
        crawler.signals.connect(self.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(self.item_error, signal=signals.item_error)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DatabasePipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        """The item, stored; for a ticker whose article is still in the pipelines, an awaitable of it."""
        page = self.pages.page_of(item)
        if page is not None and isinstance(item, TickerItem):
            return self._after_article(item, page) if page.outcome is None else self._tied_ticker(item, page)
        return self._write(item, page)

    async def _after_article(self, ticker: TickerItem, page: Page) -> Any:
        await page.decided()
        return self._tied_ticker(ticker, page)

    def _tied_ticker(self, ticker: TickerItem, page: Page) -> Any:
        if page.outcome != STORED:
            self.stats.inc_value(dropped("ticker", "article_dropped"))
            raise DropItem(f"ticker {ticker.name} of {page.url} dropped with its article", log_level="DEBUG")
        return self._write(ticker)

    def _write(self, item: Any, page: Page | None = None) -> Any:
        if self.sinks.failure:
            raise DropItem(f"not stored, the crawl is stopping: {self.sinks.failure}", log_level="DEBUG")
        try:
            known = self._store(item, page)
        except self.errors as error:
            self.sinks.fail(self.crawler, self.name, error)
            raise DropItem(f"not stored: {self.sinks.failure}", log_level="DEBUG") from None
        self.sinks.in_flight.add(id(item))
        if known:
            self.sinks.known.add(id(item))
        return item

    def _store(self, item: Any, page: Page | None = None) -> bool:
        """Write the item; True when the database already held it (nothing for the feeds)."""
        if isinstance(item, ArticleItem):
            outcome = self.storage.upsert_article(item)
            self.storage.mark_done(item)
            self.stats.inc_value(article_outcome(outcome))
            if page is not None and page.decide(STORED):
                self.sinks.in_flight.update(page.tickers)  # no commit of the page done before its tickers
            if outcome == "copy":  # the publisher's own page is stored: the portal's copy only adds its URL
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

    def item_left(self, item: Any) -> Page | None:
        self.sinks.in_flight.discard(id(item))
        self.sinks.known.discard(id(item))
        return self.pages.left(item)

    def item_scraped(self, item: Any) -> None:
        self.item_left(item)
        if not self.sinks.in_flight and self.storage.pending >= self.storage.batch:
            self.commit()

    def item_dropped(self, item: Any, exception: BaseException) -> None:
        page = self.item_left(item)
        if page is not None and isinstance(item, ArticleItem):
            failed = not isinstance(exception, DuplicateItem) and not self.sinks.failure
            self.article_dropped(page, str(exception), failed=failed)

    def item_error(self, item: Any, failure: Any) -> None:
        page = self.item_left(item)
        if isinstance(item, ArticleItem):
            self.stats.inc_value(dropped("article", "pipeline_error"))
            if page is not None:
                self.article_dropped(page, f"pipeline error: {failure.getErrorMessage()}", failed=True)

    def article_dropped(self, page: Page, reason: str, *, failed: bool) -> None:
        """The page's tickers go with its article; a failed page keeps its raw bytes with the reason."""
        if not page.decide(reason):
            return  # stored before it was dropped (a portal copy): its tickers are the page's
        if not failed:
            return
        if page.tickers:
            logger.warning("%d tickers of %s dropped with its article (%s)", len(page.tickers), page.url, reason)
        if self.crawler.settings.getbool("NEWSCRAWL_KEEP_RAW"):
            mark_parse_error(self.crawler, page.url, f"dropped: {reason}")

    def close_spider(self) -> None:
        self.pages.close("the crawl stopped")
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
