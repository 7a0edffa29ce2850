"""Fallback for any Korean news page whose host no site module serves.

Metadata comes from what most outlets publish for machines: JSON-LD ``NewsArticle``, Open Graph and
``article:*`` meta tags, machine dates on the visible date line (the 입력/수정 text as a last resort). The
body is, in order of preference: the article the page embeds as data (Arc, Next.js, app state, JSON-LD
``articleBody``; :mod:`newscrawl.extractors.embedded`), trafilatura's main text, or the element with the most
Korean prose when trafilatura misses most of it. The Korean text rules (:mod:`newscrawl.extractors.korean`)
then take out date lines, bylines, credits, captions, link lists and prompts and find the deck by its shape.
Less exact than a site module, but never silent: a page with no article text raises
``ExtractionError("missing_fields", "body")``.
"""

from __future__ import annotations

import itertools
import re
from functools import cached_property
from urllib.parse import urlsplit

from lxml import etree
from lxml import html as lxml_html
from parsel import Selector

from newscrawl.chrome import SUBTITLE_BULLETS, is_chrome_line, is_copyright_line
from newscrawl.dates import MODIFIED_LABELS, PUBLISHED_LABELS, labeled_date
from newscrawl.extractors.bylines import EMAIL, names_in, reporter_name, split_dateline
from newscrawl.extractors.embedded import Story, embedded_story
from newscrawl.extractors.korean import (
    BYLINE_LINE,
    LIST_HEADING,
    REPORTER_BOX,
    block_score,
    deck_length,
    is_caption_shaped,
    is_credit,
    is_date_line,
    is_furniture,
    is_prompt,
    prose_score,
    split_glued_dateline,
    strip_title_suffix,
)
from newscrawl.extractors.people import json_ld_people
from newscrawl.items import ArticleItem
from newscrawl.pages import ExtractionError, HtmlArticlePage
from newscrawl.sites import Site
from newscrawl.text import clean, render_lines

NAME = "generic"
HANGUL = re.compile(r"[가-힣]")
AGENCIES = frozenset({"연합뉴스", "뉴시스", "뉴스1", "AP", "AFP", "로이터", "EPA", "UPI"})
BYLINE = re.compile(r"^([가-힣]{2,4})\s*(기자|특파원|선임기자)\b")
HASHTAGS = re.compile(r"^#\S+(\s+#\S+)*$")
# Lines of page furniture trafilatura tends to keep: relative-time headline lists, tip-off notices, toasts.
FURNITURE = re.compile(r"\d+\s*(초|분|시간)\s*전$|^\[실시간\s*뉴스\]$|^\S{0,12}\s*(기사\s*문의|제보)\s*(및\s*제보\s*)?[:：]"
                       r"|(복사|저장)되었습니다\.?$|^기자 프로필$")
DECK_CSS = ('[class*="sub_title"], [class*="sub-title"], [class*="subtitle"], [class*="sub-tit"], '
            '[class*="subTitle"], .deck, .summary_title')
# Photo caption boxes: HTML5 figcaption, ``div.caption`` (한국일보's editor and others), Naver's ``em.img_desc``,
# and the other spellings of the same class names.
CAPTION_CSS = ('figcaption, [class*="caption"], [class*="Caption"], [class*="photo_txt"], [class*="img_desc"], '
               '[class*="photo-desc"], [class*="photo_desc"]')
