"""newscrawl/text.py clean(): every Unicode space is one ASCII space, invisible characters go, NFC."""

from __future__ import annotations

import pytest

from newscrawl.text import clean


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
