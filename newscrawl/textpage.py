"""Rendered text (a browser's innerText, as pages are archived and handed over) of any Korean news page,
segmented into the same raw fields as the HTML path.

A line is one of: headline, date line, byline, deck, caption, paragraph, chrome, or the end of the article
(reactions, link lists, comments and everything after them). Text-level chrome comes from the one catalogue in
``newscrawl.chrome``; a site module passes :class:`TextHints` only where the generic reading needs help.
Real texts are messy, so: a flattened page is cut at its toolbars and date labels, a body shown twice comes
out once, a page that starts mid-way takes the line above its date line as the headline. Nothing is invented:
no date line, no ``published_at``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from newscrawl.chrome import WIDGET_RUN_INSIDE, is_chrome_line, is_copyright_line, strip_caption_marker
from newscrawl.dates import MODIFIED_LABELS, PUBLISHED_LABELS, VISIBLE_DATE, labeled_date
from newscrawl.extractors.bylines import EMAIL, names_in, title_pattern, without_dateline
from newscrawl.extractors.korean import deck_length
from newscrawl.items import ArticleItem
from newscrawl.pages import Extracted, ExtractionError
from newscrawl.pages import RenderedTextPage as RenderedTextBase
from newscrawl.text import clean
from newscrawl.urls import canonicalize, publisher_for

_LABELS = "|".join(sorted(map(re.escape, PUBLISHED_LABELS + MODIFIED_LABELS + ("최초 입력", "기사 입력")),
                          key=len, reverse=True))
_TITLE = title_pattern()
_EMAIL = rf"\(?{EMAIL.pattern}\)?"
# What may surround the dates of a date line: labels, separators, reporter names, an outlet name, e-mails.
_DATE_LINE_REST = re.compile(
    rf"^(?:\s|[|:：·/,()\[\]]|{_LABELS}|{_EMAIL}|[가-힣A-Za-z0-9]{{1,10}}(?=\s+[가-힣]{{2,4}}\s*{_TITLE})"
    rf"|[가-힣]{{1,6}}\s*=\s*[가-힣A-Za-z0-9]{{1,10}}"
    rf"|[가-힣]{{2,4}}\s*{_TITLE}I?|ⓒ|기사원문)*$"
)
# A byline-only line: "[한국경제TV 박찬휘 기자]", "홍길동 기자 hong@x.com", "글·사진 홍길동 기자".
BYLINE_LINE = re.compile(
    rf"^[\[(【]?\s*(?:[가-힣A-Za-z0-9·]{{1,12}}\s+)?(?:[가-힣]{{2,4}}\s*{_TITLE}I?\s*[,·ㆍ]?\s*)+(?:{_EMAIL})?\s*[\])】]?$"
)
_LABEL_INSIDE = re.compile(rf"(?:{_LABELS})")
_LABEL_ONLY = re.compile(rf"^(?:{_LABELS})\s*[:：]?$")
# A byline with a place and several names: "경주=이권효 boriam@donga.com /최지연·박성민 기자".
BYLINE_WITH_EMAIL = re.compile(rf"^[^.。]{{0,60}}{_EMAIL}[^.。]{{0,30}}{_TITLE}$")
# The article's keyword links as one row: "국민연금 | x세대 | 소득재분배".
TAG_ROW = re.compile(r"^[^|.]{1,15}(?: \| [^|.]{1,15})+$")
HASHTAG_ROW = re.compile(r"^#[^\s#]+(?:\s+#[^\s#]+)*$")  # "#고물가 #짠테크"
# A flattened page: its date labels start a new line.
_DATE_LABEL_INSIDE = re.compile(rf"\s(?=(?:{_LABELS})\s*[:：]?\s*\d{{4}}[.\-/년])")
# Credit-only caption lines and captions ending in a credit.
_CREDIT = (r"사진|자료|출처|제공|DB|db|뱅크|포토|이미지|캡처|그래픽|연합뉴스|뉴시스|뉴스1|News1|AP|AFP|EPA|로이터|UPI|"
           r"게티|Getty|셔터스톡")
CREDIT_LINE = re.compile(rf"^(?:[(\[][^()\[\]]{{0,30}}(?:{_CREDIT})[^()\[\]]{{0,30}}[)\]]|/\s*\S{{2,12}})$")
# Captions that end in a credit (the credit stays in the caption, as the page shows it).
_CAPTION_ENDINGS = (
    r"[(\[](?:사진|자료|출처|제공)\s*[=:／/][^()\[\]]{1,30}[)\]]",  # (사진=연합뉴스)
    rf"[/=]\s*(?:{_CREDIT})\S{{0,10}}",  # /사진=뉴스1, /연합뉴스
    r"ⓒ\s*News1.{0,20}",  # news1: … ⓒ News1 홍길동 기자
    r"\[사진 출처\s*=[^\]]{1,30}\]",  # mk: [사진 출처 = 현대건설]
    r"<[가-힣]{2,4}\s*기자>",  # mk: <이종화 기자>
    r"\.\s+(?:뉴시스|연합뉴스|뉴스1|AP|AFP|EPA|로이터|UPI)(?:\s*연합뉴스)?",  # hankookilbo: … 있다. 뉴시스
    r"[\[(][^\[\]()]{0,20}=(?:연합뉴스|뉴시스|뉴스1)[^\[\]()]{0,10}[\])]",  # yna 2016: [AP=연합뉴스 자료사진]
    r"있다\.\s+[가-힣]{2,4}\s*기자",  # hankookilbo: … 있다. 고영권 기자
    r"[가-힣]{2,4}\s*(?:선임기자|기자)\s+[\w.+-]+@[\w-]+(?:\.[\w-]+)+",  # hani: … 이정우 선임기자 woo@hani.co.kr
)
CAPTION_CREDIT_END = re.compile("(?:" + "|".join(_CAPTION_ENDINGS) + ")$")
# A whole line in brackets is a label ([앵커], <출연 : …>), never a deck line.
LABEL_LINE = re.compile(r"^[\[<(〈【].*[\]>)〉】]$")
SENTENCE_END = re.compile(r"(다|요|음|함|니다|까)[.!?]?[\"'”’)\]]*$|[.!?…][\"'”’)\]]*$")
END_LINES = frozenset({
    "주요 뉴스", "주요뉴스", "많이 본 뉴스", "많이본 뉴스", "많이 본 기사", "관련기사", "관련 기사", "관련뉴스", "관련 뉴스",
    "이 시각 주요뉴스", "기자의 다른기사 더보기", "댓글", "첫번째 댓글을 남겨주세요.", "첫 번째 댓글을 남겨주세요.",
    "추천 기사", "추천기사", "인기 기사", "인기기사", "최신 뉴스", "최신뉴스", "함께 볼만한 뉴스", "실시간 관련뉴스",
    "이 기사를 추천합니다", "기자 프로필", "댓글쓰기", "이 기사와 관련된 기사", "이 기사가 마음에 들었다면, 좋아요를 눌러주세요.",
    "Most Viewed", "Related Articles", "(끝)", "<끝>", "[끝]", "(END)",
})
# Whole lines that end the article: a row of reaction buttons, a comment count or prompt, a popular-news heading.
_END = re.compile(r"^(?:(?:좋아요|싫어요|화나요|슬퍼요|추가취재 원해요|후속기사 원해요|후속 원해요|추천해요|응원해요)\s*\d*\s*)+$"
                  r"|^댓글\s*\d+$|^\d+\s*/\s*300$|^.{0,12}인기\s?기사$")
_BULLETS = "•◦▪"


@dataclass(frozen=True)
class TextHints:
    """What a site's rendered text needs beyond the generic reading."""

    end_lines: frozenset[str] = frozenset()  # the site's own headings after which the page is furniture
    chrome_lines: frozenset[str] = frozenset()  # the site's own whole-line chrome
    skip_blocks: tuple[tuple[str, str], ...] = ()  # (first, last) line of a widget block shown inside the article


