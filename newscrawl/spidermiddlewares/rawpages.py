"""Keep the raw bytes of every article page (compressed) before it is parsed, so a page that fails to parse,
or a parser that improves, can be re-run later without re-crawling."""

from __future__ import annotations

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response

from newscrawl.clock import now_kst
from newscrawl.keys import ARTICLE_META, RAW_PAGES_SAVED, SITE_META
from newscrawl.storage import storage_for


class RawPageMiddleware:
    """Spider middleware: saves responses of requests marked ``meta['newscrawl_article']``."""

    def __init__(self, crawler: Crawler):
        if not crawler.settings.getbool("NEWSCRAWL_KEEP_RAW"):
            raise NotConfigured
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RawPageMiddleware:
        return cls(crawler)

    def process_spider_input(self, response: Response) -> None:
        if response.meta.get(ARTICLE_META):
            storage_for(self.crawler).save_raw(
                response.url, response.body, site=response.meta.get(SITE_META), fetched_at=now_kst(),
                status=response.status, encoding=getattr(response, "encoding", None),
            )
            self.crawler.stats.inc_value(RAW_PAGES_SAVED)
