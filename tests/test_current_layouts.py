"""Today's layouts of yna (www.yna.co.kr/view/AKR…), donga (www.donga.com/news/…/article/all/…), hani (the 2023
redesign) and khan (www.khan.co.kr/article/…): proven on SYNTHETIC fixture pages only (no real page of them in
the corpus), written around the DOM facts of public parsers, each with an expected JSON written by reading it.

For each: the fixture equals its expected file; the site picks the new page object for it and still the legacy one
for the real corpus pages; a renamed body container is still reported as a layout change; and a real-engine crawl
of a loopback portal reaches the page from a feed in the shape of the site's own and stores exactly that article.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest

from newscrawl.extract import decode_html
from newscrawl.pages import ExtractionError
from newscrawl.sites import get_site
from newscrawl.sites.donga import DongaLegacyPage, DongaNewsViewPage
from newscrawl.sites.hani import HaniArticleDetailPage, HaniLegacyArticlePage
from newscrawl.sites.khan import KhanArticlePage, KhanLegacyArticlePage
from newscrawl.sites.yna import YnaKoreanArticlePage, YnaStoryPage, YonhapLegacyPage
from tests.crawling import crawl
from tests.servers import FixtureServer, Route, page
from tests.shared import FIXTURES, CorpusSite, article_of, assert_article_matches, run_page, url_path

FIELDS = ("title", "subtitles", "published_at", "modified_at", "authors", "paragraphs", "body", "images",
          "section", "tags", "publisher", "site", "canonical_url")
RSS = "application/rss+xml; charset=utf-8"


@dataclass(frozen=True)
class Layout:
    site: str
    fixture: str  # tests/fixtures/<site>/<fixture>.html and .expected.json
    url: str  # the page's real URL (its path is where the loopback portal serves it)
    feed_path: str  # where the spider's feed lands once rebased onto the loopback server
    page_class: type
    body_marker: str  # the body container's markup, renamed to simulate a layout change
    legacy: dict[str, type]  # real corpus pages of the site -> the page object they must still get


LAYOUTS = [
    Layout("yna", "view_AKR20260106151200003", "https://www.yna.co.kr/view/AKR20260106151200003",
           "/rss/news.xml", YnaKoreanArticlePage, 'class="story-news article"',
           {"yna_en_AEN20190820002300325": YnaStoryPage,
            "yonhapnews_AKR20160917021800007_savedcomplete": YonhapLegacyPage}),
    Layout("donga", "news_Society_article_all_20260106_133112233_1",
           "https://www.donga.com/news/Society/article/all/20260106/133112233/1",
           "/total.xml", DongaNewsViewPage, 'class="news_view"',
           {"donga_20160918_80317115": DongaLegacyPage, "donga_20160918_80317118": DongaLegacyPage}),
    Layout("hani", "arti_society_area_1230456", "https://www.hani.co.kr/arti/society/area/1230456.html",
           "/rss/", HaniArticleDetailPage, 'class="article-text"',
           {"hani_761487": HaniLegacyArticlePage, "hani_761485": HaniLegacyArticlePage}),
    Layout("khan", "article_202601061520001", "https://www.khan.co.kr/article/202601061520001",
           "/rss/rssdata/total_news.xml", KhanArticlePage, 'id="articleBody"',
           {"khan_news_201609262218015_euckr": KhanLegacyArticlePage,
            "khan_biz_201609260957011_euckr": KhanLegacyArticlePage}),
]
IDS = [layout.site for layout in LAYOUTS]


def html_of(layout: Layout) -> str:
    return (FIXTURES / layout.site / f"{layout.fixture}.html").read_text(encoding="utf-8")


def expected(layout: Layout) -> dict:
    return json.loads((FIXTURES / layout.site / f"{layout.fixture}.expected.json").read_text(encoding="utf-8"))[
        "article"]


@pytest.mark.parametrize("layout", LAYOUTS, ids=IDS)
def test_fixture_page_equals_its_expected(layout):
    article = article_of(run_page(layout.url, html_of(layout), layout.site))
    assert_article_matches(article, expected(layout), FIELDS)


@pytest.mark.parametrize("layout", LAYOUTS, ids=IDS)
def test_the_site_picks_the_new_page_object_and_keeps_the_legacy_one(layout):
    site = get_site(layout.site)
    assert type(site.page(layout.url, html_of(layout))) is layout.page_class
    corpus = CorpusSite(layout.site)
    for stem, legacy_class in layout.legacy.items():
        html, _ = decode_html(corpus.raw(stem))
        assert type(site.page(corpus.truth(stem)["url"], html)) is legacy_class, stem


@pytest.mark.parametrize("layout", LAYOUTS, ids=IDS)
def test_a_renamed_body_container_is_still_a_layout_change(layout):
    html = html_of(layout)
    assert layout.body_marker in html
    drifted = html.replace(layout.body_marker, layout.body_marker.replace('="', '="renamed-'))
    with pytest.raises(ExtractionError) as error:
        layout.page_class(layout.url, drifted).article()
    assert error.value.reason == "missing_fields" and "body" in error.value.detail


def feed(base_links: list[str]) -> bytes:
    items = "".join(f"<item><title>t</title><link>{link}</link>"
                    f"<pubDate>Tue, 06 Jan 2026 09:00:00 +0900</pubDate></item>" for link in base_links)
    return f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>f</title>{items}' \
           f"</channel></rss>".encode()


@pytest.mark.parametrize("layout", LAYOUTS, ids=IDS)
def test_crawl_reaches_the_page_from_the_feed(layout, tmp_path):
    path = url_path(layout.url)
    routes = {
        layout.feed_path: Route(feed([f"{{BASE}}{path}"]), RSS),
        path: page(FIXTURES / layout.site / f"{layout.fixture}.html"),
    }
    with FixtureServer(routes) as server:
        result = crawl(layout.site, server.base_url, tmp_path / "data")
    assert result.returncode == 0, result.log[-3000:]
    assert layout.feed_path in server.requests and path in server.requests
    assert len(result.articles) == 1
    assert_article_matches(result.articles[0], expected(layout), FIELDS)
    assert result.articles[0]["url"] == server.base_url + path
    assert not any(key.startswith("newscrawl/parse_error") for key in result.stats)
    with result.db() as db:
        assert db.execute("SELECT count(*) FROM articles").fetchone()[0] == 1
