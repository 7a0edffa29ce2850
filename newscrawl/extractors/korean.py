"""The shape of Korean news text: which lines of a page are the article and which are its furniture.

Each rule is a general fact of Korean news pages (named in its comment), not a selector of one outlet, so
that the generic extractor and the site modules recognise the same things the same way. Dates are parsed by
:mod:`newscrawl.dates`; this module only says where a date line is.
"""

from __future__ import annotations

import re

from newscrawl.dates import parse_datetime
from newscrawl.extractors.bylines import EMAIL, split_dateline, title_pattern

_TITLE = title_pattern()
_NAMES = r"[가-힣]{2,4}(?:\s*[·ㆍ,]\s*[가-힣]{2,4})*"
_EMAIL = EMAIL.pattern
HANGUL = re.compile(r"[가-힣]")

# A sentence of Korean news prose ends in a final verb ending (…했다. …입니다. …이다) or, in headlines of
# quotes and in English copy, in closing punctuation; decks, subheads and captions credits usually do not.
SENTENCE_END = re.compile(r"(다|요|음|함|임|됨|까|죠|네|니다)\s*[.!?…]*[\"'”’」』)\]]*\s*$|[.!?…][\"'”’」』)\]]*\s*$")

# Date lines under the headline: 입력 2024.07.25 10:55 / 기사입력 : 2024-07-25 10:55:00 / 입력2022.12.06 18:28
# 수정 2024. 7. 25. 오후 3:05 / 등록 2016/09/17 11:35 — labels, separators and 오전/오후 in every spelling.
_DATE = (r"\d{4}\s*[.\-/년]\s*\d{1,2}\s*[.\-/월]\s*\d{1,2}\s*[.일]?\s*(?:\([^)]{1,3}\)\s*)?"
         r"(?:(?:오전|오후|AM|PM)\s*)?\d{1,2}:\d{2}(?::\d{2})?")
_DATE_LABEL = r"(?:기사\s*)?(?:최초\s*)?(?:입력|등록|수정|최종\s*수정|업데이트|송고(?:시간)?|발행|게재|승인)(?:\s*일시?)?"
DATE_LINE = re.compile(rf"^(?:[\[(]?\s*(?:{_DATE_LABEL})?\s*[:：]?\s*{_DATE}\s*[\])]?\s*[|/·,]?\s*)+$")

# Bylines as a line of their own: 홍길동 기자 / /최지연·박성민 기자 / 홍길동 기자 hong@x.com / 글·사진 홍길동 기자
BYLINE_LINE = re.compile(rf"^[/=\-\s]*(?:글\s*[·ㆍ]\s*사진\s*|사진\s*=\s*)?{_NAMES}\s*{_TITLE}(?:\s*외\s*\d+명)?"
                         rf"\s*(?:\(?{_EMAIL}\)?)?\s*$")
# The reporter box at the end of an article introduces its author: "…를 듣는, 사회부 홍길동 기자입니다."
REPORTER_BOX = re.compile(rf"{_TITLE}입니다\.?$|^{_NAMES}\s*{_TITLE}\s*(프로필|구독|응원|의 다른 기사)")


# Who took a photo: a caption ends with its credit after the sentence (…하고 있다. 연합뉴스 / …있다. 뉴스1 /
# …있다. /뉴시스 / …있다. 홍길동 기자 / …있다. [사진 = 게티이미지]); a bare credit line is the same thing
# ([AP=연합뉴스 자료사진], Yonhap's credit shape).
AGENCIES = ("연합뉴스", "뉴시스", "뉴스1", "AP", "AFP", "로이터", "EPA", "UPI", "신화", "게티이미지", "게티이미지뱅크",
            "셔터스톡", "AP뉴시스", "AFP연합뉴스", "EPA연합뉴스", "로이터연합뉴스", "AP연합뉴스")
_AGENCY = "(?:" + "|".join(sorted((re.escape(a) for a in AGENCIES), key=len, reverse=True)) + ")"
_CREDIT = (rf"(?:/?\s*{_AGENCY}|{_NAMES}\s*{_TITLE}|[\[(]?\s*(?:사진|자료|그래픽|영상)\s*[=:]\s*[^\])]{{1,30}}[\])]?"
           rf"|(?:[가-힣A-Za-z]{{1,10}}\s*=\s*)?{_AGENCY}\s*(?:자료\s*)?사진|[가-힣A-Za-z]{{1,20}}\s*제공)")
CREDIT_LINE = re.compile(rf"^[\[(]?\s*{_CREDIT}\s*[\])]?$")
CAPTION_WITH_CREDIT = re.compile(rf"(다|음)\.\s*{_CREDIT}\s*$")

# Headings of the link lists after an article (관련기사, 많이 본 뉴스, 이 시각 주요뉴스, 함께 보면 좋은 기사 ...).
LIST_HEADING = re.compile(r"^\W{0,2}(관련\s*(기사|뉴스)|많이\s*본\s*(뉴스|기사)|가장\s*많이\s*본|주요\s*뉴스|이\s*시각\s*주요"
                          r"|함께\s*(보면\s*좋은|본|읽으면)|추천\s*(기사|뉴스)|인기\s*(기사|뉴스)|최신\s*(기사|뉴스)"
                          r"|오늘의\s*(주요|인기)|기자의\s*다른\s*기사|이\s*기사와\s*관련된|Most Viewed|Related Articles"
                          r"|Latest News)\s*\W{0,3}(더\s*보기|More)?$", re.IGNORECASE)

