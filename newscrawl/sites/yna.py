"""연합뉴스 (yna.co.kr, en.yna.co.kr, legacy yonhapnews.co.kr): one page object per layout.

- :class:`YnaStoryPage` — the ``article.story-news`` layout of en.yna.co.kr (2019–): JSON-LD NewsArticle
  with dates and keywords, headline ``header h1.tit``, the kicker link in ``.info-con`` is the section,
  the text closes with ``e-mail<br>(END)``.
- :class:`YnaKoreanArticlePage` — today's www.yna.co.kr ``/view/AKR…`` page (proven on a fixture only, see
  the class docstring for the public sources of its DOM facts).
- :class:`YonhapLegacyPage` — www.yonhapnews.co.kr (2016): ``#articleWrap h1.tit-article``,
  ``article:published_time`` without seconds, body ``div.article`` with photo boxes ``div.article-img``,
  ad boxes, the e-mail line and ``p.adrs`` (copyright + 송고 time); the section label is the page's
  ``h2.sta`` heading.

Both open the text with a dateline naming the agency (``(서울=연합뉴스) 차병섭 기자 =`` or
``SEOUL, Aug. 20 (Yonhap) --``): it is cut off and its names become the authors.
"""

from __future__ import annotations

import posixpath
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from newscrawl.dates import MODIFIED_LABELS, PUBLISHED_LABELS, labeled_date
from newscrawl.extractors.bylines import EMAIL, without_dateline
from newscrawl.extractors.images import caption_text, marked_caption, photo_boxes
from newscrawl.extractors.people import json_ld_people
from newscrawl.items import ArticleItem
from newscrawl.pages import HtmlArticlePage
from newscrawl.sites import Site
from newscrawl.text import clean, render_lines

NAME = "yna"
PUBLISHER = "연합뉴스"
_EN_BYLINE = re.compile(r"^By ((?:[A-Z][\w'-]+ ?){1,4})$")
_END_LINES = frozenset({"(END)", "(끝)", "<끝>"})
_EMAIL_ONLY = re.compile(rf"^{EMAIL.pattern}$")
_SAVED_PAGE_FILE = re.compile(r"(^|/)[^/]+_files/")  # a browser's "save page complete" rewrite of a src
_AKR_DATE = re.compile(r"AKR(\d{4})(\d{2})(\d{2})")


def cut_dateline(paragraphs: list[str]) -> tuple[list[str], list[str]]:
    """(paragraphs without the leading dateline or By-line, the names it gave)."""
    if not paragraphs:
        return paragraphs, []
    by = _EN_BYLINE.match(clean(paragraphs[0]))
    if by:
        return cut_dateline(paragraphs[1:])[0], [by.group(1).strip()]
    return without_dateline([clean(paragraphs[0]), *paragraphs[1:]])


def drop_closing_lines(paragraphs: list[str]) -> list[str]:
    """The reporter's e-mail and the end marker that close a wire story."""
    while paragraphs and (clean(paragraphs[-1]) in _END_LINES or _EMAIL_ONLY.match(clean(paragraphs[-1]))):
        paragraphs = paragraphs[:-1]
    return paragraphs


class YnaStoryPage(HtmlArticlePage):
    """en.yna.co.kr ``/view/AEN…`` pages (``article.story-news``)."""

    site = NAME
    publisher = PUBLISHER
    chrome_selectors = ("script:not([type='application/ld+json'])", "style", ".sns-flying", ".social-btns",
                        ".aside-box01", "#taboola-below-article-thumbnails")
    body_css = "article.story-news"
    regions = ("header.title-article01", ".keyword-zone01")  # headline, kicker; the tag links

    @classmethod
    def matches(cls, source: str) -> bool:
        return "story-news" in source

    def article(self) -> ArticleItem:
        data = self.json_ld()
        title = self.text("header.title-article01 h1") or self.text("h1.tit") or clean(data.get("headline"))
        body = self.selector.css(self.body_css)
        self.require(title=title, body=body)
        images = photo_boxes(body[0], "figure, .comp-box.photo-group", self.absolute,
                             caption=lambda box: marked_caption(caption_text(box, "figcaption, .desc-con")))
        paragraphs, dateline_names = cut_dateline(drop_closing_lines(render_lines(body[0].root)))
        json_authors = json_ld_people(data.get("author"), strings=False)
        tags = [clean(t).lstrip("#") for t in self.selector.css(".keyword-zone01 .tag a::text").getall()]
        lang = (data.get("inLanguage") or self.meta("og:locale") or "ko").split("-")[0].split("_")[0]
        return self.new_article(
            title=title,
            published_at=data.get("datePublished") or self.meta("article:published_time"),
            modified_at=data.get("dateModified") or self.meta("article:modified_time"),
            authors=dateline_names or [a for a in json_authors if a],
            section=self.text(".title-article01 .info-con strong") or self.meta("article:section"),
            paragraphs=paragraphs,
            images=images,
            tags=[t for t in tags if t] or [clean(k) for k in _as_list(data.get("keywords")) if clean(k)],
            lang=lang,
        )


