"""Reporter names and datelines, shared by every site: ``홍길동 기자`` -> 홍길동, and the leading dateline
(``[헤럴드경제=한지숙 기자]``, ``(서울=연합뉴스) 차병섭 기자 =``, ``SEOUL, Aug. 20 (Yonhap) --``) cut from
the first paragraph with its names kept for ``authors``."""

from __future__ import annotations

import re

from newscrawl.text import clean

# Longest first, so that 선임기자 is not read as 선임 + 기자.
TITLES = ("선임논설위원", "선임기자", "수석기자", "전문기자", "객원기자", "인턴기자", "수습기자", "논설위원",
          "편집위원", "기자", "특파원", "통신원", "앵커")
_TITLE = "(?:" + "|".join(TITLES) + ")"
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")  # a reporter's address in a byline or closing line


def title_pattern(*extra: str) -> str:
    """A regex group matching a reporter title (``TITLES`` plus a portal's own, e.g. 편집국장), longest first."""
    return "(?:" + "|".join(sorted({*TITLES, *extra}, key=len, reverse=True)) + ")"


_TRAILING_TITLE = re.compile(rf"\s*{_TITLE}(\s*외\s*\d+명)?\s*$")
_EMAIL = re.compile(rf"\(?{EMAIL.pattern}\)?")
_NAME_WITH_TITLE = re.compile(rf"([가-힣]{{2,4}})\s*{_TITLE}")
_NAMES_EQ = rf"[가-힣]{{2,4}}(?:\s*{_TITLE})?(?:\s*[·ㆍ,]\s*[가-힣]{{2,4}}(?:\s*{_TITLE})?)*\s*{_TITLE}\s*=\s*"
KOREAN_DATELINE = re.compile(
    rf"^(?:[\[【(][^\]】)]{{1,40}}?(?:=|{_TITLE})[^\]】)]{{0,30}}[\]】)]\s*(?:{_NAMES_EQ})?"
    rf"|[\[【(][^\]】)]{{1,20}}[\]】)]\s*{_NAMES_EQ})"
)
ENGLISH_DATELINE = re.compile(
    r"^[A-Z][A-Za-z .'-]{1,40}, [A-Z][a-z]{2,4}\.? \d{1,2} \((?:Yonhap|AFP|AP|Reuters|AFP-Yonhap)\)\s*(?:--|—|–)\s*"
)


def reporter_name(byline: str) -> str:
    """``홍길동 기자 hong@x.com`` / ``박준석 기자 외 1명`` -> ``홍길동`` / ``박준석``."""
    return _TRAILING_TITLE.sub("", clean(_EMAIL.sub("", byline or ""))).strip(" ,()[]")


def names_in(text: str) -> list[str]:
    """Every ``NAME 기자`` in a byline or dateline, in order."""
    return _NAME_WITH_TITLE.findall(text)


def split_dateline(line: str) -> tuple[str, list[str]]:
    """(the line without a leading dateline, the reporter names the dateline gave); unchanged if none."""
    found = KOREAN_DATELINE.match(line)
    if found:
        return line[found.end():].strip(), names_in(found.group(0))
    found = ENGLISH_DATELINE.match(line)
    if found:
        return line[found.end():].strip(), []
    return line, []


def without_dateline(paragraphs: list[str]) -> tuple[list[str], list[str]]:
    """The paragraphs with the first one's dateline removed (dropped if nothing else), and its names."""
    if not paragraphs:
        return paragraphs, []
    first, names = split_dateline(paragraphs[0])
    return ([first] if first else []) + paragraphs[1:], names
