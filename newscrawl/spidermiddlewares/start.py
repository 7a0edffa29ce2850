"""Scrapy's StartSpiderMiddleware without its pass over every callback output.

It marks the requests of ``start()`` with ``is_start_request`` (the scheduler's start queues read it) and does
nothing else, but as a BaseSpiderMiddleware it is one more async-generator layer that each item and request
of every response goes through (13 items an etoday page). This one has only ``process_start``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from scrapy.http import Request


class StartRequestsMiddleware:
    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        async for output in start:
            if isinstance(output, Request):
                output.meta.setdefault("is_start_request", True)
            yield output
