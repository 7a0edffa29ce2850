"""Surviving a hostile server: retries with exponential backoff that honour Retry-After (capped), redirect
loops cut short, decompression bombs refused, and every request given up on counted with its reason
(``newscrawl/fetch_failed/<reason>``).

A request waiting for its retry holds no download slot: it leaves the downloader (its errback sees RetryLater,
an IgnoreRequest) and is scheduled again when the wait is over, so other requests and hosts go on meanwhile.

Settings: NEWSCRAWL_RETRY_BACKOFF_BASE (seconds before the first retry, doubled per retry),
NEWSCRAWL_RETRY_BACKOFF_MAX (cap of that delay), NEWSCRAWL_RETRY_AFTER_MAX (cap of a server's Retry-After).
"""

from __future__ import annotations

import logging
import random
import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.downloadermiddlewares.retry import RetryMiddleware, get_retry_request
from scrapy.exceptions import DontCloseSpider, IgnoreRequest
from scrapy.http import Response
from scrapy.http.request import NO_CALLBACK
from scrapy.settings import BaseSettings
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.task import deferLater

from newscrawl.keys import FETCH_FAILED

logger = logging.getLogger(__name__)

FAILED = FETCH_FAILED.rstrip("/")
# Exception class name -> the reason a request was given up on.
_EXCEPTION_REASONS = {
    "DownloadTimeoutError": "timeout", "TimeoutError": "timeout", "TCPTimedOutError": "timeout",
    "ResponseDataLossError": "connection_lost", "ConnectionLost": "connection_lost",
    "ConnectionDone": "connection_lost", "DownloadFailedError": "connection_lost",
    "ResponseFailed": "connection_lost", "ResponseNeverReceived": "connection_lost",
    "DownloadConnectionRefusedError": "connection_refused", "ConnectionRefusedError": "connection_refused",
    "ConnectError": "connection_refused", "CannotResolveHostError": "dns",
    "DownloadCancelledError": "too_large",  # the download handler cancels a body over DOWNLOAD_MAXSIZE
}


def failure_reason(cause: Response | BaseException | int) -> str:
    """A short, stable reason: ``http_503``, ``timeout``, ``connection_lost``, ``too_large``..."""
    if isinstance(cause, int):
        return f"http_{cause}"
    if isinstance(cause, Response):
        return f"http_{cause.status}"
    if isinstance(cause, GaveUp):
        return cause.reason
    name = type(cause).__name__
    return _EXCEPTION_REASONS.get(name) or re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def retry_after_seconds(value: bytes | str | None, now: datetime | None = None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date); None when absent or unreadable."""
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


async def sleep(seconds: float) -> None:
    """Wait without blocking the reactor (imported here: importing this module must not install one)."""
    from twisted.internet import reactor

    if seconds > 0:
        await maybe_deferred_to_future(deferLater(reactor, seconds, lambda: None))


class GaveUp(IgnoreRequest):
    """Given up on for ``reason`` (a redirect loop, a decompression bomb) and counted as such."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason


