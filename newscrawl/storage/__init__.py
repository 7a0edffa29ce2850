"""Storage backends behind one small interface, chosen by the NEWSCRAWL_DATABASE setting:
``sqlite:///PATH`` (or a bare path) for the embedded SQLite file, ``postgresql://USER@HOST:PORT/DB`` (any libpq
URI) for PostgreSQL.

One storage object per crawler, shared by the raw-page middleware and the store pipeline, closed when
the spider closes.
"""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol
from weakref import WeakKeyDictionary

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from newscrawl.items import ArticleItem, TickerItem
from newscrawl.keys import STORAGE_RETRIES
from newscrawl.storage.prepared import PreparedArticle
from newscrawl.storage.sqlite import SQLiteStorage

_STORAGES: WeakKeyDictionary[Crawler, _Closer] = WeakKeyDictionary()  # state beside the crawler


class ConfigError(ValueError):
    """A setting that cannot work; the message is one sentence for the user."""


class Storage(Protocol):
    """What every backend offers and its callers use (see SQLiteStorage for the semantics). Item identity
    (which rows are the same article or quote) is ``newscrawl.identity``."""

    on_retry: Callable[[], None] | None  # called for each write repeated after a dropped connection
    nul_stripped: int  # NUL characters the backend could not store
    pending: int  # writes since the last commit
    batch: int  # commit_if_due() commits at this many

    # articles and crawl state
    def upsert_article(self, item: ArticleItem) -> str: ...
    # the same in two steps, the first without a query (newscrawl/storage/prepared.py)
    def prepare_article(self, item: ArticleItem) -> PreparedArticle: ...
    def upsert_prepared(self, article: PreparedArticle, *, mark_done: bool = False) -> str: ...
    def mark_done(self, item: ArticleItem) -> None: ...
    def done_urls(self) -> dict[str, str | None]: ...
    def articles(self) -> list[dict]: ...
    # tickers
    def add_ticker(self, item: TickerItem) -> bool: ...  # False: already stored
    def add_tickers(self, items: list[TickerItem]) -> list[bool]: ...  # add_ticker of each, in fewer round trips
    def prepare_tickers(self, items: list[TickerItem]) -> Any: ...  # what add_prepared_tickers takes
    def add_prepared_tickers(self, prepared: Any) -> list[bool]: ...
    def tickers(self) -> list[dict]: ...
    # raw pages
    def save_raw(self, url: str, body: bytes, *, site: str | None, fetched_at: str, status: int,
                 encoding: str | None = None) -> None: ...
    def mark_parse_error(self, url: str, reason: str) -> None: ...
    def mark_extracted(self, url: str, extracted_by: str) -> None: ...
    def raw_page(self, url: str) -> bytes | None: ...
    def raw_pages(self, urls: Sequence[str]) -> dict[str, bytes]: ...  # the stored ones of urls, packed, in one query
    def failed_pages(self) -> list[tuple[str, str]]: ...
    def done_url(self, url: str) -> tuple[bool, str | None]: ...
    def raw_page_index(self) -> list[tuple[str, str | None, str | None, str | None, str | None, str | None]]: ...
    # runs (the operator's history)
    def add_run(self, command: str, started_at: str, finished_at: str, exit_code: int,
                sites: list[dict]) -> int: ...
    def runs(self, since: str | None = None) -> list[dict]: ...
    # feeds (the committed size of each feed)
    def record_feed(self, feed: str, size: int) -> None: ...
    def feed_size(self, feed: str) -> int | None: ...
    # transactions
    def commit_if_due(self) -> None: ...
    def commit(self) -> None: ...
    def rollback(self) -> None: ...
    def close(self) -> None: ...
    def abort(self) -> None: ...


POSTGRES_SCHEMES = ("postgresql", "postgres")


