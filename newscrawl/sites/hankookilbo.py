"""한국일보 (hankookilbo.com): three article templates, one page class each, chosen by what the page contains.

- :class:`HankookNextPage` (Next.js, server-rendered, ``/news/article/<id>``): the body is
  ``#article-view-content``; the headline is the large ``<p>`` after the section links (no h1); JSON-LD
  ``NewsArticle`` carries dates and every author (the byline only says "… 외 1명"); ``article:tag`` metas list
  the editor's tags.
- :class:`HankookFlightPage` (Next.js, streamed): the server sent only a spinner; the article exists only in
  the page's React flight payload (``self.__next_f.push`` scripts): the ``detail`` object (title, subTitle,
  deployDt/reDeployDt, byLines, sectionName, tags) and its ``contentHtml`` text row (editor HTML with
  ``$$ARTICLEAD$$`` placeholders and the ``div.writer`` byline at its end).
- :class:`HankookLegacyPage` (jQuery template, ``/News/Read/<id>``): body ``div.col-main[itemprop=articleBody]``
  (it wraps a stray ``<html><body>`` that the parser flattens), headline ``h1.title``; the article ends at
  ``div.writer``, everything after it is page furniture.

All three share the editor markup: deck ``h2.sub-tit-ll`` (lines split at ``<br>``), photos
``div.editor-img-box`` (``img@src`` + ``div.caption``), subheads ``h3.editor-tit`` (paragraphs), ``div-line``
rules, ``<p class="editor-p"><br></p>`` spacers, and ad slots.

Speed (issue #15; these pages are mostly script and furniture): the legacy page is parsed only up to its byline
box and the server-rendered page up to the end of its ``section#article-section``, both without the menus or site
header before the article (:class:`EndOfArticleCut`: whatever the layout misses in that prefix sends it to the
whole page); the Next.js pages' flight scripts (half
their bytes) are cut out before libxml2 parses the page, and their rows are parsed only when read
(``newscrawl/sites/hankookilbo_flight.py``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import ClassVar

from lxml import etree, html
from parsel import SelectorList

from newscrawl.extractors.bylines import reporter_name
from newscrawl.extractors.embedded import FlightRows, flight_rows, resolve_reference
from newscrawl.extractors.images import take_deck
from newscrawl.extractors.korean import with_shaped_deck
from newscrawl.extractors.people import json_ld_people
from newscrawl.items import ArticleItem
from newscrawl.pages import META_ATTRIBUTES, HtmlArticlePage, PartialPage
from newscrawl.selectors import PageSelector, css_xpath, in_markup, utf8
from newscrawl.sites import Site
from newscrawl.sites.hankookilbo_flight import without_flight_scripts
from newscrawl.text import clean, fragment_lines, render_lines

NAME = "hankookilbo"
PUBLISHER = "한국일보"
DECK_CSS = "h2.sub-tit-ll"
PHOTO_BOX_CSS, PHOTO_SRC_CSS, CAPTION_CSS = ".editor-img-box", "img::attr(src), img::attr(data-src)", ".caption"
# Inside the body: ads, rules, the zoom button, the byline box.
BODY_CHROME_CSS = (".end-ad-container", ".ad", ".div-line", ".writer", "script", "style", ".img-zoomin")
_AD_PLACEHOLDER = re.compile(r"\$\$[A-Z_]+\$\$")


_FRAGMENT_PARSER = etree.HTMLParser(collect_ids=False)  # lxml.html's parser options, without its element classes
_FULL_HTML = re.compile(r"^\s*<(?:html|!doctype)", re.IGNORECASE)  # lxml.html's test for a whole document


def editor_fragment(markup: str) -> etree._Element:
    """``lxml.html.fragment_fromstring(markup, create_parent="div")`` as plain lxml elements (the same tree: lxml.html
    gives each element a Python class through a lookup, ~1 µs each time a walk meets it)."""
    if not _FULL_HTML.match(markup):
        document = etree.fromstring(f"<html><body>{markup}</body></html>", _FRAGMENT_PARSER)
        bodies = [child for child in document if child.tag == "body"] if document is not None else []
        if len(bodies) == 1:
            root = etree.Element("div")
            if bodies[0].text and bodies[0].text.strip():
                root.text = bodies[0].text
            root.extend(bodies[0])
            return root
    return html.fragment_fromstring(markup, create_parent="div")  # its own answer (or error) for anything else


def editor_photos(body: PageSelector, base: HtmlArticlePage) -> list[dict]:
    """One entry per ``div.editor-img-box`` photo: its first img@src or img@data-src and its first ``.caption``'s
    text (credit kept), as ``extractors.images.photo_boxes`` reads them (each query compiled once here: a page has
    several boxes); the boxes are then dropped."""
    boxes = css_xpath(PHOTO_BOX_CSS)(body.root)
    sources, captions = css_xpath(PHOTO_SRC_CSS), css_xpath(CAPTION_CSS)
    images = []
    for box in boxes:
        src = next(iter(sources(box)), None)
        caption = next(iter(captions(box)), None)
        text = clean(" ".join(render_lines(caption))) if caption is not None else ""
        images.append({"url": base.absolute(src) if src else None, "caption": text or None})
    for box in boxes:
        PageSelector(root=box, type="html").drop()
    return images


def editor_article_parts(body: PageSelector, base: HtmlArticlePage) -> tuple[list[str], list[dict], list[str]]:
    """(subtitles, images, paragraphs) of an editor-markup body; the body's DOM loses deck, photos and chrome."""
    subtitles = take_deck(body, DECK_CSS)
    images = editor_photos(body, base)
    body.drop_all(BODY_CHROME_CSS)  # the bare classes in one pass over the body's attributes
    subtitles, paragraphs = with_shaped_deck(subtitles, render_lines(body.root))  # a deck outside h2.sub-tit-ll too
    return subtitles, images, paragraphs


