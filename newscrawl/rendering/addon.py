"""The rendering add-on (listed in ADDONS)."""

from __future__ import annotations

from scrapy.crawler import Crawler
from scrapy.settings import BaseSettings

from newscrawl.rendering.config import render_mode


class RenderingAddon:
    """Listed in ADDONS: always adds the middleware; the browser handler and its start-up check only when
    rendering is on, so plain crawls never start Playwright."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RenderingAddon:
        return cls(crawler)

    def update_settings(self, settings: BaseSettings) -> None:
        settings["DOWNLOADER_MIDDLEWARES"]["newscrawl.rendering.middleware.RenderingMiddleware"] = 585
        if render_mode(settings, self.crawler.spider) == "off":
            return
        for scheme in ("http", "https"):
            settings["DOWNLOAD_HANDLERS"][scheme] = "newscrawl.rendering.handler.RenderingDownloadHandler"
        settings["EXTENSIONS"]["newscrawl.rendering.check.BrowserCheck"] = 0
