"""The stats collector of a crawl: Scrapy's MemoryStatsCollector with plain attribute access."""

from __future__ import annotations

from scrapy.statscollectors import MemoryStatsCollector


class StatsCollector(MemoryStatsCollector):
    """Scrapy 2.19's collector routes every attribute read (``self._stats`` inside each ``inc_value`` too)
    through a Python ``__getattribute__`` that wraps its methods to warn about a deprecated ``spider``
    argument; a crawl counts several stats per item, so that shim costs CPU on every item. Same methods and
    results, ordinary attribute access (the ``spider`` argument is accepted and ignored, as Scrapy does)."""

    __getattribute__ = object.__getattribute__
