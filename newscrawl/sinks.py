"""Every item reaches every sink (each JSONL feed and the database), or the crawl stops.

An article is done (its URLs in ``crawl_state``, skipped by later runs) only once its database transaction is
committed, and the store pipeline commits only when every item written to the database is also in every
feed, recording each feed's size in the same transaction (``feed_state``). A run that was killed or stopped
cuts each feed back to its recorded size when it starts again and fetches what was not committed: feeds and
database hold the same items whatever interrupted them, even when pages changed between the two fetches.

A sink that fails (disk full, read-only folder, damaged database) stops the crawl at once: the uncommitted
transaction is rolled back, the finish reason is ``sink_failed`` and the stat ``newscrawl/sink_failed`` names
the sink and the error (one line; the run report flags it and the exit code is 1). Before a crawl,
``check_sinks`` refuses a database failing ``PRAGMA quick_check`` and feeds that cannot be written.
"""

from __future__ import annotations

import logging
import os
import socket
from dataclasses import dataclass, field
from typing import Any
from weakref import WeakKeyDictionary

from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.extensions.feedexport import FeedExporter
from scrapy.settings import BaseSettings
from scrapy.utils.defer import deferred_from_coro

from newscrawl import keys
from newscrawl.percrawler import per_crawler
from newscrawl.scraped import FEEDS, on_item_scraped
from newscrawl.storage import ConfigError, Storage, describe, open_storage

logger = logging.getLogger(__name__)

SINK_FAILED = "sink_failed"  # the finish reason
FAILURE_STAT = keys.SINK_FAILED  # "<sink>: <error>"


@dataclass
class SinkState:
    failure: str | None = None
    feeds: list[Any] = field(default_factory=list)  # this crawl's exporters: .feed (name) and .size (committable)
    in_flight: set[int] = field(default_factory=set)  # id() of items in the database, not yet in the feeds
    known: set[int] = field(default_factory=set)  # id() of in-flight items the database already held

    def fail(self, crawler: Crawler, sink: str, error: BaseException) -> None:
        """Stop the crawl: the first failure is the one reported, later ones only logged."""
        message = f"{sink}: {describe(error)}"
        if self.failure:
            logger.warning("also failed: %s", message)
            return
        self.failure = message
        assert crawler.stats
        crawler.stats.set_value(FAILURE_STAT, message)
        logger.error("stopping the crawl, a sink failed: %s (fix it and run the same command to resume)",
                     message)
        from newscrawl.storage import existing_storage, storage_errors

        storage = existing_storage(crawler)
        if storage is not None:
            try:
                storage.rollback()
            except storage_errors():
                pass  # the database is the failing sink: nothing committed since, nothing to undo
        engine = crawler.engine
        if engine is not None and engine.spider is not None:
            deferred_from_coro(engine.close_spider_async(reason=SINK_FAILED)).addErrback(lambda _: None)


_STATES: WeakKeyDictionary[Crawler, SinkState] = WeakKeyDictionary()


def sink_state(crawler: Crawler) -> SinkState:
    return per_crawler(_STATES, crawler, SinkState)


class FeedSinks(FeedExporter):
    """Scrapy's feed exporter as a sink: a feed that cannot be opened (or written, see the JSONL exporter)
    stops the crawl instead of logging an error for every item. Its item_scraped is the first of the project's
    receivers (newscrawl/scraped.py): the database commits only what the feeds hold."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FeedSinks:
        exporter = super().from_crawler(crawler)
        on_item_scraped(crawler, exporter.item_scraped, FEEDS)
        return exporter

    def item_scraped(self, item: Any, spider: Spider | None = None) -> None:
        state = sink_state(self.crawler)
        if state.failure:
            return
        try:
            super().item_scraped(item, spider or self.crawler.spider)  # type: ignore[arg-type]
        except OSError as error:
            state.fail(self.crawler, f"feed {error.filename or '(unnamed)'}", error)

    async def _close_slot(self, slot: Any, spider: Spider) -> None:
        try:
            await super()._close_slot(slot, spider)
        except OSError as error:  # an empty feed (FEED_STORE_EMPTY) that still cannot be opened
            sink_state(self.crawler).fail(self.crawler, f"feed {error.filename or slot.uri}", error)


def feed_name(path: str) -> str:
    """A feed's name in ``feed_state``: host and absolute path (workers on several machines share a database)."""
    return f"{socket.gethostname()}:{os.path.abspath(path)}"


TAIL = 64 * 1024


def last_line_end(path: str) -> int:
    """The size of the file without a partial last line (a kill mid-write), reading only its tail."""
    with open(path, "rb") as f:
        position = f.seek(0, os.SEEK_END)
        while position > 0:
            start = max(0, position - TAIL)
            f.seek(start)
            newline = f.read(position - start).rfind(b"\n")
            if newline >= 0:
                return start + newline + 1
            position = start
    return 0


def adopt_feeds(settings: BaseSettings, storage: Storage) -> None:
    """Record, before the first item, the size of each feed the database has no record of yet (a new database,
    or feeds older than ``feed_state``): a run stopped before its first commit is then cut back to it."""
    for path in feed_paths(settings):
        name = feed_name(path)
        if storage.feed_size(name) is None:
            storage.record_feed(name, last_line_end(path) if os.path.isfile(path) else 0)
    storage.commit()


def feed_paths(settings: BaseSettings) -> list[str]:
    """The local files of the FEEDS setting."""
    paths = []
    for uri in settings.getdict("FEEDS"):
        uri = str(uri)
        if uri.startswith("file://"):
            paths.append(uri.removeprefix("file://"))
        elif "://" not in uri and "%(" not in uri:
            paths.append(uri)
    return paths


def check_sinks(settings: BaseSettings) -> None:
    """Refuse, with one sentence (ConfigError), a database that is damaged or unusable and a feed that cannot
    be written — before anything is crawled into them."""
    database = settings.get("NEWSCRAWL_DATABASE")
    if database:
        open_storage(database, check=True).close()
    for path in feed_paths(settings):
        try:
            os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
            with open(path, "ab"):
                pass
        except OSError as error:
            raise ConfigError(f"cannot write the feed {path}: {describe(error)}") from error
