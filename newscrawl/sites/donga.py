"""동아일보 (donga.com): the legacy news.donga.com article layout (2010s) and today's
www.donga.com/news/<Section>/article/all/<date>/<id>/<n> layout (:class:`DongaNewsViewPage`, proven on a fixture
only; its DOM facts are in the class docstring).

Legacy DOM facts: headline block ``div.article_title02`` (breadcrumb ``.location``, ``h1``, reporters ``p.repoter``,
``p.title_foot`` with 입력 ``span.date`` and 수정 ``span.date2``); body ``div.article_txt``, which opens with the
print deck as a ``<strong>`` line, holds photos as ``.articlePhotoC`` (caption ``span.t``), ad boxes, and ends
with the byline (name, e-mail, image links), the 추천해요 button and ``.article_relation`` (keyword links
``p.a_r_keword`` and the 관련기사 list).
"""

from __future__ import annotations

import re

from lxml import etree
from parsel import Selector

from newscrawl.dates import MODIFIED_LABELS, PUBLISHED_LABELS, labeled_date
from newscrawl.extractors.bylines import EMAIL, reporter_name
from newscrawl.items import ArticleItem
from newscrawl.pages import ExtractionError, HtmlArticlePage
from newscrawl.sites import Site
from newscrawl.text import clean, render_lines

NAME = "donga"
PUBLISHER = "동아일보"

# The closing byline: "김윤종 기자 zozo@donga.com", "경주=이권효 boriam@donga.com /최지연·박성민 기자".
_BYLINE_END = re.compile(r"(기자|특파원)$")  # a title closing a short line


def is_byline(line: str) -> bool:
    return len(line) <= 100 and bool(EMAIL.search(line) or (len(line) <= 40 and _BYLINE_END.search(line)))


def first_text(scope: Selector, css: str) -> str:
    """Rendered text of the first element matching ``css`` inside ``scope`` ('' if none)."""
    found = scope.css(css)
    return " ".join(render_lines(found[0].root)) if found else ""


class DongaLegacyPage(HtmlArticlePage):
    """news.donga.com/<route>/3/all/YYYYMMDD/ID/N."""

    site = NAME
    publisher = PUBLISHER
    body_css = "div.article_txt"
    # No regions: lexbor parses these 2016 pages only ~1.3x faster than libxml2 and the layout reads just two
    # elements of the whole page, so a cut made its pages no faster (1.7 ms either way).
    # Removed inside the body (a scoped query: whole-document chrome selectors cost more than the parse).
    body_chrome_css = '.recommend, #adBox, .txt_ad, [class^="sub_cont_AD"], iframe'

    def article(self) -> ArticleItem:
        body = self.selector.css(self.body_css)
        header = self.selector.css("div.article_title02")
        if not body or not header:
            raise ExtractionError("missing_fields", "body (div.article_txt), header (div.article_title02)")
        body.css(self.body_chrome_css).drop()
        # Keyword links and photos sit inside the body container: read them, then take them out.
        tags = [clean(a) for a in body.css("p.a_r_keword a::text").getall()]
        images = [self._image(box) for box in body.css(".articlePhotoC")]
        body.css(".article_relation, .articlePhotoC").drop()
        subtitles = self._deck(body[0].root)
        paragraphs = render_lines(body[0].root)
        while paragraphs and is_byline(paragraphs[-1]):
            paragraphs.pop()
        title = first_text(header, "h1")
        date_line = first_text(header, "p.title_foot")
        published = labeled_date(date_line, PUBLISHED_LABELS)
        self.require(title=title, body=paragraphs, published_at=published)
        return self.new_article(
            title=title,
            subtitles=subtitles,
            published_at=published,
            modified_at=labeled_date(date_line, MODIFIED_LABELS),
            authors=self._authors(header),
            section=self._section(header),
            paragraphs=paragraphs,
            images=images,
            tags=[t for t in tags if t],
        )

    def _deck(self, body: etree._Element) -> list[str]:
        """Leading ``<strong>`` lines before any body text are the print deck; they are removed from the body."""
        if clean(body.text):
            return []
        lines = []
        for child in list(body):
            if not isinstance(child.tag, str) or child.tag == "br":
                if clean(child.tail):
                    break
                continue
            if child.tag not in ("strong", "b"):
                break
            lines.extend(render_lines(child))
            tail_text = clean(child.tail)
            child.getparent().remove(child)  # its tail (whitespace) is dropped with it
            if tail_text:
                break
        return lines

    def _image(self, box: Selector) -> dict:
        return {"url": self.absolute(box.css("img::attr(src)").get()), "caption": first_text(box, "span.t") or None}

    def _authors(self, header: Selector) -> list[str]:
        names = []
        for part in " ".join(header.css("p.repoter::text").getall()).split(","):
            name = reporter_name(part)
            if name:
                names.append(name)
        return names

    def _section(self, header: Selector) -> str | None:
        """Breadcrumb 뉴스 > 사회 > 사회일반: the label after the root 뉴스."""
        labels = [clean(s) for s in header.css(".location > span:not(.arr)::text").getall()]
        labels = [label for label in labels if label and label != "뉴스"]
        return labels[0] if labels else None


