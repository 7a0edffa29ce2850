"""매일경제 (mk.co.kr): article pages of the 2022+ template (``/news/<section>/<id>``).

DOM facts: section label ``span.cate`` and headline ``h2.news_ttl`` in ``.news_ttl_wrap`` (the only h1 is the
hidden "기사 상세"); byline ``dl.author dt.name`` ("… 기자"); JSON-LD ``datePublished``/``dateModified``/``author``;
body ``div.news_cnt_detail_wrap[itemprop=articleBody]`` holding the deck ``div.mid_title .midtitle_text`` (lines
split at ``<br>``), photos ``div.thumb_area figure`` (``img@src`` = the ``_P1`` rendition, ``figcaption``), in-body
subheads ``div.border_org`` (kept as paragraphs), ``<p refId>`` paragraphs and a ``#refTotal`` counter. The AI
summary "뉴스 요약쏙" (``.news_sum_group``) is a members-only popup outside the body: chrome. The page shows no tags.

Speed (issue #15): lexbor reads a window of the page (:func:`article_window`): everything up to ``<body>``, then
``<main id="container">`` up to the close of the article body; the header's menus before ``<main>`` and the
comments, lists and footer after the body (three quarters of the bytes) are not parsed. A read that might find
something outside the window (a fallback selector, a missing JSON-LD object or canonical link, a date to replace)
sends the layout to the whole page's regions (tests/test_site_mk.py holds both readings equal).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from parsel import Selector

from newscrawl.extractors.bylines import reporter_name
from newscrawl.extractors.images import take_deck
from newscrawl.extractors.korean import with_shaped_deck
from newscrawl.extractors.people import json_ld_people
from newscrawl.items import ArticleItem, TickerItem, parse_number
from newscrawl.pages import ExtractionError, PartialPage
from newscrawl.selectors import RegionCut, cut_regions, in_markup, utf8
from newscrawl.sites import Site
from newscrawl.text import clean, render_lines
from newscrawl.textpage import TextHints, text_page_for

NAME = "mk"
PUBLISHER = "매일경제"
# Placeholder ``alt`` texts of photos without a caption.
_PLACEHOLDER_ALTS = frozenset({"사진설명", "사진", ""})


# let json = '{"_DATA":[{"code":"KSP","name":"코스피","price":"2,698.97","prepare_rate":0.05,...}, ...]}';
_QUOTE_BAR = re.compile(r"""let json = '(\{"_DATA".*?\})';""", re.DOTALL)
_QUOTE_DECODER = json.JSONDecoder(parse_float=Decimal)  # exact prices; json.loads(..., parse_float=) makes one per call


def _quote_market(code: str) -> tuple[str, str | None]:
    """(market, currency) of a quote-bar code: KRW-BTC crypto in 원, MUSD the dollar in 원, else an index."""
    if code.startswith("KRW-"):
        return "crypto", "KRW"
    if code.startswith("M") and code[1:].isalpha():
        return "fx", "KRW"
    return "index", None


# The window's parts: <main> (after the header's menus), the article body's start, and an element appended to the
# window, cut as one more region: the cut ends with it alone only when no region (nor a script, comment, ...) is
# still open where the window ends.
_MAIN = b'<main id="container"'
_BODY = b'itemprop="articleBody"'
_WINDOW_END = '<div class="newscrawl-window-end"></div>'
_CUT_END = _WINDOW_END + "</body></html>"
# Regions and JSON-LD that the window reads first: none of them may sit in the menus it skips (the other regions
# are read only where the window sends the layout to the whole page).
_READ_MARKS = (b"news_ttl_wrap", b"news_cnt_detail_wrap", b"ld+json")


def _element_end(page: bytes, start: int) -> int | None:
    """Just past the ``</div>`` that closes the ``<div`` at ``start`` (its divs counted), None if it never closes."""
    depth, pos = 0, start
    while True:
        close = page.find(b"</div>", pos)
        if close < 0:
            return None
        depth += page.count(b"<div", pos, close) - 1
        pos = close + 6
        if depth <= 0:
            return pos


def article_window(page: bytes) -> bytes | None:
    """The page up to its ``<body>`` tag, then from ``<main id="container">`` to the close of the article body, then
    the end mark; None when the page is not so shaped or the skipped menus hold something the layout reads."""
    body_tag = page.find(b"<body")
    body_open = page.find(b">", body_tag) + 1 if body_tag >= 0 else 0
    main = page.find(_MAIN, body_open) if body_open else -1
    marked = page.find(_BODY, main) if main >= 0 else -1
    start = page.rfind(b"<div", max(main, marked - 200), marked) if marked >= 0 else -1
    end = _element_end(page, start) if start >= 0 else None
    if end is None or any(page.find(mark, body_open, main) >= 0 for mark in _READ_MARKS) or not in_markup(page, main):
        return None  # ... or <main> is named in a script, style or comment
    return b"".join((page[:body_open], page[main:end], _WINDOW_END.encode()))


class MkArticlePage(PartialPage):
    """The mk.co.kr article template with ``div.news_cnt_detail_wrap`` as body (2022 redesign onwards)."""

    site = NAME
    publisher = PUBLISHER
    chrome_selectors = (
        ".news_sum_group", ".ad_contents", ".ad_box1", '[id$="_custom_rectangle"]',
        ".reaction_btn_wrap", "#refTotal", "script",
    )
    body_css = 'div.news_cnt_detail_wrap[itemprop="articleBody"]'
    regions = (".news_ttl_wrap", ".time_area", "dl.author")
    windowed = False  # read from article_window(): what is first there is first in the page, not all is there

    def region_cut(self, html: str) -> RegionCut | None:
        window = article_window(utf8(html)) if self.whole is not None else None
        if window is not None:
            cut = cut_regions(html, self.chrome_selectors, self.body_css, (*self.regions, ".newscrawl-window-end"),
                              page=window)
            if cut is not None and cut.html.endswith(_CUT_END):
                self.windowed = True
                return RegionCut(cut.html[:-len(_CUT_END)] + "</body></html>", cut.json_ld)
        return super().region_cut(html)

    def article(self) -> ArticleItem:
        if not self.windowed:
            return self._article()
        try:
            item = self._article()
            if not (self.missed or self.impossible_dates):
                return item
        except ExtractionError:  # the whole page may hold what the window lacks
            pass
        return self.whole_page_article()

    def _article(self) -> ArticleItem:
        body = self.selector.css(self.body_css)
        self.require(body=body)
        images = [self._image(figure) for figure in body.css("figure")]
        body.css(".thumb_area, figure").drop()
        subtitles = take_deck(body, ".mid_title")
        ld = self.json_ld()
        title = self.text(".news_ttl_wrap .news_ttl")
        if not title:
            self.missed = True
            title = self.text("h2.news_ttl")
        subtitles, paragraphs = with_shaped_deck(subtitles, render_lines(body[0].root))
        self.require(title=title, paragraphs=paragraphs)
        return self.new_article(
            title=title,
            subtitles=subtitles,
            published_at=ld.get("datePublished") or self.meta("article:published_time")
            or self._visible_date("입력"),
            modified_at=ld.get("dateModified") or self.meta("article:modified_time", "article:modified")
            or self._visible_date("수정"),
            authors=self._authors(ld),
            section=self._section(),
            paragraphs=paragraphs,
            images=images,
            tags=[],
        )

    def json_ld(self, types: Iterable[str] = ("NewsArticle", "Article", "ReportageNewsArticle")) -> dict:
        found = super().json_ld(types)
        self.missed |= not found
        return found

    def meta(self, *names: str) -> str | None:
        self.missed = True  # read only when JSON-LD lacks a date; a region after the window may hold a <meta>
        return super().meta(*names)

    def canonical_url(self) -> str:
        self.missed |= not self.selector.css('link[rel="canonical"]')
        return super().canonical_url()

    def _section(self) -> str | None:
        section = self.text(".news_ttl_wrap .cate")
        self.missed |= not section
        return section or None

    def tickers(self) -> list[TickerItem]:
        """The header quote bar (indices, USD, crypto), which the page builds from JSON in a script."""
        found = _QUOTE_BAR.search(self.html)  # in a <script> of the page (read as source: no DOM needed)
        if not found:
            return []
        try:
            rows = _QUOTE_DECODER.decode(found.group(1))["_DATA"]
        except (ValueError, KeyError):
            return []
        tickers = []
        for row in rows:
            market, currency = _quote_market(str(row.get("code", "")))
            try:
                price = parse_number(str(row["price"]))
            except (KeyError, InvalidOperation):
                continue
            rate = row.get("prepare_rate")
            tickers.append(TickerItem(site=NAME, market=market, name=clean(row.get("name")), code=row.get("code"),
                                      price=price, currency=currency, source_url=self.url,
                                      change_pct=parse_number(str(rate)) if rate is not None else None))
        return tickers

    def _image(self, figure: Selector) -> dict:
        captions = figure.css("figcaption")
        caption = clean(" ".join(render_lines(captions[0].root))) if captions else ""
        if not caption:
            alt = clean(figure.css("img::attr(alt)").get())
            caption = "" if alt in _PLACEHOLDER_ALTS else alt
        return {"url": self.absolute(figure.css("img::attr(src), img::attr(data-src)").get()),
                "caption": caption or None}

    def _authors(self, ld: dict) -> list[str]:
        names = json_ld_people(ld.get("author"), strings=False)
        if not names:
            self.missed = True  # every dl.author of the page
            names = [reporter_name(n) for n in self.selector.css("dl.author dt.name::text").getall()]
        return list(dict.fromkeys(n for n in names if n))

    def _visible_date(self, label: str) -> str | None:
        self.missed = True  # read only when JSON-LD and metas lack a date; a date box may sit outside the window
        for row in self.selector.css(".time_area dl"):
            if clean(row.css("dt::text").get()).startswith(label):
                return clean(row.css("dd::text").get()) or None
        return None


class _WholeMkPage(MkArticlePage):
    whole = None


MkArticlePage.whole = _WholeMkPage


# One layout so far; when mk changes its template, add a page class and choose by a marker of the page.
# Rendered text: the machine summary box (뉴스 요약쏙 … 무료 회원 가입) sits inside the article and is chrome.
TEXT_HINTS = TextHints(skip_blocks=(("뉴스 요약쏙", "무료 회원 가입"),))

# --- discovery: https://www.mk.co.kr/rss/<8-digit channel>/ (30000001 = 전체 뉴스; section channels such as
# 40300001 have the same shape) and https://www.mk.co.kr/sitemap/latest-articles/ (a news sitemap with
# news:publication_date). Articles live at /news/<section>/<numeric id>.
SITE = Site(
    name=NAME, publisher=PUBLISHER, hosts=("mk.co.kr",), layouts=(MkArticlePage,),
    text_layouts=(text_page_for(NAME, PUBLISHER, TEXT_HINTS),),
    base_url="https://www.mk.co.kr",
    discovery=("https://www.mk.co.kr/rss/30000001/", "https://www.mk.co.kr/sitemap/latest-articles/"),
    article_url=re.compile(r"/news/[a-z_]+/\d+/?$"),
    mobile_hosts={"m.mk.co.kr": "www.mk.co.kr"},
)
