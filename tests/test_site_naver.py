"""네이버 뉴스: the two real article pages (original publisher, 기사원문 link, dates with seconds), the URL shapes,
and a real-engine crawl of a loopback Naver serving the real section list pages (new and legacy layout)."""

from __future__ import annotations

import pytest

from newscrawl import keys
from newscrawl.extractors.bylines import split_dateline
from newscrawl.pages import ExtractionError
from newscrawl.sites.naver import NaverArticlePage, article_ids, article_link
from tests.crawling import crawl
from tests.servers import FixtureServer, Route
from tests.shared import FIXTURES, CorpusSite, article_of, assert_article_matches, run_page

NAVER = FIXTURES / "naver"
HERALD = "naver_n_016_0002194334"
EDAILY = "naver_mnews_018_0005316196"
LEGACY_LIST = "/main/main.naver?mode=LSD&mid=shm&sid1=100"
ORIGINAL_URLS = {  # the 기사원문 links of the two pages
    HERALD: "http://news.heraldcorp.com/view.php?ud=20230907000489",
    EDAILY: "http://www.edaily.co.kr/news/newspath.asp?newsid=02952006632460120",
}


CORPUS = CorpusSite("naver")
truth, raw, original_path = CORPUS.truth, CORPUS.raw, CORPUS.original_path


def extracted(name: str) -> dict:
    return article_of(run_page(truth(name)["url"], raw(name), "naver"))


def test_herald_page_names_its_original_publisher_and_url():
    article = extracted(HERALD)
    assert_article_matches(article, truth(HERALD))
    assert article["site"] == "naver"
    assert article["publisher"] == "헤럴드경제"
    assert article["original_url"] == ORIGINAL_URLS[HERALD]
    # The article is Herald's: its URL is canonical, Naver's is recorded beside it.
    assert article["canonical_url"] == ORIGINAL_URLS[HERALD] and article["syndicated"]
    assert article["other_urls"] == ["https://n.news.naver.com/mnews/article/016/0002194334"]
    assert article["modified_at"] == "2023-09-07T13:03:01+09:00"  # data-modify-date-time, seconds kept


def test_edaily_mnews_page_keeps_deck_and_table_caption():
    article = extracted(EDAILY)
    assert_article_matches(article, truth(EDAILY))
    assert article["publisher"] == "이데일리"
    assert article["original_url"] == ORIGINAL_URLS[EDAILY]
    assert article["section"] == "사회"  # the article's own label, not the 정치 tab of ?sid=100
    assert not any(p.startswith("[이데일리") for p in article["paragraphs"])
    assert all(image["caption"] not in article["paragraphs"] for image in article["images"])


def test_publisher_falls_back_to_the_oid_table_without_logo_or_meta():
    html = raw(EDAILY).decode("utf-8").replace('alt="이데일리"', 'alt=""').replace(
        'content="이데일리 | 네이버"', 'content=""').replace('content="이데일리"', 'content=""')
    page = NaverArticlePage("https://n.news.naver.com/mnews/article/018/0005316196", html)
    assert page.article().publisher == "이데일리"


def test_a_page_without_the_article_body_is_an_extraction_error():
    with pytest.raises(ExtractionError) as error:
        NaverArticlePage("https://n.news.naver.com/main/home.naver", raw("naver_news_home").decode()).article()
    assert error.value.reason == "missing_fields"


@pytest.mark.parametrize(("first", "rest", "names"), [
    ("[헤럴드경제=한지숙 기자] 경찰이 나섰다.", "경찰이 나섰다.", ["한지숙"]),
    ("[이데일리 조민정 기자] 국민의힘 비상대책위원회", "국민의힘 비상대책위원회", ["조민정"]),
    ("(서울=연합뉴스) 홍길동 기자 = 정부가 밝혔다.", "정부가 밝혔다.", ["홍길동"]),
    ("[속보] 정부가 밝혔다.", "[속보] 정부가 밝혔다.", []),
])
def test_dateline(first, rest, names):
    assert split_dateline(first) == (rest, names)


def test_article_urls_of_every_shape():
    assert article_ids("https://n.news.naver.com/mnews/ranking/article/437/0000326787?ntype=RANKING") == (
        "437", "0000326787")
    assert article_link("https://n.news.naver.com/mnews/hotissue/article/031/0001031927?type=series") == (
        "https://n.news.naver.com/mnews/article/031/0001031927")
    assert article_link("https://news.naver.com/main/read.naver?mode=LSD&oid=016&aid=0002194334") == (
        "https://n.news.naver.com/mnews/article/016/0002194334")
    assert article_link("https://n.news.naver.com/article/016/0002194334") == (
        "https://n.news.naver.com/article/016/0002194334")
    assert article_link("https://n.news.naver.com/mnews/article/comment/022/0004131683") is None
    assert article_link("/cluster/c_1/section/100?oid=056&aid=0012190764") is None


@pytest.fixture
def naver_portal():
    routes = {
        "/section/100": Route(raw("naver_section_100")),
        LEGACY_LIST: Route(raw("naver_main_sid1_100_legacy")),  # UTF-8 bytes under an euc-kr meta
        "/section/102": Route((NAVER / "section_102.html").read_bytes()),
        "/article/016/0002194334": Route(raw(HERALD)),
        "/mnews/article/018/0005316196": Route(raw(EDAILY)),
    }
    with FixtureServer(routes) as server:
        yield server


def test_crawl_of_real_section_pages(naver_portal, tmp_path):
    result = crawl("naver", naver_portal.base_url, tmp_path / "data", args={"sections": "100,102"},
                   settings={"CONCURRENT_REQUESTS_PER_DOMAIN": "32"})  # ~270 loopback 404s, fast
    assert result.returncode == 0, result.log[-3000:]
    requested = set(naver_portal.requests)
    assert {"/section/100", LEGACY_LIST, "/section/102"} <= requested
    # Links of the real pages, rebased: new layout, legacy layout, and a ranking view followed as /mnews/article.
    assert "/mnews/article/056/0012190764" in requested  # naver_section_100.html
    assert "/mnews/article/022/0003768825" in requested  # legacy list, linked with ?sid=100
    assert "/mnews/article/437/0000326787" in requested  # legacy list, ranking view
    assert not any("/comment/" in path or "ranking/" in path or "?" in path
                   for path in requested if "/article/" in path)

    articles = {a["other_urls"][0]: a for a in result.articles}
    assert len(articles) == len(result.articles) == 2  # the ranking link of 018 is the same article
    for name in (HERALD, EDAILY):
        expected = truth(name)
        oid, aid = article_ids(expected["url"])
        article = articles[f"https://n.news.naver.com/mnews/article/{oid}/{aid}"]
        assert_article_matches(article, expected)
        assert article["original_url"] == ORIGINAL_URLS[name]

    article_requests = [p for p in requested if "/article/" in p]
    assert len(article_requests) > 100  # both real list pages were mined
    assert result.stats[keys.article_fetch_failed()] == len(article_requests) - 2  # every 404 counted
    assert result.stats["newscrawl/discovery/failed"] == 1  # the legacy sid1=102 page is not served
