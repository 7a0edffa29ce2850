"""이투데이 (etoday.co.kr): article pages as HTML and as rendered text, plus their quote widgets.

DOM facts: headline ``h1.main_title`` (then ``og:title``); dates ``article:published_time`` and the
visible 입력/수정 lines; body ``div.articleView[itemprop=articleBody]``; photo boxes ``.img_box_C``
repeat their caption; the crypto table sits under the heading 실시간 암호화폐 시세. The deck (``.sub_title``
on the pages we have) is recognised by its shape, not its class, in both the HTML and the rendered text.
"""

from __future__ import annotations

import re

from lxml import etree
from parsel import Selector

from newscrawl.chrome import strip_caption_marker
from newscrawl.dates import MODIFIED_LABELS, PUBLISHED_LABELS, labeled_date
from newscrawl.extractors.images import photo_boxes
from newscrawl.extractors.korean import deck_length
from newscrawl.items import ArticleItem, TickerItem
from newscrawl.pages import ExtractionError, HtmlArticlePage
from newscrawl.rendering.config import RenderProfile
from newscrawl.sites import Site
from newscrawl.text import clean, render_lines
from newscrawl.textpage import RenderedTextPage, TextHints
from newscrawl.tickers import tickers_from_cells
from newscrawl.urls import publisher_for

NAME = "etoday"
PUBLISHER = "이투데이"
CRYPTO_HEADING = "실시간 암호화폐 시세"
RISERS_HEADING = "오늘의 상승종목"  # top-rising stocks; "12.03 장종료" marks closing prices
# Quote widgets by heading: (market, heading). Rows are read by text, not by the widgets' class names.
WIDGETS = (("crypto", CRYPTO_HEADING), ("stock", RISERS_HEADING))


# Compiled once: an element whose own first text is a widget heading; an element's innermost elements.
_HEADINGS = etree.XPath("//*[normalize-space(text())=$crypto or normalize-space(text())=$stock]")
_LEAVES = etree.XPath(".//*[not(*)]")
_HEADING_TEXT = etree.XPath("normalize-space(text())")  # the same test, to tell which heading matched


def _first_caption_line(box: Selector) -> str | None:
    """The first line of a photo box is its caption (the box repeats it)."""
    lines = render_lines(box.root)
    return strip_caption_marker(lines[0]) if lines else None


class EtodayArticlePage(HtmlArticlePage):
    site = NAME
    publisher = PUBLISHER
    chrome_selectors = (
        '[id^="div-gpt-ad"]', ".relation_newslist", ".kwd_tags", ".card-container", ".reporter_topNews",
        ".recommend_btn", ".ico_share", ".font_size", ".fontsize_ctrl", ".imgCaption_zoom", "script", "style",
    )
    body_css = 'div.articleView[itemprop="articleBody"]'

    def __init__(self, url: str, html: str):
        super().__init__(url, html)
        self.publisher = publisher_for(url, PUBLISHER)  # enter.etoday.co.kr is 비즈엔터

    def article(self) -> ArticleItem:
        body = self.selector.css(self.body_css)
        if not body:
            raise ExtractionError("missing_fields", "body (div.articleView[itemprop=articleBody])")
        images = photo_boxes(body[0], ".img_box_C", self.absolute, caption=_first_caption_line,
                             src_css="img::attr(data-src), img::attr(src)", every_image=False, keep_missing=True)
        body.css(".imgCaption").drop()  # a caption outside its box is still no body text
        lines = render_lines(body[0].root)
        deck = deck_length(lines)  # the deck by its shape, in .sub_title or whatever wrapper holds it
        published, modified = self.meta("article:published_time"), self.meta("article:modified_time")
        if not (published and modified):  # the visible 입력/수정 lines, rendered only when a meta tag lacks one
            visible = " ".join(self.lines(".newsinfo") or self.lines("body"))
            published = published or labeled_date(visible, PUBLISHED_LABELS)
            modified = modified or labeled_date(visible, MODIFIED_LABELS)
        tags = [clean(t).lstrip("#") for t in self.selector.css(".kwd_tags a::text").getall()]
        return self.new_article(
            title=self.text("h1.main_title") or self.meta("og:title") or "",
            subtitles=lines[:deck],
            published_at=published,
            modified_at=modified,
            authors=[a for a in [self.meta("article:author", "dable:author")] if a],
            section=self.meta("article:section"),
            paragraphs=lines[deck:],
            images=images,
            tags=[t for t in tags if t],
        )

    def tickers(self) -> list[TickerItem]:
        # One pass finds every widget heading (the first per title, in document order); a widget's cells are
        # then read in one more (its innermost elements, whatever inline markup a row uses), not per cell.
        headings: dict[str, etree._Element] = {}
        for element in _HEADINGS(self.selector.root, crypto=CRYPTO_HEADING, stock=RISERS_HEADING):
            headings.setdefault(str(_HEADING_TEXT(element)), element)
        tickers = []
        for market, title in WIDGETS:
            heading = headings.get(title)
            widget = heading.getparent() if heading is not None else None
            if widget is not None:
                cells = [clean("".join(leaf.itertext())) for leaf in _LEAVES(widget)]
                tickers += tickers_from_cells(cells, site=NAME, market=market, url=self.url, default_currency="KRW")
        return tickers


class EtodayRenderedTextPage(RenderedTextPage):
    """The browser's innerText of an etoday page (www, m., m1., m2., web2. and 비즈엔터's enter. host): the
    generic segmenter, plus the quote widgets that follow the article."""

    site = NAME
    publisher = PUBLISHER
    hints = TextHints(end_lines=frozenset(title for _, title in WIDGETS))

    def tickers(self) -> list[TickerItem]:
        rest = self.rest_lines
        tickers: list[TickerItem] = []
        for market, title in WIDGETS:  # each widget runs from its heading to the next heading
            if title in rest:
                start = rest.index(title) + 1
                ends = [rest.index(other, start) for _, other in WIDGETS if other in rest[start:]]
                tickers += tickers_from_cells(rest[start:min(ends, default=len(rest))], site=NAME, market=market,
                                              url=self.url, default_currency="KRW")
        return tickers


SITE = Site(
    name=NAME,
    publisher=PUBLISHER,
    hosts=("etoday.co.kr",),
    layouts=(EtodayArticlePage,),
    text_layouts=(EtodayRenderedTextPage,),
    base_url="https://www.etoday.co.kr",
    discovery=("https://rss.etoday.co.kr/eto/etoday_news_all.xml", "/rss/news_sitemap"),  # all-news RSS, sitemap
    article_url=re.compile(r"/news/view/\d+"),
    mobile_hosts={host: "www.etoday.co.kr" for host in (
        "m.etoday.co.kr", "m1.etoday.co.kr", "m2.etoday.co.kr", "web2.etoday.co.kr", "etoday.co.kr")},
    render=RenderProfile(
        ready_selector="div.articleView",
        text_root="section.view_body_moduleWrap",
        text_hidden=('[id^="div-gpt-ad"]', ".ico_share", ".relation_newslist", ".reporter_topNews"),
    ),
)
