"""Small extensions for unattended runs."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.extensions.logstats import LogStats

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


class ProgressLog(LogStats):
    """Scrapy's periodic stats line, greppable, with errors and drops: one line per LOGSTATS_INTERVAL."""

    def log(self, spider: Spider) -> None:
        self.calculate_stats()
        errors = sum(v for k, v in self.stats.get_stats().items() if k.startswith("downloader/exception_type_count/"))
        parse_errors = sum(v for k, v in self.stats.get_stats().items()
                           if k.startswith("newscrawl/parse_error/") and k.count("/") == 2)
        logger.info(
            "progress spider=%s pages=%d pages_per_min=%d items=%d items_per_min=%d download_errors=%d "
            "parse_errors=%d dropped=%d", spider.name, self.pages, self.prate, self.items, self.irate, errors,
            parse_errors, self.stats.get_value("item_dropped_count", 0), extra={"spider": spider},
        )


class ItemCounter:
    """Counts scraped items by type (newscrawl/scraped/article, .../ticker) for the run report."""

    def __init__(self, crawler: Crawler):
        self.stats = crawler.stats
        crawler.signals.connect(self.item_scraped, signal=signals.item_scraped)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ItemCounter:
        return cls(crawler)

    def item_scraped(self, item: object) -> None:
        self.stats.inc_value(f"newscrawl/scraped/{getattr(item, 'type', 'other')}")
