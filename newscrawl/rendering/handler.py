"""scrapy-playwright's download handler with the project's browser settings."""

from __future__ import annotations

from weakref import WeakKeyDictionary

from scrapy.crawler import Crawler
from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler

from newscrawl.rendering.browser import should_abort
from newscrawl.rendering.config import launch_options, timeout_ms


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