# Prompts to subscribe, follow, comment or send tips (구독하기, 기자 구독, 제보는 카카오톡 okjebo, 댓글을 남겨주세요).
PROMPT = re.compile(r"^(?:\S+\s+){0,4}(구독|팔로우|응원)\s*(하기|하세요|해\s*주세요|버튼)\W*$"
                    r"|^\W*(기사\s*)?제보\s*(는|하기)?\s*[:：]?\s*(카카오톡|카톡|이메일|전화|☎)"
                    r"|^댓글\s*(쓰기|달기|보기|\d*)$|댓글을\s*(남겨|달아)\s*주세요"
                    r"|^(이\s*)?기사를?\s*(추천|공유)(하기|해\s*주세요)?\W*$|기사\s*문의\s*(및\s*제보)?\s*[:：]")


# A whole line in brackets is a label or marker (<출연 : 홍길동 교수>, [앵커], <질문 1>), not a deck phrase.
BRACKETED = re.compile(r"^[<\[(【〈《].*[>\])】〉》]$")


# <title> and og:title carry the outlet after a separator: "제목 - 연합뉴스", "제목 | 한겨레", "제목 :: 어느일보".
TITLE_SEPARATORS = (" | ", " - ", " – ", " — ", " :: ", " : ", " < ", " > ", " · ")
OUTLET_WORDS = re.compile(r"(뉴스|신문|일보|닷컴|방송|경제|미디어|타임즈|타임스|데일리|news|times|tv|daily)\s*$", re.IGNORECASE)


def strip_title_suffix(title: str, publisher: str = "") -> str:
    """``제목 - 어느신문`` -> ``제목`` when the tail names the outlet (its name, or a word outlets end in)."""
    for sep in TITLE_SEPARATORS:
        if sep in title:
            head, tail = (part.strip() for part in title.rsplit(sep, 1))
            names_outlet = bool(publisher) and (tail in publisher or publisher in tail)
            if head and (names_outlet or OUTLET_WORDS.search(tail)):
                return head
    return title


def is_sentence(line: str) -> bool:
    return bool(SENTENCE_END.search(line))


def is_date_line(line: str) -> bool:
    """A line that is only labelled dates (the 입력/수정 line under the headline)."""
    return len(line) <= 120 and bool(DATE_LINE.match(line)) and parse_datetime(line) is not None


def is_byline(line: str) -> bool:
    return bool(BYLINE_LINE.match(line)) or bool(REPORTER_BOX.search(line) and len(line) <= 80)



def is_credit(line: str) -> bool:
    return len(line) <= 40 and bool(CREDIT_LINE.match(line))


def is_prompt(line: str) -> bool:
    """A short call to subscribe, comment or send tips (a sentence that merely mentions 댓글 is longer)."""
    return len(line) <= 60 and bool(PROMPT.search(line))


def is_caption_shaped(line: str) -> bool:
    """A photo caption that ends with its credit (…하고 있다. 연합뉴스)."""
    return len(line) <= 300 and bool(CAPTION_WITH_CREDIT.search(line))


def is_furniture(line: str) -> bool:
    """A line of the page around the article: byline, reporter box, date line, credit, prompt."""
    return (is_date_line(line) or is_byline(line) or is_credit(line) or is_prompt(line)
            or is_caption_shaped(line))


def deck_length(lines: list[str], max_chars: int = 80, max_lines: int = 6) -> int:
    """How many leading lines are the deck (부제): short lines that are not sentences, followed by a sentence.

    Korean articles open with the deck — headline-style phrases without a final verb ending — and then the
    lead, which is prose. This is the deck's shape whatever element or class holds it.
    """
    count = 0
    for line in lines[:max_lines + 1]:
        if is_sentence(line) or len(line) > max_chars or BRACKETED.match(line):
            break
        count += 1
    if count > max_lines or count == len(lines):
        return 0
    return count


def split_glued_dateline(line: str) -> list[str]:
    """A deck rendered inline before the dateline (``…함께 변론[이데일리 조민정 기자] 국민의힘…``) is split off:
    the dateline starts the article text, so what is glued before it is another block."""
    for found in re.finditer(r"[\[(【]", line):
        start = found.start()
        if start == 0 or len(line[:start]) > 120 or is_sentence(line[:start]):
            continue
        rest, _ = split_dateline(line[start:])
        if rest != line[start:]:
            return [line[:start].strip(), line[start:]]
    return [line]


def hangul_share(text: str) -> float:
    letters = [c for c in text if c.isalpha()]
    return sum(1 for c in letters if HANGUL.match(c)) / len(letters) if letters else 0.0


def prose_score(lines: list[str]) -> float:
    """How much a candidate body reads as Korean news prose: characters in lines that end like a sentence,
    weighted by their hangul share (English copy counts through its punctuation, at a lower weight)."""
    score = 0.0
    for line in lines:
        if is_sentence(line) and not is_furniture(line):
            score += len(line) * (0.5 + 0.5 * hangul_share(line))
    return score


def with_shaped_deck(subtitles: list[str], paragraphs: list[str]) -> tuple[list[str], list[str]]:
    """(deck, paragraphs): the deck a site's selector found, plus leading paragraphs shaped like a deck — a
    deck in a wrapper the selector does not name is still the deck, not the first paragraphs."""
    paragraphs = [part for line in paragraphs[:7] for part in split_glued_dateline(line)] + paragraphs[7:]
    count = deck_length(paragraphs)
    return subtitles + paragraphs[:count], paragraphs[count:]


def block_score(lines: list[str], link_chars: int = 0) -> float:
    """A candidate body's worth: its Korean prose (:func:`prose_score`) minus the text that is not prose
    (menus, headings, link lists) and the text inside links — the text-density idea of boilerplate removers,
    measured by Korean sentence endings instead of English stopwords."""
    other = sum(len(line) for line in lines if not is_sentence(line))
    return prose_score(lines) - 0.5 * other - link_chars