def people_names(ld: dict) -> list[str]:
    return list(dict.fromkeys(reporter_name(n) for n in json_ld_people(ld.get("author"), strings=False)))


class EndOfArticleCut(PartialPage):
    """A template whose article ends at a known element, followed by page furniture, ads and their scripts: the
    page is parsed only up to that element's end (:meth:`article_end`). What a layout finds first in such a prefix
    is what it finds first in the whole page. The whole page is read instead (:meth:`whole_page_article`) when the
    prefix lacks something the layout looks for (a meta, JSON-LD, an element), when a date must be replaced from
    the page's text, and, before parsing, when something the layout reads every instance of
    (``read_everywhere``) also comes after the article. The furniture before the article (:meth:`menus`: header,
    menus) is left out too when it holds nothing the layout reads (``read_first``, ``read_everywhere``) and starts
    and ends outside scripts, styles and comments."""

    read_everywhere: ClassVar[tuple[bytes, ...]] = ()
    # Markup the layout reads the first of (metas, JSON-LD, its elements): the menus (:meth:`menus`) are left out of
    # the prefix only when they hold none of it.
    read_first: ClassVar[tuple[bytes, ...]] = ()
    cut = False
    skipped = False  # the menus before the article were left out too

    @staticmethod
    def page_bytes(html: str) -> bytes:
        return utf8(html)

    @staticmethod
    def article_end(page: bytes) -> int | None:
        """Byte offset of the article's end in ``page``, or None to parse the whole page."""
        raise NotImplementedError

    @staticmethod
    def menus(page: bytes, end: int) -> tuple[int, int] | None:
        """Byte range of page furniture before the article (header, menus) to leave out too, or None."""
        return None

    def parse(self, html: str) -> PageSelector:
        page = self.page_bytes(html)
        end = self.article_end(page) if self.whole is not None else None
        if end is not None and any(page.find(marker, end) >= 0 for marker in self.read_everywhere):
            end = None
        self.cut = end is not None
        if end is None:
            return PageSelector.from_utf8(page)
        menus = self.menus(page, end)
        if menus is not None and in_markup(page, *menus) and not any(
                page.find(marker, *menus) >= 0 for marker in (*self.read_first, *self.read_everywhere)):
            self.skipped = True
            return PageSelector.from_utf8(page[:menus[0]] + page[menus[1]:end])
        return PageSelector.from_utf8(page[:end])

    def meta(self, *names: str) -> str | None:
        value = super().meta(*names)
        if self.cut and self._metas is not None:  # every name tried before the answer must be in the prefix
            for name in names:
                for attr in META_ATTRIBUTES:
                    found = self._metas.get((attr, name))
                    if found is None:
                        self.missed = True
                    elif found.strip():
                        return value
        return value

    def json_ld(self, types: Iterable[str] = ("NewsArticle", "Article", "ReportageNewsArticle")) -> dict:
        found = super().json_ld(types)
        self.missed |= self.cut and not found
        return found

    def checked(self, item: ArticleItem) -> ArticleItem:
        """``item``, or the whole page's reading when the prefix lacked something or a date had to be replaced."""
        return self.whole_page_article() if self.cut and (self.missed or self.impossible_dates) else item


