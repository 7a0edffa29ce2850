"""Fallback for any Korean news page whose host no site module serves.

Metadata comes from what most outlets publish for machines: JSON-LD ``NewsArticle``, Open Graph and
``article:*`` meta tags (the visible 입력/수정 line as a last resort for dates); the body comes from
trafilatura, then the usual pipelines clean it. Less exact than a site module, but never silent: a page
trafilatura finds no text in raises ``ExtractionError("missing_fields", "body")``.
"""

from __future__ import annotations

import itertools
import re
from urllib.parse import urlsplit

import trafilatura
from lxml import etree

from newscrawl.chrome import SUBTITLE_BULLETS, is_chrome_line
from newscrawl.dates import MODIFIED_LABELS, PUBLISHED_LABELS, labeled_date
from newscrawl.extractors.bylines import EMAIL, reporter_name, split_dateline
from newscrawl.extractors.people import json_ld_people
from newscrawl.items import ArticleItem
from newscrawl.pages import ExtractionError, HtmlArticlePage
from newscrawl.sites import Site
from newscrawl.text import clean, render_lines

NAME = "generic"
TITLE_SEPARATORS = (" | ", " - ", " – ", " — ", " :: ", " : ", " < ", " > ", " · ")
SITE_WORDS = re.compile(r"(뉴스|신문|일보|닷컴|방송|경제|미디어|타임즈|타임스|news|times|tv|daily)\s*$", re.IGNORECASE)
HANGUL = re.compile(r"[가-힣]")
AGENCIES = frozenset({"연합뉴스", "뉴시스", "뉴스1", "AP", "AFP", "로이터", "EPA", "UPI"})
BYLINE = re.compile(r"^([가-힣]{2,4})\s*(기자|특파원|선임기자)\b")
HASHTAGS = re.compile(r"^#\S+(\s+#\S+)*$")
# Lines of page furniture trafilatura tends to keep: relative-time headline lists, tip-off notices, toasts.
FURNITURE = re.compile(r"\d+\s*(초|분|시간)\s*전$|^\[실시간\s*뉴스\]$|^\S{0,12}\s*(기사\s*문의|제보)\s*(및\s*제보\s*)?[:：]"
                       r"|(복사|저장)되었습니다\.?$|^기자 프로필$")
DECK_CSS = ('[class*="sub_title"], [class*="sub-title"], [class*="subtitle"], [class*="sub-tit"], '
            '[class*="subTitle"], .deck, .summary_title')
# Lines after which the page is furniture (copyright notice, link-list headings).
END_HEADINGS = frozenset({"관련기사", "관련 기사", "관련뉴스", "주요 뉴스", "주요뉴스", "많이 본 뉴스", "많이본 뉴스",
                          "많이 본 기사", "이 시각 주요뉴스", "기자의 다른기사 더보기", "Most Viewed", "Most Viewed More",
                          "Related Articles", "Latest News"})
COPYRIGHT = re.compile(r"무단\s*전재|재배포\s*금지|^\W{0,2}(ⓒ|©|\(c\)|copyright)|all rights reserved", re.IGNORECASE)
TAG_LINKS = ('a[rel~="tag"]', ".tags a", ".tag_list a", ".tag-list a", ".article-tags a", ".keyword a",
             ".keywords a", ".news_tag a", ".tag_area a")


def body_lines(xml: str) -> list[str]:
    """Rendered lines of trafilatura's XML ``<main>``: one per paragraph-like block, split at ``<lb/>``."""
    root = etree.fromstring(xml.encode("utf-8"))
    lines: list[str] = []
    for block in root.iterfind(".//main//*"):
        if block.tag not in ("p", "head", "item", "quote", "cell") or block.find("p") is not None:
            continue
        parts = [block.text or ""]
        for child in block.iter():
            if child is block:
                continue
            if child.tag == "lb":
                parts.append("\n")
            elif child.text and child.tag not in ("p", "item"):
                parts.append(child.text)
            parts.append(child.tail or "")
        lines.extend("".join(parts).split("\n"))
    return [c for c in (clean(line) for line in lines) if c]


def is_deck_line(line: str, deck: set[str]) -> bool:
    """A deck (부제) line: shown in a deck element, or starting with a bullet marker (ㆍ미 대선 첫 토론 이모저모)."""
    return line in deck or (bool(SUBTITLE_BULLETS.match(line)) and not line.startswith("- "))


