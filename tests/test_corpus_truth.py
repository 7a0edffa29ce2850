"""Every hand-annotated real page in ../shared/corpus/truth comes out of the full chain exactly as annotated."""

from __future__ import annotations

import json

import pytest

from newscrawl.sites import all_sites
from tests.shared import FIXTURES, article_of, assert_article_matches, run_page, shared_path, truth_files

CASES = [pytest.param(p, id=f"{p.parent.name}/{p.stem}") for p in truth_files()]


def test_corpus_is_present():
    assert shared_path("corpus", "truth").is_dir()
    assert len(CASES) >= 20


@pytest.mark.parametrize("truth_path", CASES)
def test_real_page_matches_truth(truth_path):
    expected = json.loads(truth_path.read_text(encoding="utf-8"))
    # Where an annotation is wrong, a correction file beside our fixtures gives the right value and the evidence.
    correction = FIXTURES / "truth_corrections" / truth_path.parent.name / truth_path.name
    if correction.exists():
        fixed = json.loads(correction.read_text(encoding="utf-8"))
        assert fixed.get("evidence"), f"{correction} must say why the annotation is wrong"
        expected.update(fixed["fields"])
    if expected["site"] not in all_sites():
        pytest.fail(f"site {expected['site']!r} has no module in newscrawl/sites yet")
    raw = shared_path("corpus", "raw", expected["file"]).read_bytes()
    article = article_of(run_page(expected["url"], raw, expected["site"]))
    assert_article_matches(article, expected)
