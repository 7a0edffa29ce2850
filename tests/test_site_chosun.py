"""조선일보: layout choice, the Arc XP element kinds, and a real-engine crawl of a loopback chosun.com serving the
real corpus pages, the real legacy RSS feed and list page, and hand-written Arc RSS / news sitemap fixtures."""

from __future__ import annotations

import json
import re

import pytest

from newscrawl import keys
from newscrawl.pages import ExtractionError
from newscrawl.sites.chosun import SITE as CHOSUN_SITE
from newscrawl.sites.chosun import ChosunArcPage, ChosunLegacyPage, chosun_page
from tests.crawling import crawl
from tests.servers import FixtureServer, Route, page
from tests.shared import (
    COMPARED_FIELDS,
    FIXTURES,
    CorpusSite,
    assert_article_matches,
    run_page,
)

CHOSUN = FIXTURES / "chosun"
ARC = "chosun_20230405_RNGKBEZYJJ"
LEGACY = ("chosun_2016091700921_euckr", "chosun_2016091302449_editorial_euckr")
EUC_KR = "text/html; charset=EUC-KR"


CORPUS = CorpusSite("chosun")
truth, raw, original_path = CORPUS.truth, CORPUS.raw, CORPUS.original_path


def test_layout_is_chosen_by_page_content():
    assert isinstance(chosun_page("https://www.chosun.com/x/", raw(ARC).decode("utf-8")), ChosunArcPage)
    legacy = raw(LEGACY[0]).decode("cp949")
    assert isinstance(chosun_page("http://news.chosun.com/x.html", legacy), ChosunLegacyPage)


def test_list_page_is_not_an_article():
    with pytest.raises(ExtractionError) as error:
        chosun_page("http://news.chosun.com/svc/list_in/list.html", raw("chosun_list_2016_euckr").decode("cp949"))\
            .extract()
    assert error.value.reason == "missing_fields"


def test_arc_story_data_outranks_the_meta_creation_time():
    article = run_page(truth(ARC)["url"], raw(ARC), "chosun")[0]
    # meta name=article:published_time is created_date (10:57:54 KST); first_publish_date is the publication.
    assert article["published_at"] == "2023-04-05T11:52:50+09:00"
    assert article["canonical_url"] == truth(ARC)["url"]


def test_synthetic_arc_story_covers_every_element_kind():
    base = "http://127.0.0.1:9"
    expected = json.loads((CHOSUN / "arc_synthetic_story.expected.json").read_text(encoding="utf-8")
                          .replace("{BASE}", base))
    items = run_page(expected["url"], (CHOSUN / "arc_synthetic_story.html").read_bytes(), "chosun")
    assert_article_matches(items[0], expected, (*COMPARED_FIELDS, "url", "canonical_url"))


def linked_articles(feed: bytes) -> set[str]:
    return set(re.findall(rb"/site/data/html_dir/\d{4}/\d\d/\d\d/(\d{13})\.html", feed))


@pytest.fixture
def chosun_portal():
    routes = {
        "/arc/outboundfeeds/rss/?outputType=xml": page(CHOSUN / "arc_rss.xml", "application/rss+xml; charset=utf-8"),
        "/arc/outboundfeeds/news-sitemap/?outputType=xml": page(CHOSUN / "arc_news_sitemap.xml",
                                                                 "application/xml; charset=utf-8"),
        "/site/data/rss/rss.xml": Route(raw("chosun_rss_all_2016", "xml"), "application/rss+xml; charset=utf-8"),
        "/svc/list_in/list.html": Route(raw("chosun_list_2016_euckr"), EUC_KR),
        "/site/data/rss/politics.xml": page(CHOSUN / "legacy_rss_politics.xml", "application/rss+xml"),
        "/site/data/rss/editorials.xml": page(CHOSUN / "legacy_rss_editorials.xml", "application/rss+xml"),
        original_path(ARC): Route(raw(ARC)),
    }
    for stem in LEGACY:
        routes[original_path(stem)] = Route(raw(stem), EUC_KR)
    with FixtureServer(routes) as server:
        yield server


def test_crawl_finds_both_eras_and_counts_the_missing(chosun_portal, tmp_path):
    feeds = [*CHOSUN_SITE.discovery, "http://www.chosun.com/site/data/rss/politics.xml",
             "http://www.chosun.com/site/data/rss/editorials.xml"]
    result = crawl("chosun", chosun_portal.base_url, tmp_path / "data", args={"feeds": ",".join(feeds)})
    assert result.returncode == 0, result.log[-3000:]

    got = {a["url"].removeprefix(chosun_portal.base_url): a for a in result.articles}
    assert set(got) == {original_path(ARC), *(original_path(stem) for stem in LEGACY)}
    for stem in (ARC, *LEGACY):
        assert_article_matches(got[original_path(stem)], truth(stem))

    # Every discovery source was read; the legacy ?related_all suffix and the utm parameters were dropped.
    for path in ("/site/data/rss/rss.xml", "/svc/list_in/list.html", "/arc/outboundfeeds/news-sitemap/?outputType=xml"):
        assert path in chosun_portal.requests
    assert not [p for p in chosun_portal.requests if "related_all" in p or "utm_" in p]
    assert chosun_portal.requests.count(original_path(ARC)) == 1  # in the RSS and the sitemap, fetched once

    # The real legacy feed and list page link articles this server does not have: each is a counted failure.
    missing = linked_articles(raw("chosun_rss_all_2016", "xml")) | linked_articles(raw("chosun_list_2016_euckr"))
    assert len(missing) == 60
    stats = result.stats
    assert stats[keys.article_fetch_failed()] == len(missing) + 1  # + the Arc story missing from the RSS
    assert stats["newscrawl/discovery/duplicate_article"] >= 1
    assert stats.get(keys.parse_error("missing_fields"), 0) == 0
