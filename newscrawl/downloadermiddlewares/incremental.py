"""Incremental crawling: skip article pages already stored, except recent ones, which are fetched again
so that edits become revisions (NEWSCRAWL_RECHECK_DAYS)."""

from __future__ import annotations

from datetime import datetime, timedelta

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured

from newscrawl.dates import KST, parse_datetime
from newscrawl.keys import ARTICLE_META, RECHECKED, SKIPPED_SEEN
from newscrawl.sinks import sink_state
from newscrawl.storage import database_name, storage_errors, storage_for


class IncrementalMiddleware:
    """Downloader middleware; needs the database (NEWSCRAWL_DATABASE) and NEWSCRAWL_INCREMENTAL on."""

    def __init__(self, crawler: Crawler):
        settings = crawler.settings
        if not settings.getbool("NEWSCRAWL_INCREMENTAL") or not settings.get("NEWSCRAWL_DATABASE"):
            raise NotConfigured
        self.crawler = crawler
        self.recheck = timedelta(days=settings.getfloat("NEWSCRAWL_RECHECK_DAYS"))
        self.done: dict[str, str | None] = {}
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> IncrementalMiddleware:
        return cls(crawler)

    def spider_opened(self) -> None:
        try:
            self.done = storage_for(self.crawler).done_urls()
        except storage_errors() as error:  # not a silent full re-crawl: the database is unreadable
            sink_state(self.crawler).fail(self.crawler, database_name(self.crawler.settings.get(
                "NEWSCRAWL_DATABASE")), error)

    def process_request(self, request: Request) -> None:
        if not request.meta.get(ARTICLE_META) or request.url not in self.done:
            return
        published = parse_datetime(self.done[request.url])
        if published and datetime.now(KST) - published <= self.recheck:
            self.crawler.stats.inc_value(RECHECKED)
            return
        self.crawler.stats.inc_value(SKIPPED_SEEN)
        raise IgnoreRequest(f"already stored: {request.url}")
