"""robots.txt as RFC 9309 asks, on top of Scrapy's RobotsTxtMiddleware:

- only the first NEWSCRAWL_ROBOTSTXT_MAXSIZE bytes (500 KiB, the RFC's minimum) are read, so a huge
  robots.txt is parsed instead of being cancelled by DOWNLOAD_MAXSIZE and ignored;
- a robots.txt answering 5xx (after retries) or unreachable means "disallow all" for that host for the run
  (``newscrawl/robots/unavailable/<host>``: the reason), flagged in the run report as ``robots_unavailable``;
- refused requests are counted per kind (``newscrawl/robots/forbidden/article`` / ``.../discovery``) and
  per host (``newscrawl/robots/forbidden_host/<host>``), with the User-Agent matched, for the run report's
  ``robots_disallowed`` flag.
"""

from __future__ import annotations

import logging
from weakref import WeakKeyDictionary

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest, StopDownload
from scrapy.http import Response
from scrapy.http.request import NO_CALLBACK
from scrapy.robotstxt import RobotParser
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import build_from_crawler

from newscrawl.downloadermiddlewares.retry import failure_reason
from newscrawl.keys import ARTICLE_META

logger = logging.getLogger(__name__)

ROBOTS = "newscrawl/robots"
DISALLOW_ALL = b"User-agent: *\nDisallow: /\n"


def is_robots_request(request: Request) -> bool:
    """The request RobotsTxtMiddleware makes for a host's robots.txt."""
    return (request.callback is NO_CALLBACK and bool(request.meta.get("dont_obey_robotstxt"))
            and urlparse_cached(request).path == "/robots.txt")


def robots_user_agent(crawler: Crawler) -> str:
    """The User-Agent robots.txt rules are matched against (as RobotsTxtMiddleware does)."""
    return crawler.settings.get("ROBOTSTXT_USER_AGENT") or crawler.settings.get("USER_AGENT")


class _OneLine(logging.Filter):
    """Scrapy logs an unreachable robots.txt with its traceback; the error line is enough (and ours follows)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.exc_info = record.exc_text = None
        return True


_SCRAPY_ROBOTS_LOG = logging.getLogger("scrapy.downloadermiddlewares.robotstxt")


class PoliteRobotsTxtMiddleware(RobotsTxtMiddleware):
    def __init__(self, crawler: Crawler):
        super().__init__(crawler)
        if not any(isinstance(f, _OneLine) for f in _SCRAPY_ROBOTS_LOG.filters):
            _SCRAPY_ROBOTS_LOG.addFilter(_OneLine())
        self.maxsize = crawler.settings.getint("NEWSCRAWL_ROBOTSTXT_MAXSIZE")
        self.download_maxsize = crawler.settings.getint("DOWNLOAD_MAXSIZE")
        self.received: WeakKeyDictionary[Request, int] = WeakKeyDictionary()  # robots.txt bytes so far
        self.warned: set[str] = set()
        self.fetching = 0  # robots.txt downloads in flight: the byte signals are watched only meanwhile

    # --- reading at most the first NEWSCRAWL_ROBOTSTXT_MAXSIZE bytes ---------------------------------
    async def robot_parser(self, request: Request) -> RobotParser | None:
        if urlparse_cached(request).netloc in self._parsers:  # fetched or being fetched: nothing to watch
            return await super().robot_parser(request)
        # The first request to a host downloads its robots.txt: headers_received and bytes_received are sent
        # for every chunk of every response, so they are connected only while a robots.txt is on its way.
        signals_ = self.crawler.signals
        if not self.fetching:
            signals_.connect(self.headers_received, signal=signals.headers_received)
            signals_.connect(self.bytes_received, signal=signals.bytes_received)
        self.fetching += 1
        try:
            return await super().robot_parser(request)
        finally:
            self.fetching -= 1
            if not self.fetching:
                signals_.disconnect(self.headers_received, signal=signals.headers_received)
                signals_.disconnect(self.bytes_received, signal=signals.bytes_received)

    def headers_received(self, headers: object, body_length: int, request: Request) -> None:
        if is_robots_request(request) and self.download_maxsize and body_length > self.download_maxsize:
            # Announced over DOWNLOAD_MAXSIZE: download anyway, bytes_received stops at the robots limit.
            request.meta["download_maxsize"] = 0

    def bytes_received(self, data: bytes, request: Request) -> None:
        if not is_robots_request(request):
            return
        self.received[request] = self.received.get(request, 0) + len(data)
        if self.received[request] >= self.maxsize:
            request.meta["download_maxsize"] = self.download_maxsize  # bounds decompression again
            self.crawler.stats.inc_value(f"{ROBOTS}/truncated")
            logger.warning("%s is over %d bytes: only its beginning is obeyed (RFC 9309)", request.url,
                           self.maxsize)
            raise StopDownload(fail=False)

    # --- 5xx or unreachable: disallow all ------------------------------------------------------------
    async def _parse_robots(self, response: Response, netloc: str, request: Request) -> None:
        if response.status >= 500:
            self.unavailable(netloc, f"http_{response.status}")
            response = response.replace(body=DISALLOW_ALL)
        elif self.received.get(response.request, 0) >= self.maxsize:
            response = response.replace(body=response.body[: self.maxsize])
        await super()._parse_robots(response, netloc, request)

    def _robots_error(self, exc: Exception, netloc: str) -> None:
        if isinstance(exc, IgnoreRequest):  # decided on purpose (e.g. a redirect loop): no rules, as Scrapy
            return super()._robots_error(exc, netloc)
        self.crawler.stats.inc_value(f"robotstxt/exception_count/{type(exc)}")
        self.unavailable(netloc, failure_reason(exc))
        waiting = self._parsers[netloc]
        parser = build_from_crawler(self._parserimpl, self.crawler, DISALLOW_ALL)
        self._parsers[netloc] = parser
        waiting.callback(parser)  # type: ignore[union-attr]

    def unavailable(self, netloc: str, reason: str) -> None:
        self.crawler.stats.set_value(f"{ROBOTS}/unavailable/{netloc}", reason)
        logger.error("robots.txt of %s is unavailable (%s): nothing is fetched from %s this run (RFC 9309)",
                     netloc, reason, netloc)

    # --- refusals, named -----------------------------------------------------------------------------
    def process_request_2(self, rp: RobotParser | None, request: Request) -> None:
        try:
            super().process_request_2(rp, request)
        except IgnoreRequest:
            netloc = urlparse_cached(request).netloc
            kind = "article" if request.meta.get(ARTICLE_META) else "discovery"
            stats = self.crawler.stats
            stats.inc_value(f"{ROBOTS}/forbidden/{kind}")
            stats.inc_value(f"{ROBOTS}/forbidden_host/{netloc}")
            stats.set_value(f"{ROBOTS}/user_agent", robots_user_agent(self.crawler))
            if netloc not in self.warned:
                self.warned.add(netloc)
                logger.warning("robots.txt of %s forbids %s (and maybe more) for User-Agent %r", netloc,
                               request.url, robots_user_agent(self.crawler))
            raise
