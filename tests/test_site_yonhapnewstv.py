"""연합뉴스TV: the real video article page (the 9-hour dd:published_time trap, hashtags as tags, closing promo
lines) and a real-engine crawl of a loopback yonhapnewstv.co.kr serving a feed in the shape of /browse/feed/."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest

from newscrawl import keys
from newscrawl.pages import ExtractionError
from newscrawl.sites.yonhapnewstv import YonhapnewstvArticlePage, split_closing
from tests.crawling import crawl
from tests.servers import FixtureServer, Route
from tests.shared import FIXTURES, CorpusSite, article_of, assert_article_matches, run_page

YTN = FIXTURES / "yonhapnewstv"
ARTICLE = "yonhapnewstv_MYH20230418010100641"


CORPUS = CorpusSite("yonhapnewstv")


def truth() -> dict:
    return CORPUS.truth(ARTICLE)


def raw() -> bytes:
    return CORPUS.raw(ARTICLE)


def extracted() -> dict:
    return article_of(run_page(truth()["url"], raw(), "yonhapnewstv"))


def test_real_page_matches_truth():
    assert_article_matches(extracted(), truth())


def test_published_time_is_the_utc_meta_not_the_mislabelled_dd_value():
    html = raw().decode("utf-8")
    assert 'content="2023-04-18T06:04:06+09:00"' in html  # the trap is on the page
    assert extracted()["published_at"] == "2023-04-18T15:04:06+09:00"  # = the visible 송고시간


def test_closing_lines_are_tags_or_chrome():
    article = extracted()
    assert article["tags"][:2] == ["고물가", "짠테크"]
    assert not any(p.startswith("#") or "jebo23" in p or p == "(끝)" for p in article["paragraphs"])
    assert not any("video 태그" in p for p in article["paragraphs"])
    assert article["images"] == []  # the video poster is not a photo


@pytest.mark.parametrize(("lines", "kept", "tags"), [
    (["본문.", "#가 #나", "연합뉴스TV 기사문의 및 제보 : 카톡/라인 jebo23", "(끝)"], ["본문."], ["가", "나"]),
    (["본문.", "#1위 팀이 이겼다"], ["본문.", "#1위 팀이 이겼다"], []),
])
def test_split_closing(lines, kept, tags):
    assert split_closing(lines) == (kept, tags)


def test_a_page_without_the_article_body_is_an_extraction_error():
    with pytest.raises(ExtractionError):
        YonhapnewstvArticlePage("http://www.yonhapnewstv.co.kr/", "<html><body><h1>연합뉴스TV</h1></body></html>").article()


@pytest.fixture
def ytn_portal():
    routes = {
        "/browse/feed/": Route((YTN / "feed.xml").read_bytes(), "application/rss+xml; charset=utf-8"),
        urlsplit(truth()["url"]).path: Route(raw()),
    }
    with FixtureServer(routes) as server:
        yield server


def test_crawl_of_feed(ytn_portal, tmp_path):
    result = crawl("yonhapnewstv", ytn_portal.base_url, tmp_path / "data")
    assert result.returncode == 0, result.log[-3000:]
    expected = json.loads((YTN / "feed.expected.json").read_text(encoding="utf-8"))["articles"]
    assert set(expected) <= set(ytn_portal.requests)
    assert [urlsplit(a["url"]).path for a in result.articles] == [urlsplit(truth()["url"]).path]
    assert_article_matches(result.articles[0], truth())
    assert result.stats[keys.article_fetch_failed()] == 1
