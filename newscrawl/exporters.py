"""JSON lines with exact numbers, written so that a killed and resumed run leaves each item once.

Decimals are written as JSON numbers, not strings or rounded floats. Each line is flushed as it is written;
on open, a partial last line (a kill mid-write) is cut off and the keys of the lines already in the file
are loaded, so an item written again after a resume is skipped.
"""

from __future__ import annotations

import json
import os
from decimal import Decimal
from typing import Any

from itemadapter import ItemAdapter
from scrapy.exporters import JsonLinesItemExporter
from scrapy.utils.serialize import ScrapyJSONEncoder

from newscrawl.identity import article_identity, ticker_identity


class ExactNumberEncoder(ScrapyJSONEncoder):
    def default(self, o: Any) -> Any:
        if isinstance(o, Decimal):
            # float(Decimal) prints the same shortest digits for up to 15 significant digits.
            return float(o) if len(o.as_tuple().digits) <= 15 else str(o)
        return super().default(o)


def dumps(item: Any) -> str:
    """One item as a JSON line (the same encoding as the feeds)."""
    return ExactNumberEncoder(ensure_ascii=False).encode(ItemAdapter(item).asdict())


def line_key(data: dict) -> tuple:
    """What makes a feed line the same item: an article revision, or one quote observation."""
    if data.get("type") == "article":
        return ("article", article_identity(data), data.get("content_hash"))
    return ("ticker", *ticker_identity(data))


def _repair_and_read_keys(path: str) -> set[tuple]:
    keys: set[tuple] = set()
    with open(path, "r+b") as f:
        data = f.read()
        end = data.rfind(b"\n") + 1
        if end != len(data):
            f.truncate(end)  # a partial line from a killed run
        for line in data[:end].splitlines():
            if line.strip():
                try:
                    keys.add(line_key(json.loads(line)))
                except ValueError:
                    continue
    return keys


class JsonLinesExporter(JsonLinesItemExporter):
    def __init__(self, file: Any, **kwargs: Any):
        super().__init__(file, **kwargs)
        self.encoder = ExactNumberEncoder(**self._kwargs)
        self.keys: set[tuple] = set()

    def start_exporting(self) -> None:
        path = getattr(self.file, "name", None)
        if isinstance(path, str) and os.path.isfile(path) and os.path.getsize(path):
            self.file.flush()
            self.keys = _repair_and_read_keys(path)

    def export_item(self, item: Any) -> None:
        data = dict(self.get_serialized_fields(item))
        key = line_key(data)
        if key in self.keys:
            return
        self.keys.add(key)
        self.file.write((self.encoder.encode(data) + "\n").encode(self.encoding or "utf-8"))
        self.file.flush()
