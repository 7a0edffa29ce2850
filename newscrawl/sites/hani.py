"""한겨레 (hani.co.kr): the legacy ``/arti/<section>/<sub>/<id>.html`` article layout (2016).

DOM facts: the headline is ``div.article-head h4 span.title`` (the only h1 is the logo); the date line
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


SITE = Site(
    name=NAME, publisher=PUBLISHER, hosts=("hani.co.kr",), layouts=(HaniLegacyArticlePage,),
    base_url="https://www.hani.co.kr",
    discovery=("/rss/", "/arti/list.html"),
    article_url=re.compile(r"/arti/(?:[a-z_]+/)+\d+\.html"),
    link=lambda url: _FROM_PARAM.sub(r"\1", url),
    mobile_hosts={"m.hani.co.kr": "www.hani.co.kr"},
)
