"""Drop incomplete items with a counted, logged reason: no half-empty item reaches storage.
Chrome that survived every rule is counted as a leak (the run report flags it) and logged."""

from __future__ import annotations

import logging
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from newscrawl.chrome import leaks
from newscrawl.items import ArticleItem, TickerItem
from newscrawl.keys import leak, missing

logger = logging.getLogger(__name__)
REQUIRED_ARTICLE_FIELDS = ("title", "body", "published_at")


def missing_fields(item: Any) -> list[str]:
    if isinstance(item, ArticleItem):
        return [name for name in REQUIRED_ARTICLE_FIELDS if not getattr(item, name)]
    if isinstance(item, TickerItem):
        return [name for name in ("name", "price") if getattr(item, name) in (None, "")]
    return []


class ValidatePipeline:
    def __init__(self, crawler: Crawler):
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ValidatePipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        absent = missing_fields(item)
        if absent:
            kind = getattr(item, "type", "item")
            for name in absent:
                self.stats.inc_value(missing(kind, name))
            url = getattr(item, "url", None) or getattr(item, "source_url", None)
            raise DropItem(f"{kind} without {', '.join(absent)}: {url}")
        if isinstance(item, ArticleItem):
            found = leaks("\n".join([item.title, *item.subtitles, item.body]))
            for marker in found:
                self.stats.inc_value(leak(marker))
            if found:
                logger.warning("chrome leaked into %s: %s", item.url, ", ".join(found))
        return item