def is_date_line(line: str) -> bool:
    """A short line holding a visible date and nothing but labels, bylines and separators."""
    if len(line) > 120 or not VISIBLE_DATE.search(line):
        return False
    return bool(_DATE_LINE_REST.match(VISIBLE_DATE.sub(" ", line)))


def split_flattened(line: str) -> list[str]:
    """Lines of a page flattened onto one line: cut at toolbars (three or more widget words) and date labels."""
    parts, last = [], 0
    for run in WIDGET_RUN_INSIDE.finditer(line):  # the toolbar stays a line of its own (reactions end the text)
        parts += [*_DATE_LABEL_INSIDE.split(line[last:run.start()]), run.group(0)]
        last = run.end()
    parts += _DATE_LABEL_INSIDE.split(line[last:])
    return [clean(p) for p in parts if clean(p)]


def join_split_labels(lines: list[str]) -> list[str]:
    """A date label rendered on its own line (``입력 :`` / ``2025-06-04 02:37:08``) is joined to its date."""
    joined: list[str] = []
    for line in lines:
        if joined and _LABEL_ONLY.match(joined[-1]) and VISIBLE_DATE.match(line):
            joined[-1] = f"{joined[-1]} {line}"
        else:
            joined.append(line)
    return joined


def is_caption(line: str) -> bool:
    return line.startswith(("▲", "△")) or bool(CREDIT_LINE.match(line)) or (
        len(line) <= 400 and bool(CAPTION_CREDIT_END.search(line)))


