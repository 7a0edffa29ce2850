"""Global, exact-line chrome rules: lines that are UI, never article text, on any Korean portal.

Per-site chrome is removed by DOM position in each site module; these rules catch what survives.
A rule matches a whole line, so the same words inside a sentence are left alone.
"""

from __future__ import annotations

import re

from newscrawl.text import clean

# Whole lines that are widgets (font size, reactions, share/print, section headings of link lists), in the
# wordings real pages show: etoday's 가장작게..가장크게 and its mobile 작게보기/기본크기/크게보기, Daum's 글자크기 설정
# slider, Hankook Ilbo's 기사 URL이 복사되었습니다., Hani's 기사 공유 및 설정 / 맨위로, wowtv's 뉴스 듣기.
CHROME_LINES = frozenset({
    # font size
    "가장작게", "작게", "기본", "크게", "가장크게", "글자크기", "글자 크기", "글씨크기", "본문 글자 크기", "작게보기",
    "기본크기", "크게보기", "글자크기 설정", "글자 크기 설정", "글자크기 조절", "글자 크기 조절", "글자크기 변경",
    "이 글자크기로 변경됩니다.", "글자크기 설정 파란원을 좌우로 움직이시면 글자크기가 변경 됩니다.",
    # reactions
    "좋아요", "싫어요", "화나요", "슬퍼요", "추가취재 원해요", "후속기사 원해요", "후속 원해요", "훈훈해요", "추천해요",
    "놀랐어요", "응원해요", "추천", "반대", "좋아요 싫어요 후속기사 원해요",
    # share, print, scrap, subscribe
    "공유", "공유하기", "기사 공유", "기사공유", "댓글보기", "폰트", "메일", "기사 공유 및 설정", "인쇄", "인쇄하기", "프린트", "스크랩", "기사 스크랩", "기사스크랩", "클린뷰",
    "구독", "구독하기", "URL 복사", "링크 복사", "링크복사", "URL복사", "주소 복사", "이메일 보내기", "메일 보내기", "PDF",
    "기사 URL이 복사되었습니다.", "URL이 복사되었습니다.", "카카오톡", "카카오톡 공유", "페이스북", "트위터", "X", "밴드",
    "주요 기사", "한국어", "영어", "일본어", "중국어(간체)", "중국어(번체)", "베트남어",  # wowtv's language picker
    # Naver's header: reporter subscription counters, read-aloud settings, font-size steps
    "구독자", "응원수", "카카오", "URL", "성별", "말하기 속도", "글자 크기 변경하기", "SNS 보내기", "구독 구독중", "TALK new",
    "로그인", "언어변경", "ENG", "JPN", "CHN", "회원용", "무료 회원 가입",
    "닫기", "번역", "번역-", "번역 설정", "본문 요약봇", "요약봇", "목록", "핀(구독)!", "기사원문", "G언어 선택",
    # read-aloud
    "기사 듣기", "기사듣기", "글씨 크기", "글꼴 크기", "뉴스 듣기", "뉴스 듣기-", "뉴스듣기", "음성으로 듣기", "기사 읽어주기", "음성재생 설정", "음성 재생 설정", "다시듣기",
    "지금 보시는 뉴스를 읽어드립니다.",
    "이동 통신망을 이용하여 음성을 재생하면 별도의 데이터 통화료가 부과될 수 있습니다.",
    # comments
    "댓글", "댓글쓰기", "댓글 쓰기", "첫번째 댓글을 남겨주세요.", "첫 번째 댓글을 남겨주세요.", "댓글을 입력해주세요",
    # skip links, navigation
    "본문 바로가기", "본문바로가기", "주메뉴 바로가기", "메뉴 바로가기", "TOP", "Top", "맨위로", "맨 위로", "top버튼",
    "위로가기", "전체메뉴", "Go to Contents Go to Navigation", "Go to Contents",
    # chosun and khan 2016 share toolbars
    "이메일로 기사공유", "글자 작게", "글자 크게", "더보기", "공유 더보기", "구글플러스", "카카오스토리", "네이버블로그",
    "구글", "이메일", "페이스북 공유하기", "트위터 공유하기",
    # link-list headings and ads
    "주요 뉴스", "주요뉴스", "많이 본 뉴스", "많이본 뉴스", "많이 본 기사", "관련기사", "관련 기사", "관련뉴스", "관련 뉴스",
    "이 시각 주요뉴스", "오늘의 상승종목", "오늘의 하락종목", "실시간 암호화폐 시세", "광고", "AD", "ADVERTISEMENT",
    "광고 로드중", "Advertisement", "전체기사 본문배너",
    "24시간 변동률 기준", "* 24시간 변동률 기준",  # the footnote of etoday's crypto quote widget
    "기자의 다른기사 더보기", "(끝)", "<끝>", "[끝]", "(END)", "|",
})
# A line made only of widget words (a flattened toolbar: "가장작게 작게 기본 크게 가장크게", "좋아요0 화나요0").
_WIDGET_WORDS = sorted(
    ("가장작게", "가장크게", "작게보기", "크게보기", "기본크기", "글자 작게", "글자 크게", "작게",
     "카카오스토리 공유하기", "밴드 공유하기", "네이버블로그 공유하기", "구글플러스 공유하기", "이메일로 공유하기",
     "페이스북 공유하기", "트위터 공유하기", "공유하기", "링크 복사하기", "이메일에 공유하기", "카카오톡에 공유하기",
     "페이스북에 공유하기", "트위터에 공유하기", "쏠쏠정보", "흥미진진", "공감백배", "분석탁월", "후속강추", "기본", "크게", "글자크기", "좋아요", "싫어요", "화나요",
     "슬퍼요", "추가취재 원해요", "후속기사 원해요", "후속 원해요", "훈훈해요", "추천해요", "응원해요", "놀랐어요", "공유", "인쇄",
     "프린트", "메일", "스크랩", "기사 스크랩", "구독", "댓글", "PDF", "이메일 보내기", "기사 읽어주기", "음성재생 설정", "다시듣기"),
    key=len, reverse=True)
