"""다음 뉴스: proven on a SYNTHETIC page only (no real Daum page in the corpus) — the hand-made fixture in the
v.daum.net DOM, its hand-written expected JSON, and a real-engine crawl of a loopback Daum list page."""

from __future__ import annotations

import json

import pytest

from newscrawl import keys
from newscrawl.pages import ExtractionError
from newscrawl.sites.daum import DaumArticlePage, article_link, reg_date
from tests.crawling import crawl
from tests.servers import FixtureServer, page
from tests.shared import FIXTURES, article_of, assert_article_matches, run_page

DAUM = FIXTURES / "daum"
ARTICLE = DAUM / "v_20231101060022291.html"
FIELDS = ("title", "subtitles", "published_at", "modified_at", "authors", "paragraphs", "body", "images",
          "section", "tags", "publisher", "site", "canonical_url", "original_url")


def expected(base: str) -> dict:
    text = (DAUM / "v_20231101060022291.expected.json").read_text(encoding="utf-8")
    return json.loads(text.replace("{BASE}", base))["article"]


def test_fixture_page_equals_its_expected():
    article = article_of(run_page("http://127.0.0.1:9/v/20231101060022291", ARTICLE.read_bytes(), "daum"))
    assert_article_matches(article, expected("http://127.0.0.1:9"), FIELDS)


def test_visible_date_wins_when_reg_date_disagrees():
    html = ARTICLE.read_text(encoding="utf-8").replace('content="20231101060022"', 'content="20231101093000"')
    article = DaumArticlePage("https://v.daum.net/v/20231101060022291", html).article()
    assert article.published_at == "2023. 11. 1. 06:00"


def test_publisher_from_site_name_when_author_meta_and_logo_are_missing():
    html = ARTICLE.read_text(encoding="utf-8").replace('content="뉴스1">', 'content="">').replace(
        'alt="뉴스1"', 'alt=""')
    assert DaumArticlePage("https://v.daum.net/v/20231101060022291", html).article().publisher == "뉴스1"


def test_a_list_page_is_not_an_article():
    with pytest.raises(ExtractionError):
        DaumArticlePage("https://news.daum.net/breakingnews/society",
                        (DAUM / "breakingnews_society.html").read_text(encoding="utf-8")).article()


def test_reg_date_and_link_shapes():
    assert reg_date("20240731193413") == "2024-07-31T19:34:13"
    assert reg_date("2024-07-31") is None
    assert article_link("https://news.v.daum.net/v/20231101055900123?f=o") == (
        "https://v.daum.net/v/20231101055900123")
    assert article_link("https://news.daum.net/society") is None


@pytest.fixture
def daum_portal():
    routes = {
        "/breakingnews/society": page(DAUM / "breakingnews_society.html"),
        "/v/20231101060022291": page(ARTICLE),
    }
    with FixtureServer(routes) as server:
        yield server


def test_crawl_of_a_list_page(daum_portal, tmp_path):
    result = crawl("daum", daum_portal.base_url, tmp_path / "data", args={"sections": "society,politics"})
    assert result.returncode == 0, result.log[-3000:]
    assert "/breakingnews/society" in daum_portal.requests
    assert "/v/20231101055900123" in daum_portal.requests  # news.v.daum.net link, query dropped
    assert not any("?" in path for path in daum_portal.requests if path.startswith("/v/"))
    assert len(result.articles) == 1  # the ?f=o link is the same article, fetched once
    assert_article_matches(result.articles[0], expected(daum_portal.base_url), FIELDS)
    assert result.stats[keys.article_fetch_failed()] == 1  # the unserved article is counted
    assert result.stats["newscrawl/discovery/failed"] == 1  # /breakingnews/politics is not served
