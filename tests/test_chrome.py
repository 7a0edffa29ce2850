"""The one catalogue of text-level chrome (newscrawl/chrome.py), used by the HTML pipeline and the rendered-text
segmenter alike: every rule removes its whole line, and the same words inside an article sentence survive."""

from __future__ import annotations

import random
import re

import pytest

from newscrawl.chrome import (
    _COPYRIGHT,
    _COPYRIGHT_WORDS,
    _EMAIL_LINE,
    _ROLE_MARKER,
    LEAK_MARKERS,
    _may_be_copyright,
    is_chrome_line,
    leaks,
)
from newscrawl.textpage import split_flattened

# (chrome line as portals print it, an article sentence with the same words that must survive)
RULES = [
    ("가장작게 작게 기본 크게 가장크게", "기본 요금은 작게 오르고 할증 요금은 크게 오른다."),
    ("작게보기", "사진을 작게보기 어려운 화면에서도 잘 보이도록 바꿨다."),
    ("기본크기", "기본크기 상자보다 두 배 큰 상자가 새로 나왔다."),
    ("크게보기", "지도를 크게보기 버튼 없이도 확대할 수 있게 됐다."),
    ("글자크기", "교과서 글자크기를 키우는 방안이 논의됐다."),
    ("글자크기 설정", "노인용 휴대전화는 글자크기 설정이 쉬워야 한다고 말했다."),
    ("글자크기 조절", "전자책은 글자크기 조절 기능이 있어 인기를 끌었다."),
    ("글자크기 설정 파란원을 좌우로 움직이시면 글자크기가 변경 됩니다.", "파란원을 그린 포스터가 화제가 됐다."),
    ("이 글자크기로 변경됩니다.", "제목 글꼴은 이 글자크기로 변경됩니다라는 안내와 함께 바뀌었다."),
    ("좋아요0", "주민들은 새 도서관이 좋아요라고 답했다."),
    ("화나요0", "시민들은 화나요 버튼을 누르는 대신 항의 전화를 걸었다."),
    ("슬퍼요0", "아이는 강아지가 떠나서 슬퍼요라고 적었다."),
    ("추가취재 원해요0", "독자들은 추가취재 원해요 의견을 많이 남겼다고 편집국은 밝혔다."),
    ("응원해요", "선수들에게 응원해요라는 편지가 쏟아졌다."),
    ("후속 원해요", "후속 원해요 요청이 이어지자 2편이 나왔다."),
    ("좋아요 싫어요 후속기사 원해요", "좋아요와 싫어요 중 하나만 고르라는 설문이었다."),
    ("댓글", "댓글 조작 의혹에 대한 수사가 시작됐다."),
    ("댓글 0", "그 기사에는 댓글 0개가 달렸다고 설명했다."),
    ("0 / 300", "참가자 0 / 300명이라는 숫자가 화면에 떴다는 말도 나왔다."),
    ("첫번째 댓글을 남겨주세요.", "그는 첫번째 댓글을 남겨주세요라는 안내문을 보고 웃었다."),
    ("본문 바로가기", "본문 바로가기 기능은 시각장애인에게 꼭 필요하다."),
    ("주메뉴 바로가기", "웹 접근성 지침은 주메뉴 바로가기 링크를 권한다."),
    ("광고", "광고 시장이 3년 만에 반등했다."),
    ("AD", "AD 카드 발급 절차가 바뀐다."),
    ("ADVERTISEMENT", "The ADVERTISEMENT industry grew."),
    ("광고 로드중", "광고 로드중 화면이 길어지면 이용자가 떠난다."),
    ("기사 스크랩", "기사 스크랩은 오래된 공부법이다."),
    ("공유", "공유 킥보드 주차 구역이 생긴다."),
    ("프린트", "프린트 용지 가격이 올랐다."),
    ("인쇄하기", "인쇄하기 전에 한 번 더 확인하라고 당부했다."),
    ("이메일 보내기", "이메일 보내기 전에 첨부 파일을 확인하라고 했다."),
    ("PDF", "보고서는 PDF 파일로 공개됐다."),
    ("기사 URL이 복사되었습니다.", "주소가 복사되었습니다라는 문구가 떴다."),
    ("기사 읽어주기", "기사 읽어주기 서비스가 시각장애인에게 호응을 얻었다."),
    ("음성재생 설정", "음성재생 설정 메뉴가 새로 생겼다는 설명이다."),
    ("다시듣기", "라디오 다시듣기 이용자가 늘었다."),
    ("구독", "구독 경제가 커지고 있다."),
    ("TOP", "TOP 10 목록이 공개됐다."),
    ("맨위로", "맨위로 올라가 보니 바다가 보였다."),
    ("top버튼", "top버튼을 누르면 처음으로 돌아간다고 설명했다."),
    ("홈 > 경제 > 금융", "집 안 홈 네트워크 > 보안 문제가 지적됐다는 보고서가 나왔다."),
    ("ⓒ 이데일리 - 무단전재 & 재배포 금지", "무단전재를 막기 위한 기술이 개발됐다는 소식이 전해지며 업계의 관심이 쏠렸고, 관련 법안도 국회에 제출됐다. 전문가들은 실효성을 따져봐야 한다고 지적했다. 정부는 올해 안에 시행령을 고칠 계획이다. 업계는 비용 부담을 우려했다. 시민단체는 환영했다."),
    ("<저작권자(c) 연합뉴스, 무단 전재-재배포, AI 학습 및 활용 금지>", "AI 학습에 쓰인 데이터의 저작권 문제가 불거졌다."),
    ("무단 복제 및 배포 금지", "회사는 내부 자료를 무단 배포한 직원을 징계했다."),  # the generic extractor's spelling
    ("장중 매매동향은 잠정치이므로 실제 매매동향과 차이가 있을 수 있습니다.", "장중 매매동향은 외국인이 주도했다."),
    ("네이버에서 해당 언론사로 이동합니다.", "그는 해당 언론사로 이동합니다라고 말한 뒤 회사를 옮겼다고 전했다는 것은 사실이 아니다"),
    ("자동요약", "자동요약 기술의 정확도가 높아졌다."),
    ("[이 기사는 로봇이 작성했습니다.]", "이 기사는 로봇이 작성했다는 주장은 사실이 아니다."),
    ("* 아래 텍스트는 실제 방송 내용과 차이가 있을 수 있으니 방송 영상을 확인하시기 바랍니다.",
     "아래 텍스트는 실제 방송 내용과 차이가 없다고 방송사는 밝혔다."),
    ("제보는 카카오톡 okjebo", "제보는 카카오톡으로도 받는다고 경찰은 밝혔다."),
]


