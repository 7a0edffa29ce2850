"""newscrawl/text.py clean(): every Unicode space is one ASCII space, invisible characters go, NFC; fragment_lines."""

from __future__ import annotations

import random

import pytest
from lxml import html

from newscrawl import text
from newscrawl.text import _PLAIN_TEXT, clean, fragment_lines, render_lines


@pytest.mark.parametrize(("raw", "expected"), [
    ("\u3000 기사\u00a0본문\u2009끝 \n", "기사 본문 끝"),  # ideographic, no-break and thin spaces
    ("a\u200bb\u00adc\ufeff", "abc"),  # zero-width space, soft hyphen, BOM
    ("\u1100\u1161 e\u0301", "가 é"),  # conjoining jamo and a combining accent composed (NFC)
    ("x\u2028y\u2029z\x1cw", "x y z w"),  # line/paragraph separators and the ASCII separators str.isspace() knows
    ("a \u200b b", "a b"),  # an invisible character between spaces leaves one space
    ("", ""), (None, ""), (" \t\u3000", ""),
])
def test_clean(raw, expected):
    assert clean(raw) == expected
    assert clean(raw) == expected  # again, from the cache of recent lines
    assert clean(expected) == expected


def test_clean_caches_only_short_lines_and_stays_bounded():
    text.clean("x" * (text._CLEANED_LENGTH + 1) + " \u3000")
    assert "x" * (text._CLEANED_LENGTH + 1) + " \u3000" not in text._CLEANED
    for number in range(text._CLEANED_SIZE * 2):
        assert clean(f" 줄\u00a0{number} ") == f"줄 {number}"
    assert len(text._CLEANED) <= text._CLEANED_SIZE + 1


def _parsed_lines(markup: str) -> list[str]:
    """fragment_lines without its plain-text shortcut: what the HTML parser reads."""
    if not markup or not markup.strip():
        return []
    return render_lines(html.fragment_fromstring(markup, create_parent="div"))


def test_fragment_lines_plain_text_reads_as_the_parser_does():
    """The plain-text shortcut of fragment_lines (no parse) gives the parser's lines, for every mix of the characters
    it must leave to the parser (tags, entities, controls, surrogates, non-characters) and those it keeps."""
    alphabet = ["가", "나", " ", "\t", "\n", "\r", "\u3000", "\u00a0", "\u200b", "\ufeff", "\x7f", "\x85", "\x0c",
                "\x1c", "\x01", "\ud800", "\ufffe", "\U0001f600", "a", ".", "'", '"', "=", ";", "#", "/", ">", "<",
                "&", "<br>", "<p>", "</p>", "&amp;", "&#12;", "<b>", "<!--", "-->", "<title>", "<html>", "]]>"]
    rng = random.Random(15)
    samples = ["", " ", "기사 본문", "  앞뒤 공백  ", "a &amp; b", "줄<br>바꿈", "<p>하나</p><p>둘</p>"]
    samples += ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 10))) for _ in range(5000)]
    plain = 0
    for markup in samples:
        expected = _outcome(_parsed_lines, markup)
        assert _outcome(fragment_lines, markup) == expected, repr(markup)
        plain += bool(_PLAIN_TEXT.fullmatch(markup))
    assert plain > 500  # the shortcut was taken often enough to be tested


def _outcome(function, markup: str):
    try:
        return function(markup)
    except Exception as error:  # the same failure is the same outcome
        return type(error).__name__
