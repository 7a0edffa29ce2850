"""Start-up check: no crawl with rendering on and no browser."""

from __future__ import annotations

import logging

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider, NotConfigured

from newscrawl.rendering.config import configuration_problem, render_mode

logger = logging.getLogger(__name__)


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
