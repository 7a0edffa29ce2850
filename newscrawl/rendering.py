"""JavaScript-rendered pages: scrapy-playwright driving the system Chromium, only where rendering is asked for.

Who asks (``NEWSCRAWL_RENDER``, or a spider's ``render`` attribute; a ``-s`` on the command line wins):

- ``off`` (default): no browser is started; every request uses the plain HTTP handler.
- ``request``: the browser is ready, but only requests with ``meta["newscrawl_render"] = True`` are rendered.
- ``fallback``: article pages are fetched plainly and re-fetched through the browser when the plain HTML
  lacks the body (counted as ``newscrawl/render/fallback``).
- ``always``: every article page is rendered.

A rendered page waits for ``domcontentloaded`` and then for the site's page-ready selector; images, fonts,
media and every host but the page's own (and its site's) are aborted, since offline or behind a firewall a page
that references outside hosts never finishes loading. With ``NEWSCRAWL_RENDER_TEXT=1`` a rendered response's
``meta["newscrawl_rendered_text"]`` holds the browser's innerText of the site's text root, the input of the
site's rendered-text parser (:func:`rendered_text` does the same for one URL, outside a crawl).
"""

from __future__ import annotations

import asyncio
import logging
import os
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit
from weakref import WeakKeyDictionary

from parsel import Selector
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page, Route, async_playwright
from playwright.async_api import Request as BrowserRequest
from playwright.async_api import TimeoutError as PlaywrightTimeoutError
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider, NotConfigured
from scrapy.http import Request, Response
from scrapy.settings import SETTINGS_PRIORITIES, BaseSettings
from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler
from scrapy_playwright.page import PageMethod

from newscrawl.extract import UndecodableError, decode_html
from newscrawl.pages import ExtractionError
from newscrawl.rawpages import ARTICLE_META
from newscrawl.sites import all_sites, get_site

logger = logging.getLogger(__name__)

MODES = ("off", "request", "fallback", "always")
RENDER_META = "newscrawl_render"  # per request: True renders it, False never does
RENDERED_TEXT_META = "newscrawl_rendered_text"
_SETTLE_META = "newscrawl_render_settle"  # the PageMethod whose result is the innerText (None: not ready)
LAUNCH_ARGS = ("--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
               "--disable-component-update", "--no-first-run", "--disable-sync")
BLOCKED_RESOURCE_TYPES = frozenset({"image", "font", "media"})
INSTALL_HINT = 'install it with "apt-get install -y chromium" or set NEWSCRAWL_CHROMIUM_PATH to a Chromium binary'


@dataclass(frozen=True)
class RenderProfile:
    """How a site's rendered page is read: when it is ready, and which part of it is the article's text."""

    ready_selector: str | None = None  # None: domcontentloaded is enough
    text_root: str = "body"  # innerText of this element feeds the site's rendered-text parser
    text_hidden: tuple[str, ...] = ()  # hidden while innerText is read: chrome the text parser cannot tell apart


PROFILES: dict[str, RenderProfile] = {
    "etoday": RenderProfile(
        ready_selector="div.articleView",
        text_root="section.view_body_moduleWrap",
        text_hidden=('[id^="div-gpt-ad"]', ".ico_share", ".relation_newslist", ".reporter_topNews"),
    ),
}


class RenderTimeout(Exception):
    """The page-ready selector did not appear in time (reaches the request's errback, which counts and logs it)."""


# --- configuration ------------------------------------------------------------------------------------
def render_mode(settings: BaseSettings, spider: Any = None) -> str:
    """The setting when given on the command line, else the spider's ``render`` attribute, else the setting."""
    attribute = getattr(spider, "render", None)
    from_command_line = (settings.getpriority("NEWSCRAWL_RENDER") or 0) >= SETTINGS_PRIORITIES["cmdline"]
    mode = settings.get("NEWSCRAWL_RENDER") if from_command_line or not attribute else attribute
    return str(mode or "off").strip().lower()


def timeout_ms(settings: BaseSettings) -> float:
    return settings.getfloat("NEWSCRAWL_RENDER_TIMEOUT", 15) * 1000


def launch_options(chromium_path: str) -> dict[str, Any]:
    return {"executable_path": chromium_path, "headless": True, "args": list(LAUNCH_ARGS)}


def profile_for(site: str | None, settings: BaseSettings | None = None) -> RenderProfile:
    profile = PROFILES.get(site or "", RenderProfile())
    extra = settings.getdict("NEWSCRAWL_RENDER_READY_SELECTORS") if settings is not None else {}
    if site in extra:
        profile = RenderProfile(extra[site], profile.text_root, profile.text_hidden)
    return profile


