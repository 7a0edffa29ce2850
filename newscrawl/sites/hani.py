"""한겨레 (hani.co.kr): the legacy ``/arti/<section>/<sub>/<id>.html`` article layout (2016).

DOM facts: the headline is ``div.article-head h4 span.title`` (the only h1 is the logo); the date line
``p.date-time`` shows 등록/수정 to the minute while ``article:published_time`` has seconds; the deck is
``div.subtitle`` (split at ``<br>``) and the text runs in ``div.text``, separated by empty ``<P>``s; the
byline (``이충신 기자 cslee@hani.co.kr``) or a wire credit (``연합뉴스``) closes the text; photos sit in
``div.image-area`` boxes with their caption in ``.desc``.
"""

from __future__ import annotations

import re

from newscrawl.chrome import strip_caption_marker
from newscrawl.dates import MODIFIED_LABELS, PUBLISHED_LABELS, labeled_date
from newscrawl.items import ArticleItem
from newscrawl.pages import HtmlArticlePage
from newscrawl.sites import Site
from newscrawl.text import clean, render_lines
from newscrawl.textpage import TextHints, text_page_for

NAME = "hani"
PUBLISHER = "한겨레"
_TITLES = r"(?:선임기자|객원기자|기자|특파원|논설위원|선임논설위원|편집국장|기자·사진)"
# "이충신 기자 cslee@hani.co.kr", "김양희 선임기자, 도쿄/조기원 특파원 ..." (a whole closing line).
_BYLINE = re.compile(rf"^((?:[가-힣/]{{2,10}}\s*{_TITLES}\s*[,·]?\s*)+)([\w.+-]+@[\w.-]+)?\s*$")
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

    def article(self) -> ArticleItem:
        title = self.text("div.article-head span.title")
        body = self.selector.css(self.body_css)
        self.require(title=title, body=body)
        images = self._images(body[0])
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

    def _images(self, body) -> list[dict]:
        """Photo boxes of the text, removed from it so their captions are not read as paragraphs."""
        images = []
        for box in body.css("div.image-area"):
            caption = " ".join(render_lines(box.css(".desc")[0].root)) if box.css(".desc") else ""
            for src in box.css("img::attr(src)").getall():
                images.append({"url": self.absolute(src), "caption": strip_caption_marker(caption) or None})
        body.css("div.image-area").drop()
        return images


# Rendered text: the 섹션기사 list follows the article (2016 /arti pages).
TEXT_HINTS = TextHints(end_lines=frozenset({"섹션기사"}))
SITE = Site(name=NAME, publisher=PUBLISHER, hosts=("hani.co.kr",), page=HaniLegacyArticlePage,
            text_page=text_page_for(NAME, PUBLISHER, TEXT_HINTS))