class HankookNextPage(EndOfArticleCut):
    """Next.js template with the article server-rendered into ``#article-view-content`` (2026+), inside
    ``<section id="article-section">``; the flight scripts' text (half the page's bytes) and everything after the
    section (copyright line, ads, recommendations) are not parsed."""

    site = NAME
    publisher = PUBLISHER
    marker: ClassVar[str] = 'id="article-view-content"'

    @classmethod
    def matches(cls, source: str) -> bool:
        return cls.marker in source
    body_css = "#article-view-content"
    read_everywhere = (b"article:tag",)  # every tag meta is a tag
    read_first = (b"<meta", b"ld+json", b"canonical", b"article_section_1", b"article-view-content")

    @staticmethod
    def page_bytes(html: str) -> bytes:
        return without_flight_scripts(utf8(html), texts=False)[0]

    @staticmethod
    def article_end(page: bytes) -> int | None:
        """The end of ``<section id="article-section">`` when it holds the body and no other section."""
        start = page.find(b'<section id="article-section"')
        close = page.find(b"</section>", start) if start >= 0 else -1
        if close < 0 or page.find(b"<section", start + 8, close) >= 0 \
                or page.find(b'id="article-view-content"', start, close) < 0:
            return None
        return close + len(b"</section>")

    @staticmethod
    def menus(page: bytes, end: int) -> tuple[int, int] | None:
        """The site header (``<header>`` … ``</header>``, one and not nested) before the article section."""
        start = page.find(b"<header")
        stop = page.find(b"</header>", start) if start >= 0 else -1
        if stop < 0 or page.find(b"<header", start + 7, stop) >= 0 \
                or page.find(b'<section id="article-section"', stop, end) < 0:
            return None
        return start, stop + len(b"</header>")

    def article(self) -> ArticleItem:
        body = self.selector.css(self.body_css)
        if self.cut and not (body and self.selector.css('a[data-ga4="article_section_1"]')
                             and self.selector.css('link[rel="canonical"]') and self._shown_headline()):
            return self.whole_page_article()
        self.require(body=body)
        subtitles, images, paragraphs = editor_article_parts(body[0], self)
        ld = self.json_ld()
        title = self._headline()
        self.require(title=title, paragraphs=paragraphs)
        section_link = clean(self.selector.css('a[data-ga4="article_section_1"]::text').get())
        return self.checked(self.new_article(
            title=title,
            subtitles=subtitles,
            published_at=ld.get("datePublished") or self.meta("article:published_time"),
            modified_at=ld.get("dateModified") or self.meta("article:modified_time"),
            authors=people_names(ld),
            section=self.meta("article:section", "content_category") or section_link or None,
            paragraphs=paragraphs,
            images=images,
            tags=self._tags(ld),
        ))

    def _shown_headline(self) -> SelectorList:
        # The section links sit in a block whose next sibling <p> is the headline.
        return self.selector.xpath(
            '(//a[@data-ga4="article_section_1"]/ancestor::div[following-sibling::p][1]/following-sibling::p)[1]')

    def _headline(self) -> str:
        shown = self._shown_headline()
        if shown:
            return " ".join(render_lines(shown[0].root))
        return clean(self.meta("headline") or self.json_ld().get("headline"))

    def _tags(self, ld: dict) -> list[str]:
        tags = [clean(t) for t in self.selector.xpath('//meta[@property="article:tag"]/@content').getall()]
        if not tags and isinstance(ld.get("keywords"), str):
            tags = [clean(t) for t in ld["keywords"].split(",")]
        return list(dict.fromkeys(t for t in tags if t))


