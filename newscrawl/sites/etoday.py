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
# The widgets' headings (text nodes, all headings in one pass over the page: 65 us on the fixture where a pass per
# heading over its elements took 113), their cells (the innermost elements) and the cells' text, evaluated by lxml
# directly: a parsel call per cell cost more than the rest of the page.
_HEADINGS = etree.XPath("/descendant::text()[" + " or ".join(
    f"normalize-space()=$h{n}" for n in range(len(WIDGETS))) + "]")
_LEAVES = etree.XPath(".//*[not(*)]")
_STRING = etree.XPath("string()")


def _headings(root: etree._Element) -> dict[str, etree._Element]:
    """Each widget heading's element (the first, in document order), by the heading's text."""
    found: dict[str, etree._Element] = {}
    for text in _HEADINGS(root, **{f"h{n}": title for n, (_, title) in enumerate(WIDGETS)}):
        element = text.getparent()  # lxml: a tail's is the element before it; its XPath parent is that one's
        found.setdefault(" ".join(text.split()), element.getparent() if text.is_tail else element)
    return found


def _cell_text(leaf: etree._Element) -> str:
    return clean(leaf.text if not len(leaf) else _STRING(leaf))  # no child node at all: its text is all


def _first_caption_line(box: Selector) -> str | None:
    """The first line of a photo box is its caption (the box repeats it)."""
    lines = render_lines(box.root)
    return strip_caption_marker(lines[0]) if lines else None


class EtodayArticlePage(HtmlArticlePage):
    site = NAME
    publisher = PUBLISHER
    version = 2  # 2: the keyword links (div.kwd_tags) are the tags; version 1 removed them as chrome first
    chrome_selectors = (
        '[id^="div-gpt-ad"]', ".relation_newslist", ".card-container", ".reporter_topNews",
        ".recommend_btn", ".ico_share", ".font_size", ".fontsize_ctrl", ".imgCaption_zoom", "script", "style",
    )
    body_css = 'div.articleView[itemprop="articleBody"]'
    # No regions: the quote widgets are found by their heading's text anywhere in the page, and on this page size a
    # cut cost more than it saved (the fixture took 1.19 ms whole, 1.42 ms cut).

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
        # The keyword links close the article box: tags, never body text (read before they go).
        tags = [clean(t).lstrip("#") for t in self.selector.css(".kwd_tags a::text").getall()]
        self.selector.css(".kwd_tags").drop()
        lines = render_lines(body[0].root)
        deck = deck_length(lines)  # the deck by its shape, in .sub_title or whatever wrapper holds it
        published, modified = self.meta("article:published_time"), self.meta("article:modified_time")
        if not (published and modified):  # the visible 입력/수정 lines, read only when a meta is missing
            visible = " ".join(self.lines(".newsinfo") or self.lines("body"))
            published = published or labeled_date(visible, PUBLISHED_LABELS)
            modified = modified or labeled_date(visible, MODIFIED_LABELS)
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
        tickers = []
        headings = _headings(self.selector.root)
        for market, title in WIDGETS:
            heading = headings.get(title)
            if heading is not None:
                # Cells are the widget's innermost elements, whatever inline markup a row uses.
                cells = [_cell_text(leaf) for leaf in _LEAVES(heading.getparent())]
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
