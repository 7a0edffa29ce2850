"""Page objects: extraction separate from crawling (web-poet style), behind one contract.

A page object is one layout version of one site (:class:`PageObject`): built from ``(url, source)``, it says
whether a page is in its layout (``matches``), names itself and its version (``extracted_by``, e.g.
``hani.HaniLegacyArticlePage/1``) and turns the page into raw items (``extract() -> Extracted``). Bases:

- :class:`HtmlArticlePage` — a DOM (parsel) with chrome removed, meta/JSON-LD/rendered-line helpers;
- :class:`EmbeddedDataPage` — the article is a JSON object embedded in the page (no DOM is built);
- :class:`RenderedTextPage` — the browser's innerText of a rendered page, as lines.

A site lists its layouts in order; :func:`choose_layout` takes the first whose ``matches`` accepts the page.
Bump ``version`` whenever a layout's output for the same page changes. Pipelines then strip text-level
chrome, normalise, convert dates and validate.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol, runtime_checkable
from urllib.parse import urljoin

from parsel import Selector

from newscrawl.dates import MODIFIED_LABELS, PUBLISHED_LABELS, labeled_date, parse_datetime
from newscrawl.items import ArticleItem, TickerItem
from newscrawl.selectors import PageSelector, RegionCut, cut_regions
from newscrawl.text import render_lines

META_ATTRIBUTES = ("property", "name", "itemprop")
# An absolute http(s) URL that urljoin() gives back unchanged whatever the page's URL (a host, then a path without
# the characters urlsplit() splits on, removes or checks): most photo and canonical URLs, without urljoin's ~4 us.
_PLAIN_ABSOLUTE = re.compile(r"https?://[A-Za-z0-9.-]+(?::[0-9]+)?(?:/[A-Za-z0-9._~%!$&'()*+,=:@/-]*)?")
# Where a page writes each date, in the order of ../shared/docs/annotation.md: JSON-LD, meta, the visible line.
DATE_SOURCES = {
    "published_at": ("datePublished", ("article:published_time", "og:article:published_time"), PUBLISHED_LABELS),
    "modified_at": ("dateModified", ("article:modified_time", "og:article:modified_time"), MODIFIED_LABELS),
}


class ExtractionError(Exception):
    """The page is not an article this parser understands; ``reason`` is a short stats-friendly code."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


@dataclass
class Extracted:
    article: ArticleItem | None
    tickers: list[TickerItem] = field(default_factory=list)
    # (field, value) of each impossible date the page gave (2024-02-30): replaced by the next source or None
    impossible_dates: list[tuple[str, str]] = field(default_factory=list)
    fallback_from: ExtractionError | None = None  # the site's error, when the generic extractor read the page

    def items(self) -> list[Any]:
        return ([self.article] if self.article else []) + list(self.tickers)


@runtime_checkable
class PageObject(Protocol):
    """What the crawler, ``scrapy extract``, rendering and evaluation need from a page object."""

    version: ClassVar[int]

    @property
    def extracted_by(self) -> str: ...

    def extract(self) -> Extracted: ...


