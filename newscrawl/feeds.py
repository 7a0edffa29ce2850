"""Links of RSS/Atom feeds and sitemaps, parsed as a stream: a 50,000-URL sitemap is read element by element
and each element dropped once read, so discovery memory does not grow with the size of a sitemap (a parsel
tree of such a sitemap with one Selector per <url> costs tens of MB). Namespaces are ignored, as sites mix
them freely (news:, dc:, Atom inside RSS)."""

from __future__ import annotations

from collections.abc import Iterator
from io import BytesIO

from lxml import etree

ENTRIES = frozenset({"item", "entry"})  # RSS and Atom
DATES = frozenset({"pubDate", "published", "updated", "date"})
TARGETS = ENTRIES | {"url", "sitemap"}


def _name(element: etree._Element) -> str:
    tag = element.tag
    if not isinstance(tag, str):  # comments, processing instructions
        return ""
    return tag.rpartition("}")[2]


def _text(element: etree._Element) -> str | None:
    return element.text or None


def _entry(element: etree._Element) -> tuple[str, str | None]:
    link = href = when = None
    for child in element:
        name = _name(child)
        if name == "link":
            link = link or _text(child)
            href = href or child.get("href")
        elif name in DATES and when is None:
            when = _text(child)
    return (link or href or "").strip(), when


def _url(element: etree._Element) -> tuple[str, str | None]:
    loc = when = None
    for child in element:
        name = _name(child)
        if name == "loc":
            loc = loc or _text(child)
        elif when is None and name == "lastmod":
            when = _text(child)
        elif when is None and name == "news":
            when = next((_text(c) for c in child if _name(c) == "publication_date" and _text(c)), None)
    return (loc or "").strip(), when


def feed_links(body: bytes) -> Iterator[tuple[str, str | None, bool]]:
    """(link, date text or None, is_sitemap) for every feed entry, sitemap <url> and sitemap-index <sitemap>,
    in document order. Malformed XML is read as far as lxml can recover it."""
    events = etree.iterparse(BytesIO(body), events=("end",), recover=True, resolve_entities=False,
                             huge_tree=True, no_network=True, remove_comments=True, remove_pis=True)
    try:
        for _, element in events:
            name = _name(element)
            if name not in TARGETS:
                continue
            if name in ENTRIES:
                yield (*_entry(element), False)
            elif name == "url":
                yield (*_url(element), False)
            else:
                for child in element:
                    if _name(child) == "loc" and child.text:
                        yield child.text.strip(), None, True
            _drop(element)
    except etree.XMLSyntaxError:
        return  # nothing recoverable (empty or not XML at all)


def _drop(element: etree._Element) -> None:
    """Free a read element, unless it sits inside an entry still to be read (an RSS <image><url> does not)."""
    parent = element.getparent()
    if parent is None or any(_name(a) in TARGETS for a in element.iterancestors()):
        return
    parent.remove(element)
