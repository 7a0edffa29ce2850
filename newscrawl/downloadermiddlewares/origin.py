"""With ``-a base_url`` nothing but that origin (scheme, host and port) is fetched. Scrapy's offsite check
compares host names only, so a redirect to the same host on another port would otherwise be followed.
Refused requests are counted with Scrapy's own ``offsite/filtered``."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.httpobj import urlparse_cached

logger = logging.getLogger(__name__)
DEFAULT_PORTS = {"http": 80, "https": 443}


def origin(scheme: str, host: str | None, port: int | None) -> tuple[str, str, int | None]:
    return scheme, host or "", port or DEFAULT_PORTS.get(scheme)


class BaseUrlOriginMiddleware:
    def __init__(self, crawler: Crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BaseUrlOriginMiddleware:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        spider = self.crawler.spider
        if not getattr(spider, "rebased", False):
            return
        base = urlsplit(spider.base_url)
        url = urlparse_cached(request)
        if origin(url.scheme, url.hostname, url.port) == origin(base.scheme, base.hostname, base.port):
            return
        self.crawler.stats.inc_value("offsite/filtered")
        logger.warning("not fetched: %s is outside base_url %s", request.url, spider.base_url)
        raise IgnoreRequest(f"outside base_url: {request.url}")
