"""Every hand-annotated real page in ../shared/corpus/truth comes out of the full chain exactly as annotated."""

from __future__ import annotations

import json

import pytest

from newscrawl.sites import all_sites
from tests.shared import article_of, assert_article_matches, run_page, shared_path, truth_files

CASES = [pytest.param(p, id=f"{p.parent.name}/{p.stem}") for p in truth_files()]


def test_corpus_is_present():
    assert shared_path("corpus", "truth").is_dir()
    assert len(CASES) >= 20


@pytest.mark.parametrize("truth_path", CASES)
def test_real_page_matches_truth(truth_path):
    expected = json.loads(truth_path.read_text(encoding="utf-8"))
    if expected["site"] not in all_sites():
        pytest.fail(f"site {expected['site']!r} has no module in newscrawl/sites yet")
    raw = shared_path("corpus", "raw", expected["file"]).read_bytes()
    article = article_of(run_page(expected["url"], raw, expected["site"]))
    assert_article_matches(article, expected)