class RenderedTextPage(RenderedTextBase):
    """The innerText of one article page; ``extract()`` gives the article (sites add tickers). Without a
    ``site`` of its own (``text_page_for``) it reads any site's page under that site's name and publisher."""

    site = "generic"
    publisher = ""
    hints = TextHints()

    def __init__(self, url: str, text: str, site: str | None = None, publisher: str | None = None):
        super().__init__(url, text)
        self.site = site or self.site
        self.publisher = publisher_for(url, publisher if publisher is not None else self.publisher)
        lines: list[str] = []
        for raw in text.splitlines():
            line = clean(raw).lstrip(_BULLETS).strip()
            flattened = len(line) > 120 and WIDGET_RUN_INSIDE.search(line)  # a toolbar inside: never prose
            lines.extend(split_flattened(line) if flattened else [line])
        self.lines = self.without_blocks(join_split_labels(lines))
        self.rest_lines: list[str] = []  # what follows the end of the article (widgets live there)

    def without_blocks(self, lines: list[str]) -> list[str]:
        """The lines without the site's widget blocks (e.g. mk's machine summary, from 뉴스 요약쏙 to its sign-up)."""
        for first, last in self.hints.skip_blocks:
            kept, skipping = [], 0
            for index, line in enumerate(lines):
                if not skipping and line == first and last in lines[index: index + 40]:
                    skipping = lines.index(last, index) - index + 1
                if skipping:
                    skipping -= 1
                else:
                    kept.append(line)
            lines = kept
        return lines

    # --- line classes ---------------------------------------------------------------------------------
    def is_chrome(self, line: str) -> bool:
        return line in self.hints.chrome_lines or is_chrome_line(line)

    def is_end(self, line: str) -> bool:
        return (line in END_LINES or line in self.hints.end_lines or bool(_END.match(line))
                or (is_copyright_line(line) and not CAPTION_CREDIT_END.search(line)))

    # --- segmentation ---------------------------------------------------------------------------------
    def header(self, lines: list[str]) -> tuple[str, int]:
        """(headline, index where the rest starts): the headline is the content line above the article's date
        line (a labelled one when there is one: unlabelled dates also sit in headline lists)."""
        dated_lines = [i for i, line in enumerate(lines) if is_date_line(line)]
        labelled = [i for i in dated_lines if _LABEL_INSIDE.search(lines[i])]
        dated = (labelled or dated_lines or [None])[0]
        content = [i for i, line in enumerate(lines) if line and not self.is_chrome(line)]
        if not content:
            raise ExtractionError("missing_fields", "title, body")
        if dated is None:
            return lines[content[0]], content[0] + 1
        above = [i for i in content if i < dated and not BYLINE_LINE.match(lines[i]) and not is_date_line(lines[i])]
        if above:
            return lines[above[-1]], above[-1] + 1
        after = [i for i in content if i > dated and not is_date_line(lines[i])]  # the date line comes first
        return (lines[after[0]], after[0] + 1) if after else ("", dated + 1)

    def extract(self) -> Extracted:
        title, start = self.header(self.lines)
        header_dates, authors, captions, body, deck, tags = [], [], [], [], [], []
        seen_body: set[str] = set()
        for index, line in enumerate(self.lines[start:], start):
            if not line:
                continue
            if self.is_end(line):
                if any(SENTENCE_END.search(b) or len(b) > 80 for b in body):
                    self.rest_lines = self.lines[index:]
                    break
                continue  # an end heading before any sentence: header furniture (a 댓글 button)
            if line == title:
                continue
            if is_date_line(line):
                header_dates.append(line)
                authors += names_in(line)
            elif BYLINE_LINE.match(line) or BYLINE_WITH_EMAIL.match(line):
                authors += names_in(line) + [n for n in re.findall(r"=\s*([가-힣]{2,4})\s", line)]
                authors += [n for group in re.findall(r"/([가-힣·ㆍ]+)\s*기자", line) for n in re.split("[·ㆍ]", group)]
            elif body and TAG_ROW.match(line) and not self.is_chrome(line):
                tags += [t.strip() for t in line.split("|")]
            elif HASHTAG_ROW.match(line):
                tags += [t.lstrip("#") for t in line.split()]
            elif self.is_chrome(line):
                continue
            elif is_caption(line):
                captions.append(strip_caption_marker(line))
            elif len(line) >= 20 and line in seen_body:
                continue  # a body shown twice comes out once
            else:
                body.append(line)
                seen_body.add(line)
        else:
            self.rest_lines = []
        # The deck: short lines before the first sentence of the body (the same rule as the HTML path).
        deck = body[:deck_length(body, max_lines=len(body))]
        body = body[len(deck):]
        body, dateline_names = without_dateline(body)
        captions = list(dict.fromkeys(c for c in captions if c))
        if not body and captions:  # a photo page: its description is the text, not a caption
            body, captions = captions, []
        dates = " ".join(header_dates)
        published = labeled_date(dates, PUBLISHED_LABELS) or self.first_unlabeled_date(header_dates)
        article = ArticleItem(
            url=self.url, site=self.site, publisher=self.publisher, canonical_url=canonicalize(self.url),
            title=title, subtitles=deck, published_at=published, modified_at=labeled_date(dates, MODIFIED_LABELS),
            authors=list(dict.fromkeys(authors + dateline_names)), paragraphs=body,
            images=[{"url": None, "caption": c} for c in captions], tags=tags,
        )
        return Extracted(article, self.tickers())

    @staticmethod
    def first_unlabeled_date(lines: list[str]) -> str | None:
        """``2021.04.19. 오전 08:19`` / ``김창길 기자 2025. 4. 16. 21:56``: a date line without any label."""
        for line in lines:
            if not labeled_date(line, MODIFIED_LABELS):
                found = VISIBLE_DATE.search(line)
                if found:
                    return found.group(0)
        return None

    def tickers(self) -> list:
        return []


def text_page_for(site: str, publisher: str, hints: TextHints = TextHints()) -> type[RenderedTextPage]:
    """A site's rendered-text page class: the generic segmenter with the site's name, publisher and hints."""
    return type(f"{site.title()}RenderedTextPage", (RenderedTextPage,),
                {"site": site, "publisher": publisher, "hints": hints})
