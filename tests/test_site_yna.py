"""연합뉴스: the English (en.yna.co.kr) and legacy (yonhapnews.co.kr, saved page) real article pages, datelines,
and a real-engine crawl of a loopback yna serving the real www.yna.co.kr section list page plus feeds in the
shape of en.yna.co.kr/RSS/news.xml and the legacy /RSS/sokbo.xml."""

from __future__ import annotations

import json
import re

import pytest
from parsel import Selector

from newscrawl import keys
from newscrawl.pages import ExtractionError
from newscrawl.sites.yna import YnaStoryPage, YonhapLegacyPage, cut_dateline, yna_page
from tests.crawling import crawl
from tests.servers import FixtureServer, Route
from tests.shared import FIXTURES, CorpusSite, article_of, assert_article_matches, run_page, url_path

YNA = FIXTURES / "yna"
ENGLISH, LEGACY = "yna_en_AEN20190820002300325", "yonhapnews_AKR20160917021800007_savedcomplete"
LIST = "yna_list_international_asia-australia"
LIST_PATH = "/international/asia-australia"
RSS = "application/rss+xml; charset=utf-8"


CORPUS = CorpusSite("yna")
truth, raw, original_path = CORPUS.truth, CORPUS.raw, CORPUS.original_path


def extracted(name: str) -> dict:
    return article_of(run_page(truth(name)["url"], raw(name), "yna"))


@pytest.mark.parametrize("name", [ENGLISH, LEGACY])
def test_real_page_matches_truth(name):
    assert_article_matches(extracted(name), truth(name))


def test_each_layout_has_its_page_object():
    assert isinstance(yna_page(truth(ENGLISH)["url"], raw(ENGLISH).decode()), YnaStoryPage)
    assert isinstance(yna_page(truth(LEGACY)["url"], raw(LEGACY).decode()), YonhapLegacyPage)
    with pytest.raises(ExtractionError) as error:
        yna_page("https://www.yna.co.kr/international/asia-australia", raw(LIST).decode()).extract()
    assert error.value.reason == "missing_fields"


def test_english_page():
    article = extracted(ENGLISH)
    assert article["lang"] == "en"
    assert article["paragraphs"][0].startswith("North Korea's official newspaper")  # dateline cut
    assert article["paragraphs"][-1].endswith("is over.")  # e-mail and (END) dropped
    assert article["tags"] == ["NK", "Rodong Sinmun", "joint military excerise"]


def test_legacy_saved_page():
    article = extracted(LEGACY)
    assert article["lang"] == "ko"
    assert article["authors"] == ["차병섭"]
    assert article["paragraphs"][0].startswith("잉글랜드 프로축구")
    # the saved page's ./yonhap_article_files/… src is mapped back to the image's own address
    assert article["images"][0]["url"].startswith("http://img.yonhapnews.co.kr/")
    assert not any("송고" in p or "저작권자" in p or "본문배너" in p for p in article["paragraphs"])


def test_legacy_page_without_date_meta_reads_its_visible_sent_line():
    """The 송고시간 line in the share box (``송고시간 | 2016/09/17 11:35``) dates the page when the meta is gone."""
    page = re.sub(rb'<meta property="article:published_time"[^>]*>', b"", raw(LEGACY))
    assert page != raw(LEGACY)
    article = article_of(run_page(truth(LEGACY)["url"], page, "yna"))
    assert article["published_at"] == truth(LEGACY)["published_at"] == "2016-09-17T11:35:00+09:00"
    assert article["paragraphs"] == truth(LEGACY)["paragraphs"]


@pytest.mark.parametrize(("paragraphs", "kept", "authors"), [
    (["(서울=연합뉴스) 차병섭 기자 = 본문이다.", "둘째."], ["본문이다.", "둘째."], ["차병섭"]),
    (["(워싱턴=연합뉴스) 김경희 특파원·이상헌 기자 = 본문."], ["본문."], ["김경희", "이상헌"]),
    (["SEOUL, Aug. 20 (Yonhap) -- North Korea said."], ["North Korea said."], []),
    (["By Kim Soo-yeon", "SEOUL, Sept. 3 (Yonhap) -- Text."], ["Text."], ["Kim Soo-yeon"]),
    # The outlet dateline goes (annotation.md); an "=" later in the text is not a dateline.
    (["(서울=연합뉴스) 본문에 괄호(가=나)가 있다."], ["본문에 괄호(가=나)가 있다."], []),
])
def test_cut_dateline(paragraphs, kept, authors):
    assert cut_dateline(paragraphs) == (kept, authors)


def listed_articles() -> set[str]:
    """Article ids the real section list page links (read independently of the spider)."""
    hrefs = Selector(text=raw(LIST).decode("utf-8")).css("a::attr(href)").getall()
    return {m.group(1) for h in hrefs if (m := re.search(r"/view/(AKR\d{17})", h))}


@pytest.fixture
def yna_portal():
    routes = {
        LIST_PATH: Route(raw(LIST)),
        "/RSS/news.xml": Route((YNA / "en_news.xml").read_bytes(), RSS),
        "/RSS/sokbo.xml": Route((YNA / "sokbo.xml").read_bytes(), RSS),
    }
    for name in (ENGLISH, LEGACY):
        routes[url_path(truth(name)["url"])] = Route(raw(name))
    with FixtureServer(routes) as server:
        yield server


def test_crawl_of_real_list_page_and_feeds(yna_portal, tmp_path):
    feeds = "https://en.yna.co.kr/RSS/news.xml,http://www.yonhapnews.co.kr/RSS/sokbo.xml"
    result = crawl("yna", yna_portal.base_url, tmp_path / "data",
                   args={"feeds": feeds, "sections": "international/asia-australia"})
    assert result.returncode == 0, result.log[-3000:]
    requests = set(yna_portal.requests)
    assert {LIST_PATH, "/RSS/news.xml", "/RSS/sokbo.xml"} <= requests
    for feed in ("en_news", "sokbo"):
        assert set(json.loads((YNA / f"{feed}.expected.json").read_text(encoding="utf-8"))["articles"]) <= requests

    got = {url_path(a["url"]): a for a in result.articles}
    assert set(got) == {url_path(truth(name)["url"]) for name in (ENGLISH, LEGACY)}
    for name in (ENGLISH, LEGACY):
        assert_article_matches(got[url_path(truth(name)["url"])], truth(name))
    assert got["/view/AEN20190820002300325"]["lang"] == "en"

    listed = listed_articles()
    assert len(listed) >= 20
    # each listed article fetched once, without its ?section= placement parameter
    assert {f"/view/{cid}" for cid in listed} <= requests
    assert not any("section=" in path for path in requests)
    assert result.stats[keys.article_fetch_failed()] == len(listed) + 1  # + the feed's missing AEN