class RetryLater(IgnoreRequest):
    """This request is retried after a wait, outside the downloader: not a failure."""


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retry policy (RETRY_TIMES, RETRY_HTTP_CODES, RETRY_EXCEPTIONS) with a wait before each retry:
    the response's Retry-After when it has one (capped at NEWSCRAWL_RETRY_AFTER_MAX), else exponential
    backoff with jitter. Counts the waits and, on giving up, the reason."""

    def __init__(self, settings: BaseSettings):
        super().__init__(settings)
        self.backoff_base = settings.getfloat("NEWSCRAWL_RETRY_BACKOFF_BASE", 1.0)
        self.backoff_max = settings.getfloat("NEWSCRAWL_RETRY_BACKOFF_MAX", 30.0)
        self.retry_after_max = settings.getfloat("NEWSCRAWL_RETRY_AFTER_MAX", 120.0)
        self.waiting: set[Any] = set()  # twisted DelayedCalls of retries not yet scheduled again

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BackoffRetryMiddleware:
        middleware = super().from_crawler(crawler)
        crawler.signals.connect(middleware.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    def spider_idle(self) -> None:
        if self.waiting:
            raise DontCloseSpider  # retries are still waiting out their delay

    def spider_closed(self) -> None:
        for call in self.waiting:
            if call.active():
                call.cancel()
        self.waiting.clear()

    def schedule_later(self, retry: Request, wait: float) -> None:
        from twisted.internet import reactor

        def schedule() -> None:
            self.waiting.discard(call)
            self.crawler.engine.crawl(retry)

        call = reactor.callLater(wait, schedule)
        self.waiting.add(call)

    def delay(self, request: Request, response: Response | None) -> float:
        stats = self.crawler.stats
        asked = retry_after_seconds(response.headers.get(b"Retry-After")) if response is not None else None
        if asked is not None:
            stats.inc_value("newscrawl/retry/retry_after")
            if asked > self.retry_after_max:
                stats.inc_value("newscrawl/retry/retry_after_capped")
                logger.warning("%s asked to wait %.0f s; waiting the %.0f s cap (NEWSCRAWL_RETRY_AFTER_MAX)",
                               request.url, asked, self.retry_after_max)
            return min(asked, self.retry_after_max)
        stats.inc_value("newscrawl/retry/backoff")
        attempt = request.meta.get("retry_times", 0)
        wait = min(self.backoff_base * 2 ** attempt, self.backoff_max)
        return wait * random.uniform(0.75, 1.25)

    async def retry_later(self, request: Request, cause: Response | BaseException) -> Request | None:
        retry = get_retry_request(
            request, spider=self.crawler.spider, reason=cause if isinstance(cause, BaseException)
            else f"{cause.status}", max_retry_times=request.meta.get("max_retry_times", self.max_retry_times),
            priority_adjust=request.meta.get("priority_adjust", self.priority_adjust),
            give_up_log_level=request.meta.get("give_up_log_level", self.give_up_log_level),
        )
        if retry is None:
            self.crawler.stats.inc_value(f"{FAILED}/{failure_reason(cause)}")
            return None
        wait = self.delay(request, cause if isinstance(cause, Response) else None)
        self.crawler.stats.inc_value("newscrawl/retry/waited_seconds", round(wait, 3))
        if request.callback is NO_CALLBACK:  # fetched directly by a component (robots.txt): it awaits the answer
            await sleep(wait)
            return retry
        self.schedule_later(retry, wait)
        raise RetryLater(f"retrying {request.url} in {wait:.1f} s")

    async def process_response(self, request: Request, response: Response) -> Request | Response:
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        return await self.retry_later(request, response) or response

    async def process_exception(self, request: Request, exception: Exception) -> Request | None:
        if isinstance(exception, IgnoreRequest):
            return None  # decided on purpose (robots.txt, offsite, incremental) and counted there
        if isinstance(exception, self.exceptions_to_retry) and not request.meta.get("dont_retry", False):
            return await self.retry_later(request, exception)
        self.crawler.stats.inc_value(f"{FAILED}/{failure_reason(exception)}")
        return None


class RedirectLoopMiddleware:
    """Before RedirectMiddleware: a redirect back to a URL the chain already visited is a loop (the
    dupefilter would drop it without a word); stop it and count it, as well as chains that reach
    REDIRECT_MAX_TIMES."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.max_times = crawler.settings.getint("REDIRECT_MAX_TIMES")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedirectLoopMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        location = response.headers.get(b"Location")
        if not (300 <= response.status < 400 and location) or request.meta.get("dont_redirect"):
            return response
        chain = [*request.meta.get("redirect_urls", []), request.url]
        target = urljoin(request.url, location.decode("latin-1").strip())
        if target in chain:
            reason = "redirect_loop"
        elif len(chain) > self.max_times:
            reason = "too_many_redirects"
        else:
            return response
        self.crawler.stats.inc_value(f"{FAILED}/{reason}")
        logger.warning("%s: %s after %d redirects (to %s)", reason.replace("_", " "), request.url,
                       len(chain) - 1, target)
        raise GaveUp(reason, f"{reason}: {request.url}")


class BoundedDecompressionMiddleware(HttpCompressionMiddleware):
    """Scrapy's decompression, which stops at DOWNLOAD_MAXSIZE (a gzip bomb), with the refusal counted."""

    def process_response(self, request: Request, response: Response) -> Request | Response:
        try:
            return super().process_response(request, response)
        except IgnoreRequest as error:
            self.stats.inc_value(f"{FAILED}/too_large")
            raise GaveUp("too_large", str(error)) from error
