"""조선일보 (chosun.com): two layouts, chosen by what the page contains.

- Arc XP (www.chosun.com, 2020-): the server HTML has no article; the story is the ``Fusion.globalContent``
  JSON in ``script#fusion-metadata`` (headlines, subheadlines, credits, first_publish_date, content_elements,
  taxonomy). It is read straight from the page text, without building a DOM.
- Legacy news.chosun.com (EUC-KR, until 2020): headline ``h1#news_title_text_id``, deck ``h3.news_subtitle``,
  date line ``#date_text`` (입력 : 2016.09.17 18:59), body ``#news_body_id div.par``, photos
  ``.news_imgbox figure``, top-level section in the JS variable ``C1_rp``.
"""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

from newscrawl.dates import MODIFIED_LABELS, PUBLISHED_LABELS, labeled_date
from newscrawl.extractors.bylines import reporter_name
from newscrawl.extractors.embedded import arc_body, global_content
from newscrawl.items import ArticleItem
from newscrawl.pages import EmbeddedDataPage, ExtractionError, HtmlArticlePage
from newscrawl.selectors import Marked, PageSelector, descendants, within
from newscrawl.sites import Site
from newscrawl.text import clean, fragment_lines, render_lines, render_text

NAME = "chosun"
PUBLISHER = "조선일보"
HOME = "https://www.chosun.com"

_LEGACY_SECTION_VAR = re.compile(r"""var\s+C1_rp\s*=\s*["']([^"']+)["']""")
# Top-level Arc sections by path, for a story whose taxonomy lists only its sub-section.
ARC_TOP_SECTIONS = {
    "/politics": "정치", "/economy": "경제", "/national": "사회", "/international": "국제",
    "/opinion": "오피니언", "/sports": "스포츠",
}


class ChosunArcPage(EmbeddedDataPage):
    """An Arc XP story: every field comes from the embedded ``Fusion.globalContent`` JSON."""

    site = NAME
    publisher = PUBLISHER

    @classmethod
    def embedded_data(cls, html: str) -> dict[str, Any] | None:
        # No DOM: the server-rendered article container is empty; the JSON is the article.
        return global_content(html)

    def article(self) -> ArticleItem:
        data = self.data
        if data.get("type", "story") != "story":  # section fronts and galleries carry other Arc types
            raise ExtractionError("missing_fields", f"Fusion.globalContent is a {data.get('type')!r}, not a story")
        paragraphs, images = self._body(data.get("content_elements") or [])
        title = clean((data.get("headlines") or {}).get("basic"))
        published = data.get("first_publish_date") or data.get("display_date")
        self.require(title=title, body=paragraphs, published_at=published)
        return self.new_article(
            title=title,
            subtitles=fragment_lines((data.get("subheadlines") or {}).get("basic") or ""),
            published_at=published,
            modified_at=data.get("last_updated_date"),
            authors=self._authors(),
            section=self._section(),
            paragraphs=paragraphs,
            images=images,
            tags=[clean(t.get("text")) for t in (data.get("taxonomy") or {}).get("tags") or [] if t.get("text")],
        )

    def _body(self, elements: list[dict]) -> tuple[list[str], list[dict]]:
        """Paragraphs and photos of ``content_elements`` (read by the shared Arc reader); photo URLs absolute."""
        paragraphs, images = arc_body(elements)
        return paragraphs, [{**image, "url": self.absolute(image["url"])} for image in images]

    def _authors(self) -> list[str]:
        names = []
        for credit in (self.data.get("credits") or {}).get("by") or []:
            original = (credit.get("additional_properties") or {}).get("original") or {}
            # ``name`` is stored given-name first (상은 권); the byline is the name as the page shows it.
            name = reporter_name(original.get("byline") or credit.get("name") or "")
            if name:
                names.append(name)
        return names

    def _section(self) -> str | None:
        taxonomy = self.data.get("taxonomy") or {}
        primary = taxonomy.get("primary_section") or {}
        path = primary.get("_id") or primary.get("path") or ""
        top = "/" + path.strip("/").split("/")[0] if path.strip("/") else ""
        for section in taxonomy.get("sections") or []:
            if section.get("_id") == top and section.get("name"):
                return clean(section["name"])
        return ARC_TOP_SECTIONS.get(top) or (clean(primary.get("name")) if path == top else None)


# What the legacy layout reads (Marked): ids, class names, and the tags of <head> every page object may read (meta,
# canonical link, JSON-LD).
_LEGACY_IDS = frozenset({"news_body_id", "news_title_text_id", "date_text"})
_LEGACY_CLASSES = frozenset({"par", "news_date", "news_subtitle", "news_title_author", "news_imgbox"})
_LEGACY_TAGS = frozenset({"meta", "link", "script"})


