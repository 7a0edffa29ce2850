"""The item pipelines (ITEM_PIPELINES, in their order) called as a plain loop: ``settings.ITEM_PROCESSOR``.

Scrapy's ItemPipelineManager awaits every pipeline call through ``ensure_awaitable`` (a coroutine object and a
name string built per call) even when the pipeline returns the item itself; an etoday page gives 13 items and
the project has 6 pipelines. Here a synchronous result is passed on as it is; an awaitable or a Deferred (a
user's asynchronous pipeline) is awaited as Scrapy awaits it. Same pipelines, same order, same DropItem."""

from __future__ import annotations

import inspect
from typing import Any

from scrapy.pipelines import ItemPipelineManager
from scrapy.utils.defer import ensure_awaitable
from scrapy.utils.python import global_object_name
from twisted.internet.defer import Deferred


class ItemPipelines(ItemPipelineManager):
    async def process_item_async(self, item: Any) -> Any:
        requiring_spider = self._mw_methods_requiring_spider
        for method in self.methods["process_item"]:
            result = method(item, self._spider) if method in requiring_spider else method(item)  # type: ignore[misc]
            if isinstance(result, Deferred) or inspect.isawaitable(result):
                # a Deferred is deprecated: ensure_awaitable warns as Scrapy's manager does
                result = await ensure_awaitable(result, _warn=global_object_name(method))  # type: ignore[arg-type]
            item = result
        return item
