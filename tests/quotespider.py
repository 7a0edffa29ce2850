"""A spider for tests/test_pagetie.py (``scrapy runspider``): etoday's, plus one page read only for its quote
widget — a page without an article, as a market page would be: its tickers are tied to nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

from scrapy import Request
from scrapy.http import Response

from newscrawl.clock import now_kst
from newscrawl.extract import extract_html
from spiders.portals import EtodaySpider

QUOTES_PATH = "/market/coin"  # where the test server serves the quote-only page


class QuotePageSpider(EtodaySpider):  # named etoday: a spider's name is its site declaration
    async def start(self) -> AsyncIterator[Any]:
        yield Request(self.resolve(QUOTES_PATH), callback=self.parse_quotes)
        async for request in super().start():
            yield request

    def parse_quotes(self, response: Response) -> Iterator[Any]:
        for ticker in extract_html(response.url, response.text, self.site).tickers:
            ticker.source_url, ticker.fetched_at = response.url, now_kst()
            yield ticker
