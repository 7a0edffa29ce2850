"""동아일보: the legacy layout's deck, byline and keyword handling, and a real-engine crawl of a loopback
news.donga.com serving the real list page and articles, with a hand-written 전체기사 RSS fixture."""

from __future__ import annotations

import re

import pytest

from newscrawl import keys
from newscrawl.pages import ExtractionError
from newscrawl.sites.donga import DongaLegacyPage, is_byline
from tests.crawling import crawl
from tests.servers import FixtureServer, Route, page
from tests.shared import FIXTURES, CorpusSite, assert_article_matches, run_page

DONGA = FIXTURES / "donga"
ARTICLES = ("donga_20160918_80317115", "donga_20160918_80317118")
LIST_PAGE = "donga_list_2016"


CORPUS = CorpusSite("donga")
truth, raw, original_path = CORPUS.truth, CORPUS.raw, CORPUS.original_path


def test_byline_lines():
    assert is_byline("김윤종 기자 zozo@donga.com")
    assert is_byline("경주=이권효 boriam@donga.com /최지연·박성민 기자")
    assert not is_byline("○ 폭우에 따른 2차 피해 우려")
    assert not is_byline("기상청 관계자는 “경주는 지진의 진원지라서 다른 곳보다 지반이 약해져 있을 가능성이 크다."
                         " 금이 간 집이나 담 등 위험한 장소를 피해야 한다”고 말했다.")


def test_deck_byline_and_keywords_stay_out_of_the_body():
    article = run_page(truth(ARTICLES[1])["url"], raw(ARTICLES[1]), "donga")[0]
    assert article["subtitles"] == ["총 수령액서 납부 총액 뺀 값… 1975년생 5654만원으로 정점"]
    assert not any("zozo@donga.com" in p or "국민연금 | x세대" in p for p in article["paragraphs"])
    assert article["paragraphs"][0].startswith("국민연금으로 가장 많은 혜택을")
    assert article["tags"] == ["국민연금", "x세대", "소득재분배"]


def test_list_page_is_not_an_article():
    with pytest.raises(ExtractionError) as error:
        DongaLegacyPage("http://news.donga.com/List", raw(LIST_PAGE).decode("utf-8")).extract()
    assert error.value.reason == "missing_fields"


def listed_article_ids(body: bytes) -> set[str]:
    return set(re.findall(rb"news\.donga\.com/\w+/3/all/\d{8}/(\d+)/\d", body))


@pytest.fixture
def donga_portal():
    routes = {
        "/total.xml": page(DONGA / "total_rss.xml", "application/rss+xml; charset=utf-8"),
        "/List": Route(raw(LIST_PAGE)),
    }
    for stem in ARTICLES:
        routes[original_path(stem)] = Route(raw(stem))
    with FixtureServer(routes) as server:
        yield server


def test_crawl_reads_list_and_rss_and_counts_the_missing(donga_portal, tmp_path):
    result = crawl("donga", donga_portal.base_url, tmp_path / "data")
    assert result.returncode == 0, result.log[-3000:]
    assert {"/total.xml", "/List", "/news/List"} <= set(donga_portal.requests)

    got = {a["url"].removeprefix(donga_portal.base_url): a for a in result.articles}
    assert set(got) == {original_path(stem) for stem in ARTICLES}
    for stem in ARTICLES:
        assert_article_matches(got[original_path(stem)], truth(stem))

    # The same story through another list route (BestClick) is fetched once.
    assert not [p for p in donga_portal.requests if "/BestClick/3/all/20160918/80317115/" in p]
    # The real list page links 85 articles this server does not have, the RSS one more: each is counted.
    missing = listed_article_ids(raw(LIST_PAGE))
    assert len(missing) == 85 and not missing & {b"80317115", b"80317118"}
    stats = result.stats
    assert stats[keys.article_fetch_failed()] == len(missing) + 1
    assert stats["newscrawl/discovery/duplicate_article"] >= 1
    assert stats["newscrawl/discovery/failed"] == 1  # today's /news/List is not on this server
    assert stats.get(keys.parse_error("missing_fields"), 0) == 0
