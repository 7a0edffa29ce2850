"""Storage backends behind one small interface, chosen by the NEWSCRAWL_DATABASE setting.

One storage object per crawler, shared by the raw-page middleware and the store pipeline, closed when
the spider closes.
"""

from __future__ import annotations

from pathlib import Path

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from newscrawl.storage.sqlite import SQLiteStorage

_ATTR = "_newscrawl_storage"


class ConfigError(ValueError):
    """A setting that cannot work; the message is one sentence for the user."""


def open_storage(database: str) -> SQLiteStorage:
    """``sqlite:///path/to/file.sqlite3`` or a bare path; other schemes are refused with a clear error."""
    if database.startswith("sqlite:///"):
        return SQLiteStorage(Path(database.removeprefix("sqlite:///")))
    if "://" not in database:
        return SQLiteStorage(Path(database))
    scheme = database.split("://", 1)[0]
    raise ConfigError(f"NEWSCRAWL_DATABASE scheme {scheme!r} is not supported; use sqlite:///PATH")


class _Closer:
    def __init__(self, crawler: Crawler, storage: SQLiteStorage):
        self.crawler = crawler
        self.storage = storage

    def spider_closed(self) -> None:
        self.storage.close()
        delattr(self.crawler, _ATTR)


def storage_for(crawler: Crawler) -> SQLiteStorage:
    """The crawler's storage, opened on first use; NotConfigured when NEWSCRAWL_DATABASE is empty."""
    existing = getattr(crawler, _ATTR, None)
    if existing is not None:
        return existing.storage
    database = crawler.settings.get("NEWSCRAWL_DATABASE")
    if not database:
        raise NotConfigured("NEWSCRAWL_DATABASE is empty: no database storage")
    closer = _Closer(crawler, open_storage(database))
    setattr(crawler, _ATTR, closer)
    crawler.signals.connect(closer.spider_closed, signal=signals.spider_closed)
    return closer.storage
