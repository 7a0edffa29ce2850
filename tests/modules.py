"""An extension for tests: the names of the modules a crawl had imported when its spider closed, in the stats
(``test/modules``), to tell what a crawl's start-up and pages import (tests/test_crawl_cpu.py)."""

from __future__ import annotations

import sys

from scrapy import signals
from scrapy.crawler import Crawler


class ImportedModules:
    def __init__(self, crawler: Crawler):
        self.stats = crawler.stats
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ImportedModules:
        return cls(crawler)

    def spider_closed(self) -> None:
        self.stats.set_value("test/modules", sorted(sys.modules))
