"""Scrapy's log messages, without building the per-response and per-item DEBUG records that LOG_LEVEL hides."""

from __future__ import annotations

import logging
from typing import Any

from scrapy.crawler import Crawler
from scrapy.logformatter import LogFormatter


class QuietLogFormatter(LogFormatter):
    """``Crawled (200) ...`` and ``Scraped from ...`` are DEBUG lines: Scrapy builds a log record for each (13 per
    etoday page) even when the log level drops it. Below DEBUG they are not built at all; at DEBUG they are
    Scrapy's own."""

    def __init__(self, debug: bool = True):
        self.debug = debug

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> QuietLogFormatter:
        settings = crawler.settings
        level = settings.get("LOG_LEVEL")
        if isinstance(level, str):
            level = logging.getLevelName(level.upper())
        return cls(settings.getbool("LOG_ENABLED") and (not isinstance(level, int) or level <= logging.DEBUG))

    def crawled(self, *args: Any, **kwargs: Any) -> Any:
        return super().crawled(*args, **kwargs) if self.debug else None

    def scraped(self, *args: Any, **kwargs: Any) -> Any:
        return super().scraped(*args, **kwargs) if self.debug else None