@pytest.mark.parametrize(("chrome", "sentence"), RULES, ids=[r[0][:20] for r in RULES])
def test_rule_removes_its_line_and_keeps_the_sentence(chrome: str, sentence: str):
    assert is_chrome_line(chrome), chrome
    assert not is_chrome_line(sentence), sentence


def test_a_flattened_toolbar_is_cut_out_of_a_long_line_but_a_sentence_is_not():
    flat = "제목 입력 2024-07-25 10:55 가장작게 작게 기본 크게 가장크게 본문 첫 문장이다. 좋아요0 화나요0 슬퍼요0"
    assert split_flattened(flat) == ["제목", "입력 2024-07-25 10:55", "가장작게 작게 기본 크게 가장크게", "본문 첫 문장이다.",
                                     "좋아요0 화나요0 슬퍼요0"]
    prose = "요금은 작게 오르고 크게 내린 뒤 기본 요금만 남았다."  # two widget words apart: prose
    assert split_flattened(prose) == [prose]


def test_copyright_and_email_rules_run_only_where_they_can_match():
    """is_chrome_line skips _COPYRIGHT's case-insensitive search when _may_be_copyright says it cannot match, and
    _EMAIL_LINE without an "@": the same verdicts, checked over every code point and a corpus of odd lines."""
    every = "".join(map(chr, range(0x110000)))
    assert not _may_be_copyright("기사 본문 문장이다.")
    for word in _COPYRIGHT_WORDS:
        assert _may_be_copyright(f"기사 {word} 문장"), word
        for char in word:  # IGNORECASE finds each character of a guard word only as itself or its other case
            assert set(re.findall("(?i)" + re.escape(char), every)) == {char, char.swapcase()}, char
    rng = random.Random(15)
    alphabet = ["무단", "전재", "재배포", "금지", "저작권자", "(c)", "(C)", "©", "ⓒ", "ALL RIGHTS RESERVED", "all rights",
                "reserved", "AI", "학습", "및", "활용", " ", "  ", "<", ">", "-", "연합뉴스", "Copyright", "kim@yna.co.kr",
                "@", "기자", "다.", "합니다.", "ſ", "K", "ı", "İ"]
    lines = [line for pair in RULES for line in pair] + ["all rights reserved.", "매일경제 all rights reserved"]
    lines += ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 8))) for _ in range(20000)]
    for line in lines:
        if _COPYRIGHT.search(line):
            assert _may_be_copyright(line), line
        if _EMAIL_LINE.match(line):
            assert "@" in line, line
    assert sum(bool(_COPYRIGHT.search(line)) for line in lines) > 1000  # the rule matched often enough to test


def test_leaks_finds_what_a_search_per_marker_finds():
    """leaks() answers at once when no marker is in the text (one regex scan): for texts with each marker, with
    several, with none, ASCII or Korean, it gives the markers a search per marker gives, in LEAK_MARKERS' order."""
    prose = "정부가 지난 9일 북한이 실시한 5차 핵실험을 분석할 유일한 단서를 찾지 못했다."
    texts = [prose, "An English article with no marker at all.", "", "ⓒ", prose + " Copyright ⓒ 2016",
             *(f"{prose}{marker}{prose}" for marker in LEAK_MARKERS),
             *(f"{a} 그리고 {b}" for a in LEAK_MARKERS[:6] for b in LEAK_MARKERS[-6:]),
             "ASCII then " + LEAK_MARKERS[-1], "◀ 앵커 ▶ 무단 전재"]
    for text in texts:
        assert leaks(text) == [marker for marker in LEAK_MARKERS
                               if marker in (_ROLE_MARKER.sub("", text) if "◀" in text else text)], text
