"""Global, exact-line chrome rules: lines that are UI, never article text, on any Korean portal.

Per-site chrome is removed by DOM position in each site module; these rules catch what survives.
A rule matches a whole line, so the same words inside a sentence are left alone.
"""

from __future__ import annotations

import re

from newscrawl.text import clean

# Whole lines that are widgets (font size, reactions, share/print, section headings of link lists).
CHROME_LINES = frozenset({
    "가장작게", "작게", "기본", "크게", "가장크게", "글자크기", "글자 크기", "글씨크기", "본문 글자 크기",
    "좋아요", "화나요", "슬퍼요", "추가취재 원해요", "후속기사 원해요", "훈훈해요", "추천해요", "놀랐어요",
    "공유", "공유하기", "인쇄", "인쇄하기", "프린트", "스크랩", "구독", "구독하기", "URL 복사", "링크 복사",
    "카카오톡", "페이스북", "트위터", "밴드", "닫기", "기사 듣기", "기사듣기", "번역", "댓글", "목록",
    "주요 뉴스", "주요뉴스", "많이 본 뉴스", "많이본 뉴스", "많이 본 기사", "관련기사", "관련 기사", "관련뉴스",
    "이 시각 주요뉴스", "오늘의 상승종목", "오늘의 하락종목", "실시간 암호화폐 시세", "광고", "AD",
    "기자의 다른기사 더보기", "(끝)", "<끝>", "[끝]", "(END)",
})
_REACTION = re.compile(r"^(좋아요|화나요|슬퍼요|추가취재 원해요|후속기사 원해요|훈훈해요|추천해요)\s*\d*$")
_COPYRIGHT = re.compile(
    r"(무단\s*전재|재배포\s*금지|^\W{0,2}(ⓒ|©|\(c\)|copyright)|all rights reserved|저작권자\s*[(ⓒ©])", re.IGNORECASE
)
_EMAIL_LINE = re.compile(r"^[\w가-힣 ().·=/\[\]-]{0,40}[\w.+-]+@[\w-]+(\.[\w-]+)+\)?\s*(\(END\))?$")
_PROMO = re.compile(r"^(▶|☞|\[관련기사\]|<관련기사>|※\s*관련기사)")
_MARKET_CLOSE = re.compile(r"^\d{1,2}\.\d{1,2}\s*장(종료|마감|중)$")
CAPTION_MARKERS = "▲△▶◀■□●○◆◇※ "
SUBTITLE_BULLETS = re.compile(r"^[ㆍ·•▲△●■□◆◇▶\-–—]\s*")


def is_chrome_line(line: str) -> bool:
    """True when a whole rendered line is UI chrome or boilerplate rather than article text."""
    text = clean(line).strip("•·").strip()
    if not text:
        return True
    return bool(
        text in CHROME_LINES
        or _REACTION.match(text)
        or _MARKET_CLOSE.match(text)
        or _PROMO.match(text)
        or (len(text) <= 160 and _COPYRIGHT.search(text))
        or _EMAIL_LINE.match(text)
    )


def strip_caption_marker(caption: str) -> str:
    """``▲김종규 ...`` -> ``김종규 ...``."""
    return clean(caption).lstrip(CAPTION_MARKERS).strip()


def strip_bullet(line: str) -> str:
    """A leading bullet marker of a deck line is removed; the same character inside the text stays."""
    return SUBTITLE_BULLETS.sub("", clean(line), count=1)


# Strings that never belong in article text: finding one in output means a chrome rule missed (a leak).
LEAK_MARKERS = ("무단전재", "무단 전재", "재배포 금지", "가장작게", "가장크게", "추가취재 원해요", "화나요",
                "슬퍼요", "기사원문", "저작권자(c)", "Copyright ⓒ", "ⓒ", "▶", "오늘의 상승종목",
                "실시간 암호화폐 시세", "많이 본 뉴스", "주요 뉴스")


# A broadcast script's role markers (MBC's ``◀ 앵커 ▶``, ``◀ 리포트 ▶``) are lines of the broadcast, not promos.
_ROLE_MARKER = re.compile(r"◀\s*[가-힣A-Za-z]{1,6}( [가-힣A-Za-z]{1,6})?\s*▶")


def leaks(text: str) -> list[str]:
    text = _ROLE_MARKER.sub("", text)
    return [marker for marker in LEAK_MARKERS if marker in text]
