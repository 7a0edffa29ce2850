"""Layout drift never costs the article: a hani page whose body container was renamed (``div.text`` ->
``div.story-body``, what a redesign does) is read by the generic extractor, says so in ``extracted_by``, is
stored with that name beside its raw page, and the run report raises ``layout_drift`` (exit code 1)."""

from __future__ import annotations

import pytest

from newscrawl import keys
from newscrawl.extract import extract_html
from newscrawl.pages import ExtractionError
from newscrawl.report import site_report
from tests.crawling import crawl
from tests.servers import FixtureServer, Route
from tests.shared import CorpusSite, url_path

CORPUS = CorpusSite("hani")
INTACT, REDESIGNED = "hani_761487", "hani_761485"
BODY, RENAMED = b"<div class='text'>", b"<div class='story-body'>"


def redesigned_page() -> bytes:
    page = CORPUS.raw(REDESIGNED)
    assert page.count(BODY) == 1  # the one body container of the legacy template
    return page.replace(BODY, RENAMED)


def feed(urls: list[str]) -> bytes:
    items = "".join(f"<item><title>t</title><link>{u}</link></item>" for u in urls)
    return f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>{items}</channel></rss>'.encode()


def test_the_site_layout_reads_an_intact_page_and_names_itself():
    truth = CORPUS.truth(INTACT)
    article = extract_html(truth["url"], CORPUS.raw(INTACT).decode(), "hani").article
    assert article.extracted_by == "hani.HaniLegacyArticlePage/1"


def test_a_redesigned_page_falls_back_to_the_generic_extractor():
    truth = CORPUS.truth(REDESIGNED)
    extracted = extract_html(truth["url"], redesigned_page().decode(), "hani")
    assert extracted.fallback_from is not None and extracted.fallback_from.reason == "missing_fields"
    article = extracted.article
    assert article.extracted_by == "generic/1 fallback from hani"
    assert (article.site, article.publisher) == ("hani", "한겨레")
    assert article.title == truth["title"]
    assert article.paragraphs[0] == truth["paragraphs"][0]
    with pytest.raises(ExtractionError):  # without the fallback the page is the site's parse error, as before
        extract_html(truth["url"], redesigned_page().decode(), "hani", fallback=False)


def test_a_soft_404_never_falls_back():
    page = "<html><head><title>페이지를 찾을 수 없습니다</title></head><body><p>요청하신 페이지를 찾을 수 없습니다.</p></body></html>"
    with pytest.raises(ExtractionError) as error:
        extract_html("https://www.hani.co.kr/arti/society/1.html", page, "hani")
    assert error.value.reason == "soft_404"


@pytest.fixture
def drifted_portal():
    urls = [CORPUS.truth(name)["url"] for name in (INTACT, REDESIGNED)]
    routes = {"/feed.xml": Route(feed(urls), "application/rss+xml; charset=utf-8"),
              url_path(urls[0]): Route(CORPUS.raw(INTACT)), url_path(urls[1]): Route(redesigned_page())}
    with FixtureServer(routes) as server:
        yield server


def test_crawl_keeps_the_article_and_flags_layout_drift(drifted_portal, tmp_path):
    result = crawl("hani", drifted_portal.base_url, tmp_path / "data", args={"feeds": "/feed.xml"})
    assert result.returncode == 1, result.log[-3000:]  # a flag, not a crash
    assert "Traceback" not in result.log
    by_path = {url_path(a["url"]): a for a in result.articles}
    assert by_path[url_path(CORPUS.truth(INTACT)["url"])]["extracted_by"] == "hani.HaniLegacyArticlePage/1"
    drifted = by_path[url_path(CORPUS.truth(REDESIGNED)["url"])]
    assert drifted["extracted_by"] == "generic/1 fallback from hani"
    assert drifted["title"] == CORPUS.truth(REDESIGNED)["title"]
    assert result.stats[keys.fallback("hani")] == 1
    assert "layout drift?" in result.log and "read by the generic extractor instead" in result.log

    site = result.report["sites"][0]
    assert site["fallbacks"] == 1 and site["article_pages"] == 2
    assert [f for f in site["flags"] if f.startswith("layout_drift: 1 of 2 article pages")]

    with result.db() as db:
        stored = dict(db.execute("SELECT url, extracted_by FROM articles"))
        raw = dict(db.execute("SELECT url, extracted_by FROM raw_page_index WHERE parse_error IS NULL"))
    assert sorted(stored.values()) == ["generic/1 fallback from hani", "hani.HaniLegacyArticlePage/1"]
    assert raw == stored  # the raw page remembers which page object read it


@pytest.mark.parametrize(("fallbacks", "flagged"), [(1, False), (2, False), (3, True)])
def test_layout_drift_flag_follows_the_fallback_share(fallbacks, flagged):
    stats = {"response_received_count": 10, keys.ARTICLE_PAGES: 10, keys.scraped("article"): 10,
             keys.fallback("hani"): fallbacks}
    flags = site_report("hani", stats, max_missing_share=0.2, max_fallback_share=0.2)["flags"]
    assert any(f.startswith("layout_drift") for f in flags) is flagged