_WIDGET = "(?:" + "|".join(re.escape(w) for w in _WIDGET_WORDS) + r")\s*\d*"
WIDGET_RUN = re.compile(rf"^(?:{_WIDGET}[\s|·/]*){{2,}}$")
# Three or more widget words in a row: a toolbar flattened into a longer line (never prose).
WIDGET_RUN_INSIDE = re.compile(rf"(?:(?<=\s)|^)(?:{_WIDGET}\s+){{2,}}{_WIDGET}(?=\s|$)")
_REACTION = re.compile(r"^(좋아요|싫어요|화나요|슬퍼요|추가취재 원해요|후속기사 원해요|후속 원해요|훈훈해요|추천해요|응원해요)"
                       r"\s*\d*$")
_COUNTS = re.compile(r"^(댓글|공유|추천|좋아요|스크랩|100자평|페이스북|트위터)\s*\d+(개)?$|^\d+(\s+\d+)*$|^\d{1,2}면$|^\d+\s*/\s*\d+$|^페이스북 노출\s*\d+$")
_COPYRIGHT = re.compile(
    r"(무단\s*(전재|복제|배포)|재배포\s*금지|^\W{0,2}(ⓒ|©|\(c\)|copyright)|all rights reserved|저작권자\s*[(ⓒ©]|AI\s*학습.{0,12}금지)",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"(다|요)[.!?]?[\"'”’)]*$")
