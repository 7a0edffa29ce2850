"""The founding acceptance case: etoday's seed page through both paths, and a real-engine crawl of a
loopback etoday into JSONL and SQLite."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
from lxml import etree
from lxml import html as lxml_html

from newscrawl import keys
from newscrawl.sites.etoday import CRYPTO_HEADING, WIDGETS, _headings
from tests.crawling import crawl
from tests.servers import FixtureServer, Route, page
from tests.shared import FIXTURES, REPO, article_of, assert_article_matches, run_page, shared_path

SEED = "000_0b445ba40285c7a5"
SEED_URL = "https://www.etoday.co.kr/news/view/2384652"
ETODAY = FIXTURES / "etoday"


def seed_expected() -> dict:
    return json.loads(shared_path("seed", f"{SEED}.expected.json").read_text(encoding="utf-8"))


def fixture_expected(base: str) -> dict:
    text = (ETODAY / "news_view_2384652.expected.json").read_text(encoding="utf-8")
    return json.loads(text.replace("{BASE}", base))


def compare_with_tool(expected_file, jsonl: str) -> subprocess.CompletedProcess:
    tool = shared_path("tools", "compare_items.py")
    return subprocess.run([sys.executable, str(tool), str(expected_file)], input=jsonl, text=True,
                          capture_output=True)


def scrapy_extract(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "scrapy", "extract", *args], cwd=REPO, capture_output=True,
                          text=True, timeout=60)


def test_rendered_text_path_equals_seed_expected():
    done = scrapy_extract(str(shared_path("seed", f"{SEED}.txt")), "--url", SEED_URL)
    assert done.returncode == 0, done.stderr
    check = compare_with_tool(shared_path("seed", f"{SEED}.expected.json"), done.stdout)
    assert check.returncode == 0, check.stdout
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert lines[0]["type"] == "article" and all(item["type"] == "ticker" for item in lines[1:])


def test_html_fixture_equals_its_expected_and_the_seed():
    items = run_page("http://127.0.0.1:9/news/view/2384652", (ETODAY / "news_view_2384652.html").read_bytes(),
                     "etoday")
    article = article_of(items)
    expected = fixture_expected("http://127.0.0.1:9")["article"]
    assert_article_matches(article, expected, tuple(expected))
    jsonl = "\n".join(json.dumps(item, ensure_ascii=False) for item in items)
    check = compare_with_tool(shared_path("seed", f"{SEED}.expected.json"), jsonl)
    assert check.returncode == 0, check.stdout


@pytest.mark.parametrize("wrapper", ['<div class="art_subtit"><strong>{}</strong></div>', "<h3>{}</h3>", "<p><b>{}</b></p>"])
def test_a_deck_in_an_unnamed_wrapper_is_still_the_deck(wrapper):
    """The deck is found by its shape (short lines before the first sentence), not by its class: the same page
    with the deck in other markup gives the same subtitles and paragraphs."""
    html = (ETODAY / "news_view_2384652.html").read_text(encoding="utf-8")
    deck = '<div class="sub_title">안보리 결의 위반되지 않는 경제 협력 방안 논의<br>식품ㆍ화장품 등 물자 교류로 경제 발전 이끌 것</div>'
    assert deck in html
    moved = html.replace(deck, wrapper.format("안보리 결의 위반되지 않는 경제 협력 방안 논의<br>식품ㆍ화장품 등 물자 교류로 경제 "
                                              "발전 이끌 것"))
    article = article_of(run_page("http://127.0.0.1:9/news/view/2384652", moved.encode("utf-8"), "etoday"))
    expected = fixture_expected("http://127.0.0.1:9")["article"]
    assert article["subtitles"] == expected["subtitles"] == ["안보리 결의 위반되지 않는 경제 협력 방안 논의",
                                                             "식품ㆍ화장품 등 물자 교류로 경제 발전 이끌 것"]
    assert article["paragraphs"] == expected["paragraphs"]


def test_keyword_links_are_tags_and_never_body_text():
    """etoday closes the article box with its keyword links (div.kwd_tags): they are the article's tags, and no
    body line (the fixture has two; without them the body is the same)."""
    html = (ETODAY / "news_view_2384652.html").read_text(encoding="utf-8")
    box = re.search(r'<div class="kwd_tags">.*?</div>', html)
    assert box and "#북한" in box.group(0)
    expected = fixture_expected("http://127.0.0.1:9")["article"]
    assert expected["tags"] == ["북한", "벨라루스"]
    for markup, tags in ((html, expected["tags"]), (html.replace(box.group(0), '<div class="kwd_tags"></div>'), [])):
        article = article_of(run_page("http://127.0.0.1:9/news/view/2384652", markup.encode("utf-8"), "etoday"))
        assert article["tags"] == tags
        assert article["paragraphs"] == expected["paragraphs"]


def test_a_lead_sentence_is_never_taken_for_a_deck():
    html = (ETODAY / "news_view_2384652.html").read_text(encoding="utf-8")
    no_deck = html.replace('<div class="sub_title">안보리 결의 위반되지 않는 경제 협력 방안 논의<br>식품ㆍ화장품 등 물자 교류로 경제 '
                           '발전 이끌 것</div>', "")
    article = article_of(run_page("http://127.0.0.1:9/news/view/2384652", no_deck.encode("utf-8"), "etoday"))
    assert article["subtitles"] == []
    assert article["paragraphs"] == fixture_expected("http://127.0.0.1:9")["article"]["paragraphs"]


def test_tickers_are_exact_numbers():
    items = run_page(SEED_URL, shared_path("seed", f"{SEED}.txt").read_text(encoding="utf-8"),
                     rendered_text=True)
    tickers = {t["name"]: t for t in items if t["type"] == "ticker"}
    assert tickers["비트코인"]["price"] == 132845000 and isinstance(tickers["비트코인"]["price"], int)
    assert tickers["트론"]["change_pct"] == 28.86
    assert tickers["비트코인에스브이"]["change_pct"] == 0.35


@pytest.fixture
def etoday_portal():
    routes = {
        "/eto/etoday_news_all.xml": page(ETODAY / "etoday_news_all.xml", "application/rss+xml; charset=utf-8"),
        "/rss/news_sitemap": page(ETODAY / "news_sitemap.xml", "application/xml; charset=utf-8"),
        "/news/view/2384652": page(ETODAY / "news_view_2384652.html"),
        "/news/view/2384652?utm_source=sitemap": page(ETODAY / "news_view_2384652.html"),
        "/news/view/2384999": Route(b"<html><body>not found</body></html>", status=404),
    }
    with FixtureServer(routes) as server:
        yield server


def test_crawl_writes_the_same_items_to_jsonl_and_sqlite(etoday_portal, tmp_path):
    result = crawl("etoday", etoday_portal.base_url, tmp_path / "data")
    assert result.returncode == 0, result.log[-3000:]
    assert "/news/view/2384652" in etoday_portal.requests
    assert result.stats["response_received_count"] >= 4

    # One article although RSS and the sitemap (twice, once with a tracking parameter) list it.
    assert len(result.articles) == 1
    article = result.articles[0]
    expected = fixture_expected(etoday_portal.base_url)["article"]
    assert_article_matches(article, expected, tuple(expected))
    seed_tickers = seed_expected()["tickers"]
    assert len(result.tickers) == len(seed_tickers)
    for got, want in zip(result.tickers, seed_tickers, strict=True):
        assert {k: got[k] for k in want} == want

    with result.db() as db:
        stored = [json.loads(row[0]) for row in db.execute("SELECT item_json FROM articles")]
        assert [a["canonical_url"] for a in stored] == [article["canonical_url"]]
        assert stored[0]["paragraphs"] == article["paragraphs"]
        assert stored[0]["published_at"] == article["published_at"]
        rows = db.execute("SELECT name, price, change_pct, change_basis FROM tickers ORDER BY id").fetchall()
        assert [(n, p, c, b) for n, p, c, b in rows] == [
            (t["name"], str(t["price"]), str(t["change_pct"]), t["change_basis"]) for t in seed_tickers]
        raw = db.execute("SELECT url, length(body_compressed) FROM raw_pages").fetchall()
        assert {url for url, _ in raw} >= {f"{etoday_portal.base_url}/news/view/2384652"}
    assert "/news/view/2384652?utm_source=sitemap" not in etoday_portal.requests  # tracking parameter stripped
    assert result.stats[keys.article_fetch_failed()] == 1  # the 404 is counted, not silent
    assert result.report["sites"][0]["fetch_failed"] == {"http_404": 1} and result.report["ok"]


def test_second_crawl_fetches_only_new_pages(etoday_portal, tmp_path):
    first = crawl("etoday", etoday_portal.base_url, tmp_path / "data")
    assert first.stats["newscrawl/articles/new"] == 1
    etoday_portal.requests.clear()
    second = crawl("etoday", etoday_portal.base_url, tmp_path / "data")
    assert second.returncode == 0, second.log[-2000:]
    assert second.stats[keys.SKIPPED_SEEN] == 1
    assert "/news/view/2384652" not in etoday_portal.requests
    assert len(second.articles) == 1 and len(second.tickers) == 12  # feeds hold each item once


def test_recent_article_is_rechecked_and_an_edit_becomes_a_revision(etoday_portal, tmp_path):
    recheck = {"NEWSCRAWL_RECHECK_DAYS": "100000"}
    first = crawl("etoday", etoday_portal.base_url, tmp_path / "data", settings=recheck)
    assert first.stats["newscrawl/articles/new"] == 1
    same = crawl("etoday", etoday_portal.base_url, tmp_path / "data", settings=recheck)
    assert same.stats["newscrawl/articles/unchanged"] == 1
    edited = (ETODAY / "news_view_2384652.html").read_bytes().replace("KCNA는 전했다.".encode(), "KCNA는 보도했다.".encode())
    etoday_portal.routes["/news/view/2384652"] = Route(edited)
    third = crawl("etoday", etoday_portal.base_url, tmp_path / "data", settings=recheck)
    assert third.stats["newscrawl/articles/updated"] == 1
    with third.db() as db:
        assert db.execute("SELECT COUNT(*), MAX(revision) FROM articles").fetchone() == (1, 2)
        revisions = [json.loads(r[0])["paragraphs"][-1] for r in
                     db.execute("SELECT item_json FROM article_revisions ORDER BY revision")]
    assert [p.endswith("KCNA는 전했다.") for p in revisions] == [True, False]
    assert [a["paragraphs"][-1].rsplit(" ", 1)[-1] for a in third.articles] == ["전했다.", "보도했다."]


RISERS_HTML = """<ul class="stock_list">
  <li><span class="name">삼성전자</span><span class="price">55,300</span><span class="rate up">+3.17%</span></li>
  <li><span class="name">에코프로비엠</span><span class="price">112,400</span><span class="rate up">+29.98%</span></li>
