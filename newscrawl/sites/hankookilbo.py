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
"""

from __future__ import annotations

import re
from typing import ClassVar

from lxml import html

from newscrawl.extractors.bylines import reporter_name
from newscrawl.extractors.embedded import resolve_reference
from newscrawl.extractors.images import caption_text, photo_boxes, plain_caption, take_deck
from newscrawl.extractors.korean import with_shaped_deck
from newscrawl.extractors.people import json_ld_people
from newscrawl.items import ArticleItem
from newscrawl.pages import HtmlArticlePage
from newscrawl.selectors import PageSelector, utf8
from newscrawl.sites import Site
from newscrawl.sites.hankookilbo_flight import FlightRows
from newscrawl.text import clean, fragment_lines, render_lines

NAME = "hankookilbo"
PUBLISHER = "한국일보"
DECK_CSS = "h2.sub-tit-ll"
# Inside the body: ads, rules, the zoom button, the byline box.
BODY_CHROME_CSS = (".end-ad-container", ".ad", ".div-line", ".writer", "script", "style", ".img-zoomin")
_AD_PLACEHOLDER = re.compile(r"\$\$[A-Z_]+\$\$")


def editor_article_parts(body: PageSelector, base: HtmlArticlePage) -> tuple[list[str], list[dict], list[str]]:
    """(subtitles, images, paragraphs) of an editor-markup body; the body's DOM loses deck, photos and chrome."""
    subtitles = take_deck(body, DECK_CSS)
    # One entry per div.editor-img-box photo: img@src and the caption text (credit kept).
    images = photo_boxes(body, ".editor-img-box", base.absolute,
                         caption=lambda box: plain_caption(caption_text(box, ".caption", first=True)),
                         src_css="img::attr(src), img::attr(data-src)", every_image=False, keep_missing=True)
    body.drop_all(BODY_CHROME_CSS)  # the bare classes in one pass over the body's attributes
    subtitles, paragraphs = with_shaped_deck(subtitles, render_lines(body.root))  # a deck outside h2.sub-tit-ll too
    return subtitles, images, paragraphs


def people_names(ld: dict) -> list[str]:
    return list(dict.fromkeys(reporter_name(n) for n in json_ld_people(ld.get("author"), strings=False)))


class HankookNextPage(HtmlArticlePage):
    """Next.js template with the article server-rendered into ``#article-view-content`` (2026+)."""

    site = NAME
    publisher = PUBLISHER
    marker: ClassVar[str] = 'id="article-view-content"'

    @classmethod
    def matches(cls, source: str) -> bool:
        return cls.marker in source
    body_css = "#article-view-content"

    def article(self) -> ArticleItem:
        body = self.selector.css(self.body_css)
        self.require(body=body)
        subtitles, images, paragraphs = editor_article_parts(body[0], self)
        ld = self.json_ld()
        title = self._headline()
        self.require(title=title, paragraphs=paragraphs)
        section_link = clean(self.selector.css('a[data-ga4="article_section_1"]::text').get())
        return self.new_article(
            title=title,
            subtitles=subtitles,
            published_at=ld.get("datePublished") or self.meta("article:published_time"),
            modified_at=ld.get("dateModified") or self.meta("article:modified_time"),
            authors=people_names(ld),
            section=self.meta("article:section", "content_category") or section_link or None,
            paragraphs=paragraphs,
            images=images,
            tags=self._tags(ld),
        )

    def _headline(self) -> str:
        # The section links sit in a block whose next sibling <p> is the headline.
        shown = self.selector.xpath(
            '(//a[@data-ga4="article_section_1"]/ancestor::div[following-sibling::p][1]/following-sibling::p)[1]')
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

    def __init__(self, url: str, html_text: str):
        super().__init__(url, html_text)
        self.rows = FlightRows.of_page(self.selector.root)

    def article(self) -> ArticleItem:
        detail = find_article_detail(self.rows)
        self.require(detail=detail)
        content = resolve_reference(detail.get("contentHtml"), self.rows)
        self.require(contentHtml=isinstance(content, str) and content.strip())
        body = PageSelector(root=html.fragment_fromstring(_AD_PLACEHOLDER.sub("", content), create_parent="div"),
                            type="html")
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


class HankookLegacyPage(HtmlArticlePage):
    """The jQuery template (``/News/Read/<id>``, until early 2026). The article ends at the ``div.writer`` byline
    box; the page is parsed only that far (:func:`legacy_article_end`), and read again whole when the cut lacks
    something the layout looks for."""

    site = NAME
    publisher = PUBLISHER
    marker: ClassVar[str] = 'itemprop="articleBody"'
    cut_at_byline: ClassVar[bool] = True

    @classmethod
    def matches(cls, source: str) -> bool:
        return cls.marker in source
    body_css = 'div.col-main[itemprop="articleBody"]'

    def parse(self, html: str) -> PageSelector:
        page = utf8(html)
        end = legacy_article_end(page) if self.cut_at_byline else None
        self.cut = end is not None
        return PageSelector.from_utf8(page[:end]) if end is not None else super().parse(html)

    def article(self) -> ArticleItem:
        # Found first in the cut = found first in the page; missing from it = perhaps further down.
        if self.cut and not (self.selector.css("h1.title") and self.selector.css('link[rel="canonical"]')):
            return self._whole_page_article()
        body = self.selector.css(self.body_css)
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
            if modified is None and self.cut:
                return self._whole_page_article()
        item = self.new_article(
            title=title,
            subtitles=subtitles,
            published_at=ld.get("datePublished") or self.meta("article:published_time"),
            modified_at=modified,
            authors=people_names(ld),
            section=self.meta("article:section", "content_category"),
            paragraphs=paragraphs,
            images=images,
            tags=[],  # the hashtag block (<!-- 해시태그 -->) is empty on the pages we have; news_keywords is SEO
        )
        if self.cut and self.impossible_dates:  # their replacement is looked for in the whole page's text
            return self._whole_page_article()
        return item

    def _visible(self, label: str) -> str | None:
        for term in self.selector.css(".info dl.wrt-text dt"):
            if clean(term.css("::text").get()) == label:
                return clean(term.xpath("following-sibling::dd[1]/text()").get()) or None
        return None

    def _whole_page_article(self) -> ArticleItem:
        page = _WholeLegacyPage(self.url, self.html)
        item = page.article()
        self.__dict__["_impossible_dates"] = page.impossible_dates
        return item


class _WholeLegacyPage(HankookLegacyPage):
    cut_at_byline = False


# After the byline box, neither may appear for the page to be parsed only that far: every <meta> and JSON-LD of
# the page is read (as this template writes them, in lower case).
_LEGACY_READS_AFTER_BYLINE = (b"<meta", b"ld+json")


def legacy_article_end(page: bytes) -> int | None:
    """Byte offset just past the ``div.writer`` byline box after the legacy body's start, or None to parse the
    whole page: no byline box, one with a ``<div>`` inside, or a meta or JSON-LD after it (40% of the corpus
    page's bytes come before it; related lists, comments, footer and their scripts follow)."""
    start = page.find(b'itemprop="articleBody"')
    writer = page.find(b'<div class="writer"', start) if start >= 0 else -1
    close = page.find(b"</div>", writer) if writer >= 0 else -1
    if close < 0 or page.find(b"<div", writer + 4, close) >= 0:
        return None
    end = close + len(b"</div>")
    if any(page.find(marker, end) >= 0 for marker in _LEGACY_READS_AFTER_BYLINE):
        return None
    return end


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
