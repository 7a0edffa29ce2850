"""경향신문: the two real EUC-KR article pages (news. and biz. header variants), and a real-engine crawl of a
loopback khan.co.kr serving the real 2016 최신기사 list page (EUC-KR) and a feed in the shape of
/rss/rssdata/total_news.xml."""

from __future__ import annotations

import json
import re

import pytest
from parsel import Selector

from newscrawl import keys
from newscrawl.extract import decode_html
from newscrawl.pages import ExtractionError
from newscrawl.sites.khan import KhanLegacyArticlePage
from tests.crawling import crawl
from tests.servers import FixtureServer, Route
from tests.shared import FIXTURES, CorpusSite, article_of, assert_article_matches, run_page, url_path

KHAN = FIXTURES / "khan"
NEWS, BIZ = "khan_news_201609262218015_euckr", "khan_biz_201609260957011_euckr"
LIST = "khan_list_2016_euckr"
EUC_KR = "text/html; charset=euc-kr"


CORPUS = CorpusSite("khan")
truth, raw, original_path = CORPUS.truth, CORPUS.raw, CORPUS.original_path


@pytest.mark.parametrize("name", [NEWS, BIZ])
def test_real_page_matches_truth(name):
    assert_article_matches(article_of(run_page(truth(name)["url"], raw(name), "khan")), truth(name))


def test_news_page_deck_dates_and_chrome():
    article = article_of(run_page(truth(NEWS)["url"], raw(NEWS), "khan"))
    assert article["subtitles"] == ["미 대선 첫 토론 이모저모", "일부 규칙 동전 던지기로 결정…호프스트라대 ‘중립의 상징’"]
    assert article["modified_at"] == "2016-09-26T22:20:08+09:00"  # the visible 수정 line, seconds kept
    assert article["images"][0]["caption"] is None  # the img alt only repeats the headline
    assert not any("경향닷컴" in p for p in article["paragraphs"])


def test_biz_header_variant():
    article = article_of(run_page(truth(BIZ)["url"], raw(BIZ), "khan"))
    assert article["authors"] == ["이윤주"] and article["section"] == "마켓·비즈"
    assert article["modified_at"] is None


def test_the_list_page_is_not_an_article():
    html, _ = decode_html(raw(LIST))
    with pytest.raises(ExtractionError) as error:
        KhanLegacyArticlePage("http://news.khan.co.kr/kh_recent/", html).article()
    assert error.value.reason == "missing_fields"


def listed_articles() -> set[str]:
    """Article paths (with their query) the real list page links, read independently of the spider."""
    html, _ = decode_html(raw(LIST))
    hrefs = Selector(text=html).css("a::attr(href)").getall()
    return {url_path(h) for h in hrefs if re.search(r"khan_art_view\.html\?artid=\d+", h)}


@pytest.fixture
def khan_portal():
    routes = {
        "/rss/rssdata/total_news.xml": Route((KHAN / "total_news.xml").read_bytes(),
                                             "application/rss+xml; charset=utf-8"),
        "/kh_recent/": Route(raw(LIST), EUC_KR),
    }
    for name in (NEWS, BIZ):
        routes[url_path(truth(name)["url"])] = Route(raw(name), EUC_KR)
    with FixtureServer(routes) as server:
        yield server


def test_crawl_of_feed_and_real_list_page(khan_portal, tmp_path):
    result = crawl("khan", khan_portal.base_url, tmp_path / "data")
    assert result.returncode == 0, result.log[-3000:]
    assert {"/rss/rssdata/total_news.xml", "/kh_recent/"} <= set(khan_portal.requests)
    from_feed = json.loads((KHAN / "total_news.expected.json").read_text(encoding="utf-8"))["articles"]
    assert set(from_feed) <= set(khan_portal.requests)

    got = {url_path(a["url"]): a for a in result.articles}
    assert set(got) == {url_path(truth(name)["url"]) for name in (NEWS, BIZ)}
    for name in (NEWS, BIZ):
        assert_article_matches(got[url_path(truth(name)["url"])], truth(name))

    listed = listed_articles()
    assert len(listed) >= 20
    assert listed <= set(khan_portal.requests)
    missing = (listed | set(from_feed)) - set(got)
    assert result.stats[keys.article_fetch_failed()] == len(missing)
