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

from newscrawl import keys
from newscrawl.clock import now_kst
from newscrawl.dates import KST, parse_datetime
from newscrawl.discovery import DiscoveryFailed, discovery_xml
from newscrawl.downloadermiddlewares.retry import GaveUp, failure_reason
from newscrawl.extract import UndecodableError, decode_page, extract_html
from newscrawl.feeds import feed_links
from newscrawl.items import ArticleItem
from newscrawl.pageitems import tie_page
from newscrawl.pages import ExtractionError
from newscrawl.sites import Site, get_site
from newscrawl.spidermiddlewares.rawpages import keeps_raw, mark_extracted, mark_parse_error
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
    """A portal's spider, read from its declaration (``newscrawl.sites.<name>.SITE``, found by the spider's
    ``name``): base URL, discovery sources, article URL pattern and id, link rewriting. Built for every
    declaration by :func:`spider_for`; subclass it only for behaviour of a portal's own."""

    name: str
    default_base_url: ClassVar[str]
    discovery_paths: ClassVar[tuple[str, ...]] = ()  # feeds, sitemaps and list pages, relative to base_url
    article_url: ClassVar[re.Pattern[str]]  # which discovered links are article pages

    @classmethod
    def declaration(cls) -> Site:
        """The portal this spider crawls: the declaration of the same name."""
        return get_site(cls.name)

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
        self.site: Site = self.declaration()
        if feeds:  # -a feeds=URL,URL: discover from these feeds, sitemaps or list pages instead
            self.discovery_paths = tuple(f.strip() for f in feeds.split(",") if f.strip())
        self.discovered: set[str] = set()  # article_key() of every article scheduled
        # With -a base_url (a mirror, a test server) every URL is rebased onto it, so nothing else is fetched.
        self.rebased = bool(base_url)
        self.base_url = (base_url or self.default_base_url).rstrip("/")
        self.since = _day(since, "since")
        self.until = _day(until, "until")
        self.max_pages = _whole(max_pages, "max_pages")
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
        if failure.check(IgnoreRequest) and not failure.check(HttpError, GaveUp):
            return  # on purpose (robots.txt, offsite, a retry after its wait), counted where it was decided
        self.crawler.stats.inc_value(keys.discovery("failed"))
        cause = failure.value.response.status if failure.check(HttpError) else failure.value
        self.crawler.stats.inc_value(keys.discovery(f"failed/{failure_reason(cause)}"))
        logger.error("discovery page failed: %s (%s)", failure.request.url, failure.getErrorMessage())

    def discovery_response_failed(self, response: Response, reason: str, detail: str) -> None:
        """A feed, sitemap or list page that arrived but cannot be read: counted by reason and logged."""
        self.crawler.stats.inc_value(keys.discovery("failed"))
        self.crawler.stats.inc_value(keys.discovery(f"failed/{reason}"))
        logger.error("discovery page failed: %s (%s: %s)", response.url, reason, detail)

    def in_window(self, when: datetime | None) -> bool:
        if when is None:
            return True
        day = when.astimezone(KST).date()
        return not ((self.since and day < self.since) or (self.until and day > self.until))

    def link_date(self, value: str | None, link: str | None, response: Response) -> datetime | None:
        """A feed item's date; an impossible one (2024-02-30) is no date: the link is kept, counted, logged."""
        if not value or not value.strip():
            return None
        when = feed_date(value)
        if when is None:
            self.crawler.stats.inc_value(keys.discovery("bad_date"))
            logger.warning("impossible date %r for %s in %s (kept without a date)", value.strip()[:60],
                           (link or "").strip(), response.url)
        return when

    def links(self, response: Response) -> Iterator[tuple[str, datetime | None, bool]]:
        """(url, date or None, is_sitemap) for every link a feed, sitemap or list page offers; raises
        DiscoveryFailed at once (not while iterating) for a response that cannot be read. Feeds and
        sitemaps are read as a stream: a 50,000-URL sitemap is never a tree or a list in memory."""
        xml = discovery_xml(response, response.meta.get(
            "download_maxsize", self.crawler.settings.getint("DOWNLOAD_MAXSIZE")))
        if xml is None:
            return ((href.strip(), None, False) for href in response.css("a::attr(href)").getall())
        return ((link, None if is_sitemap else self.link_date(when, link, response), is_sitemap)
                for link, when, is_sitemap in feed_links(xml))

    def parse_discovery(self, response: Response) -> Iterator[Request]:
        try:
            links = self.links(response)
        except DiscoveryFailed as error:
            self.discovery_response_failed(response, error.reason, str(error))
            return
        for link, when, is_sitemap in links:
            if not link:
                continue
            absolute = urljoin(response.url, link)
            if self.site.link is not None:  # the portal's own link shapes (routes, placement parameters)
                absolute = self.site.link(absolute)
            url = strip_tracking(self.resolve(absolute))
            if is_sitemap:
                yield Request(url, callback=self.parse_discovery, errback=self.discovery_failed)
                continue
            if not self.article_url.search(url):
                continue
            if not self.in_window(when):
                self.crawler.stats.inc_value(keys.discovery("out_of_window"))
                continue
            key = self.article_key(url)
            if key is not None:
                if key in self.discovered:
                    self.crawler.stats.inc_value(keys.discovery("duplicate_article"))
                    continue
                self.discovered.add(key)
            if self.max_pages is not None and self.scheduled >= self.max_pages:
                self.crawler.stats.inc_value(keys.discovery("over_max_pages"))
                continue
            self.scheduled += 1
            yield self.article_request(url)

    def article_key(self, url: str) -> str | None:
        """What makes two discovered links one article (e.g. the site's article id), so it is fetched once
        whatever route or URL shape listed it; None leaves it to the request dupefilter (same URL only)."""
        return self.site.article_id(url) if self.site.article_id else None

    def article_id(self, url: str) -> str | None:
        """The site's article id in an article URL (article_key(), else the longest number in the part that
        matches article_url); None when the URL is not an article URL."""
        key = self.article_key(url)
        if key is not None:
            return key
        found = self.article_url.search(url)
        return max(re.findall(r"\d+", found.group(0)), key=len, default=found.group(0)) if found else None

    def check_canonical(self, article: ArticleItem, fetched_url: str) -> None:
        """A page's canonical URL is trusted only on a host the site serves (or the one it was fetched from)
        and, when it names another article URL, only if the article id is the same: a page may not take over
        another article's record. Otherwise the page is stored under its own URL, and that is counted."""
        canonical = article.canonical_url
        own = strip_tracking(fetched_url)
        if not canonical or strip_tracking(canonical) == own:
            return
        host = urlsplit(canonical).hostname or ""
        if not (self.site.serves(host) or host == urlsplit(fetched_url).hostname):
            reason = "foreign_host"
        elif (own_id := self.article_id(own)) is not None and self.article_id(canonical) not in (None, own_id):
            reason = "canonical_conflict"
        else:
            return
        self.crawler.stats.inc_value(keys.canonical(reason))
        logger.warning("%s names %s as its canonical URL (%s): stored under its own URL", fetched_url,
                       canonical, reason.replace("_", " "))
        article.canonical_url = own

    def article_request(self, url: str, **meta: Any) -> Request:
        return Request(url, callback=self.parse_article, errback=self.article_failed,
                       meta={keys.ARTICLE_META: True, keys.SITE_META: self.site.name, **meta})

    # --- articles ----------------------------------------------------------------------------------
    def article_failed(self, failure: Failure) -> None:
        if failure.check(IgnoreRequest) and not failure.check(HttpError, GaveUp):
            return  # skipped on purpose (incremental, robots.txt, a retry later), counted where it was decided
        self.crawler.stats.inc_value(keys.article_fetch_failed())
        cause = failure.value.response.status if failure.check(HttpError) else failure.value
        self.crawler.stats.inc_value(keys.article_fetch_failed(failure_reason(cause)))
        logger.error("article fetch failed: %s (%s)", failure.request.url, failure.getErrorMessage())

    def keeps_raw(self) -> bool:
        """Raw pages are in the database (RawPageMiddleware): their parse outcome is recorded beside them."""
        return keeps_raw(self.crawler.settings)

    def parse_article(self, response: Response) -> Iterator[Any]:
        stats = self.crawler.stats
        stats.inc_value(keys.ARTICLE_PAGES)
        try:
            decoded = decode_page(response.body, _header_charset(response))
            extracted = extract_html(response.url, decoded.text, self.site)
        except (ExtractionError, UndecodableError) as error:
            reason = getattr(error, "reason", "undecodable")
            stats.inc_value(keys.parse_error(reason))
            stats.inc_value(keys.parse_error(reason, self.site.name))
            logger.warning("cannot parse %s: %s (raw page kept)", response.url, error)
            self.keep_raw(response, str(error))
            return
        if decoded.replaced:
            stats.inc_value(keys.DECODE_REPLACED)
            stats.inc_value(keys.DECODE_REPLACED_BYTES, decoded.replaced)
            logger.warning("%s: %d undecodable byte(s) in %s replaced by U+FFFD", response.url, decoded.replaced,
                           decoded.encoding)
        for name, value in extracted.impossible_dates:
            stats.inc_value(keys.impossible_date(name))
            logger.warning("impossible %s %r on %s (the page's next date source is used, if any)", name,
                           value[:60], response.url)
        article = extracted.article
        if extracted.fallback_from is not None:
            stats.inc_value(keys.fallback(self.site.name))
            logger.warning("layout drift? %s: %s; read by the generic extractor instead", response.url,
                           extracted.fallback_from)
        when = parse_datetime(article.published_at) if article else None
        undated = article is not None and when is None
        if undated:  # ValidatePipeline drops it (missing_published_at), its tickers with it (pipelines/pagetie.py)
            self.keep_raw(response, f"missing_published_at: no possible date (page gave {article.published_at!r})")
        elif article:
            if self.keeps_raw():
                mark_extracted(self.crawler, response.url, article.extracted_by)
            if not article.syndicated:
                self.check_canonical(article, response.url)
            if not self.in_window(when):
                stats.inc_value(keys.article_outcome("out_of_window"))
                return
        if article and article.canonical_url:
            # A quote observation belongs to the article page, whatever URL reached it (no repeats later).
            for ticker in extracted.tickers:
                ticker.source_url = article.canonical_url
        fetched_at = now_kst()
        items = [*([article] if article else []), *extracted.tickers]
        for item in items:
            item.fetched_at = fetched_at
        if article:  # its tickers leave the pipelines with it or not at all (newscrawl/pageitems.py)
            tie_page(self.crawler, response.url, article, extracted.tickers, raw_noted=undated and self.keeps_raw())
        yield from items

    def keep_raw(self, response: Response, reason: str) -> None:
        """Note why an article page gave no article beside its raw bytes (kept by RawPageMiddleware)."""
        if self.keeps_raw():
            mark_parse_error(self.crawler, response.url, reason)


def feed_date(value: str) -> datetime | None:
    """An RFC 822 (RSS) or ISO 8601 (Atom, sitemaps) date; None when it is impossible. Never raises."""
    try:
        return parse_datetime(parsedate_to_datetime(value.strip()))
    except (TypeError, ValueError, OverflowError):
        return parse_datetime(value)


def _header_charset(response: Response) -> str | None:
    content_type = response.headers.get(b"Content-Type", b"").decode("latin-1")
    found = re.search(r"charset=([\w-]+)", content_type, re.IGNORECASE)
    return found.group(1) if found else None


def spider_for(site: Site, module: str) -> type[NewsSpider]:
    """The spider of a declared portal (``scrapy crawl <site.name>``), defined in ``module``."""
    if site.article_url is None or not site.discovery:
        raise ValueError(f"site {site.name} declares no discovery sources or article URL pattern")
    attributes = {"name": site.name, "default_base_url": site.base_url, "discovery_paths": site.discovery,
                  "article_url": site.article_url, "__module__": module,
                  "__doc__": f"{site.publisher}: discovery from {', '.join(site.discovery)}."}
    return type(f"{site.name.capitalize()}Spider", (NewsSpider,), attributes)
