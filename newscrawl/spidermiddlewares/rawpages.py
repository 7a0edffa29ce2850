"""Keep the raw bytes of every article page (compressed) before it is parsed, so a page that fails to parse,
or a parser that improves, can be re-run later without re-crawling."""

from __future__ import annotations

from collections.abc import Callable

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.settings import BaseSettings

from newscrawl.clock import now_kst
from newscrawl.keys import ARTICLE_META, RAW_PAGES_SAVED, SITE_META
from newscrawl.sinks import sink_state
from newscrawl.storage import Storage, database_name, storage_errors, storage_for


def keeps_raw(settings: BaseSettings) -> bool:
    """Raw pages are kept in the database: a page's parse outcome can be recorded beside them."""
    return bool(settings.get("NEWSCRAWL_DATABASE")) and settings.getbool("NEWSCRAWL_KEEP_RAW")


def mark_parse_error(crawler: Crawler, url: str, reason: str) -> None:
    """Record why a kept page did not parse; a database error stops the crawl (newscrawl/sinks.py)."""
    _write_beside(crawler, lambda storage: storage.mark_parse_error(url, reason))


def mark_extracted(crawler: Crawler, url: str, extracted_by: str) -> None:
    """Record which page object read a kept page; a database error stops the crawl (newscrawl/sinks.py)."""
    _write_beside(crawler, lambda storage: storage.mark_extracted(url, extracted_by))


def _write_beside(crawler: Crawler, write: Callable[[Storage], None]) -> None:
    state = sink_state(crawler)
    if state.failure:
        return
    try:
        write(storage_for(crawler))
    except storage_errors() as error:
        state.fail(crawler, database_name(crawler.settings.get("NEWSCRAWL_DATABASE")), error)


class RawPageMiddleware:
    """Spider middleware: saves responses of requests marked ``meta['newscrawl_article']``."""

    def __init__(self, crawler: Crawler):
        if not keeps_raw(crawler.settings):  # off, or no database (feeds only)
            raise NotConfigured
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RawPageMiddleware:
        return cls(crawler)

    def process_spider_input(self, response: Response) -> None:
        if response.meta.get(ARTICLE_META) and not sink_state(self.crawler).failure:
            try:
                storage_for(self.crawler).save_raw(
                    response.url, response.body, site=response.meta.get(SITE_META), fetched_at=now_kst(),
                    status=response.status, encoding=getattr(response, "encoding", None),
                )
            except storage_errors() as error:  # the crawl stops; the page is fetched again on resume
                sink_state(self.crawler).fail(self.crawler, database_name(self.crawler.settings.get(
                    "NEWSCRAWL_DATABASE")), error)
                return
            self.crawler.stats.inc_value(RAW_PAGES_SAVED)
