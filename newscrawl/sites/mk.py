"""매일경제 (mk.co.kr): article pages of the 2022+ template (``/news/<section>/<id>``).

DOM facts: section label ``span.cate`` and headline ``h2.news_ttl`` in ``.news_ttl_wrap`` (the only h1 is the
hidden "기사 상세"); byline ``dl.author dt.name`` ("… 기자"); JSON-LD ``datePublished``/``dateModified``/``author``;
body ``div.news_cnt_detail_wrap[itemprop=articleBody]`` holding the deck ``div.mid_title .midtitle_text`` (lines
split at ``<br>``), photos ``div.thumb_area figure`` (``img@src`` = the ``_P1`` rendition, ``figcaption``), in-body
subheads ``div.border_org`` (kept as paragraphs), ``<p refId>`` paragraphs and a ``#refTotal`` counter. The AI
summary "뉴스 요약쏙" (``.news_sum_group``) is a members-only popup outside the body: chrome. The page shows no tags.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal, InvalidOperation

from parsel import Selector

from newscrawl.extractors.bylines import reporter_name
from newscrawl.extractors.images import take_deck
from newscrawl.extractors.korean import with_shaped_deck
from newscrawl.extractors.people import json_ld_people
from newscrawl.items import ArticleItem, TickerItem, parse_number
from newscrawl.pages import HtmlArticlePage
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


class MkArticlePage(HtmlArticlePage):
    """The mk.co.kr article template with ``div.news_cnt_detail_wrap`` as body (2022 redesign onwards)."""

    site = NAME
    publisher = PUBLISHER
    chrome_selectors = (
        ".news_sum_group", ".ad_contents", ".ad_box1", '[id$="_custom_rectangle"]',
        ".reaction_btn_wrap", "#refTotal",
    )
    body_css = 'div.news_cnt_detail_wrap[itemprop="articleBody"]'
    regions = (".news_ttl_wrap", ".time_area", "dl.author")

    def article(self) -> ArticleItem:
        body = self.selector.css(self.body_css)
        self.require(body=body)
        images = [self._image(figure) for figure in body.css("figure")]
        body.css(".thumb_area, figure").drop()
        subtitles = take_deck(body, ".mid_title")
        ld = self.json_ld()
        title = self.text(".news_ttl_wrap .news_ttl") or self.text("h2.news_ttl")
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
            section=self.text(".news_ttl_wrap .cate") or None,
            paragraphs=paragraphs,
            images=images,
            tags=[],
        )

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
            names = [reporter_name(n) for n in self.selector.css("dl.author dt.name::text").getall()]
        return list(dict.fromkeys(n for n in names if n))

    def _visible_date(self, label: str) -> str | None:
        for row in self.selector.css(".time_area dl"):
            if clean(row.css("dt::text").get()).startswith(label):
                return clean(row.css("dd::text").get()) or None
        return None


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