def open_storage(database: str, *, check: bool = False) -> Storage:
    """``sqlite:///path/to/file.sqlite3``, a bare path, or ``postgresql://...``; other schemes are refused.
    A file that is no (intact, with ``check``) SQLite database or cannot be written raises ConfigError."""
    if database.startswith("sqlite:///") or "://" not in database:
        path = Path(database.removeprefix("sqlite:///"))
        try:
            return SQLiteStorage(path, check=check)
        except (sqlite3.Error, OSError) as error:
            raise ConfigError(f"cannot use the SQLite database {path}: {describe(error)}") from error
    scheme = database.split("://", 1)[0]
    if scheme in POSTGRES_SCHEMES:
        import psycopg

        from newscrawl.storage.postgres import PostgresStorage

        try:
            return PostgresStorage(database)
        except psycopg.Error as error:
            raise ConfigError(f"cannot use NEWSCRAWL_DATABASE {_without_password(database)}: "
                              f"{str(error).strip()}") from error
    raise ConfigError(f"NEWSCRAWL_DATABASE scheme {scheme!r} is not supported; "
                      f"use sqlite:///PATH or postgresql://USER@HOST:PORT/DATABASE")


def describe(error: BaseException) -> str:
    """An OSError or database error as one line: ``No space left on device (errno 28)``."""
    if isinstance(error, OSError) and error.strerror:
        return f"{error.strerror} (errno {error.errno})"
    return (str(error).strip().splitlines() or [type(error).__name__])[0]


def storage_errors() -> tuple[type[BaseException], ...]:
    """What a failing backend raises: psycopg's errors only once psycopg is imported (a PostgreSQL storage
    imports it when it opens; importing it for a SQLite crawl costs ~0.1 s of CPU at start-up)."""
    psycopg = sys.modules.get("psycopg")
    if psycopg is None:
        return sqlite3.Error, OSError
    return sqlite3.Error, OSError, psycopg.Error


def database_name(database: str) -> str:
    """How a sink failure names the database."""
    return f"database {_without_password(database)}"


def _without_password(dsn: str) -> str:
    """The DSN as it may be logged: the password of ``user:password@host`` replaced."""
    scheme, _, rest = dsn.partition("://")
    credentials, at, host = rest.rpartition("@")
    if at and ":" in credentials:
        credentials = credentials.split(":", 1)[0] + ":***"
    return f"{scheme}://{credentials}{at}{host}"


class _Closer:
    def __init__(self, crawler: Crawler, storage: Storage):
        self.crawler = crawler
        self.storage = storage

    def count_retry(self) -> None:
        assert self.crawler.stats
        self.crawler.stats.inc_value(STORAGE_RETRIES)

    def spider_closed(self) -> None:
        from newscrawl.sinks import sink_state  # newscrawl.sinks imports this module

        state = sink_state(self.crawler)
        try:
            if state.failure:  # uncommitted writes may be missing from another sink: dropped, fetched again
                self.storage.abort()
            else:
                self.storage.close()
        except storage_errors() as error:
            state.fail(self.crawler, database_name(self.crawler.settings.get("NEWSCRAWL_DATABASE")), error)
        if self.storage.nul_stripped and self.crawler.stats:
            self.crawler.stats.set_value("newscrawl/storage/nul_stripped", self.storage.nul_stripped)
        _STORAGES.pop(self.crawler, None)


def existing_storage(crawler: Crawler) -> Storage | None:
    """The crawler's storage if it is open; never opens one."""
    closer = _STORAGES.get(crawler)
    return closer.storage if closer is not None else None


def storage_for(crawler: Crawler) -> Storage:
    """The crawler's storage, opened on first use; NotConfigured when NEWSCRAWL_DATABASE is empty."""
    existing = _STORAGES.get(crawler)
    if existing is not None:
        return existing.storage
    database = crawler.settings.get("NEWSCRAWL_DATABASE")
    if not database:
        raise NotConfigured("NEWSCRAWL_DATABASE is empty: no database storage")
    closer = _Closer(crawler, open_storage(database))
    closer.storage.on_retry = closer.count_retry
    _STORAGES[crawler] = closer
    crawler.signals.connect(closer.spider_closed, signal=signals.spider_closed)
    return closer.storage