# www.donga.com article DOM (the public cheerio parser of a news crawler, DongaParser, written against pages of
# 2026-01).
DONGA_TITLE = ".head_group h1"
DONGA_BODY = ".news_view"
DONGA_DECK = "h2.sub_tit"
DONGA_SECTION = ".breadcrumb .breadcrumb_item a"
DONGA_REPORTER = ".author_info a"
DONGA_PUBLISHED = '.date_info p span[aria-hidden="true"]'  # 입력 2026-01-06 14:18
DONGA_UPDATED = '.news_info button span[aria-hidden="true"]'  # 2026-01-06 14:37
DONGA_PHOTO = "figure.img_cont"
DONGA_BODY_CHROME = "script, style, iframe, div"  # every div inside the text is an ad slot (view_ad06, view_adK …)
_DONGA_ROOT_LABELS = frozenset({"홈", "뉴스", "동아일보"})


class DongaNewsViewPage(HtmlArticlePage):
    """www.donga.com/news/… article pages of today's template (2020s).

    DOM facts (public parser code, pages of 2026-01): headline ``.head_group h1``; breadcrumb
    ``.breadcrumb .breadcrumb_item a``; reporters ``.author_info a`` (``송치훈 기자``); 입력 time in
    ``.date_info p span[aria-hidden=true]`` (``입력 2026-01-06 14:18``) and the update time in
    ``.news_info button span[aria-hidden=true]`` (``2026-01-06 14:37``); the text is ``.news_view``'s own text
    nodes separated by ``<br><br>``, with the deck ``h2.sub_tit`` (lines split at ``<br>``), photos
    ``figure.img_cont`` (caption ``figcaption``) and ad ``div``s (``view_ad06``, ``view_adK`` …) inside.
    """

    site = NAME
    publisher = PUBLISHER
    body_css = DONGA_BODY
    # Each query's outermost element: headline, breadcrumb, reporters, 입력 and update times.
    regions = (".head_group", ".breadcrumb", ".author_info", ".date_info", ".news_info")

    @classmethod
    def matches(cls, source: str) -> bool:
        return 'class="news_view' in source

    def article(self) -> ArticleItem:
        title = self.text(DONGA_TITLE)
        body = self.selector.css(self.body_css)
        published = labeled_date(self.text(DONGA_PUBLISHED), PUBLISHED_LABELS) or self.text(DONGA_PUBLISHED)
        self.require(title=title, body=body, published_at=published)
        subtitles = [line for deck in body.css(DONGA_DECK) for line in render_lines(deck.root)]
        images = [self._image(box) for box in body.css(DONGA_PHOTO)]
        body.css(f"{DONGA_DECK}, {DONGA_PHOTO}, {DONGA_BODY_CHROME}").drop()
        paragraphs = render_lines(body[0].root)
        while paragraphs and is_byline(paragraphs[-1]):
            paragraphs.pop()
        authors = [reporter_name(a) for a in self.selector.css(DONGA_REPORTER).xpath("string()").getall()]
        sections = [clean(a) for a in self.selector.css(f"{DONGA_SECTION}::text").getall()]
        return self.new_article(
            title=title,
            subtitles=subtitles,
            published_at=published,
            modified_at=self.text(DONGA_UPDATED) or None,
            authors=[a for a in authors if a],
            section=next((s for s in sections if s and s not in _DONGA_ROOT_LABELS), None),
            paragraphs=paragraphs,
            images=[i for i in images if i["url"]],
        )

    def _image(self, box: Selector) -> dict:
        caption = first_text(box, "figcaption")
        return {"url": self.absolute(box.css("img::attr(src)").get()), "caption": caption or None}



# --- discovery: the 전체기사 RSS feed and the news list pages (legacy news.donga.com/List and today's
# www.donga.com/news list). Legacy: news.donga.com/List/3/all/20160918/80317115/1 (the first segment names the
# route: List, BestClick, Main, East, ...); today: www.donga.com/news/Society/article/all/20240101/123456789/1
ARTICLE = re.compile(r"/(?:\w+/3|news/\w+/article)/all/(\d{8})/(\d+)/\d+(?:\?|$)")


def article_id(url: str) -> str | None:
    """The article id: the same story reached through different list routes is fetched once."""
    found = ARTICLE.search(url)
    return found.group(2) if found else None


SITE = Site(
    name=NAME, publisher=PUBLISHER, hosts=("donga.com",), layouts=(DongaNewsViewPage, DongaLegacyPage),
    base_url="https://www.donga.com",
    discovery=("https://rss.donga.com/total.xml", "https://www.donga.com/news/List",
               "http://news.donga.com/List"),  # the last: the legacy 전체기사 list
    article_url=ARTICLE,
    article_id=article_id,
)
