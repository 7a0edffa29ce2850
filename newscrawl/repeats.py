"""Repeated quote observations stop at the spider's output instead of crossing every pipeline to be dropped.

A portal's market widget repeats the same quotes on every article page (etoday: 12 per page), so nearly every
ticker item of a crawl is a duplicate that DedupPipeline drops after four pipelines, a DropItem and an
item_dropped signal — a fifth of the crawl's CPU per page (BENCHMARKS.md, crawl profile). This spider
middleware drops a ticker only when an item with the same raw fields (``newscrawl.identity.ticker_identity``, as DedupPipeline)
has already been *scraped*: the pipelines are deterministic, so the repeat would have been dropped as a
duplicate anyway. Repeats of quotes still in flight or dropped for another reason go through the pipelines
as before. Counted in the same stat as the pipeline's drops (``newscrawl/duplicates/ticker``); these never
reach ``item_dropped_count``.
"""

from __future__ import annotations

from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.spidermiddlewares.base import BaseSpiderMiddleware

from newscrawl.identity import ticker_identity
from newscrawl.items import TickerItem
from newscrawl.keys import duplicate


class RepeatedQuoteMiddleware(BaseSpiderMiddleware):
    def __init__(self, crawler: Crawler):
        super().__init__(crawler)
        self.scraped: set[tuple] = set()  # raw keys of quotes that came out of the pipelines
        self.in_flight: dict[int, tuple[TickerItem, tuple]] = {}  # id(item) -> (item, raw key)
        crawler.signals.connect(self.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(self.item_left, signal=signals.item_dropped)
        crawler.signals.connect(self.item_left, signal=signals.item_error)

    def get_processed_item(self, item: Any, response: Response | None) -> Any:
        if not isinstance(item, TickerItem):
            return item
        key = ticker_identity(item)
        if key in self.scraped:
            assert self.crawler.stats is not None
            self.crawler.stats.inc_value(duplicate("ticker"))
            return None
        self.in_flight[id(item)] = (item, key)
        return item

    def item_scraped(self, item: Any) -> None:
        if (entry := self.in_flight.pop(id(item), None)) is not None:
            self.scraped.add(entry[1])

    def item_left(self, item: Any) -> None:
        self.in_flight.pop(id(item), None)
