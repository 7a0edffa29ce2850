"""The rendering downloader middleware: which requests are rendered, the fallback for pages without a body."""

from __future__ import annotations

import logging

from parsel import Selector
from scrapy.crawler import Crawler
from scrapy.http import Request, Response
from scrapy.settings import BaseSettings

from newscrawl.extract import UndecodableError, decode_html
from newscrawl.keys import ARTICLE_META, SITE_META
from newscrawl.keys import render as render_key
from newscrawl.pages import ExtractionError
from newscrawl.rendering.config import (
    RENDER_META,
    RENDERED_TEXT_META,
    SETTLE_META,
    profile_for,
    render_mode,
    timeout_ms,
)
from newscrawl.sites import get_site

logger = logging.getLogger(__name__)


class RenderingMiddleware:
    """Downloader middleware: marks the requests to render, re-issues plain article pages that lack their body
    (fallback mode), and turns pages that never got ready into counted, logged failures. Every crawl loads it;
    Playwright is imported only by the methods that render (its import costs ~0.15 s of start-up)."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.settings = crawler.settings
        self.stats = crawler.stats
        self.mode = render_mode(crawler.settings, crawler.spider)
        self.wait_ms = timeout_ms(crawler.settings)
        self.read_text = crawler.settings.getbool("NEWSCRAWL_RENDER_TEXT")
        self.warned_off = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RenderingMiddleware:
        return cls(crawler)

    def wants_render(self, request: Request) -> bool:
        flag = request.meta.get(RENDER_META)
        if flag is not None:
            return bool(flag)
        if request.meta.get("playwright"):
            return True
        return self.mode == "always" and bool(request.meta.get(ARTICLE_META))

    def process_request(self, request: Request) -> None:
        if SETTLE_META in request.meta or not self.wants_render(request):
            return
        if self.mode == "off":
            self.stats.inc_value(render_key("not_enabled"))
            request.meta["playwright"] = False
            if not self.warned_off:
                self.warned_off = True
                logger.warning("a request asked for rendering but NEWSCRAWL_RENDER=off; fetching it plainly "
                               "(set NEWSCRAWL_RENDER=request or the spider's render attribute): %s", request.url)
            return
        from scrapy_playwright.page import PageMethod  # here: a plain crawl never imports Playwright

        from newscrawl.rendering.browser import settle

        profile = profile_for(request.meta.get(SITE_META), self.settings)
        settle_method = PageMethod(settle, profile, self.wait_ms, self.read_text)
        request.meta.update({"playwright": True, SETTLE_META: settle_method})
        request.meta.setdefault("playwright_context", "newscrawl")
        request.meta.setdefault("playwright_context_kwargs", {"service_workers": "block"})
        request.meta.setdefault("playwright_page_goto_kwargs",
                                {"wait_until": "domcontentloaded", "timeout": self.wait_ms})
        request.meta["playwright_page_methods"] = [*request.meta.get("playwright_page_methods", ()), settle_method]
        self.stats.inc_value(render_key("requests"))

    def process_response(self, request: Request, response: Response) -> Request | Response:
        settle_method = request.meta.get(SETTLE_META)
        if settle_method is not None and "playwright" in response.flags:
            return self.rendered(request, response, settle_method.result)
        if self.needs_fallback(request, response):
            self.stats.inc_value(render_key("fallback"))
            logger.info("no article body in the plain HTML of %s; rendering it", response.url)
            return request.replace(meta={**request.meta, RENDER_META: True}, dont_filter=True)
        return response

    def rendered(self, request: Request, response: Response, text: str | None) -> Response:
        if text is None and response.status < 400:
            from newscrawl.rendering.browser import RenderTimeout

            self.stats.inc_value(render_key("timeout"))
            selector = profile_for(request.meta.get(SITE_META), self.settings).ready_selector
            raise RenderTimeout(f"render timeout: {selector!r} did not appear within {self.wait_ms / 1000:g} s")
        self.stats.inc_value(render_key("pages"))
        if self.read_text:
            request.meta[RENDERED_TEXT_META] = text
        return response

    def needs_fallback(self, request: Request, response: Response) -> bool:
        if (self.mode != "fallback" or response.status != 200 or not request.meta.get(ARTICLE_META)
                or request.meta.get(RENDER_META) is False or "playwright" in response.flags):
            return False
        return lacks_body(response, request.meta.get(SITE_META), self.settings)

    def process_exception(self, request: Request, exception: Exception) -> None:
        if SETTLE_META not in request.meta:
            return
        from playwright.async_api import TimeoutError as PlaywrightTimeoutError

        # Counted here; the request's errback (or Scrapy) logs it.
        kind = "timeout" if isinstance(exception, PlaywrightTimeoutError) else "failed"
        self.stats.inc_value(render_key(kind))


def lacks_body(response: Response, site: str | None, settings: BaseSettings | None = None) -> bool:
    """True when the plain HTML has no article body: the site's page-ready selector does not match, or (for a
    site without one) its parser finds no article."""
    content_type = response.headers.get(b"Content-Type", b"").decode("latin-1")
    charset = content_type.partition("charset=")[2].split(";")[0].strip() or None
    try:
        html, _ = decode_html(response.body, charset)
    except UndecodableError:
        return False
    selector = profile_for(site, settings).ready_selector
    if selector:
        return not Selector(text=html).css(selector)
    if not site:
        return False
    try:
        get_site(site).page(response.url, html).extract()
    except ExtractionError:
        return True
    return False