class YonhapLegacyPage(HtmlArticlePage):
    """www.yonhapnews.co.kr article pages (2016)."""

    site = NAME
    publisher = PUBLISHER
    # The share box (.article-sns-md) sits between the headline and the text, outside both: it stays, for its
    # visible 송고시간 line (.share-info .tt), the date when the page has no article:published_time meta.
    chrome_selectors = ("script", "style", ".banner-0-wrap", ".article-ad-box", "p.adrs")
    body_css = "#articleWrap div.article"
    regions = ("#articleWrap", ".sta-wrap")  # headline, 송고 line and body; the section heading

    @classmethod
    def matches(cls, source: str) -> bool:
        return 'class="tit-article"' in source

    def article(self) -> ArticleItem:
        title = self.text("#articleWrap h1.tit-article")
        body = self.selector.css(self.body_css)
        self.require(title=title, body=body)
        images = photo_boxes(body[0], "div.article-img", self._original_image_url,
                             caption=lambda box: marked_caption(caption_text(box, ".img-info")))
        paragraphs, authors = cut_dateline(drop_closing_lines(render_lines(body[0].root)))
        visible = self.text(".share-info .tt")
        meta_author = self.meta("author")
        return self.new_article(
            title=title,
            published_at=self.meta("article:published_time") or labeled_date(visible, PUBLISHED_LABELS),
            modified_at=self.meta("article:modified_time") or labeled_date(visible, MODIFIED_LABELS),
            authors=authors or ([meta_author] if meta_author else []),
            section=self.text(".sta-wrap h2.sta") or self.meta("article:section"),
            paragraphs=paragraphs,
            images=images,
        )

    def _original_image_url(self, src: str) -> str | None:
        """A saved page's ``./x_files/NAME.jpg`` is the page's own image NAME on img.yonhapnews.co.kr."""
        if not _SAVED_PAGE_FILE.search(src) or urlsplit(src).scheme:
            return self.absolute(src)
        name = posixpath.basename(src)
        for url in (self.meta("og:image", "twitter:image:src", "image") or "",):
            if posixpath.basename(urlsplit(url).path) == name:
                return url
        day = _AKR_DATE.search(name)
        if day:
            return f"http://img.yonhapnews.co.kr/etc/inner/KR/{'/'.join(day.groups())}/{name}"
        return self.absolute(src)


# www.yna.co.kr article DOM (the public cheerio parser of a news crawler, YnaParser, written against pages of
# 2026-01; the same template family as en.yna.co.kr's real page in ../shared: story-news, keyword-zone).
YNA_KO_TITLE = "h1.tit01"
YNA_KO_DECK = ".tit-sub h2.tit01"
YNA_KO_SECTION = ".nav-path01 li a"
YNA_KO_REPORTER = ".txt-con .tit-name a"
YNA_KO_SENT = ".update-time"  # data-published-time="2026-01-06 16:46"; text 송고2026-01-06 16:46
YNA_KO_BODY = ".story-news.article"
YNA_KO_PHOTOS = ".comp-box:has(.image-zone01)"  # photo-group / graphic-group boxes
YNA_KO_CAPTION = "figcaption .txt-desc"
YNA_KO_TAGS = ".keyword-zone .list01 a"
YNA_KO_BODY_CHROME = "aside, .txt-copyright, script, style"
_YNA_KO_MARKER = re.compile(r"<h1[^>]*class=\"[^\"]*\btit01\b")


