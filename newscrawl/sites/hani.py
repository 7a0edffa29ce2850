"""한겨레 (hani.co.kr): the legacy ``/arti/<section>/<sub>/<id>.html`` article layout (2016) and the 2023
redesign (:class:`HaniArticleDetailPage`, same URL shape, proven on a fixture only; its DOM facts are in the
class docstring).

Legacy DOM facts: the headline is ``div.article-head h4 span.title`` (the only h1 is the logo); the date line
``p.date-time`` shows 등록/수정 to the minute while ``article:published_time`` has seconds; the deck is
``div.subtitle`` (split at ``<br>``) and the text runs in ``div.text``, separated by empty ``<P>``s; the
byline (``이충신 기자 cslee@hani.co.kr``) or a wire credit (``연합뉴스``) closes the text; photos sit in
``div.image-area`` boxes with their caption in ``.desc``.
"""

from __future__ import annotations

import re

from newscrawl.dates import MODIFIED_LABELS, PUBLISHED_LABELS, labeled_date
from newscrawl.extractors.bylines import EMAIL, title_pattern
from newscrawl.extractors.images import caption_text, marked_caption, photo_boxes
from newscrawl.items import ArticleItem
from newscrawl.pages import HtmlArticlePage
from newscrawl.sites import Site
from newscrawl.text import clean, render_lines
from newscrawl.textpage import TextHints, text_page_for

NAME = "hani"
PUBLISHER = "한겨레"
_TITLES = title_pattern("편집국장", "기자·사진")
# "이충신 기자 cslee@hani.co.kr", "김양희 선임기자, 도쿄/조기원 특파원 ..." (a whole closing line).
_BYLINE = re.compile(rf"^((?:[가-힣/]{{2,10}}\s*{_TITLES}\s*[,·]?\s*)+)({EMAIL.pattern})?\s*$")
_BYLINE_NAME = re.compile(rf"(?:[가-힣]+/)?([가-힣]{{2,4}})\s*{_TITLES}")
# Wire credits that stand alone where the byline goes: an agency, never an author.
_WIRE_CREDITS = frozenset({"연합뉴스", "뉴시스", "뉴스1", "AFP연합뉴스", "AP연합뉴스", "로이터연합뉴스"})


def split_byline(lines: list[str]) -> tuple[list[str], list[str]]:
    """(text lines, author names): closing byline and wire-credit lines are taken off the end."""
    authors: list[str] = []
    while lines:
        last = clean(lines[-1])
        found = _BYLINE.match(last)
        if found:
            authors = _BYLINE_NAME.findall(found.group(1)) + authors
        elif last not in _WIRE_CREDITS:
            break
        lines = lines[:-1]
    return lines, authors


class HaniLegacyArticlePage(HtmlArticlePage):
    """hani.co.kr/arti pages before the 2023 redesign."""

    site = NAME
    publisher = PUBLISHER
    chrome_selectors = ("script", "style", ".article-tools", ".ad_box01_area", ".ad_box04_area", ".photo-list")
    body_css = "div.article-text div.text"
    regions = ("div.article-head", "div.article-text")  # headline, date and category; deck and text

    def article(self) -> ArticleItem:
        title = self.text("div.article-head span.title")
        body = self.selector.css(self.body_css)
        self.require(title=title, body=body)
        images = photo_boxes(body[0], "div.image-area", self.absolute,
                             caption=lambda box: marked_caption(caption_text(box, ".desc", first=True)))
        paragraphs, byline_authors = split_byline(render_lines(body[0].root))
        visible = self.text("div.article-head p.date-time")
        meta_author = self.meta("dable:author")
        return self.new_article(
            title=title,
            subtitles=self.lines("div.article-text div.subtitle"),
            published_at=self.meta("article:published_time") or labeled_date(visible, PUBLISHED_LABELS),
            modified_at=self.meta("article:modified_time") or labeled_date(visible, MODIFIED_LABELS),
            authors=byline_authors or ([meta_author] if meta_author else []),
            section=self.meta("article:section") or self.text("div.article-head p.category strong") or None,
            paragraphs=paragraphs,
            images=images,
        )


# --- discovery: the all-news RSS feed and the 전체기사 list page (/arti/list.html).
_FROM_PARAM = re.compile(r"([?&])_fr=[^&]*&?")  # ?_fr=st3 / mt2 mark which page module a link came from


