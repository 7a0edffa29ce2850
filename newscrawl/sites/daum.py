"""다음 뉴스 (v.daum.net/v/<id>): portal copies of other publishers' articles.

No real Daum page is in the corpus: these DOM facts come from public Daum parsers and saved markup (2020-2026)
and are proven on a hand-made fixture only (tests/fixtures/daum/). Facts: the press name in
``meta[property=og:article:author]`` (``og:site_name`` = "다음 - 뉴스1"; logo ``em.info_cp img[alt]``);
``og:regDate`` = YYYYMMDDHHMMSS (KST, seconds); headline ``h3.tit_view``; ``span.info_view > span.txt_info``
holds the reporter ("김도용 기자"), "입력 <span class=num_date>2023. 11. 1. 06:00</span>" and "수정 ...";
deck ``strong.summary_view`` (lines split at ``<br>``); body ``div.article_view section`` of
``p|div[dmcf-ptype=general]`` blocks and ``figure[dmcf-ptype=figure]`` photos (``img.thumb_g_article``, ``src`` a
daumcdn thumbnail, ``data-org-src`` the original; caption ``figcaption.txt_caption``); the section name in the
screen-reader heading ``h2#kakaoBody``; the machine summary ``div.layer_summary`` is chrome.
"""

from __future__ import annotations

import re

from parsel import Selector

from newscrawl.dates import MODIFIED_LABELS, PUBLISHED_LABELS, labeled_date, parse_datetime
from newscrawl.extractors.bylines import reporter_name, without_dateline
from newscrawl.extractors.images import photo_boxes, plain_caption
from newscrawl.extractors.korean import with_shaped_deck
from newscrawl.items import ArticleItem
from newscrawl.pages import HtmlArticlePage
from newscrawl.sites import Site
from newscrawl.text import clean, render_lines

NAME = "daum"
PORTAL = "다음뉴스"
ARTICLE_ID = re.compile(r"/v/(\d{17})")  # every Daum article URL: v.daum.net/v/<17-digit id>
ARTICLE_LINK = re.compile(rf"^https?://(?:news\.)?v\.daum\.net{ARTICLE_ID.pattern}(?:[/?#].*)?$")
_REG_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$")
_NOT_A_NAME = re.compile(r"\d|입력|수정|댓글")


def reg_date(value: str | None) -> str | None:
    """``og:regDate`` 20231101060022 -> 2023-11-01T06:00:22 (KST)."""
    found = _REG_DATE.match((value or "").strip())
    if not found:
        return None
    y, mo, d, h, mi, s = found.groups()
    return f"{y}-{mo}-{d}T{h}:{mi}:{s}"


def same_minute(machine: str | None, visible: str | None) -> bool:
    a, b = parse_datetime(machine), parse_datetime(visible)
    return bool(a and b and a.replace(second=0) == b.replace(second=0))


class DaumArticlePage(HtmlArticlePage):
    site = NAME
    publisher = PORTAL  # replaced per page by the original press name
    chrome_selectors = (
        "script", "style", ".layer_summary", ".util_view", ".link_cmt", ".article_view .box_relate",
        ".article_view .txt_copyright", ".article_view .ad_body",
    )
    body_css = "div.article_view section, #harmonyContainer section"

    def article(self) -> ArticleItem:
        body = self.selector.css(self.body_css)
        title = self.text("h3.tit_view") or self.meta("og:title")
        info = self.selector.css(".info_view .txt_info")
        visible = " ".join(clean(span.xpath("string()").get()) for span in info)
        shown_published = labeled_date(visible, PUBLISHED_LABELS)
        machine = reg_date(self.meta("og:regDate"))
        published = machine if machine and (not shown_published or same_minute(machine, shown_published)) \
            else shown_published
        self.require(title=title, body=body, published_at=published)
        deck = self.selector.css("strong.summary_view")
        subtitles = render_lines(deck[0].root) if deck else []
        deck.drop()
        images = self.images(body[0])
        subtitles, lines = with_shaped_deck(subtitles, render_lines(body[0].root))  # a deck in other markup too
        paragraphs, dateline_names = without_dateline(lines)
        authors = [reporter_name(a) for a in info.xpath("string()").getall() if not _NOT_A_NAME.search(a)]
        return self.new_article(
            title=title,
            subtitles=subtitles,
            published_at=published,
            modified_at=labeled_date(visible, MODIFIED_LABELS),
            authors=[a for a in authors if a] or dateline_names,
            section=clean(self.selector.css("h2#kakaoBody").xpath("string()").get()) or None,
            paragraphs=paragraphs,
            images=images,
            tags=[],
        )

    def publisher_name(self) -> str:
        return self.press_name()

    def press_name(self) -> str:
        site_name = (self.meta("og:site_name") or "").removeprefix("다음").strip(" -")
        logo = self.selector.css(".head_view .info_cp img::attr(alt)").get()
        for name in (self.meta("og:article:author"), logo, site_name):
            if name and clean(name):
                return clean(name)
        return PORTAL

    def images(self, body: Selector) -> list[dict]:
        """Photos (figure blocks) of the body with their captions; each figure is then dropped."""
        return photo_boxes(body, "figure", self.absolute, src_css=("img::attr(src)", "img::attr(data-org-src)"),
                           every_image=False, caption=lambda box: plain_caption(box.css("figcaption").xpath("string()").get() or ""))

    def canonical_url(self) -> str:
        found = ARTICLE_ID.search(self.meta("og:url") or self.url)
        return f"https://v.daum.net/v/{found.group(1)}" if found else super().canonical_url()


# --- discovery -----------------------------------------------------------------------------------------
# The per-section latest-news list pages news.daum.net/breakingnews/<section> (ul.list_news2 a.link_txt linking
# https://v.daum.net/v/<17-digit id>; ?page=N&regDate=YYYYMMDD pages back in time), the shape public Daum
# crawlers use. Older links news.v.daum.net/v/<id> and ?f=o-style queries are followed as v.daum.net/v/<id>.
SECTIONS = ("society", "politics", "economic", "foreign", "culture", "digital")


def section_pages(sections: tuple[str, ...], pages: int = 1) -> tuple[str, ...]:
    return tuple(f"/breakingnews/{section}" + (f"?page={page}" if page > 1 else "")
                 for section in sections for page in range(1, pages + 1))


def article_link(href: str) -> str | None:
    """``https://v.daum.net/v/<id>`` for a Daum article link of either host, else None."""
    found = ARTICLE_LINK.match(href)
    return f"https://v.daum.net/v/{found.group(1)}" if found else None


SITE = Site(
    name=NAME,
    publisher=PORTAL,
    hosts=("v.daum.net", "news.v.daum.net"),
    layouts=(DaumArticlePage,),
    base_url="https://news.daum.net",
    discovery=section_pages(SECTIONS),
    article_url=re.compile(r"/v/\d{17}$"),
    link=lambda url: article_link(url) or url,
)