class YnaKoreanArticlePage(HtmlArticlePage):
    """www.yna.co.kr ``/view/AKR…`` pages of today's template (2020s).

    DOM facts (public parser code, pages of 2026-01): headline ``h1.tit01``; deck ``.tit-sub h2.tit01`` (one
    or more); breadcrumb ``.nav-path01 li a`` (its first label is the section: 경제, 정치, 사회 …); reporter
    ``.txt-con .tit-name a`` (name without 기자); ``.update-time`` with ``data-published-time`` and the visible
    ``송고2026-01-06 16:46`` in ``.txt-time01``; text ``.story-news.article > p`` with ``aside`` boxes (related
    news, ads) inside; photos and graphics ``.comp-box`` with ``.image-zone01 img`` and caption
    ``figcaption .txt-desc``; hashtags ``.keyword-zone .list01 a`` (``#반도체``); the copyright paragraph
    ``p.txt-copyright``. The text opens with the ``(서울=연합뉴스) 홍길동 기자 =`` dateline and closes with the
    reporter's e-mail. No modification time is documented: ``modified_at`` stays empty.
    """

    site = NAME
    publisher = PUBLISHER
    body_css = YNA_KO_BODY
    # Each query's outermost element (whatever the page nests it in): headline, deck, reporter, 송고 time,
    # breadcrumb, hashtags.
    regions = ("h1.tit01", ".tit-sub", ".txt-con", YNA_KO_SENT, ".nav-path01", ".keyword-zone")

    @classmethod
    def matches(cls, source: str) -> bool:
        return bool(_YNA_KO_MARKER.search(source))

    def article(self) -> ArticleItem:
        title = self.text(YNA_KO_TITLE)
        body = self.selector.css(self.body_css)
        sent = self.selector.css(YNA_KO_SENT)
        published = (sent.attrib.get("data-published-time") if sent else None) or labeled_date(
            self.text(YNA_KO_SENT), PUBLISHED_LABELS)
        self.require(title=title, body=body, published_at=published)
        body.css(YNA_KO_BODY_CHROME).drop()
        images = self._images(body[0])
        paragraphs, dateline_names = cut_dateline(drop_closing_lines(render_lines(body[0].root)))
        reporters = [clean(a) for a in self.selector.css(f"{YNA_KO_REPORTER}::text").getall()]
        sections = [clean(a) for a in self.selector.css(f"{YNA_KO_SECTION}::text").getall()]
        tags = [clean(t).lstrip("#") for t in self.selector.css(f"{YNA_KO_TAGS}::text").getall()]
        return self.new_article(
            title=title,
            subtitles=[line for deck in self.selector.css(YNA_KO_DECK) for line in render_lines(deck.root)],
            published_at=published,
            modified_at=None,
            authors=[r for r in reporters if r] or dateline_names,
            section=next((s for s in sections if s), None),
            paragraphs=paragraphs,
            images=images,
            tags=[t for t in tags if t],
        )

    def _images(self, body) -> list[dict]:
        return photo_boxes(body, YNA_KO_PHOTOS, self.absolute, src_css=".image-zone01 img::attr(src)",
                           caption=lambda box: marked_caption(caption_text(box, YNA_KO_CAPTION)))


def _as_list(value: object) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


# --- discovery: the Korean and English RSS feeds and the 최신기사 list (/news); with
# -a sections=international/asia-australia,politics/all, section list pages (spiders/yna.py).
# www/en: /view/AKR…, /view/AEN…; legacy yonhapnews.co.kr: /bulletin/2016/09/17/0200000000AKR….HTML
_PLACEMENT_PARAMS = frozenset({"section", "input", "template", "site"})  # where a link was placed: same article


def without_placement(url: str) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in _PLACEMENT_PARAMS]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), parts.fragment))


SITE = Site(
    name=NAME, publisher=PUBLISHER, hosts=("yna.co.kr", "yonhapnews.co.kr"),
    layouts=(YonhapLegacyPage, YnaKoreanArticlePage, YnaStoryPage),
    base_url="https://www.yna.co.kr",
    discovery=("/rss/news.xml", "https://en.yna.co.kr/RSS/news.xml", "/news"),
    article_url=re.compile(r"/(?:view/(?:AKR|AEN)\d{17}|[a-z]+/\d{4}/\d{2}/\d{2}/\d{10}AKR\d{17}\.HTML)"),
    link=without_placement,
    mobile_hosts={"m.yna.co.kr": "www.yna.co.kr"},
)
yna_page = SITE.page