class ChosunLegacyPage(HtmlArticlePage):
    """news.chosun.com/site/data/html_dir/YYYY/MM/DD/ID.html (EUC-KR, 2010s).

    Its elements are found together (``Marked``: three passes) instead of by a CSS query per field: the pages are
    small (~12 kB, ~160 elements), where a query costs 4-15 us whatever it finds. Each reading below names the CSS
    query it stands for and finds the same elements in the same order (tests/test_site_chosun.py holds it to the
    queries on the real pages and on variants)."""

    site = NAME
    publisher = PUBLISHER
    # No chrome selectors: only the body's div.par blocks are read (related list and copyright sit beside them).
    # No regions: these pages are small (~12 KB); a cut (body #news_body_id, header.news_title) made them slower
    # (0.55-0.66 ms whole, 0.63-0.89 ms cut; again ~7% slower cut after the fixed-cost work of 2026-11-30).

    def __init__(self, url: str, html: str):
        found = _LEGACY_SECTION_VAR.search(html) if "C1_rp" in html else None
        self.section_var = clean(found.group(1)) if found else None
        super().__init__(url, html)

    def parse(self, html: str) -> PageSelector:
        selector = super().parse(html)
        self.marked = Marked.find(selector.root, _LEGACY_IDS, _LEGACY_CLASSES, _LEGACY_TAGS)
        return selector

    def json_ld_texts(self) -> list[str]:  # script[type="application/ld+json"]::text
        return [el.text for el in self.marked.tags["script"]
                if el.get("type") == "application/ld+json" and el.text is not None]

    def meta_elements(self) -> list:
        return self.marked.tags["meta"]

    def canonical_url(self) -> str:  # link[rel="canonical"]::attr(href), else og:url
        link = next((el.get("href") for el in self.marked.tags["link"]
                     if el.get("rel") == "canonical" and el.get("href") is not None), None)
        return self.absolute(link or self.meta("og:url")) or self.url

    def article(self) -> ArticleItem:
        marked = self.marked
        bodies = marked.ids["news_body_id"]  # #news_body_id
        if not bodies:
            raise ExtractionError("missing_fields", "body (#news_body_id)")
        pars = [el for el in marked.classes["par"] if el.tag == "div"]
        # body.css("div.par"): each body's own (a div.par is its body or inside it), body after body
        paragraphs = [line for body in bodies for par in pars if within(par, body) for line in render_lines(par)]
        title = render_text(_first(marked.ids["news_title_text_id"], "h1")) or self.meta("og:title") or ""
        date_line = render_text(_first(marked.ids["date_text"])) or render_text(_first(marked.classes["news_date"]))
        published = labeled_date(date_line, PUBLISHED_LABELS)
        self.require(title=title, body=paragraphs, published_at=published)
        subtitle = _first(marked.classes["news_subtitle"], "h3")
        return self.new_article(
            title=title,
            subtitles=render_lines(subtitle) if subtitle is not None else [],
            published_at=published,
            modified_at=labeled_date(date_line, MODIFIED_LABELS),
            authors=[n for n in (reporter_name(render_text(li))  # .news_title_author li
                                 for li in descendants(marked.classes["news_title_author"], "li")) if n],
            section=self.section_var or self._title_section(),
            paragraphs=paragraphs,
            images=[self._image(figure) for body in bodies for figure in descendants(  # body.css(".news_imgbox figure")
                [box for box in marked.classes["news_imgbox"] if within(box, body)], "figure")],
            tags=[],
        )

    def _image(self, figure: etree._Element) -> dict:
        caption = render_text(next(figure.iter("figcaption"), None))  # figure.css("figcaption")[0]
        src = next((img.get("src") for img in figure.iter("img") if img.get("src") is not None), None)  # img::attr(src)
        return {"url": self.absolute(src), "caption": caption or None}

    def _title_section(self) -> str | None:
        """``<title>… - 1등 인터넷뉴스 조선닷컴 - 정치 > 정부ㆍ지자체`` -> ``정치``."""
        title = self.selector.css("title::text").get() or ""
        if " - " not in title:
            return None
        return clean(title.rsplit(" - ", 1)[1].split(">")[0]) or None


def _first(elements: list[etree._Element], tag: str | None = None) -> etree._Element | None:
    return next((el for el in elements if tag is None or el.tag == tag), None)


# An Arc page carries Fusion.globalContent; every other page is read as the legacy template.
# --- discovery -----------------------------------------------------------------------------------------
# Arc: /national/incident/2023/04/05/RNGKBEZYJJBWVLQZFEK4M6FMZQ/ ; legacy: /site/data/html_dir/2016/09/17/2016091700921.html
ARC_ARTICLE = re.compile(r"/\d{4}/\d{2}/\d{2}/([A-Z0-9]{26})/?(?:\?|$)")
LEGACY_ARTICLE = re.compile(r"/site/data/html_dir/\d{4}/\d{2}/\d{2}/(\d{13})\.html(?:\?|$)")


def story_id(url: str) -> str | None:
    """The story id shared by every URL of one article (section moves, ``?related_all`` suffixes)."""
    found = ARC_ARTICLE.search(url) or LEGACY_ARTICLE.search(url)
    return found.group(1) if found else None


def fetch_url(url: str) -> str:
    """Legacy article URLs lose their ``?related_all``-style query: one URL per story."""
    return url.split("?")[0] if LEGACY_ARTICLE.search(url) else url


# An Arc page carries Fusion.globalContent; every other page is read as the legacy template.
SITE = Site(
    name=NAME, publisher=PUBLISHER, hosts=("chosun.com",), layouts=(ChosunArcPage, ChosunLegacyPage),
    base_url=HOME,
    discovery=(
        "https://www.chosun.com/arc/outboundfeeds/rss/?outputType=xml",  # today's Arc XP outbound feeds
        "https://www.chosun.com/arc/outboundfeeds/news-sitemap/?outputType=xml",
        "http://www.chosun.com/site/data/rss/rss.xml",  # legacy 전체기사 feed
        "http://news.chosun.com/svc/list_in/list.html",  # legacy 실시간 뉴스 list
    ),
    article_url=re.compile(f"{ARC_ARTICLE.pattern}|{LEGACY_ARTICLE.pattern}"),
    article_id=story_id,
    link=fetch_url,
)
chosun_page = SITE.page