class HankookFlightPage(HtmlArticlePage):
    """Next.js template whose article lives only in the React flight payload (``self.__next_f``)."""

    site = NAME
    publisher = PUBLISHER
    marker: ClassVar[str] = "contentHtml"

    @classmethod
    def matches(cls, source: str) -> bool:
        return cls.marker in source

    def parse(self, html: str) -> PageSelector:
        """The page without its flight scripts, whose texts give the rows (the page's DOM serves its <head>)."""
        stripped, scripts, every = without_flight_scripts(utf8(html))
        if not every:  # a flight script of another shape: read every script of the parsed page
            selector = super().parse(html)
            self.rows = FlightRows.of_page(selector.root)
            return selector
        self.rows = flight_rows(scripts)
        return PageSelector.from_utf8(stripped)

    def article(self) -> ArticleItem:
        detail = find_article_detail(self.rows)
        self.require(detail=detail)
        content = resolve_reference(detail.get("contentHtml"), self.rows)
        self.require(contentHtml=isinstance(content, str) and content.strip())
        body = PageSelector(root=editor_fragment(_AD_PLACEHOLDER.sub("", content)), type="html")
        _, images, paragraphs = editor_article_parts(body, self)
        title = clean(detail.get("title"))
        self.require(title=title, paragraphs=paragraphs)
        return self.new_article(
            title=title,
            subtitles=fragment_lines(detail.get("subTitle") or ""),
            published_at=detail.get("deployDt"),
            modified_at=detail.get("reDeployDt") or None,
            authors=self._authors(detail),
            section=clean(detail.get("sectionName")) or None,
            paragraphs=paragraphs,
            images=images,
            tags=self._tags(detail),
        )

    @staticmethod
    def _authors(detail: dict) -> list[str]:
        names = [clean(b.get("writerName") or b.get("manualWriterName"))
                 for b in detail.get("byLines") or [] if isinstance(b, dict)]
        return list(dict.fromkeys(n for n in names if n))

    @staticmethod
    def _tags(detail: dict) -> list[str]:
        tags = [clean(t.get("tag")) for t in detail.get("tags") or [] if isinstance(t, dict)]
        if not tags and detail.get("tagStr"):
            tags = [clean(t) for t in str(detail["tagStr"]).split(",")]
        return list(dict.fromkeys(t for t in tags if t))