def article_end(lines: list[str]) -> int:
    """Index of the first copyright notice or link-list heading after some text (len(lines) if none)."""
    for i, line in enumerate(lines):
        if i and (line in END_HEADINGS or (len(line) <= 160 and COPYRIGHT.search(line))):
            return i
    return len(lines)


def person_name(raw: str, publisher: str) -> str | None:
    """``홍길동 기자 hong@x.com`` -> ``홍길동``; agencies, URLs, handles and the outlet itself -> None."""
    name = reporter_name(raw)
    if not name or name in AGENCIES or name == publisher or len(name) > 30 or re.search(r"[./:@]", name):
        return None
    # Korean names, or Latin names written as a person's (capitals and a space: "John Kim").
    return name if HANGUL.search(name) or re.fullmatch(r"[A-Z][\w'-]*( [A-Z][\w'-]*)+", name) else None


class GenericArticlePage(HtmlArticlePage):
    site = NAME
    publisher = ""

    def __init__(self, url: str, html: str):
        super().__init__(url, html)
        self.html = html
        self.ld = self.json_ld()
        self.outlet = self.site_name()  # this page's publisher, read from the page

    def publisher_name(self) -> str:
        return self.outlet

    @classmethod
    def layout(cls) -> str:
        return NAME  # extracted_by: "generic/1"

    # --- metadata ---------------------------------------------------------------------------------
    def site_name(self) -> str:
        publisher = json_ld_people(self.ld.get("publisher"))
        name = self.meta("og:site_name") or (publisher[0] if publisher else None)
        return clean(name) or (urlsplit(self.url).hostname or "")

    def strip_site_suffix(self, title: str) -> str:
        """``제목 - 어느신문`` -> ``제목`` when the tail names the outlet."""
        for sep in TITLE_SEPARATORS:
            if sep in title:
                head, tail = (part.strip() for part in title.rsplit(sep, 1))
                names_outlet = bool(self.outlet) and (tail in self.outlet or self.outlet in tail)
                if head and (names_outlet or SITE_WORDS.search(tail)):
                    return head
        return title

    def title(self) -> str:
        """The h1 that the machine titles name (so a logo h1 is skipped), else og:title without its suffix."""
        candidates = [clean(c) for c in (self.ld.get("headline"), self.meta("og:title"), self.meta("twitter:title"),
                                          self.selector.css("title::text").get()) if isinstance(c, str)]
        candidates = [c for c in candidates if c and c != self.outlet]
        for h1 in self.selector.css("h1"):
            text = clean(" ".join(render_lines(h1.root)))
            if len(text) >= 4 and text != self.outlet and any(
                    c == text or self.strip_site_suffix(c) == text or c.startswith(text + " ") for c in candidates):
                return text
        return self.strip_site_suffix(candidates[0]) if candidates else ""

    def dates(self) -> tuple[str | None, str | None]:
        published = self.ld.get("datePublished") or self.meta(
            "article:published_time", "og:article:published_time", "pubdate", "publish-date", "date")
        modified = self.ld.get("dateModified") or self.meta("article:modified_time", "og:article:modified_time")
        if not published:
            visible = " ".join(self.lines("body"))
            published = labeled_date(visible, PUBLISHED_LABELS)
            modified = modified or labeled_date(visible, MODIFIED_LABELS)
        return (published if isinstance(published, str) else None, modified if isinstance(modified, str) else None)

    def authors(self) -> list[str]:
        raw = json_ld_people(self.ld.get("author"))
        if not raw:
            raw = [a for a in [self.meta("article:author", "dable:author", "author")] if a]
        names = []
        for value in raw:
            for part in re.split(r"\s*[,/·]\s*", value):
                name = person_name(part, self.outlet)
                if name and name not in names:
                    names.append(name)
        return names

    def section(self) -> str | None:
        """The section as a Korean label (an English meta value such as ``politics`` is not what the page shows)."""
        section = self.ld.get("articleSection")
        section = section[0] if isinstance(section, list) and section else section
        for value in (self.meta("article:section"), section if isinstance(section, str) else None):
            if value and HANGUL.search(value):
                return clean(value)
        return None

    def tags(self) -> list[str]:
        found = self.selector.css(", ".join(TAG_LINKS))
        return [t for t in (clean(" ".join(render_lines(a.root))).lstrip("#") for a in found) if t]

    def deck_lines(self) -> set[str]:
        """Lines of the elements templates use for the deck (부제): ``.sub_title``, ``h2.sub-tit-ll`` ..."""
        return {line for deck in self.selector.css(DECK_CSS) for line in render_lines(deck.root)}

    # --- body ---------------------------------------------------------------------------------------
    def trafilatura_xml(self) -> str | None:
        return trafilatura.extract(self.html, url=self.url, output_format="xml", include_comments=False,
                                   include_tables=False, include_images=True, favor_precision=True,
                                   with_metadata=False)

    def caption_for(self, src: str, body: list[str]) -> str | None:
        """The photo's caption: its figure's figcaption, a nearby caption box, or the body line that repeats
        its alt text (trafilatura keeps caption text as a paragraph)."""
        for img in self.selector.xpath("//img[@src=$s or @data-src=$s]", s=src):
            figure = img.xpath("ancestor::figure[1]")
            boxes = figure.css("figcaption") if figure else img.xpath(
                "ancestor::*[position() <= 3]//*[contains(@class, 'caption')]")
            if boxes:
                return clean(" ".join(render_lines(boxes[0].root))) or None
            alt = clean(img.attrib.get("alt"))
            if len(alt) >= 15:
                return next((line for line in body if line.startswith(alt)), None)
        return None

    def images(self, xml: str, body: list[str]) -> list[dict]:
        root = etree.fromstring(xml.encode("utf-8"))
        return [{"url": self.absolute(graphic.get("src")), "caption": self.caption_for(graphic.get("src"), body)}
                for graphic in root.iterfind(".//main//graphic") if graphic.get("src")]

    def take_dateline(self, lines: list[str], authors: list[str], deck: set[str]) -> list[str]:
        """Find the dateline (``(서울=연합뉴스) 홍길동 기자 =``, ``[헤럴드경제=한지숙 기자]``): it starts the
        article, so what precedes it is dropped unless it is a deck line; the reporter joins ``authors``."""
        for i, line in enumerate(lines[:40]):
            rest, names = split_dateline(line)
            if rest == line:
                continue
            for raw in names:
                name = person_name(raw, self.outlet)
                if name and name not in authors:
                    authors.append(name)
            before = [prior for prior in lines[:i] if is_deck_line(prior, deck)]
            return before + ([rest] if rest else []) + lines[i + 1:]
        return lines

    @staticmethod
    def take_byline(lines: list[str], authors: list[str]) -> list[str]:
        """A byline line (홍길동 기자 hong@x.com) is not text; it names the author when the metadata named none."""
        kept = []
        for line in lines:
            m = BYLINE.match(line)
            if m and (EMAIL.search(line) or len(line) <= 12):
                if not authors:
                    authors.append(m.group(1))
                continue
            kept.append(line)
        return kept

    @staticmethod
    def take_hashtags(lines: list[str], tags: list[str]) -> list[str]:
        """A line of only ``#태그`` words is the tag list (used when the page has no tag links)."""
        kept = []
        for line in lines:
            if HASHTAGS.match(line):
                if not tags:
                    tags.extend(word.lstrip("#") for word in line.split())
                continue
            kept.append(line)
        return kept

    def article(self) -> ArticleItem:
        xml = self.trafilatura_xml()
        lines = body_lines(xml) if xml else []
        lines = [line for line in lines[:article_end(lines)] if not FURNITURE.search(line)]
        if not any(not is_chrome_line(line) for line in lines):
            raise ExtractionError("missing_fields", "body")
        title = self.title()
        deck = self.deck_lines()
        authors, tags = self.authors(), self.tags()
        lines = self.take_dateline([line for line in lines if line != title], authors, deck)
        subtitles = list(itertools.takewhile(lambda line: is_deck_line(line, deck), lines))
        lines = self.take_hashtags(self.take_byline(lines[len(subtitles):], authors), tags)
        published, modified = self.dates()
        self.require(title=title, published_at=published)
        return self.new_article(
            title=title, subtitles=subtitles, published_at=published, modified_at=modified, authors=authors,
            section=self.section(), paragraphs=lines, images=self.images(xml, lines) if xml else [], tags=tags,
        )


SITE = Site(name=NAME, publisher="", hosts=(), layouts=(GenericArticlePage,))