def configuration_problem(mode: str, chromium_path: str) -> str | None:
    """One sentence telling the user what to fix, or None."""
    if mode not in MODES:
        return f"NEWSCRAWL_RENDER={mode!r} is not one of {', '.join(MODES)}"
    if mode == "off":
        return None
    if not (os.path.isfile(chromium_path) and os.access(chromium_path, os.X_OK)):
        return (f"rendering is on (NEWSCRAWL_RENDER={mode}) but there is no Chromium at {chromium_path}: "
                f"{INSTALL_HINT}")
    try:
        subprocess.run([chromium_path, "--version"], capture_output=True, timeout=20, check=True)
    except (OSError, subprocess.SubprocessError):
        return f"rendering is on (NEWSCRAWL_RENDER={mode}) but {chromium_path} does not start: {INSTALL_HINT}"
    return None


# --- in the browser -----------------------------------------------------------------------------------
def _same_site(host: str, page_host: str) -> bool:
    if host == page_host:
        return True
    return any(site.serves(page_host) and site.serves(host) for site in all_sites().values())


def should_abort(request: BrowserRequest) -> bool:
    """Images, fonts, media and requests to hosts other than the page's own (or its site's) are aborted."""
    if request.resource_type in BLOCKED_RESOURCE_TYPES:
        return True
    parts = urlsplit(request.url)
    if parts.scheme in ("data", "blob", "about"):
        return False
    try:
        frame = request.frame
    except PlaywrightError:  # a service worker's request
        return True
    if request.is_navigation_request() and frame.parent_frame is None:
        return False  # the page itself (and its redirects)
    page_host = urlsplit(frame.page.url).hostname or ""
    return not _same_site(parts.hostname or "", page_host)


async def _route(route: Route) -> None:
    await (route.abort() if should_abort(route.request) else route.continue_())


# One round trip: wait (MutationObserver, no polling) until the ready selector matches, then read the innerText
# of the text root with the hidden chrome set to display:none (restored afterwards). null: never got ready.
_SETTLE_JS = """async ([ready, root, hidden, timeoutMs, readText]) => {
  if (ready && !document.querySelector(ready)) {
    const found = await new Promise(resolve => {
      const observer = new MutationObserver(() => {
        if (document.querySelector(ready)) { observer.disconnect(); resolve(true); }
      });
      observer.observe(document, {childList: true, subtree: true});
      setTimeout(() => { observer.disconnect(); resolve(!!document.querySelector(ready)); }, timeoutMs);
    });
    if (!found) return null;
  }
  if (!readText) return "";
  const saved = [];
  for (const selector of hidden) {
    for (const el of document.querySelectorAll(selector)) {
      saved.push([el, el.getAttribute("style")]);
      el.style.display = "none";
    }
  }
  const node = document.querySelector(root) || document.body;
  const text = node ? node.innerText : "";
  for (const [el, style] of saved) style === null ? el.removeAttribute("style") : el.setAttribute("style", style);
  return text;
}"""


async def settle(page: Page, profile: RenderProfile, wait_ms: float, read_text: bool = True) -> str | None:
    """Wait for the page-ready selector; the innerText of the text root ("" unless ``read_text``), or None when
    the page never got ready."""
    return await page.evaluate(_SETTLE_JS, [profile.ready_selector, profile.text_root, list(profile.text_hidden),
                                            wait_ms, read_text])


async def render_text(url: str, site: str, *, chromium_path: str = "/usr/bin/chromium",
                      timeout: float = 15) -> str:
    """Render one page in a fresh browser and return the innerText of the site's text root."""
    profile = profile_for(site)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(**launch_options(chromium_path))
        try:
            page = await browser.new_page(service_workers="block")
            await page.route("**", _route)
            await page.goto(url, wait_until="domcontentloaded", timeout=timeout * 1000)
            text = await settle(page, profile, timeout * 1000)
        finally:
            await browser.close()
    if text is None:
        raise RenderTimeout(f"{profile.ready_selector!r} did not appear within {timeout:g} s at {url}")
    return text


def rendered_text(url: str, site: str, **options: Any) -> str:
    """Blocking :func:`render_text` for scripts and tests; runs its own event loop in a worker thread, so it
    also works where a loop is already running (pytest with the asyncio reactor)."""
    with ThreadPoolExecutor(max_workers=1) as worker:
        return worker.submit(asyncio.run, render_text(url, site, **options)).result()