</ul>"""
RISERS_TEXT = "  • 오늘의 상승종목\n\n  • 12.03 장종료\n    • 삼성전자\n    • 55,300\n    • +3.17%\n    • 에코프로비엠\n" \
              "    • 112,400\n    • +29.98%\n\n실시간 암호화폐 시세"


def risers(items: list[dict]) -> list[tuple]:
    return [(t["name"], t["price"], t["change_pct"], t["change_basis"], t["currency"]) for t in items
            if t["type"] == "ticker" and t["market"] == "stock"]


def test_top_risers_widget_rows_become_stock_tickers_in_both_paths():
    want = [("삼성전자", 55300, 3.17, "close", "KRW"), ("에코프로비엠", 112400, 29.98, "close", "KRW")]
    page_html = (ETODAY / "news_view_2384652.html").read_text(encoding="utf-8")
    page_html = page_html.replace('<ul class="stock_list"></ul>', RISERS_HTML)
    items = run_page(SEED_URL, page_html, "etoday")
    assert risers(items) == want
    assert sum(t["market"] == "crypto" for t in items if t["type"] == "ticker") == 12
    text = shared_path("seed", f"{SEED}.txt").read_text(encoding="utf-8")
    text = text.replace("  • 오늘의 상승종목\n\n  • 12.03 장종료\n\n실시간 암호화폐 시세", RISERS_TEXT)
    assert RISERS_TEXT in text
    items = run_page(SEED_URL, text, rendered_text=True)
    assert risers(items) == want
    assert sum(t["market"] == "crypto" for t in items if t["type"] == "ticker") == 12


@pytest.mark.parametrize(("fixture", "widgets"), [(ETODAY / "news_view_2384652.html", 2),
                                                  (FIXTURES / "rendering" / "news_view_2384652_js.html", 0)])
def test_widget_headings_in_one_pass_are_the_headings_found_one_by_one(fixture, widgets):
    """The quote widgets' headings, found in one pass over the page's text nodes, are the elements the
    per-heading reading (first element whose first text is the heading) found; a page that only builds its
    widgets in a script has none."""
    root = lxml_html.fromstring(fixture.read_bytes())
    one_by_one = {title: etree.XPath("//*[normalize-space(text())=$h]")(root, h=title) for _, title in WIDGETS}
    found = _headings(root)
    assert len(found) == widgets
    for title, elements in one_by_one.items():
        assert found.get(title) is (elements[0] if elements else None), title


def test_a_widget_heading_after_an_icon_is_its_own_element():
    """A heading's text after an inline icon is the text's element's (lxml holds it as the icon's tail)."""
    root = lxml_html.fromstring(f'<html><body><div id="w"><h3><i class="ico"></i> {CRYPTO_HEADING} </h3>'
                                f"<ul><li>비트코인</li></ul></div></body></html>")
    assert _headings(root)[CRYPTO_HEADING].tag == "h3"