_NOTICE_END = re.compile(r"(금지|금)합니다\.?[>\])]*$")
_EMAIL_LINE = re.compile(r"^[\w가-힣 ().·=/\[\]-]{0,40}[\w.+-]+@[\w-]+(\.[\w-]+)+\)?\s*(\(END\))?$")
_PROMO = re.compile(r"^(▶|☞|\[관련기사\]|<관련기사>|※\s*관련기사)")
_MARKET_CLOSE = re.compile(r"^\d{1,2}\.\d{1,2}\s*장(종료|마감|중)$")
# Site boilerplate sentences that start a whole line: market disclaimers, robot-written and transcript notices,
# portal notices (Naver/Daum: "… 해당 언론사로 이동합니다.", 자동요약).
_BOILERPLATE = re.compile(
    r"^(\*\s*)?(장중 매매동향은 잠정치이므로|\[이 기사는 .{0,80}작성했습니다\.?\]$|아래 텍스트는 실제 방송 내용과 차이가 있을 수 있"
    r"|.{0,60}해당 언론사로 이동합니다\.?$|자동요약$|요약봇$|AI 요약$|본문 요약봇도움말 |AI 요약은 .{0,30}기술을 활용해|이 기사는 언론사에서 .{0,20}섹션으로 분류했습니다"
    r"|기사 제목과 주요 문장을 기반으로 자동요약한 결과입니다|전체 맥락을 이해하기 위해서는 본문 보기를 권장합니다"
    r"|제보는 카카오톡 okjebo$|.{0,12}기사\s*문의\s*및\s*제보\s*[:：])"
)
# Section breadcrumbs: "홈 > 경제 > 금융", "뉴스 > 정치".
_FONT_STEP = re.compile(r"^가\d단계 \S{1,4}$")  # Naver: 가1단계 작게 … 가5단계 최대크게
_BREADCRUMB = re.compile(r"^(홈|HOME|Home|뉴스)\s*[>›»]\s*\S.{0,40}$")
CAPTION_MARKERS = "▲△▶◀■□●○◆◇※ "
SUBTITLE_BULLETS = re.compile(r"^[ㆍ·•▲△●■□◆◇▶\-–—]\s*")


# The whole-line rules above as one pattern: one regex call per line instead of eight (each alternative keeps its
# own anchors; none uses a backreference, so renumbered groups change nothing). _EMAIL_LINE backtracks through
# every prose line (~1.6 µs each) and needs an "@": it runs only on lines that have one.
_WHOLE_LINE_RULES = re.compile("|".join(f"(?:{rule.pattern})" for rule in (
    _REACTION, _COUNTS, WIDGET_RUN, _BOILERPLATE, _BREADCRUMB, _FONT_STEP, _MARKET_CLOSE, _PROMO)))
# What a _COPYRIGHT match needs besides its start-anchored branch: a Korean word of it, or an "l" of
# "all rights reserved" (IGNORECASE matches "l" only as l or L; tests/test_chrome.py checks every code point).
_COPYRIGHT_WORDS = ("무단", "재배포", "저작권자", "학습", "l", "L")
_COPYRIGHT_START = re.compile(r"^\W{0,2}(ⓒ|©|\(c\)|copyright)", re.IGNORECASE)


def is_chrome_line(line: str) -> bool:
    """True when a whole rendered line is UI chrome or boilerplate rather than article text."""
    text = clean(line).strip("•·|").strip()  # "기사공유 |": a toolbar item with its separator
    if not text:
        return True
    return bool(text in CHROME_LINES or _WHOLE_LINE_RULES.match(text) or ("@" in text and _EMAIL_LINE.match(text))
                or _is_copyright(text))


def is_copyright_line(line: str) -> bool:
    """A copyright or AI-use notice (``<저작권자(c) 연합뉴스, 무단 전재-재배포, AI 학습 및 활용 금지>``)."""
    return _is_copyright(clean(line))


def _may_be_copyright(text: str) -> bool:
    """False when _COPYRIGHT cannot match (a ~0.3 µs test instead of its ~2 µs case-insensitive search)."""
    return ("무단" in text or "재배포" in text or "저작권자" in text or "학습" in text or "l" in text or "L" in text
            or _COPYRIGHT_START.match(text) is not None)  # _COPYRIGHT_WORDS spelled out: half the cost of any()


def _is_copyright(text: str) -> bool:
    if len(text) > 160 or not _may_be_copyright(text) or not _COPYRIGHT.search(text):
        return False
    # A sentence that merely mentions 무단전재 is text; a notice ends in 금지 / 금합니다 / reserved, not in 다.
    return not (_SENTENCE_END.search(text) and not _NOTICE_END.search(text))


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


# Any leak marker: one scan of a Korean article (~2.3x faster than a search per marker; an ASCII text is answered
# at once by each search, every marker having a non-ASCII character).
_ANY_LEAK = re.compile("|".join(re.escape(marker) for marker in LEAK_MARKERS))


def leaks(text: str) -> list[str]:
    if "◀" in text:  # a one-character search instead of the regex's scan of every article
        text = _ROLE_MARKER.sub("", text)
    if not text.isascii() and not _ANY_LEAK.search(text):
        return []
    return [marker for marker in LEAK_MARKERS if marker in text]