class ArticlePage:
    """Base of every page object: one layout (version) of one site over one page's source."""

    site: ClassVar[str]
    publisher: ClassVar[str]
    version: ClassVar[int] = 1  # bump when the output for the same page changes

    def __init__(self, url: str, source: str):
        self.url = url

    @classmethod
    def matches(cls, source: str) -> bool:
        """Is the page (HTML, or rendered text) written in this layout? Cheap tests on the source, no parse."""
        return True

    @classmethod
    def layout(cls) -> str:
        return f"{cls.site}.{cls.__name__}"

    @property
    def extracted_by(self) -> str:
        return f"{self.layout()}/{self.version}"

    def publisher_name(self) -> str:
        """The outlet's name (the generic extractor reads it from the page)."""
        return self.publisher

    def absolute(self, url: str | None) -> str | None:
        url = url.strip() if url else None
        if not url:
            return None
        return url if _PLAIN_ABSOLUTE.fullmatch(url) else urljoin(self.url, url)

    def canonical_url(self) -> str:
        return self.url

    @property
    def impossible_dates(self) -> list[tuple[str, str]]:
        """(field, value) of each impossible date the page gave (also for subclasses that keep no DOM)."""
        return self.__dict__.setdefault("_impossible_dates", [])

    def possible_date(self, name: str, value: Any) -> Any:
        """``value``, unless it is an impossible date: then the first possible one among the page's other
        sources (annotation order), else None. Each impossible value is noted in ``impossible_dates``."""
        if value is None or value == "" or parse_datetime(value) is not None:
            return value
        self.impossible_dates.append((name, str(value)))
        if not isinstance(self, HtmlArticlePage):  # a page read from embedded data or rendered text only
            return None
        ld_key, metas, labels = DATE_SOURCES[name]
        candidates = [self.json_ld().get(ld_key), self.meta(*metas)]
        for candidate in candidates:
            if isinstance(candidate, str) and parse_datetime(candidate) is not None:
                return candidate
        visible = labeled_date(" ".join(self.lines("body")), labels)
        return visible if parse_datetime(visible) is not None else None

    def new_article(self, **fields: Any) -> ArticleItem:
        fields.setdefault("canonical_url", self.canonical_url())
        for name in DATE_SOURCES:
            fields[name] = self.possible_date(name, fields.get(name))
        return ArticleItem(url=self.url, site=self.site, publisher=self.publisher_name(), **fields)

    @staticmethod
    def require(**fields: Any) -> None:
        """Raise ExtractionError naming every empty field (how users learn that a layout changed)."""
        missing = [name for name, value in fields.items() if not value]
        if missing:
            raise ExtractionError("missing_fields", ", ".join(missing))

    # --- the contract -----------------------------------------------------------------------------
    def article(self) -> ArticleItem:
        raise NotImplementedError

    def tickers(self) -> list[TickerItem]:
        return []

    def extract(self) -> Extracted:
        article = self.article()
        return Extracted(article, self.tickers(), self.impossible_dates)


def choose_layout(layouts: Iterable[type[ArticlePage]], url: str, source: str, site: str = "") -> ArticlePage:
    """The page object of the first layout that matches the page; ExtractionError when none does."""
    layouts = tuple(layouts)
    for layout in layouts:
        if layout.matches(source):
            return layout(url, source)
    names = ", ".join(layout.__name__ for layout in layouts)
    raise ExtractionError("missing_fields", f"no known {site or 'site'} layout ({names})")


class HtmlArticlePage(ArticlePage):
    """Base page object over one decoded HTML page."""

    chrome_selectors: ClassVar[tuple[str, ...]] = ()  # removed from the DOM before any field is read
    body_css: ClassVar[str | None] = None  # the element holding the article text (also the render-ready probe)

    # The parts of <body> the layout reads besides body_css (title, byline, dates boxes). When declared, only the
    # page's <head>, body_css and these are parsed for parsel (selectors.cut_regions); a page without body_css is
    # parsed whole. Selectors must then not look outside these parts.
    regions: ClassVar[tuple[str, ...]] = ()

    def __init__(self, url: str, html: str):
        super().__init__(url, html)
        self.html = html
        self._metas: dict[tuple[str, str], str] | None = None
        cut = self.region_cut(html) if self.regions and self.body_css else None
        if cut is not None:
            self.selector = PageSelector.from_html(cut.html)
            self._json_ld_texts = cut.json_ld
        else:
            self.selector = self.parse(html)
            # JSON-LD is read before chrome removal, which may drop every <script>.
            self._json_ld_texts = self.json_ld_texts()
        self.selector.drop_all(self.chrome_selectors)

    def region_cut(self, html: str) -> RegionCut | None:
        """The page's ``<head>`` and regions (None: parse the whole page); a layout may cut from part of the page."""
        return cut_regions(html, self.chrome_selectors, self.body_css, self.regions)

    def parse(self, html: str) -> PageSelector:
        """The page's selector; a layout that knows where its article ends may parse only that far."""
        return PageSelector.from_html(html)

    def json_ld_texts(self) -> list[str]:
        """The texts of the page's JSON-LD scripts (read once, before chrome removal)."""
        return self.selector.css('script[type="application/ld+json"]::text').getall()

    def meta_elements(self) -> Iterable[Any]:
        """The page's ``<meta>`` elements, in document order."""
        return self.selector.root.iter("meta")

    def body(self) -> Selector | None:
        """The first element matching ``body_css`` (None when the page has none)."""
        found = self.selector.css(self.body_css) if self.body_css else []
        return found[0] if found else None

    # --- helpers shared by the site modules -------------------------------------------------------
    def meta(self, *names: str) -> str | None:
        """First non-empty ``<meta property|name|itemprop=NAME content>`` among ``names``."""
        if self._metas is None:  # one pass over the <meta> tags instead of one XPath per name and attribute
            self._metas = meta_index(self.meta_elements())
        for name in names:
            for attr in META_ATTRIBUTES:
                value = self._metas.get((attr, name))
                if value and value.strip():
                    return value.strip()
        return None

    def json_ld(self, types: Iterable[str] = ("NewsArticle", "Article", "ReportageNewsArticle")) -> dict:
        """The first JSON-LD object whose @type is one of ``types`` ({} if none parses)."""
        wanted = set(types)
        for raw in self._json_ld_texts:
            try:
                data = json.loads(raw, strict=False)
            except (ValueError, RecursionError):  # not JSON, or nested past the parser's depth: no data here
                continue
            stack = data if isinstance(data, list) else [data]
            while stack:
                obj = stack.pop(0)
                if not isinstance(obj, dict):
                    continue
                stack.extend(obj.get("@graph", []) if isinstance(obj.get("@graph"), list) else [])
                kind = obj.get("@type")
                kinds = set(kind) if isinstance(kind, list) else {kind}
                if kinds & wanted:
                    return obj
        return {}

    def text(self, css: str) -> str:
        """Rendered text of the first element matching ``css`` ('' if none)."""
        return " ".join(self.lines(css))

    def lines(self, css: str) -> list[str]:
        """Rendered lines of the first element matching ``css``."""
        found = self.selector.css(css)
        return render_lines(found[0].root) if found else []

    def canonical_url(self) -> str:
        link = self.selector.css('link[rel="canonical"]::attr(href)').get() or self.meta("og:url")
        return self.absolute(link) or self.url


