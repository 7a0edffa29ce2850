"""Scrapy's spider-output request policies — DepthMiddleware (DEPTH_LIMIT, depth stats and priority),
UrlLengthMiddleware (URLLENGTH_LIMIT) and RefererMiddleware (the Referer header, REFERRER_POLICY) — in one pass.

Each of the three is a BaseSpiderMiddleware: a chain of async generators (Scrapy's, with its wrapper for the
deprecated ``spider`` argument) that every item and every request of every response goes through, although
only requests concern them; an etoday article page gives 13 items. This middleware builds the same three from
the crawler (their settings, stats and log lines; one that its setting turns off is left out, as Scrapy
leaves it out) and applies them to each request in Scrapy's order (depth at 900, URL length at 800, referer at
700), in one layer that passes items on untouched. settings.py swaps the three for it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from contextlib import suppress
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Request, Response
from scrapy.spidermiddlewares.base import BaseSpiderMiddleware
from scrapy.spidermiddlewares.depth import DepthMiddleware
from scrapy.spidermiddlewares.referer import RefererMiddleware
from scrapy.spidermiddlewares.urllength import UrlLengthMiddleware
from scrapy.utils.misc import build_from_crawler

PARTS = (DepthMiddleware, UrlLengthMiddleware, RefererMiddleware)  # the order Scrapy's priorities give


class RequestPolicies(BaseSpiderMiddleware):
    def __init__(self, crawler: Crawler):
        super().__init__(crawler)
        self.parts: list[BaseSpiderMiddleware] = []
        for part in PARTS:
            with suppress(NotConfigured):  # switched off by its setting
                self.parts.append(build_from_crawler(part, crawler))
        self.depth = next((part for part in self.parts if isinstance(part, DepthMiddleware)), None)

    def start_depth(self, response: Response | None) -> None:
        """What DepthMiddleware does before a response's output: depth 0 for a response without one."""
        if response is not None and self.depth is not None:
            self.depth._init_depth(response)  # Scrapy 2.19's own step (requirements.txt pins it)

    def process_spider_output(self, response: Response | None, result: Iterable[Any]) -> Iterable[Any]:
        self.start_depth(response)
        for output in result:
            if isinstance(output, Request):
                output = self.get_processed_request(output, response)
                if output is None:
                    continue
            yield output

    async def process_spider_output_async(self, response: Response | None,
                                          result: AsyncIterator[Any]) -> AsyncIterator[Any]:
        self.start_depth(response)
        async for output in result:
            if isinstance(output, Request):
                output = self.get_processed_request(output, response)
                if output is None:
                    continue
            yield output

    def get_processed_request(self, request: Request, response: Response | None) -> Request | None:
        for part in self.parts:
            processed = part.get_processed_request(request, response)
            if processed is None:
                return None
            request = processed
        return request
