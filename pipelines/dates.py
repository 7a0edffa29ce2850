"""Dates to aware KST ISO 8601; a value that cannot be read is counted, logged and cleared."""

from __future__ import annotations

import logging
from typing import Any

from scrapy.crawler import Crawler

from newscrawl.dates import to_kst_iso
from newscrawl.items import ArticleItem, TickerItem

logger = logging.getLogger(__name__)


class KstDatesPipeline:
    def __init__(self, crawler: Crawler):
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> KstDatesPipeline:
        return cls(crawler)

    def _convert(self, item: Any, name: str) -> None:
        raw = getattr(item, name)
        if raw is None:
            return
        value = to_kst_iso(raw)
        if value is None:
            self.stats.inc_value(f"newscrawl/dates/unparsable/{name}")
            logger.warning("unparsable %s %r on %s", name, raw, getattr(item, "url", None) or item.source_url)
        setattr(item, name, value)

    def process_item(self, item: Any) -> Any:
        if isinstance(item, ArticleItem):
            self._convert(item, "published_at")
            self._convert(item, "modified_at")
        elif isinstance(item, TickerItem):
            self._convert(item, "as_of")
        return item
