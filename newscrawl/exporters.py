"""JSON lines with exact numbers, written so that a killed and resumed run leaves each item once.

Decimals are written as JSON numbers, not strings or rounded floats. Each line goes to the file as it is
written; on open, the file is cut back to the size recorded with the last database commit (newscrawl/sinks.py),
so the items whose commit a kill or a failure lost are written again once, as the database gets them again.
Which items are new is the database's answer (without a database every item is appended; only a partial last
line is cut), so the file is never read: start-up costs the same for any feed size.
"""

from __future__ import annotations

import dataclasses
import io
import logging
import os
from decimal import Decimal
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.exporters import JsonLinesItemExporter
from scrapy.utils.serialize import ScrapyJSONEncoder

from newscrawl.jsonencode import one_shot
from newscrawl.sinks import feed_name, last_line_end, sink_state
from newscrawl.storage import database_name, storage_errors, storage_for

logger = logging.getLogger(__name__)


class ExactNumberEncoder(ScrapyJSONEncoder):
    def default(self, o: Any) -> Any:
        if isinstance(o, Decimal):
            # float(Decimal) prints the same shortest digits for up to 15 significant digits.
            return float(o) if len(o.as_tuple().digits) <= 15 else str(o)
        return super().default(o)


def dumps(item: Any) -> str:
    """One item as a JSON line, exactly as the feeds write it (without the newline)."""
    return _LINES.line(item)[:-1].decode("utf-8")


class JsonLinesExporter(JsonLinesItemExporter):
    """A feed sink (newscrawl/sinks.py): writes what the database took as new, reports its own failures, and on
    start cuts the file back to the size committed with the database (memory independent of the file's size)."""

    def __init__(self, file: Any, crawler: Crawler | None = None, **kwargs: Any):
        super().__init__(file, **kwargs)
        self.encoder = ExactNumberEncoder(**self._kwargs)
        self._encode = one_shot(self.encoder)
        self.crawler = crawler
        name = getattr(file, "name", None)
        self.path: str | None = name if isinstance(name, str) else None
        self.feed = feed_name(self.path) if self.path else repr(file)
        self.size = 0  # bytes of whole lines written: what a commit may record
        self.state = sink_state(crawler) if crawler else None
        self._names: dict[type, tuple[str, ...] | None] = {}  # per item class: see _plain_fields

    @classmethod
    def from_crawler(cls, crawler: Crawler, file: Any, **kwargs: Any) -> JsonLinesExporter:
        return cls(file, crawler, **kwargs)

    def start_exporting(self) -> None:
        if self.path is None or not os.path.isfile(self.path):
            return
        self.file.flush()
        size = os.path.getsize(self.path)
        committed = self._committed_size()
        keep = committed if committed is not None and committed <= size else last_line_end(self.path)
        # (no record, or a feed smaller than recorded, i.e. rotated by its user: only a partial last line goes)
        if keep < size:
            os.truncate(self.path, keep)
            logger.info("feed %s: cut %d bytes written after the last database commit", self.path, size - keep)
            if self.crawler and self.crawler.stats:
                self.crawler.stats.inc_value("newscrawl/feeds/bytes_cut", size - keep)
        self.size = keep
        if self.crawler:
            sink_state(self.crawler).feeds.append(self)

    def _committed_size(self) -> int | None:
        if self.crawler is None:
            return None
        try:
            return storage_for(self.crawler).feed_size(self.feed)
        except NotConfigured:
            return None
        except storage_errors() as error:
            sink_state(self.crawler).fail(self.crawler, database_name(self.crawler.settings.get(
                "NEWSCRAWL_DATABASE")), error)
            return None

    def _plain_fields(self, cls: type) -> tuple[str, ...] | None:
        """A dataclass's field names when its line is simply every field in declaration order (no
        fields_to_export, no per-field serializer): what get_serialized_fields gives, without an ItemAdapter
        and a generator per field. None for anything else."""
        if cls not in self._names:
            plain = dataclasses.is_dataclass(cls) and self.fields_to_export is None and not any(
                "serializer" in f.metadata for f in dataclasses.fields(cls))
            self._names[cls] = tuple(f.name for f in dataclasses.fields(cls)) if plain else None
        return self._names[cls]

    def line(self, item: Any) -> bytes:
        """The item's feed line (``scrapy reextract``'s workers make them for the process that writes)."""
        names = self._plain_fields(type(item))
        if names is None:
            fields = dict(self.get_serialized_fields(item))
        else:
            # A dataclass's __dict__ holds its fields in declaration order (__init__ sets them so): when it holds
            # nothing else, it is the line's dict as it is.
            fields = vars(item)
            if len(fields) != len(names):
                fields = {name: getattr(item, name) for name in names}
        return (self._encode(fields) + "\n").encode(self.encoding or "utf-8")

    def export_item(self, item: Any) -> None:
        state = self.state
        if state and (state.failure or id(item) in state.known):
            return  # stopping, or the database already held this article revision or quote
        line = self.line(item)
        try:
            self._write(line)
        except OSError as error:
            if state is None:
                raise
            assert self.crawler
            state.fail(self.crawler, f"feed {self.path}", error)
            return
        self.size += len(line)

    def _write(self, data: bytes) -> None:
        """Straight to the file descriptor: a failed write leaves nothing in a buffer to fail again at close."""
        try:
            fd = self.file.fileno()
        except (AttributeError, OSError, ValueError):
            self.file.write(data)
            self.file.flush()
            return
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]


_LINES = JsonLinesExporter(io.BytesIO(), ensure_ascii=False)  # makes lines for dumps(); writes nothing