class PartialPage(HtmlArticlePage):
    """A layout that parses part of its page, and reads the whole page instead (:meth:`whole_page_article`) when
    one of its reads may have missed something outside that part (``missed``). ``whole`` is the same layout
    reading the whole page: a subclass with ``whole = None``, set after both are defined."""

    whole: ClassVar[type[PartialPage] | None] = None
    missed = False  # a read that may find something outside the part parsed

    def whole_page_article(self) -> ArticleItem:
        """The whole page's reading (its replaced dates counted as this page's)."""
        assert self.whole is not None
        page = self.whole(self.url, self.html)
        item = page.article()
        self.__dict__["_impossible_dates"] = page.impossible_dates
        return item


def meta_index(metas: Iterable[Any]) -> dict[tuple[str, str], str]:
    """(attribute, name) -> content of the first of these ``<meta>`` elements (document order) that has both, for
    each attribute of META_ATTRIBUTES: what ``//meta[@attribute=name]/@content`` finds first."""
    index: dict[tuple[str, str], str] = {}
    for node in metas:
        content = node.get("content")
        if content is None:
            continue
        for attr in META_ATTRIBUTES:
            key = node.get(attr)
            if key is not None:
                index.setdefault((attr, key), content)
    return index


# The data EmbeddedDataPage.matches() found on the page choose_layout() is reading: (layout, source, data).
_matched: tuple[type, str, dict[str, Any] | None] | None = None


class EmbeddedDataPage(ArticlePage):
    """A page whose article is a JSON object embedded in its HTML (Arc's ``Fusion.globalContent``, Next.js
    data): subclasses say how to find it (``embedded_data``) and read ``self.data``; no DOM is built."""

    def __init__(self, url: str, html: str):
        super().__init__(url, html)
        global _matched
        found, _matched = _matched, None  # matches() just read this page's data: not parsed a second time
        data = found[2] if found is not None and found[0] is type(self) and found[1] is html \
            else self.embedded_data(html)
        self.data: dict[str, Any] = data or {}

    @classmethod
    def embedded_data(cls, html: str) -> dict[str, Any] | None:
        raise NotImplementedError

    @classmethod
    def matches(cls, source: str) -> bool:
        global _matched
        data = cls.embedded_data(source)
        _matched = (cls, source, data)
        return data is not None

    def canonical_url(self) -> str:
        return self.absolute(self.data.get("canonical_url")) or self.url


class RenderedTextPage(ArticlePage):
    """The browser's innerText of a rendered article page (``NEWSCRAWL_RENDER_TEXT``), one line per row."""

    def __init__(self, url: str, text: str):
        super().__init__(url, text)
        self.text = text