# The 2023 redesign (Next.js, CSS-module class names with a build hash: matched by prefix). Selectors from the
# public cheerio parser of a news crawler (HaniParser), written against pages of 2026-01.
HANI_TITLE = 'h3[class*="ArticleDetailView_title"]'
HANI_DECK = 'h4[class*="ArticleDetailView_subtitle"]'
HANI_SECTION = '[class*="ArticleDetailView_breadcrumb"] a'
HANI_REPORTER = '[class*="ArticleDetailView_reporterLink"]'
HANI_DATE_ITEM = '[class*="ArticleDetailView_dateListItem"]'  # 등록 <span>2026-01-06 15:45</span>, 수정 …
HANI_BODY = ".article-text"
HANI_PARAGRAPH = "p.text"
HANI_IMAGE_WRAP = '[class*="ArticleDetailContent_imageWrap"]'
HANI_CAPTION = '[class*="ArticleDetailContent_figcaption"]'
_HANI_MARKER = "ArticleDetailView_title"


class HaniArticleDetailPage(HtmlArticlePage):
    """hani.co.kr/arti pages of the 2023 redesign.

    DOM facts (public parser code, pages of 2026-01): headline ``h3.ArticleDetailView_title__<hash>``; deck
    ``h4.ArticleDetailView_subtitle__<hash>`` (lines split at ``<br>``); breadcrumb
    ``.ArticleDetailView_breadcrumb__<hash> a`` (정치 > 정치일반); reporter links
    ``.ArticleDetailView_reporterLink__<hash>`` (name only); date items ``.ArticleDetailView_dateListItem__<hash>``
    holding 등록 / 수정 and a ``<span>`` with ``2026-01-06 15:45``; the text is the ``p.text`` paragraphs of
    ``.article-text``, the last one the byline with the reporter's e-mail; photos
    ``.ArticleDetailContent_imageWrap__<hash> picture img`` with ``.ArticleDetailContent_figcaption__<hash>``.
    """

    site = NAME
    publisher = PUBLISHER
    body_css = HANI_BODY
    # Each query's outermost element: headline, deck, breadcrumb, reporters, date items.
    regions = (HANI_TITLE, HANI_DECK, '[class*="ArticleDetailView_breadcrumb"]', HANI_REPORTER, HANI_DATE_ITEM)

    @classmethod
    def matches(cls, source: str) -> bool:
        return _HANI_MARKER in source

    def article(self) -> ArticleItem:
        title = self.text(HANI_TITLE)
        body = self.selector.css(self.body_css)
        lines = [line for p in body.css(HANI_PARAGRAPH) for line in render_lines(p.root)]
        dates = " ".join(clean(item.xpath("string()").get()) for item in self.selector.css(HANI_DATE_ITEM))
        published = self.meta("article:published_time") or labeled_date(dates, PUBLISHED_LABELS)
        self.require(title=title, body=lines, published_at=published)
        paragraphs, byline_authors = split_byline(lines)
        reporters = [clean(a.xpath("string()").get()) for a in self.selector.css(HANI_REPORTER)]
        sections = [clean(a) for a in self.selector.css(f"{HANI_SECTION}::text").getall()]
        return self.new_article(
            title=title,
            subtitles=self.lines(HANI_DECK),
            published_at=published,
            modified_at=self.meta("article:modified_time") or labeled_date(dates, MODIFIED_LABELS),
            authors=[r for r in reporters if r] or byline_authors,
            section=next((s for s in sections if s), None),
            paragraphs=paragraphs,
            images=self._images(body),
        )

    def _images(self, body) -> list[dict]:
        """Each image wrap with the caption that sits beside it (both children of one figure box)."""
        images = []
        for wrap in body.css(HANI_IMAGE_WRAP):
            box = wrap.xpath("..")
            caption = marked_caption(caption_text(box, HANI_CAPTION))
            for src in wrap.css("picture img::attr(src)").getall():
                images.append({"url": self.absolute(src), "caption": caption})
        return images



# Rendered text: the 섹션기사 list follows the article (2016 /arti pages).
TEXT_HINTS = TextHints(end_lines=frozenset({"섹션기사"}))
SITE = Site(
    name=NAME, publisher=PUBLISHER, hosts=("hani.co.kr",), layouts=(HaniArticleDetailPage, HaniLegacyArticlePage),
    text_layouts=(text_page_for(NAME, PUBLISHER, TEXT_HINTS),),
    base_url="https://www.hani.co.kr",
    discovery=("/rss/", "/arti/list.html"),
    article_url=re.compile(r"/arti/(?:[a-z_]+/)+\d+\.html"),
    link=lambda url: _FROM_PARAM.sub(r"\1", url),
    mobile_hosts={"m.hani.co.kr": "www.hani.co.kr"},
)
