"""The shared news spider: discovery (RSS, Atom, sitemaps, list pages) and handing article responses to the
site's page object. Spiders never clean text; pipelines never fetch."""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Iterator
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from typing import Any, ClassVar
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from newscrawl.clock import now_kst
from newscrawl.dates import KST, parse_datetime
from newscrawl.extract import UndecodableError, decode_html, extract_html
from newscrawl.feeds import feed_links
from newscrawl.pages import ExtractionError
from newscrawl.rawpages import ARTICLE_META, mark_parse_error
from newscrawl.retry import failure_reason
from newscrawl.sites import Site, get_site
from newscrawl.urls import strip_tracking

logger = logging.getLogger(__name__)


class ArgumentError(ValueError):
    pass


def _day(value: str | None, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ArgumentError(f"-a {name}={value!r} is not a date; use YYYY-MM-DD") from None


def _whole(value: str | int | None, name: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except ValueError:
        number = -1
    if number < 0:
        raise ArgumentError(f"-a {name}={value!r} is not a whole number")
    return number


class NewsSpider(scrapy.Spider):
    """Subclasses set ``site_name``, ``default_base_url``, ``discovery_paths`` and ``article_url``."""

    site_name: ClassVar[str]
    default_base_url: ClassVar[str]
    discovery_paths: ClassVar[tuple[str, ...]] = ()  # feeds, sitemaps and list pages, relative to base_url
    article_url: ClassVar[re.Pattern[str]]  # which discovered links are article pages

    @classmethod
    def validate_arguments(cls, since: str | None = None, until: str | None = None,
                           max_pages: str | int | None = None, **_: Any) -> None:
        """Raise ArgumentError (one sentence) for a bad -a value, before the crawl starts."""
        _day(since, "since")
        _day(until, "until")
        _whole(max_pages, "max_pages")

    def __init__(self, *args: Any, base_url: str | None = None, since: str | None = None,
                 until: str | None = None, max_pages: str | int | None = None, feeds: str | None = None,
                 **kwargs: Any):
        super().__init__(*args, **kwargs)
        if feeds:  # -a feeds=URL,URL: discover from these feeds, sitemaps or list pages instead
            self.discovery_paths = tuple(f.strip() for f in feeds.split(",") if f.strip())
        self.discovered: set[str] = set()  # article_key() of every article scheduled
        # With -a base_url (a mirror, a test server) every URL is rebased onto it, so nothing else is fetched.
        self.rebased = bool(base_url)
        self.base_url = (base_url or self.default_base_url).rstrip("/")
        self.since = _day(since, "since")
        self.until = _day(until, "until")
        self.max_pages = _whole(max_pages, "max_pages")
        self.site: Site = get_site(self.site_name)
        self.scheduled = 0
        host = urlsplit(self.base_url).hostname or ""
        self.allowed_domains = [host] if self.rebased else [host, *self.site.hosts]

    def resolve(self, url: str, base: str | None = None) -> str:
        """Absolute URL; rebased onto base_url when one was given."""
        absolute = urljoin(base or self.base_url + "/", url)
        if not self.rebased:
            return absolute
        parts = urlsplit(absolute)
        return self.base_url + (parts.path or "/") + (f"?{parts.query}" if parts.query else "")

    async def start(self) -> AsyncIterator[Request]:
        for path in self.discovery_paths:
            yield Request(self.resolve(path), callback=self.parse_discovery, errback=self.discovery_failed)

    # --- discovery ---------------------------------------------------------------------------------
    def discovery_failed(self, failure: Failure) -> None:
        self.crawler.stats.inc_value("newscrawl/discovery/failed")
        logger.error("discovery page failed: %s (%s)", failure.request.url, failure.getErrorMessage())

    def in_window(self, when: datetime | None) -> bool:
        if when is None:
            return True
        day = when.astimezone(KST).date()
        return not ((self.since and day < self.since) or (self.until and day > self.until))

    def links(self, response: Response) -> Iterator[tuple[str, datetime | None, bool]]:
        """(url, date or None, is_sitemap) for every link a feed, sitemap or list page offers."""
        head = response.body[:2048].lstrip().lower()
        if head.startswith(b"<?xml") or b"<rss" in head or b"<urlset" in head or b"<sitemapindex" in head:
            for link, when, is_sitemap in feed_links(response.body):
                yield link, _feed_date(when), is_sitemap
        else:
            for href in response.css("a::attr(href)").getall():
                yield href.strip(), None, False

    def parse_discovery(self, response: Response) -> Iterator[Request]:
        for link, when, is_sitemap in self.links(response):
            if not link:
                continue
            url = strip_tracking(self.resolve(link, response.url))
            if is_sitemap:
                yield Request(url, callback=self.parse_discovery, errback=self.discovery_failed)
                continue
            if not self.article_url.search(url):
                continue
            if not self.in_window(when):
                self.crawler.stats.inc_value("newscrawl/discovery/out_of_window")
                continue
            key = self.article_key(url)
            if key is not None:
                if key in self.discovered:
                    self.crawler.stats.inc_value("newscrawl/discovery/duplicate_article")
                    continue
                self.discovered.add(key)
            if self.max_pages is not None and self.scheduled >= self.max_pages:
                self.crawler.stats.inc_value("newscrawl/discovery/over_max_pages")
                continue
            self.scheduled += 1
            yield self.article_request(url)

    def article_key(self, url: str) -> str | None:
        """What makes two discovered links one article (e.g. the site's article id), so it is fetched once
        whatever route or URL shape listed it; None leaves it to the request dupefilter (same URL only)."""
        return None

    def article_request(self, url: str, **meta: Any) -> Request:
        return Request(url, callback=self.parse_article, errback=self.article_failed,
                       meta={ARTICLE_META: True, "newscrawl_site": self.site_name, **meta})

    # --- articles ----------------------------------------------------------------------------------
    def article_failed(self, failure: Failure) -> None:
        if failure.check(IgnoreRequest) and not failure.check(HttpError):
            return  # skipped on purpose (incremental, robots.txt), counted where it was decided
        self.crawler.stats.inc_value("newscrawl/articles/fetch_failed")
        cause = failure.value.response.status if failure.check(HttpError) else failure.value
        self.crawler.stats.inc_value(f"newscrawl/articles/fetch_failed/{failure_reason(cause)}")
        logger.error("article fetch failed: %s (%s)", failure.request.url, failure.getErrorMessage())

    def parse_article(self, response: Response) -> Iterator[Any]:
        try:
            html, _ = decode_html(response.body, _header_charset(response))
            extracted = extract_html(response.url, html, self.site)
        except (ExtractionError, UndecodableError) as error:
            reason = getattr(error, "reason", "undecodable")
            self.crawler.stats.inc_value(f"newscrawl/parse_error/{reason}")
            self.crawler.stats.inc_value(f"newscrawl/parse_error/{self.site_name}/{reason}")
            logger.warning("cannot parse %s: %s (raw page kept)", response.url, error)
            if self.crawler.settings.get("NEWSCRAWL_DATABASE") and self.crawler.settings.getbool(
                    "NEWSCRAWL_KEEP_RAW"):
                mark_parse_error(self.crawler, response.url, str(error))
            return
        article = extracted.article
        if article and not self.in_window(parse_datetime(article.published_at)):
            self.crawler.stats.inc_value("newscrawl/articles/out_of_window")
            return
        if article and article.canonical_url:
            # A quote observation belongs to the article page, whatever URL reached it (no repeats later).
            for ticker in extracted.tickers:
                ticker.source_url = article.canonical_url
        fetched_at = now_kst()
        # Tickers first: the article, stored last, marks the page done for incremental and resumed runs.
        for item in [*extracted.tickers, *([article] if article else [])]:
            item.fetched_at = fetched_at
            yield item


def _feed_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return parsedate_to_datetime(value.strip())
    except (TypeError, ValueError):
        return parse_datetime(value)


def _header_charset(response: Response) -> str | None:
    content_type = response.headers.get(b"Content-Type", b"").decode("latin-1")
    found = re.search(r"charset=([\w-]+)", content_type, re.IGNORECASE)
    return found.group(1) if found else None