class HankookLegacyPage(EndOfArticleCut):
    """The jQuery template (``/News/Read/<id>``, until early 2026). The article ends at the ``div.writer`` byline
    box: related lists, comments, footer and their scripts follow (60% of the corpus page's bytes, not parsed)."""

    site = NAME
    publisher = PUBLISHER
    marker: ClassVar[str] = 'itemprop="articleBody"'

    @classmethod
    def matches(cls, source: str) -> bool:
        return cls.marker in source
    body_css = 'div.col-main[itemprop="articleBody"]'
    read_first = (b"<meta", b"ld+json", b"canonical", b"<h1", b"articleBody")  # the date box: see article()

    @staticmethod
    def menus(page: bytes, end: int) -> tuple[int, int] | None:
        """From ``<body>`` to the ``div.end-top`` box that holds the headline (menus, search, their scripts)."""
        body = page.find(b"<body")
        start = page.find(b">", body) + 1 if body >= 0 else 0
        stop = page.find(b'<div class="end-top"', start, end) if start else -1
        return (start, stop) if stop >= 0 else None

    @staticmethod
    def article_end(page: bytes) -> int | None:
        """Just past the ``div.writer`` byline box after the body's start (None when it has a ``<div>`` inside)."""
        start = page.find(b'itemprop="articleBody"')
        writer = page.find(b'<div class="writer"', start) if start >= 0 else -1
        close = page.find(b"</div>", writer) if writer >= 0 else -1
        if close < 0 or page.find(b"<div", writer + 4, close) >= 0:
            return None
        return close + len(b"</div>")

    def article(self) -> ArticleItem:
        body = self.selector.css(self.body_css)
        if self.cut and not (body and self.selector.css("h1.title") and self.selector.css('link[rel="canonical"]')):
            return self.whole_page_article()
        self.require(body=body)
        for writer in body.css(".writer")[:1]:  # the byline ends the article; reactions and lists follow
            for later in writer.xpath("following-sibling::node()"):  # their text and comments too
                if isinstance(later.root, str):
                    continue
                later.drop()
            writer.root.tail = None
        subtitles, images, paragraphs = editor_article_parts(body[0], self)
        ld = self.json_ld()
        title = self.text("h1.title") or clean(ld.get("headline"))
        self.require(title=title, paragraphs=paragraphs)
        modified = ld.get("dateModified") or self.meta("article:modified_time")
        if not modified:
            modified = self._visible("수정")
            if self.skipped or (modified is None and self.cut):  # menus left out may hold a date box
                return self.whole_page_article()
        return self.checked(self.new_article(
            title=title,
            subtitles=subtitles,
            published_at=ld.get("datePublished") or self.meta("article:published_time"),
            modified_at=modified,
            authors=people_names(ld),
            section=self.meta("article:section", "content_category"),
            paragraphs=paragraphs,
            images=images,
            tags=[],  # the hashtag block (<!-- 해시태그 -->) is empty on the pages we have; news_keywords is SEO
        ))

    def _visible(self, label: str) -> str | None:
        for term in self.selector.css(".info dl.wrt-text dt"):
            if clean(term.css("::text").get()) == label:
                return clean(term.xpath("following-sibling::dd[1]/text()").get()) or None
        return None


class _WholeNextPage(HankookNextPage):
    whole = None


class _WholeLegacyPage(HankookLegacyPage):
    whole = None


HankookNextPage.whole = _WholeNextPage
HankookLegacyPage.whole = _WholeLegacyPage


# --- React flight payload (newscrawl/sites/hankookilbo_flight.py) ----------------------------------------------
def find_article_detail(rows: FlightRows) -> dict:
    """The ``detail`` object of the article query (it has ``articleId`` and ``contentHtml``)."""
    return rows.find_object("articleId", "contentHtml")


# The first layout whose marker the page contains.
LAYOUTS: tuple[type[HtmlArticlePage], ...] = (HankookNextPage, HankookFlightPage, HankookLegacyPage)

# --- discovery: the all-articles RSS feed and the Google News sitemap of the latest articles. Assumed shapes
# (not verifiable offline; override with -a feeds=): RSS https://www.hankookilbo.com/rss/all, the news sitemap
# https://www.hankookilbo.com/sitemap/latest-articles (daily: /sitemap/daily-articles/<yyyymmdd>). Articles live
# at /news/article/<id> (Next.js) and, in older links, /News/Read/<id> (jQuery); ids are a letter and 19 digits.
SITE = Site(
    name=NAME, publisher=PUBLISHER, hosts=("hankookilbo.com",), layouts=LAYOUTS,
    base_url="https://www.hankookilbo.com",
    discovery=("https://www.hankookilbo.com/rss/all", "https://www.hankookilbo.com/sitemap/latest-articles"),
    article_url=re.compile(r"/(?:news/article|News/Read)/[A-Z]\d{19}/?$", re.IGNORECASE),
    mobile_hosts={"m.hankookilbo.com": "www.hankookilbo.com"},
)
hankookilbo_page = SITE.page
