"""The generic fallback: pages of outlets no site module knows, from their machine metadata and trafilatura."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from newscrawl.pages import ExtractionError
from newscrawl.sites import site_for_url
from newscrawl.sites.generic import GenericArticlePage, person_name
from tests.shared import FIXTURES, REPO, article_of, assert_article_matches, run_page

GENERIC = FIXTURES / "generic"
CASES = ["hanbit_jsonld_article", "barun_meta_article"]
NOT_AN_ARTICLE = """<html><head><meta charset="utf-8"><title>로그인 - 어느뉴스</title>
<meta property="og:title" content="로그인"></head>
<body><nav><a href="/">홈</a> <a href="/login">로그인</a></nav><form><input name="id"><button>확인</button></form>
</body></html>"""


def expected(name: str) -> dict:
    return json.loads((GENERIC / f"{name}.expected.json").read_text(encoding="utf-8"))["article"]


def scrapy_extract(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "scrapy", "extract", *args], cwd=REPO, capture_output=True,
                          text=True, timeout=60)


def test_unknown_hosts_fall_back_to_generic():
    assert site_for_url("https://www.hanbitnews.kr/news/articleView.html?idxno=48213").name == "generic"
    assert site_for_url("https://www.etoday.co.kr/news/view/2384652").name == "etoday"


@pytest.mark.parametrize("name", CASES)
def test_fixture_page_matches_its_expected(name):
    want = expected(name)
    article = article_of(run_page(want["url"], (GENERIC / f"{name}.html").read_bytes()))
    assert_article_matches(article, want, tuple(want))


def test_scrapy_extract_on_an_unknown_host():
    want = expected("barun_meta_article")
    done = scrapy_extract(str(GENERIC / "barun_meta_article.html"), "--url", want["url"])
    assert done.returncode == 0, done.stderr
    items = [json.loads(line) for line in done.stdout.splitlines()]
    assert [i["type"] for i in items] == ["article"]
    assert_article_matches(items[0], want, tuple(want))


def test_a_page_without_article_text_is_a_clear_error(tmp_path):
    with pytest.raises(ExtractionError) as raised:
        GenericArticlePage("https://news.example.kr/login", NOT_AN_ARTICLE).article()
    assert (raised.value.reason, raised.value.detail) == ("missing_fields", "body")

    page = tmp_path / "login.html"
    page.write_text(NOT_AN_ARTICLE, encoding="utf-8")
    done = scrapy_extract(str(page), "--url", "https://news.example.kr/login")
    assert done.returncode == 1
    assert done.stdout == ""
    assert f"scrapy extract: cannot extract {page}: missing_fields: body" in done.stderr


@pytest.mark.parametrize(("raw", "name"), [
    ("김하늘 기자", "김하늘"), ("박준서 기자 park@hanbitnews.kr", "박준서"), ("연합뉴스", None), ("바른뉴스", None),
    ("www.facebook.com", None), ("yonhap", None), ("https://hanbitnews.kr/reporter/7", None),
    ("Kim Ha-neul", "Kim Ha-neul"),
])
def test_author_values_become_reporter_names(raw, name):
    assert person_name(raw, publisher="바른뉴스") == name
