"""Article data that pages embed for their own JavaScript: read it before guessing from the DOM.

Korean outlets increasingly ship an empty article container and the story as data: Arc XP sites (조선일보)
put it in ``Fusion.globalContent``; Next.js sites in ``<script id="__NEXT_DATA__">`` (pages router) or in
the streamed React flight payload ``self.__next_f.push([1, "..."])`` (app router, 한국일보 2026); Vue/Redux
templates in ``window.__INITIAL_STATE__ = {...}``; and many in JSON-LD ``articleBody``. Each reader returns
plain Python values; :func:`embedded_story` turns whichever the page has into one :class:`Story`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from newscrawl.text import clean, fragment_lines

_GLOBAL_CONTENT = re.compile(r"Fusion\.globalContent\s*=\s*")
_FLIGHT_PUSH = re.compile(r"^\s*self\.__next_f\.push\((\[.*\])\)\s*;?\s*$", re.DOTALL)
_NEXT_DATA = re.compile(r'<script[^>]+id=["\']__NEXT_DATA__["\'][^>]*>', re.IGNORECASE)
_STATE_BLOB = re.compile(r"window\.(__INITIAL_STATE__|__PRELOADED_STATE__|__APOLLO_STATE__|__NUXT__)\s*=\s*")
_SCRIPT = re.compile(r"<script\b[^>]*>(.*?)</script>", re.DOTALL | re.IGNORECASE)
_REFERENCE = re.compile(r"\$[0-9a-f]+")
# Keys under which app state keeps the article's HTML or text (Next.js/Vue news templates).
BODY_KEYS = ("contentHtml", "content_html", "articleBody", "bodyHtml", "body_html", "articleContent", "content",
             "body", "html", "text")
TITLE_KEYS = ("title", "headline", "articleTitle", "subject")
SUBTITLE_KEYS = ("subTitle", "subtitle", "sub_title", "subHeadline")
PUBLISHED_KEYS = ("deployDt", "datePublished", "publishedAt", "published_at", "firstPublishDate", "regDt",
                  "createdAt", "pubDate")
MODIFIED_KEYS = ("reDeployDt", "dateModified", "updatedAt", "modified_at", "modDt", "lastUpdatedDate")
_AD_PLACEHOLDER = re.compile(r"\$\$[A-Z_]+\$\$")  # editor ad slots ($$ARTICLEAD$$) in embedded HTML
_HANGUL = re.compile(r"[가-힣]")
_DECODER = json.JSONDecoder(strict=False)  # one decoder for every page (making one per call costs its scanner)


@dataclass
class Story:
    """What embedded data says about the article; empty fields are for the DOM to fill."""

    source: str
    paragraphs: list[str]
    title: str = ""
    subtitles: list[str] = field(default_factory=list)
    published_at: str | None = None
    modified_at: str | None = None
    images: list[dict] = field(default_factory=list)
    html: str | None = None  # the body as HTML when the data held HTML (for captions and images)
    # Arc's article:published_time meta is the story's created_date (draft time); its first_publish_date is
    # the publication, so an Arc story's dates win over the page's meta tags.
    dates_win: bool = False


# --- Arc XP --------------------------------------------------------------------------------------------------
def global_content(html: str) -> dict[str, Any] | None:
    """The ``Fusion.globalContent`` object of an Arc XP page, or None when the page has none. Not cached: a cache
    keyed by the page hashes all of it (~0.1 ms on a 200 kB Arc page); a layout's matches() hands what it read to
    its page object (``EmbeddedDataPage``)."""
    start = html.find("Fusion.globalContent")  # a literal search, then the pattern from there (a regex scan is slower)
    found = None
    while start >= 0 and not (found := _GLOBAL_CONTENT.match(html, start)):
        start = html.find("Fusion.globalContent", start + 1)
    if not found:
        return None
    try:
        data, _ = _DECODER.raw_decode(html, found.end())
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def arc_body(elements: list[dict]) -> tuple[list[str], list[dict]]:
    """Paragraphs and photos (url, caption) of Arc ``content_elements``; embeds, ads and promo links are not
    text (Arc ANS types: text, header, list, quote, image, gallery, raw_html, custom_embed ...)."""
    paragraphs: list[str] = []
    images: list[dict] = []
    for element in elements:
        kind = element.get("type")
        if kind in ("text", "header"):
            paragraphs.extend(fragment_lines(element.get("content") or ""))
        elif kind == "list":
            for entry in element.get("items") or []:
                paragraphs.extend(fragment_lines(entry.get("content") or ""))
        elif kind == "quote":
            paragraphs.extend(arc_body(element.get("content_elements") or [])[0])
        elif kind == "image":
            images.append(arc_image(element))
        elif kind == "gallery":
            images.extend(arc_image(e) for e in element.get("content_elements") or [] if e.get("type") == "image")
    return paragraphs, images


def arc_image(element: dict) -> dict:
    return {"url": element.get("url"), "caption": clean(element.get("caption")) or None}


def arc_story(html: str) -> Story | None:
    data = global_content(html)
    if not data or data.get("type", "story") != "story":
        return None
    paragraphs, images = arc_body(data.get("content_elements") or [])
    return Story("arc", paragraphs, title=clean((data.get("headlines") or {}).get("basic")),
                 subtitles=fragment_lines((data.get("subheadlines") or {}).get("basic") or ""),
                 published_at=data.get("first_publish_date") or data.get("display_date"),
                 modified_at=data.get("last_updated_date"), images=images, dates_win=True)


# --- Next.js React flight payload ----------------------------------------------------------------------------
def flight_stream(scripts: list[str]) -> bytes:
    """The Next.js flight stream: the concatenation of every ``self.__next_f.push([1, "..."])`` string."""
    parts = []
    for script in scripts:
        found = _FLIGHT_PUSH.match(script) if "__next_f" in script else None
        if not found:
            continue
        try:
            chunk = json.loads(found.group(1))
        except ValueError:
            continue
        if len(chunk) > 1 and chunk[0] == 1 and isinstance(chunk[1], str):
            parts.append(chunk[1])
    return "".join(parts).encode("utf-8")


def flight_rows(scripts: list[str]) -> FlightRows:
    """Rows of the Next.js flight stream (:func:`flight_stream`): id -> parsed JSON value, or the text of a ``T``
    (text) row. A row is ``<hex id>:<json>\\n`` or ``<hex id>:T<hex byte length>,<text>`` (no newline after the
    text).
    """
    return FlightRows(flight_stream(scripts))


_SCRIPT_TEXTS = etree.XPath("//script/text()", smart_strings=False)  # as parsel's css("script::text")
_TEXT_ROW = re.compile(rb"T([0-9a-f]+)")
# The first byte of any bytes json.loads accepts: a JSON value (NaN and Infinity too) or whitespace, or a BOM or NUL
# by which it detects another encoding (those are left to json.loads).
_JSON_STARTS = b'{["-0123456789tfnIN \t\r\n\x00\xef\xfe\xff'
_MISSING = object()


class FlightRows(Mapping[str, Any]):
    """Rows of the flight stream, id -> parsed JSON value or the text of a ``T`` row; a JSON row that does not
    parse (module and hint rows) is absent; a repeated id keeps its last value that parses. JSON rows are parsed
    when first read (a page object after one object reads a fraction of them: 0.56 ms for every row of
    한국일보's corpus page, a third of that for splitting the stream and the one row)."""

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
        """:func:`find_object` over the rows in order, parsing only rows that can hold every key: a JSON key
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


def _json(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return _MISSING


def resolve_reference(value: Any, rows: dict[str, Any]) -> Any:
    """``"$24"`` -> the value of row 24 (flight values point at text rows this way)."""
    if isinstance(value, str) and _REFERENCE.fullmatch(value):
        return rows.get(value[1:])
    return value


def find_object(value: Any, *keys: str) -> dict:
    """The first dict (depth-first) inside ``value`` that has every one of ``keys`` ({} if none)."""
    stack: list[Any] = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if all(key in node for key in keys):
                return node
            stack.extend(reversed(list(node.values())))
        elif isinstance(node, list):
            stack.extend(reversed(node))
    return {}


def script_texts(html: str) -> list[str]:
    return _SCRIPT.findall(html)


# --- app-state blobs (__NEXT_DATA__, __INITIAL_STATE__, flight) ----------------------------------------------
def _json_after(html: str, start: int) -> Any:
    try:
        return _DECODER.raw_decode(html, start)[0]
    except ValueError:
        return None


def next_data(html: str) -> Any:
    """The parsed ``<script id="__NEXT_DATA__">`` JSON (Next.js pages router), or None."""
    found = _NEXT_DATA.search(html)
    return _json_after(html, found.end()) if found else None


def state_blob(html: str) -> Any:
    """The parsed ``window.__INITIAL_STATE__ = {...}`` (or a sibling store name), or None."""
    found = _STATE_BLOB.search(html)
    return _json_after(html, found.end()) if found else None


def korean_chars(text: str) -> int:
    return len(_HANGUL.findall(text))


def article_record(data: Any, resolve: Any = None) -> tuple[dict, str]:
    """(the object holding the article, its body markup): the dict whose body-like field has the most hangul.

    App state holds many strings (menus, teasers, related headlines); the article body is the one long field
    of Korean prose, and its sibling fields are the article's title and dates.
    """
    best: tuple[int, dict, str] = (0, {}, "")
    stack: list[Any] = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for key in BODY_KEYS:
                value = node.get(key)
                value = resolve(value) if resolve else value
                if isinstance(value, str):
                    score = korean_chars(value)
                    if score > best[0]:
                        best = (score, node, value)
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return best[1], best[2]


def _first(record: dict, keys: tuple[str, ...], resolve: Any = None) -> Any:
    for key in keys:
        value = record.get(key)
        value = resolve(value) if resolve else value
        if value:
            return value
    return None


def app_state_story(html: str, scripts: list[str] | None = None) -> Story | None:
    """The article of a Next.js (``__NEXT_DATA__`` or flight payload) or ``__INITIAL_STATE__`` page."""
    candidates: list[tuple[str, Any, Any]] = []
    if "__next_f" in html:
        rows = flight_rows(scripts if scripts is not None else script_texts(html))
        candidates.append(("flight", list(rows.values()), lambda v: resolve_reference(v, rows)))
    for name, reader in (("next_data", next_data), ("state", state_blob)):
        data = reader(html)
        if data is not None:
            candidates.append((name, data, None))
    for name, data, resolve in candidates:
        record, markup = article_record(data, resolve)
        if korean_chars(markup) < 200:  # a teaser or a menu, not an article body
            continue
        markup = _AD_PLACEHOLDER.sub("", markup)
        paragraphs = fragment_lines(markup)
        subtitle = _first(record, SUBTITLE_KEYS, resolve)
        return Story(name, paragraphs, title=clean(_first(record, TITLE_KEYS, resolve) or ""),
                     subtitles=fragment_lines(subtitle) if isinstance(subtitle, str) else [],
                     published_at=_stringy(_first(record, PUBLISHED_KEYS, resolve)),
                     modified_at=_stringy(_first(record, MODIFIED_KEYS, resolve)), html=markup)
    return None


def _stringy(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


# --- JSON-LD --------------------------------------------------------------------------------------------------
def json_ld_story(ld: dict) -> Story | None:
    """JSON-LD ``articleBody`` split into paragraphs (outlets write it with newlines between paragraphs)."""
    body = ld.get("articleBody")
    if not isinstance(body, str) or korean_chars(body) < 200:
        return None
    paragraphs = [c for c in (clean(p) for p in re.split(r"\n+", body)) if c]
    # No title: JSON-LD headline is one of the page's title candidates already (and often a shortened one).
    return Story("json_ld", paragraphs, published_at=_stringy(ld.get("datePublished")),
                 modified_at=_stringy(ld.get("dateModified")))


def embedded_story(html: str, ld: dict | None = None, scripts: list[str] | None = None) -> Story | None:
    """The article as the page's embedded data holds it, most structured source first; None if none does."""
    return arc_story(html) or app_state_story(html, scripts) or (json_ld_story(ld) if ld else None)
