"""연합뉴스TV (yonhapnewstv.co.kr): ``/news/MYH…`` video article pages (2023 layout).

DOM facts: headline ``div.heading h2.title``; section ``p.subTitle``; the visible ``송고시간`` line in
``ul.info``; ``article:published_time`` is UTC with ``Z`` and agrees with it, whereas ``dd:published_time``
stamps the same UTC clock time with ``+09:00`` (9 h off) and is never read. The script sits in
``#articleBody`` after the video player, as ``<br>``-separated runs closed by a hashtag line (the tags,
plain text), the 제보 promo and ``(끝)``.
"""

from __future__ import annotations

import re

from newscrawl.dates import MODIFIED_LABELS, PUBLISHED_LABELS, labeled_date
from newscrawl.items import ArticleItem
from newscrawl.pages import HtmlArticlePage
from newscrawl.sites import Site
from newscrawl.text import clean, render_lines

NAME = "yonhapnewstv"
PUBLISHER = "연합뉴스TV"
_HASHTAGS = re.compile(r"^#\S+(\s+#\S+)*$")
_PROMO = re.compile(r"^연합뉴스TV 기사문의 및 제보\b")
_END_LINES = frozenset({"(끝)", "<끝>", "[끝]"})


def split_closing(lines: list[str]) -> tuple[list[str], list[str]]:
    """(script lines, tags): the hashtag line, the 제보 promo and the end marker are taken off the end."""
    tags: list[str] = []
    while lines:
        last = clean(lines[-1])
        if _HASHTAGS.match(last):
            tags = [t.lstrip("#") for t in last.split()] + tags
        elif not (_PROMO.match(last) or last in _END_LINES):
            break
        lines = lines[:-1]
    return lines, tags


class YonhapnewstvArticlePage(HtmlArticlePage):
    site = NAME
    publisher = PUBLISHER
    chrome_selectors = ("script", "style", "#articleBody .videoWrap", ".detail-rel", ".util")
    body_css = "#articleBody"
    regions = ("div.heading", "div.article-head")  # the headline; the section and 송고시간 lines

    def article(self) -> ArticleItem:
        title = self.text("div.heading h2.title") or clean(self.meta("og:title"))
        body = self.selector.css(self.body_css)
        self.require(title=title, body=body)
        images = [{"url": self.absolute(src), "caption": None} for src in body.css("img::attr(src)").getall()]
        paragraphs, tags = split_closing(render_lines(body[0].root))
        visible = self.text("div.article-head ul.info")
        return self.new_article(
            title=title,
            # article:* only: dd:published_time is the UTC clock time mislabelled +09:00.
            published_at=self.meta("article:published_time") or labeled_date(visible, PUBLISHED_LABELS),
            modified_at=self.meta("article:modified_time") or labeled_date(visible, MODIFIED_LABELS),
            section=self.text("div.article-head p.subTitle") or self.meta("article:section"),
            paragraphs=paragraphs,
            images=images,
            tags=tags,
        )


# --- discovery: the all-news RSS feed (/browse/feed/) and category feeds (-a feeds=…).
SITE = Site(
    name=NAME, publisher=PUBLISHER, hosts=("yonhapnewstv.co.kr",), layouts=(YonhapnewstvArticlePage,),
    base_url="https://www.yonhapnewstv.co.kr",
    discovery=("/browse/feed/",),
    article_url=re.compile(r"/news/MYH\d{17}"),
)
