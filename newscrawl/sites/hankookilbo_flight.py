"""한국일보's React flight payload, read as lazily as the article allows.

The payload (``self.__next_f.push([1, "..."])`` scripts, ~40 kB on a 2026 article) holds a dozen rows: the page's
React tree, module and hint rows, and the article query, of which the page object needs one ``detail`` object and
the text row its ``contentHtml`` points at. :func:`flight_rows` splits the stream into rows exactly as
``newscrawl.extractors.embedded.flight_rows`` does, but parses a JSON row only when it is read, and
:meth:`FlightRows.find_object` parses only the rows whose text can hold the keys it looks for (measured on the
corpus page: 0.56 ms for every row parsed, a third of that to split the stream and parse the one row).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

from lxml import etree

from newscrawl.extractors.embedded import find_object, flight_stream

_SCRIPT_TEXTS = etree.XPath("//script/text()", smart_strings=False)  # as parsel's css("script::text")
_PUSH = b"self.__next_f.push("
_PUSH_SCRIPT_TAG = b"<script>"
_SCRIPT_END = b"</script>"
_TEXT_ROW = re.compile(rb"T([0-9a-f]+)")
# The first byte of any bytes json.loads accepts: a JSON value (NaN and Infinity too) or whitespace, or a BOM or NUL
# by which it detects another encoding (those are left to json.loads).
_JSON_STARTS = b'{["-0123456789tfnIN \t\r\n\x00\xef\xfe\xff'
_MISSING = object()


class FlightRows(Mapping[str, Any]):
    """Rows of the flight stream, id -> parsed JSON value or the text of a ``T`` row; a JSON row that does not
    parse is absent, as in ``embedded.flight_rows``. JSON rows are parsed when first read."""

    def __init__(self, stream: bytes):
        self._raw: dict[str, bytes] = {}  # JSON rows not parsed yet
        self._rows: dict[str, Any] = {}  # parsed rows and text rows; every id in stream order
        pos = 0
        while pos < len(stream):
            colon = stream.find(b":", pos)
            if colon < 0:
                break
            row_id = stream[pos:colon].decode("ascii", "replace").strip()
            text_row = None
            if stream[colon + 1:colon + 2] == b"T":  # a text row's header, T<hex byte length>, ends at a comma
                comma = stream.find(b",", colon)
                text_row = _TEXT_ROW.fullmatch(stream, colon + 1, comma) if comma > 0 else None
            if text_row is not None:
                if row_id in self._raw:  # a repeated id: settle the earlier row first
                    self._value(row_id)
                length = int(text_row[1], 16)
                self._rows[row_id] = stream[comma + 1:comma + 1 + length].decode("utf-8", "replace")
                pos = comma + 1 + length
                continue
            end = stream.find(b"\n", colon)
            end = len(stream) if end < 0 else end
            raw = stream[colon + 1:end]
            pos = end + 1
            if raw[:1] not in _JSON_STARTS:  # module ("I[...]") and hint (":HL[...]", many with one id) rows
                continue
            if row_id in self._raw:  # a repeated id: settle the earlier row first
                self._value(row_id)
            if row_id in self._rows:  # the later value wins if it parses, in the earlier one's place
                value = _json(raw)
                if value is not _MISSING:
                    self._rows[row_id] = value
            else:
                self._raw[row_id] = raw
                self._rows[row_id] = _MISSING

    @classmethod
    def of_page(cls, root: etree._Element) -> FlightRows:
        """The rows of the flight scripts in a parsed page."""
        return flight_rows(_SCRIPT_TEXTS(root))

    def _value(self, row_id: str) -> Any:
        value = self._rows[row_id]
        if value is _MISSING:
            raw = self._raw.pop(row_id)
            value = self._rows[row_id] = _json(raw)
            if value is _MISSING:  # module ("I[...]") and hint rows are not JSON values
                del self._rows[row_id]
        return value

    def __getitem__(self, row_id: str) -> Any:
        value = self._value(row_id)
        if value is _MISSING:
            raise KeyError(row_id)
        return value

    def __iter__(self) -> Iterator[str]:
        return iter([row_id for row_id in list(self._rows) if self._value(row_id) is not _MISSING])

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def find_object(self, *keys: str) -> dict:
        """``embedded.find_object`` over the rows in order, parsing only rows that can hold every key: a JSON key
        is its own bytes in the row's text, or hides behind a ``\\u`` escape."""
        needles = [json.dumps(key).encode("utf-8") for key in keys]
        for row_id in list(self._rows):
            raw = self._raw.get(row_id)
            if raw is not None and b"\\u" not in raw and not all(needle in raw for needle in needles):
                continue
            value = self._value(row_id)
            if isinstance(value, dict | list):
                found = find_object(value, *keys)
                if found:
                    return found
        return {}


def without_flight_scripts(page: bytes) -> tuple[bytes, list[str], bool]:
    """(the page with the text of its ``<script>self.__next_f.push(...)</script>`` scripts taken out, those texts in
    page order, whether every ``self.__next_f.push(`` of the page was in one). A script text without ``<`` (the
    payload writes ``\\u003c``) or CR is, for any HTML parser, the bytes up to ``</script>``: the parser need not read
    it (libxml2 spends ~0.5 ms on the 60 kB of them on a 2026 article page, the rest of the page costs a third)."""
    parts: list[bytes] = []
    texts: list[str] = []
    every = True
    pos = kept = 0
    while (push := page.find(_PUSH, pos)) >= 0:
        end = page.find(_SCRIPT_END, push)
        if end < 0:
            every = False
            break
        if page[push - len(_PUSH_SCRIPT_TAG):push] != _PUSH_SCRIPT_TAG or page.find(b"<", push, end) >= 0 \
                or page.find(b"\r", push, end) >= 0:
            every = False
        else:
            texts.append(page[push:end].decode("utf-8"))
            parts.append(page[kept:push])
            kept = end
        pos = end
    parts.append(page[kept:])
    return b"".join(parts), texts, every


def _json(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return _MISSING


def flight_rows(scripts: list[str]) -> FlightRows:
    """The rows of the flight stream that ``scripts`` push (as ``embedded.flight_rows``, parsed when read)."""
    return FlightRows(flight_stream(scripts))