# Inside an embedded body: the byline box, ads and rules editors put between paragraphs.
EMBEDDED_CHROME_CSS = 'script, style, [class*="writer"], [class*="-ad-"], [class~="ad"], [class*="div-line"]'
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
        if i and (LIST_HEADING.match(line) or is_copyright_line(line)):
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
        return strip_title_suffix(title, self.outlet)

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
        if not published:  # machine dates on the visible date line (<time datetime>, Naver's data-date-time)
            published = self.selector.css("[data-date-time]::attr(data-date-time), time::attr(datetime)").get()
            modified = modified or self.selector.css("[data-modify-date-time]::attr(data-modify-date-time)").get()
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
        import trafilatura  # here: a crawl that never falls back does not import it (~60 ms of start-up)

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
            if not before and i and deck_length([*lines[:i], rest or "다."]) == i:  # deck-shaped lines before it
                before = lines[:i]
            return before + ([rest] if rest else []) + lines[i + 1:]
        return lines

    @staticmethod
    def take_byline(lines: list[str], authors: list[str]) -> list[str]:
        """A byline line (홍길동 기자 hong@x.com) is not text; it names the author when the metadata named none."""
        kept = []
        for line in lines:
            m = BYLINE.match(line)
            if (m and (EMAIL.search(line) or len(line) <= 12)) or BYLINE_LINE.match(line):
                if not authors:
                    authors.extend(names_in(line))
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

    def whole_deck(self, subtitles: list[str]) -> list[str]:
        """All lines of the deck box that holds the deck lines found (boilerplate removers keep a deck only in
        part: its first line often looks like a heading to them)."""
        if not subtitles:
            return subtitles
        boxes = self.selector.xpath("//body//*[contains(normalize-space(.), $t)]", t=subtitles[-1])
        if not boxes:
            return subtitles
        box = render_lines(boxes[-1].root)  # the innermost element holding the last deck line
        if set(subtitles) <= set(box) and len(box) <= 6 and deck_length([*box, "다."]) == len(box):
            return box
        return subtitles

    def densest_block(self) -> list[str]:
        """Lines of the element holding the most Korean prose net of furniture: the parents of paragraphs and
        line breaks are the candidates (an article is a run of ``<p>`` or ``<br>``-separated text)."""
        best: tuple[float, list[str]] = (0.0, [])
        seen = set()
        for parent in self.selector.xpath("//body//p/.. | //body//br/.."):
            if parent.root in seen or parent.root.tag in ("a", "li", "ul", "nav", "header", "footer"):
                continue
            seen.add(parent.root)
            lines = render_lines(parent.root)
            links = sum(len(clean(a.xpath("string()").get())) for a in parent.xpath(".//a"))
            score = block_score(lines, links)
            if score > best[0]:
                best = (score, lines)
        return best[1]

    def leading_deck(self, first_line: str, title: str) -> list[str]:
        """Deck lines the boilerplate remover dropped: the deck-shaped lines that open the block holding the
        first body line (or its parent's), when no headline sits among them — the deck's place in every
        Korean article template is between the headline block and the lead."""
        nodes = self.selector.xpath("//body//*[contains(normalize-space(.), $t)]", t=first_line[:40])
        node = nodes[-1].root if nodes else None
        captions = self.caption_texts
        for _ in range(3):
            if node is None:
                return []
            lines = [line for line in render_lines(node) if line not in captions and not is_furniture(line)]
            index = next((i for i, line in enumerate(lines) if line.startswith(first_line[:40])), 0)
            if index:
                lead = lines[:index]
                shaped = deck_length([*lead, first_line]) == len(lead) and all(len(line) >= 8 for line in lead)
                return lead if shaped and title not in lead else []
            node = node.getparent()
        return []

    # --- embedded data and the page's own structure -------------------------------------------------
    def story(self) -> Story | None:
        return embedded_story(self.html, self.ld, self.selector.css("script::text").getall())

    @cached_property
    def caption_texts(self) -> set[str]:
        """Texts of caption boxes (``figcaption``, ``*caption*``/``photo_txt``-classed elements): never body."""
        found = self.selector.css(CAPTION_CSS)
        return {clean(" ".join(render_lines(box.root))) for box in found} | {
            line for box in found for line in render_lines(box.root)}

    @cached_property
    def link_block_texts(self) -> set[str]:
        """Texts of links that fill their whole block (a related-news or most-read entry), not inline links."""
        texts = set()
        for link in self.selector.xpath("//a[@href]"):
            text = clean(" ".join(render_lines(link.root)))
            parent = link.root.getparent()
            if len(text) >= 10 and parent is not None and clean(" ".join(render_lines(parent))) == text:
                texts.add(text)
        return texts

    def story_parts(self, story: Story) -> tuple[list[str], list[dict]]:
        """(lines, images) of an embedded story; HTML bodies lose captions, photo boxes and bylines first."""
        if not story.html:
            return story.paragraphs, [{"url": self.absolute(i.get("url")), "caption": i.get("caption")}
                                      for i in story.images]
        root = lxml_html.fragment_fromstring(story.html, create_parent="div")
        body = Selector(root=root)
        images = []
        for img in body.css("img"):
            src = img.attrib.get("src") or img.attrib.get("data-src")
            box = img.xpath("ancestor::*[self::figure or contains(@class, 'img') or contains(@class, 'photo')][1]")
            caption = box.css(CAPTION_CSS) if box else []
            images.append({"url": self.absolute(src),
                           "caption": clean(" ".join(render_lines(caption[0].root))) or None if caption else None})
        body.css(f"{CAPTION_CSS}, {EMBEDDED_CHROME_CSS}").drop()
        return [c for c in (clean(line) for line in render_lines(root)) if c], images

    def dom_body(self) -> tuple[str | None, list[str]]:
        """(trafilatura's XML or None, body lines) from the DOM: trafilatura's main text, unless the element
        with the most Korean prose holds far more of the article (then its lines, and no XML)."""
        xml = self.trafilatura_xml()
        lines = body_lines(xml) if xml else []
        densest = self.densest_block()  # a second opinion, by Korean prose density
        if block_score(self.body_text(densest)) > 1.5 * max(0.0, block_score(self.body_text(lines))):
            return None, densest  # trafilatura missed most of the article
        return xml, lines

    def article(self) -> ArticleItem:
        story = self.story()
        xml: str | None = None
        images: list[dict] = []
        # Embedded app data is the article as the outlet stores it; JSON-LD articleBody only when the DOM has
        # much less prose (outlets often put a summary there).
        if story and story.source == "json_ld":
            xml, lines = self.dom_body()
            if prose_score(lines) >= prose_score(story.paragraphs) / 2:
                story = None
        elif not story:
            xml, lines = self.dom_body()
        if story:
            xml, (lines, images) = None, self.story_parts(story)
        lines = self.body_text(lines)
        if not any(not is_chrome_line(line) for line in lines):
            raise ExtractionError("missing_fields", "body")
        title = (story.title if story and story.title else "") or self.title()
        deck = self.deck_lines() | set(story.subtitles if story else ())
        authors, tags = self.authors(), self.tags()
        lines = self.take_dateline([line for line in lines if line != title], authors, deck)
        subtitles = list(itertools.takewhile(lambda line: is_deck_line(line, deck), lines))
        lines = lines[len(subtitles):]
        shaped = deck_length(lines)  # a deck in a wrapper no class name above covers, recognised by its shape
        subtitles, lines = subtitles + lines[:shaped], lines[shaped:]
        lines = self.take_hashtags(self.take_byline(lines, authors), tags)
        subtitles = self.whole_deck(subtitles)
        if not subtitles and not story and lines:
            subtitles = self.leading_deck(lines[0], title)
        if story and story.subtitles and not subtitles:
            subtitles = story.subtitles
        published, modified = self.dates()
        if story and (story.dates_win or not published) and story.published_at:
            published = story.published_at
            modified = (story.modified_at or modified) if story.dates_win else (modified or story.modified_at)
        self.require(title=title, published_at=published)
        if xml:
            images = self.images(xml, lines)
        return self.new_article(
            title=title, subtitles=subtitles, published_at=published, modified_at=modified, authors=authors,
            section=self.section(), paragraphs=lines, images=images, tags=tags,
        )

    def body_text(self, lines: list[str]) -> list[str]:
        """The article's own lines: up to the copyright notice or first link list, without furniture lines
        (dates, credits, captions, prompts, related links); a deck glued to the dateline is split off."""
        captions, links = self.caption_texts, self.link_block_texts
        lines = [part for line in lines[:article_end(lines)] for part in split_glued_dateline(line)]
        return [line for line in lines if not (
            FURNITURE.search(line) or line in captions or line in links or is_date_line(line) or is_credit(line)
            or is_caption_shaped(line) or is_prompt(line) or (REPORTER_BOX.search(line) and len(line) <= 80))]


SITE = Site(name=NAME, publisher="", hosts=(), layouts=(GenericArticlePage,))