# --- Scrapy components --------------------------------------------------------------------------------
class RenderingAddon:
    """Listed in ADDONS: always adds the middleware; the browser handler and its start-up check only when
    rendering is on, so plain crawls never start Playwright."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RenderingAddon:
        return cls(crawler)

    def update_settings(self, settings: BaseSettings) -> None:
        settings["DOWNLOADER_MIDDLEWARES"]["newscrawl.rendering.RenderingMiddleware"] = 585
        if render_mode(settings, self.crawler.spider) == "off":
            return
        for scheme in ("http", "https"):
            settings["DOWNLOAD_HANDLERS"][scheme] = "newscrawl.rendering.RenderingDownloadHandler"
        settings["EXTENSIONS"]["newscrawl.rendering.BrowserCheck"] = 0


class RenderingDownloadHandler(ScrapyPlaywrightDownloadHandler):
    """scrapy-playwright with the project's browser: launch options, timeouts, tabs and resource blocking
    come from the NEWSCRAWL_* settings unless the PLAYWRIGHT_* ones are set. Unrendered requests use HTTP/1.1."""

    def __init__(self, crawler: Crawler):
        super().__init__(crawler)
        self.closed = False
        settings = crawler.settings
        self.config.launch_options = {**launch_options(settings.get("NEWSCRAWL_CHROMIUM_PATH")),
                                      **self.config.launch_options}
        if self.config.navigation_timeout_ms is None:
            self.config.navigation_timeout_ms = timeout_ms(settings)
        if not settings.getint("PLAYWRIGHT_MAX_PAGES_PER_CONTEXT"):
            self.config.max_pages_per_context = settings.getint("NEWSCRAWL_RENDER_MAX_PAGES", 4)
        if self.abort_request is None:
            self.abort_request = should_abort

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RenderingDownloadHandler:
        """One handler (one Playwright driver, one browser) serves both http and https."""
        if crawler not in _HANDLERS:
            _HANDLERS[crawler] = cls(crawler)
        return _HANDLERS[crawler]

    async def close(self) -> None:
        if not self.closed:
            self.closed = True
            await super().close()


_HANDLERS: WeakKeyDictionary[Crawler, RenderingDownloadHandler] = WeakKeyDictionary()


class BrowserCheck:
    """Stops the crawl at start-up, with one sentence, when rendering is on and no browser can be launched."""

    def __init__(self, problem: str):
        self.problem = problem

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BrowserCheck:
        problem = configuration_problem(render_mode(crawler.settings, crawler.spider),
                                        crawler.settings.get("NEWSCRAWL_CHROMIUM_PATH", ""))
        if problem is None:
            raise NotConfigured
        check = cls(problem)
        crawler.signals.connect(check.spider_opened, signal=signals.spider_opened)
        return check

    def spider_opened(self) -> None:
        logger.error("Cannot crawl: %s.", self.problem)
        raise CloseSpider("render_unavailable")


class RenderingMiddleware:
    """Downloader middleware: marks the requests to render, re-issues plain article pages that lack their body
    (fallback mode), and turns pages that never got ready into counted, logged failures."""

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
        if _SETTLE_META in request.meta or not self.wants_render(request):
            return
        if self.mode == "off":
            self.stats.inc_value("newscrawl/render/not_enabled")
            request.meta["playwright"] = False
            if not self.warned_off:
                self.warned_off = True
                logger.warning("a request asked for rendering but NEWSCRAWL_RENDER=off; fetching it plainly "
                               "(set NEWSCRAWL_RENDER=request or the spider's render attribute): %s", request.url)
            return
        profile = profile_for(request.meta.get("newscrawl_site"), self.settings)
        settle_method = PageMethod(settle, profile, self.wait_ms, self.read_text)
        request.meta.update({"playwright": True, _SETTLE_META: settle_method})
        request.meta.setdefault("playwright_context", "newscrawl")
        request.meta.setdefault("playwright_context_kwargs", {"service_workers": "block"})
        request.meta.setdefault("playwright_page_goto_kwargs",
                                {"wait_until": "domcontentloaded", "timeout": self.wait_ms})
        request.meta["playwright_page_methods"] = [*request.meta.get("playwright_page_methods", ()), settle_method]
        self.stats.inc_value("newscrawl/render/requests")

    def process_response(self, request: Request, response: Response) -> Request | Response:
        settle_method = request.meta.get(_SETTLE_META)
        if settle_method is not None and "playwright" in response.flags:
            return self.rendered(request, response, settle_method.result)
        if self.needs_fallback(request, response):
            self.stats.inc_value("newscrawl/render/fallback")
            logger.info("no article body in the plain HTML of %s; rendering it", response.url)
            return request.replace(meta={**request.meta, RENDER_META: True}, dont_filter=True)
        return response

    def rendered(self, request: Request, response: Response, text: str | None) -> Response:
        if text is None and response.status < 400:
            self.stats.inc_value("newscrawl/render/timeout")
            selector = profile_for(request.meta.get("newscrawl_site"), self.settings).ready_selector
            raise RenderTimeout(f"render timeout: {selector!r} did not appear within {self.wait_ms / 1000:g} s")
        self.stats.inc_value("newscrawl/render/pages")
        if self.read_text:
            request.meta[RENDERED_TEXT_META] = text
        return response

    def needs_fallback(self, request: Request, response: Response) -> bool:
        if (self.mode != "fallback" or response.status != 200 or not request.meta.get(ARTICLE_META)
                or request.meta.get(RENDER_META) is False or "playwright" in response.flags):
            return False
        return lacks_body(response, request.meta.get("newscrawl_site"), self.settings)

    def process_exception(self, request: Request, exception: Exception) -> None:
        if _SETTLE_META not in request.meta:
            return
        # Counted here; the request's errback (or Scrapy) logs it.
        kind = "timeout" if isinstance(exception, PlaywrightTimeoutError) else "failed"
        self.stats.inc_value(f"newscrawl/render/{kind}")


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
