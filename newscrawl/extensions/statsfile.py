"""Write the run's final stats as JSON (NEWSCRAWL_STATS_FILE)."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

logger = logging.getLogger(__name__)


class StatsFile:
    """Write the run's final stats as JSON to NEWSCRAWL_STATS_FILE when the spider closes."""

    def __init__(self, crawler: Crawler, path: str):
        self.crawler = crawler
        self.path = Path(path)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StatsFile:
        path = crawler.settings.get("NEWSCRAWL_STATS_FILE")
        if not path:
            raise NotConfigured
        extension = cls(crawler, path)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_closed(self, reason: str) -> None:
        stats = dict(self.crawler.stats.get_stats())
        stats["finish_reason"] = reason
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.path.write_text(json.dumps(stats, default=str, ensure_ascii=False, indent=1), encoding="utf-8")
        except OSError as error:  # e.g. the disk that stopped the crawl is still full
            logger.error("cannot write the stats file %s: %s (errno %s)", self.path, error.strerror, error.errno)
