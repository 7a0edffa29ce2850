"""What runs in the browser: resource blocking, the page-ready wait, and rendering one URL outside a crawl."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlsplit

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page, Route, async_playwright
from playwright.async_api import Request as BrowserRequest

from newscrawl.rendering.config import BLOCKED_RESOURCE_TYPES, RenderProfile, launch_options, profile_for
from newscrawl.sites import all_sites


class RenderTimeout(Exception):
    """The page-ready selector did not appear in time (reaches the request's errback, which counts and logs it)."""


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
