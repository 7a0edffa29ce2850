"""The periodic progress line of unattended runs."""

from __future__ import annotations

import logging

from scrapy import Spider
from scrapy.extensions.logstats import LogStats

from newscrawl.keys import PARSE_ERROR, group

logger = logging.getLogger(__name__)


class ProgressLog(LogStats):
    """Scrapy's periodic stats line, greppable, with errors and drops: one line per LOGSTATS_INTERVAL."""

    def log(self, spider: Spider) -> None:
        self.calculate_stats()
        errors = sum(v for k, v in self.stats.get_stats().items() if k.startswith("downloader/exception_type_count/"))
        parse_errors = sum(group(self.stats.get_stats(), PARSE_ERROR).values())
        logger.info(
            "progress spider=%s pages=%d pages_per_min=%d items=%d items_per_min=%d download_errors=%d "
            "parse_errors=%d dropped=%d", spider.name, self.pages, self.prate, self.items, self.irate, errors,
            parse_errors, self.stats.get_value("item_dropped_count", 0), extra={"spider": spider},
        )
