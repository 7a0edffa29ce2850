"""매일경제: the page object on the real corpus pages, and a real-engine crawl of a loopback mk.co.kr that
discovers articles from its RSS feed and news sitemap."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import pytest

from newscrawl import keys
from newscrawl.pages import ExtractionError
from newscrawl.selectors import utf8
from newscrawl.sites import get_site, site_for_url
from newscrawl.sites.mk import MkArticlePage, _WholeMkPage, article_window, reporter_name
from tests.crawling import crawl
from tests.servers import FixtureServer, Route, page
from tests.shared import (
    FIXTURES,
    CorpusSite,
    article_of,
    assert_article_matches,
    manifest,
    run_page,
)

MK = FIXTURES / "mk"
PAGES = {  # real path -> corpus file
    "/news/politics/11333783": "mk_news_politics_11333783",
    "/news/realestate/11329112": "mk_news_realestate_11329112",
    "/news/society/11328184": "mk_news_society_11328184",
    "/news/sports/11328187": "mk_news_sports_11328187",
    "/news/stock/11330362": "mk_news_stock_11330362",
    "/news/world/11331490": "mk_news_world_11331490",
}


CORPUS = CorpusSite("mk")
truth, raw, original_path = CORPUS.truth, CORPUS.raw, CORPUS.original_path


def expected_paths(name: str) -> list[str]:
    return json.loads((MK / f"{name}.expected.json").read_text(encoding="utf-8"))["articles"]


def test_registry_serves_mk_hosts():
    assert site_for_url("https://www.mk.co.kr/news/world/11331490").name == "mk"
    assert get_site("mk").publisher == "매일경제"
    assert all(manifest()[f"mk/{stem}.html"]["site"] == "mk" for stem in PAGES.values())


def test_reporter_suffix_is_removed():
    assert reporter_name("최현재 기자") == "최현재"
    assert reporter_name(" 김혜진  기자 ") == "김혜진"


def test_ai_summary_and_deck_are_not_paragraphs():
    item = article_of(run_page("https://www.mk.co.kr/news/world/11331490", raw("mk_news_world_11331490"), "mk"))
    assert item["subtitles"] == ["美 수출 통제에 고육책"]
    assert not any("AI 요약" in p or "뉴스 요약쏙" in p for p in item["paragraphs"])
    assert "美 수출 통제에 고육책" not in item["paragraphs"]
    assert item["section"] == "국제" and item["authors"] == ["최현재"]


def test_in_body_subheads_stay_in_reading_order():
    item = article_of(run_page("https://www.mk.co.kr/news/politics/11333783", raw("mk_news_politics_11333783"),
                               "mk"))
    paragraphs = item["paragraphs"]
    assert paragraphs.index("이름조차 없던 소년공") == 3
    assert paragraphs.index("인권변호사에서 정치인 이재명으로") > paragraphs.index("이름조차 없던 소년공")
    assert len(item["images"]) == len({i["url"] for i in item["images"]}) == 6


def test_placeholder_alt_is_no_caption():
    item = article_of(run_page("https://www.mk.co.kr/news/society/11328184", raw("mk_news_society_11328184"), "mk"))
    assert [i["caption"] for i in item["images"]] == [None]
    assert item["modified_at"] == "2025-05-28T00:15:18+09:00"


def test_page_without_article_body_is_an_extraction_error():
    html = "<html><body><h2 class='news_ttl'>목록</h2><ul><li>기사</li></ul></body></html>"
    with pytest.raises(ExtractionError) as error:
        MkArticlePage("https://www.mk.co.kr/news/stock/", html).article()
    assert error.value.reason == "missing_fields" and "body" in error.value.detail


WORLD, WORLD_URL = "mk_news_world_11331490", "https://www.mk.co.kr/news/world/11331490"


def body_end(html: str) -> int:
    """Just past the article body's ``</div>``: the template ends it with the ``#refTotal`` counter's div."""
    return html.index("</div>", html.index("</div>", html.index('<div id="refTotal"')) + 6) + 6


def after_body(html: str, extra: str) -> str:
    end = body_end(html)
    return html[:end] + extra + html[end:]


def window_variants() -> dict[str, str]:
    """The world page (JSON-LD with dates and author, one title box, a date box with 입력) and changes around the
    window lexbor reads (<body> tag, then <main> to the article body's close)."""
    html = raw(WORLD).decode("utf-8")
    no_ld_author = html.replace('"author": [ { "@type": "Person", "name": "최현재", "url": '
                                '"https://www.mk.co.kr/author/632"} ]', '"x": 1')
    no_dates = html.replace('"datePublished"', '"x1"').replace('"dateModified"', '"x2"').replace(
        "article:published_time", "x3")
    assert no_ld_author != html and no_dates != html
    last_paragraph = html.rindex("<p ", 0, body_end(html))  # a script or comment here: the window ends inside it
    return {
        "as served": html,
        "text after the article": after_body(html, "<p>후속 단락</p>끝"),
        "an unclosed div in the body": html.replace('itemprop="articleBody">', 'itemprop="articleBody"><div>', 1),
        "an end tag in a script of the body": html[:last_paragraph] + '<script>var s = "</div></div>";</script>'
        + html[last_paragraph:],
        "an end tag in a comment of the body": html[:last_paragraph] + "<!-- </div></div> -->" + html[last_paragraph:],
        "a byline after the article, none in JSON-LD": after_body(
            no_ld_author, '<dl class="author"><dt class="name">나중 기자</dt></dl>'),
        "JSON-LD only after the article": after_body(
            html, '<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": '
                  '"2025-06-01T00:00:00+09:00"}</script>').replace('"@type": "NewsArticle"', '"@type": "Other"', 1),
        "no canonical link": html.replace('rel="canonical"', 'rel="x-canonical"'),
        "the title box only after the article": after_body(
            html.replace('class="news_ttl_wrap"', 'class="x"', 1),
            '<div class="news_ttl_wrap"><span class="cate">나중</span><h2 class="news_ttl">나중 제목</h2></div>'),
        "the date box only after the article": after_body(
            no_dates.replace("<dt>입력", "<dt>-", 1),
            '<div class="time_area"><dl><dt>입력</dt><dd>2025-06-01 09:00:00</dd></dl></div>'),
        "an impossible date": html.replace('"datePublished": "2025-05-31', '"datePublished": "2025-02-30', 1),
        "a byline box in the menus, none in JSON-LD": no_ld_author.replace(
            '<main id="container"', '<dl class="author"><dt class="name">메뉴 기자</dt></dl><main id="container"'),
        "a title box in the menus": html.replace(
            '<main id="container"', '<div class="news_ttl_wrap"><h2 class="news_ttl">메뉴</h2></div><main id="container"'),
        "no <main id=container>": html.replace('<main id="container"', '<main id="x"'),
        "<main> named in a script of the menus": html.replace(
            "<body>", '<body><script>var s = \'<main id="container"><div class="news_ttl_wrap"><h2 class="news_ttl">'
            '메뉴</h2></div>\';</script>', 1),
    }


WHOLE_PAGE = ("an end tag in a script of the body", "an end tag in a comment of the body",
              "<main> named in a script of the menus", "a title box in the menus", "no <main id=container>")


@pytest.mark.parametrize("variant", sorted(window_variants()))
def test_a_page_read_through_its_window_reads_as_the_whole_page(variant):
    """lexbor parses only <main> up to the article body's close (with everything before <body>); the items are the
    whole page's regions' items, and a read that may find something outside the window reads the whole page."""
    html = window_variants()[variant]
    page, whole = MkArticlePage(WORLD_URL, html), _WholeMkPage(WORLD_URL, html)
    assert not whole.windowed
    assert page.windowed == (variant not in WHOLE_PAGE)
    assert asdict(page.article()) == asdict(whole.article())
    assert page.impossible_dates == whole.impossible_dates


def test_window_skips_the_menus_and_what_follows_the_article():
    page = raw(WORLD)
    window = article_window(page)
    assert window is not None and len(window) < 0.3 * len(page)
    assert window.startswith(page[:page.index(b"<body>") + 6])
    html = page.decode("utf-8")
    assert utf8(html[html.index('<main id="container"'):body_end(html)]) in window
    assert b"news_cmt" not in window and b'<header class="header' not in window
    item = asdict(MkArticlePage(WORLD_URL, window_variants()["a byline after the article, none in JSON-LD"]).article())
    assert item["authors"] == ["최현재", "나중"]  # every dl.author of the page (the whole page was read)
    assert article_window(page.replace(b'itemprop="articleBody"', b'itemprop="x"')) is None
    fooled = window_variants()["an end tag in a script of the body"]  # the div count ends inside the script:
    assert article_window(utf8(fooled)) is not None and not MkArticlePage(WORLD_URL, fooled).windowed  # the cut says


@pytest.fixture
def mk_portal():
    routes = {
        "/rss/30000001/": page(MK / "rss_30000001.xml", "application/rss+xml; charset=utf-8"),
        "/sitemap/latest-articles/": page(MK / "latest_articles.xml", "application/xml; charset=utf-8"),
        "/news/economy/11330999": Route(b"<html><body>not found</body></html>", status=404),
    }
    for path, stem in PAGES.items():
        routes[path] = Route(raw(stem))
    with FixtureServer(routes) as server:
        yield server


def test_crawl_discovers_feed_and_sitemap_articles_and_matches_truth(mk_portal, tmp_path: Path):
    result = crawl("mk", mk_portal.base_url, tmp_path / "data")
    assert result.returncode == 0, result.log[-3000:]
    requested = [p for p in mk_portal.requests if p.startswith("/news/")]
    assert sorted(requested) == sorted(set(expected_paths("rss_30000001") + expected_paths("latest_articles")))
    assert "/news/stock/" not in requested  # a section list link is not an article
    assert result.stats[keys.article_fetch_failed()] == 1

    by_path = {a["url"].removeprefix(mk_portal.base_url): a for a in result.articles}
    assert sorted(by_path) == sorted(PAGES)
    for path, stem in PAGES.items():
        assert_article_matches(by_path[path], truth(stem))


def test_crawl_respects_the_date_window(mk_portal, tmp_path: Path):
    result = crawl("mk", mk_portal.base_url, tmp_path / "data", args={"since": "2025-05-30"})
    assert result.returncode == 0, result.log[-3000:]
    published = sorted(a["published_at"][:10] for a in result.articles)
    assert published == ["2025-05-30", "2025-05-31", "2025-06-04"]
    assert result.stats["newscrawl/discovery/out_of_window"] >= 3


def test_header_quote_bar_becomes_tickers():
    stem = "mk_news_politics_11333783"
    expected = json.loads((MK / f"{stem}.tickers.expected.json").read_text(encoding="utf-8"))["tickers"]
    items = run_page(truth(stem)["url"], raw(stem), "mk")
    tickers = [{k: t[k] for k in expected[0]} for t in items if t["type"] == "ticker"]
    assert tickers == expected
    assert all(t["as_of"] is None and t["source_url"] == truth(stem)["url"] for t in items if t["type"] == "ticker")
