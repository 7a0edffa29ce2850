"""한겨레: the two real legacy article pages, the byline/wire-credit rule, and a real-engine crawl of a loopback
hani.co.kr serving the real 2016 전체기사 list page and a feed in the shape of /rss/."""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

import pytest
from parsel import Selector

from newscrawl import keys
from newscrawl.pages import ExtractionError
from newscrawl.sites.hani import HaniLegacyArticlePage, split_byline
from tests.crawling import crawl
from tests.servers import FixtureServer, Route
from tests.shared import FIXTURES, CorpusSite, article_of, assert_article_matches, run_page, url_path

HANI = FIXTURES / "hani"
ARTICLES = ("hani_761487", "hani_761485")
LIST = "hani_list_2016"


CORPUS = CorpusSite("hani")
truth, raw, original_path = CORPUS.truth, CORPUS.raw, CORPUS.original_path


@pytest.mark.parametrize("name", ARTICLES)
def test_real_page_matches_truth(name):
    article = article_of(run_page(truth(name)["url"], raw(name), "hani"))
    assert_article_matches(article, truth(name))
    assert article["canonical_url"] == truth(name)["url"]


def test_byline_gives_the_author_and_wire_credit_is_no_author():
    article = article_of(run_page(truth("hani_761487")["url"], raw("hani_761487"), "hani"))
    assert article["authors"] == ["이충신"]
    assert not any("cslee@hani.co.kr" in p for p in article["paragraphs"])
    assert article["published_at"] == "2016-09-18T07:20:17+09:00"  # meta seconds, not the 07:20 등록 line
    wire = article_of(run_page(truth("hani_761485")["url"], raw("hani_761485"), "hani"))
    assert wire["authors"] == [] and wire["paragraphs"][-1] != "연합뉴스"


@pytest.mark.parametrize(("lines", "kept", "authors"), [
    (["본문.", "이충신 기자 cslee@hani.co.kr"], ["본문."], ["이충신"]),
    (["본문.", "도쿄/조기원 특파원 garden@hani.co.kr"], ["본문."], ["조기원"]),
    (["본문.", "연합뉴스"], ["본문."], []),
    (["그는 기자들에게 말했다."], ["그는 기자들에게 말했다."], []),
])
def test_split_byline(lines, kept, authors):
    assert split_byline(lines) == (kept, authors)


def test_the_list_page_is_not_an_article():
    with pytest.raises(ExtractionError) as error:
        HaniLegacyArticlePage("http://www.hani.co.kr/arti/list.html", raw(LIST).decode("utf-8")).article()
    assert error.value.reason == "missing_fields"


def listed_articles() -> set[str]:
    """Article paths the real list page links (read independently of the spider)."""
    hrefs = Selector(text=raw(LIST).decode("utf-8")).css("a::attr(href)").getall()
    return {urlsplit(h).path for h in hrefs if re.search(r"^(https?://www\.hani\.co\.kr)?/arti/[a-z_/]+/\d+\.html", h)}


@pytest.fixture
def hani_portal():
    routes = {
        "/rss/": Route((HANI / "rss.xml").read_bytes(), "application/rss+xml; charset=utf-8"),
        "/arti/list.html": Route(raw(LIST)),
    }
    for name in ARTICLES:
        routes[url_path(truth(name)["url"])] = Route(raw(name))
    with FixtureServer(routes) as server:
        yield server


def test_crawl_of_feed_and_real_list_page(hani_portal, tmp_path):
    result = crawl("hani", hani_portal.base_url, tmp_path / "data")
    assert result.returncode == 0, result.log[-3000:]
    assert {"/rss/", "/arti/list.html"} <= set(hani_portal.requests)
    expected_from_feed = json.loads((HANI / "rss.expected.json").read_text(encoding="utf-8"))["articles"]
    assert set(expected_from_feed) <= set(hani_portal.requests)
    assert not any("_fr=" in path for path in hani_portal.requests)

    got = {url_path(a["url"]): a for a in result.articles}
    assert set(got) == {url_path(truth(name)["url"]) for name in ARTICLES}
    for name in ARTICLES:
        assert_article_matches(got[url_path(truth(name)["url"])], truth(name))

    listed = listed_articles()
    assert len(listed) == 15  # the 2016 list page links 15 articles, none of which we have
    assert listed <= set(hani_portal.requests)
    missing = listed | {"/arti/politics/assembly/761499.html"}
    assert result.stats[keys.article_fetch_failed()] == len(missing)
