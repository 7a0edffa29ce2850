"""The item processor (``settings.ITEM_PROCESSOR``): the item pipelines (ITEM_PIPELINES, in their order) called
as a plain loop, then the project's item_scraped receivers (newscrawl/scraped.py).

Scrapy's ItemPipelineManager awaits every pipeline call through ``ensure_awaitable`` (a coroutine object and a
name string built per call) even when the pipeline returns the item itself; an etoday page gives 13 items and
the project has 6 pipelines. Here a synchronous result is passed on as it is; an awaitable or a Deferred (a
user's asynchronous pipeline) is awaited as Scrapy awaits it. Same pipelines, same order, same DropItem."""

from __future__ import annotations

import inspect
from types import GeneratorType
from typing import Any

from scrapy.crawler import Crawler
from scrapy.pipelines import ItemPipelineManager
from scrapy.utils.defer import ensure_awaitable
from scrapy.utils.python import global_object_name
from twisted.internet.defer import Deferred

from newscrawl.scraped import scraped_receivers


class ItemPipelines(ItemPipelineManager):
    calls_scraped_receivers = True  # newscrawl/scraped.py then connects nothing to item_scraped

    def __init__(self, *middlewares: Any, crawler: Crawler | None = None):
        super().__init__(*middlewares, crawler=crawler)
        self.scraped = scraped_receivers(crawler) if crawler is not None else None
        self.plain: set[type] = set()  # types of results seen not to be awaitable (the items)

    async def process_item_async(self, item: Any) -> Any:
        requiring_spider = self._mw_methods_requiring_spider
        for method in self.methods["process_item"]:
            result = method(item, self._spider) if method in requiring_spider else method(item)  # type: ignore[misc]
            kind = type(result)
            if kind not in self.plain:
                if isinstance(result, Deferred) or inspect.isawaitable(result):
                    # a Deferred is deprecated: ensure_awaitable warns as Scrapy's manager does
                    result = await ensure_awaitable(result, _warn=global_object_name(method))  # type: ignore[arg-type]
                elif kind is not GeneratorType:  # a generator's awaitability is per object
                    self.plain.add(kind)
            item = result
        if self.scraped is not None:
            self.scraped.item_scraped(item)
        return item
