"""A page's tickers leave the pipelines only after its article was scraped, or are dropped with it
(newscrawl/pageitems.py), with or without a database.

Ordered after dedup and before the store: a tied ticker that arrives while its article is still in the
pipelines waits here (the only items that ever wait); once the article is scraped the ticker goes on to the
store and the feeds. When the article is dropped anywhere (no body after chrome removal, failed validation, a
duplicate, a pipeline error) its tickers are dropped here, counted ``newscrawl/dropped/ticker/article_dropped``
and logged once per page; a failed page's raw bytes record why, so that ``scrapy reextract --failed`` reads it
again (a duplicate's page is no failure). A portal copy the store drops is kept for this purpose: the store
settles its page first (pipelines/store.py). Untied items cost one dict lookup."""

from __future__ import annotations

import logging
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from newscrawl.items import ArticleItem
from newscrawl.keys import dropped
from newscrawl.pageitems import KEPT, TICKER_OF_DROPPED_ARTICLE, Page, page_items
from newscrawl.scraped import PAGES, on_item_scraped
from newscrawl.sinks import sink_state
from newscrawl.spidermiddlewares.rawpages import keeps_raw, mark_parse_error
from pipelines.dedup import DuplicateItem

logger = logging.getLogger(__name__)
ARTICLE_DROPPED = dropped("ticker", "article_dropped")


class PageTiePipeline:
    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        self.pages = page_items(crawler)
        self.sinks = sink_state(crawler)
        self.keep_raw = keeps_raw(crawler.settings)
        on_item_scraped(crawler, self.item_scraped, PAGES)
        crawler.signals.connect(self.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(self.item_error, signal=signals.item_error)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PageTiePipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        """The item; for a ticker whose article is still in the pipelines, an awaitable of it."""
        page = self.pages.by_item.get(id(item))
        if page is None or isinstance(item, ArticleItem):
            return item
        return self._after_article(item, page) if page.outcome is None else self.released(item, page)

    async def _after_article(self, ticker: Any, page: Page) -> Any:
        await page.decided()
        return self.released(ticker, page)

    def released(self, ticker: Any, page: Page) -> Any:
        """The ticker of a settled page: on when its article was kept, else dropped with it."""
        if page.outcome == KEPT:
            return ticker
        self.stats.inc_value(ARTICLE_DROPPED)
        raise DropItem(f"{TICKER_OF_DROPPED_ARTICLE}: {ticker.name} of {page.url} ({page.outcome})",
                       log_level="DEBUG")

    def item_scraped(self, item: Any) -> None:
        self.pages.left(item, KEPT)

    def item_dropped(self, item: Any, exception: BaseException) -> None:
        page = self.pages.left(item, str(exception))
        if page is not None:
            failed = not isinstance(exception, DuplicateItem) and not self.sinks.failure
            self.article_dropped(page, str(exception), failed=failed)

    def item_error(self, item: Any, failure: Any) -> None:
        reason = f"pipeline error: {failure.getErrorMessage()}"
        page = self.pages.left(item, reason)
        if isinstance(item, ArticleItem):
            self.stats.inc_value(dropped("article", "pipeline_error"))
        if page is not None:
            self.article_dropped(page, reason, failed=True)

    def article_dropped(self, page: Page, reason: str, *, failed: bool) -> None:
        """Log the page's tickers once (they are dropped as they arrive); a failed page's raw page says why."""
        if page.tickers:
            logger.log(logging.WARNING if failed else logging.INFO, "%d tickers of %s dropped with its article (%s)",
                       len(page.tickers), page.url, reason)
        if failed and self.keep_raw and not page.raw_noted:
            mark_parse_error(self.crawler, page.url, f"dropped: {reason}")

    def close_spider(self) -> None:
        self.pages.close("the crawl stopped")
