"""Registry-wide: every layout version of every declared site has a page (fixture or real corpus page) and a
hand-written expected file; the page is read by that layout and comes out as expected; an expected file that
changed without a version bump fails here (see tests/layouts.py)."""

from __future__ import annotations

import json
import random
import string
from urllib.parse import urljoin

import pytest

from newscrawl.extract import decode_html
from newscrawl.pages import _PLAIN_ABSOLUTE, ArticlePage
from newscrawl.sites import all_sites, get_site
from tests.layouts import BASE, LayoutCase, cases, resolve, sha256
from tests.shared import FIXTURES, article_of, assert_article_matches, run_page

CASES = [pytest.param(case, id=f"{case.layout}/{case.version}:{case.page}") for case in cases()]


def declared_layouts() -> set[tuple[str, int]]:
    return {(layout.layout(), layout.version) for site in all_sites().values()
            for layout in (*site.layouts, *site.text_layouts)}


def test_every_layout_version_has_a_page_with_an_expected_file():
    proven = {(case.layout, case.version) for case in cases()}
    missing = sorted(declared_layouts() - proven)
    assert not missing, f"layouts without a registered page and expected file (tests/fixtures/layouts.json): {missing}"
    assert not proven - declared_layouts(), "registry rows for layouts or versions that no site declares"


def expected_article(case: LayoutCase) -> dict:
    path = resolve(case.expected)
    data = json.loads(path.read_text(encoding="utf-8").replace("{BASE}", BASE))
    data = data.get("article", data)
    correction = FIXTURES / "truth_corrections" / path.parent.name / path.name
    if case.expected.startswith("shared:corpus/truth/") and correction.exists():
        data.update(json.loads(correction.read_text(encoding="utf-8"))["fields"])
    return data


@pytest.mark.parametrize("case", CASES)
def test_expected_file_changes_only_with_a_version_bump(case: LayoutCase):
    hashes = list(case.hashes.values())
    assert len(set(hashes)) == len(hashes), "two versions share one expected file: a bump without a change"
    assert sorted(int(v) for v in case.hashes) == list(range(1, case.version + 1))
    assert sha256(resolve(case.expected)) == case.hashes[str(case.version)], (
        f"{case.expected} changed: bump {case.layout}.version and add the new hash as version "
        f"{case.version + 1} in tests/fixtures/layouts.json")


@pytest.mark.parametrize("case", CASES)
def test_page_is_read_by_its_layout_as_expected(case: LayoutCase):
    url = case.url.replace("{BASE}", BASE)
    raw = resolve(case.page).read_bytes()
    site = get_site(case.site)
    page = site.text_page(url, raw.decode("utf-8")) if case.rendered_text else site.page(url, decode_html(raw)[0])
    assert page.extracted_by == f"{case.layout}/{case.version}"
    article = article_of(run_page(url, raw, case.site, rendered_text=case.rendered_text))
    assert_article_matches(article, expected_article(case))


def test_embedded_data_is_read_once_per_page():
    """choose_layout asks matches(), then builds the page object: the embedded JSON is parsed once, not twice."""
    from newscrawl.pages import EmbeddedDataPage, choose_layout

    calls = []

    class Counted(EmbeddedDataPage):
        site, publisher = "test", "test"

        @classmethod
        def embedded_data(cls, html: str) -> dict | None:
            calls.append(html)
            return {"canonical_url": "/a"} if "data" in html else None

    page = choose_layout([Counted], "https://example.com/x", "<html>data</html>")
    assert page.data == {"canonical_url": "/a"} and len(calls) == 1
    assert Counted("https://example.com/y", "<html>data</html>").data and len(calls) == 2  # no stale handoff


def test_absolute_gives_what_urljoin_gives():
    """ArticlePage.absolute returns a plain absolute URL as it is (without urljoin): for random URLs made of the
    characters that matter to urlsplit, against page URLs of several schemes, it answers as urljoin does."""
    rng = random.Random(15)
    alphabet = string.ascii_letters + string.digits + "._~%!$&'()*+,=:@/-?#;[] \t\\가"
    bases = ("http://news.chosun.com/site/x.html", "https://www.chosun.com/a/b/", "http://h", "ftp://x/y")
    plain = 0
    for _ in range(20_000):
        url = rng.choice(("http://", "https://", "HTTP://", "http:/", "//", "/", "")) + \
            "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        for base in bases:
            page = ArticlePage(base, "")
            try:
                expected = urljoin(base, url.strip()) if url.strip() else None
            except ValueError:  # urljoin refuses it ([ in the host): not a plain URL either
                assert not _PLAIN_ABSOLUTE.fullmatch(url.strip())
                continue
            assert page.absolute(url) == expected, (base, url)
        plain += bool(_PLAIN_ABSOLUTE.fullmatch(url.strip()))
    assert plain > 1000  # the shortcut was taken often
