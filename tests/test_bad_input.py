"""Bad pages in a real crawl: each is counted with its reason and logged with its URL, raw bytes are kept,
nothing half-empty is written, and the crawl goes on."""

from __future__ import annotations

import re
import time

import pytest

from newscrawl import keys
from tests.crawling import crawl
from tests.servers import FixtureServer, Route, page
from tests.shared import FIXTURES
from tests.test_reextract import reextract_cli

BAD = FIXTURES / "badinput"
GOOD_PAGE = (FIXTURES / "etoday" / "news_view_2384652.html").read_text(encoding="utf-8")
UNDECODABLE = b"<html><head><title>x</title></head><body>\xff\xfe\xff\xfe broken \xff</body></html>"
RSS = """<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>t</title>
{items}</channel></rss>"""


def variant(article_id: int) -> str:
    """The good etoday fixture page under another article id (and canonical URL)."""
    return GOOD_PAGE.replace("2384652", str(article_id))


def empty_body() -> bytes:
    page_text = re.sub(r'(<div class="articleView" itemprop="articleBody">).*?(\n    </div>\n    <div class="recommend_btn">)',
                       r"\1\2", variant(1001), flags=re.S)
    assert "북한이" not in page_text
    return page_text.encode()


def missing_date() -> bytes:
    page_text = variant(1002).replace('<meta property="article:published_time" content="2024-07-25T10:55:00+09:00">', "")
    page_text = page_text.replace("<span>입력 2024-07-25 10:55</span>", "<span></span>")
    assert "입력" not in page_text and "published_time" not in page_text
    return page_text.encode()


def chrome_only_body(article_id: int) -> bytes:
    """A page whose body holds only widget lines — etoday's font-size toolbar (가장작게 작게 기본 크게 가장크게) and
    its read-aloud button (기사 듣기), as newscrawl/chrome.py names them — so the body is empty once the chrome
    pipeline has removed them; the page keeps its crypto quote widget."""
    toolbar = "".join(f"<p>{line}</p>" for line in ("가장작게", "작게", "기본", "크게", "가장크게", "기사 듣기"))
    page_text = re.sub(r'(<div class="articleView" itemprop="articleBody">).*?(\n    </div>\n    <div class="recommend_btn">)',
                       lambda m: m.group(1) + toolbar + m.group(2), variant(article_id), flags=re.S)
    assert "북한이" not in page_text and "가장크게" in page_text
    return page_text.encode()


def truncated() -> bytes:
    page_text = variant(1004)
    return page_text[: page_text.index("북한과 벨라루스는 2022년")].encode()  # cut off mid-body


def euckr_labelled_utf8() -> Route:
    body = variant(1006).replace('<meta charset="utf-8">', "").encode("cp949")
    return Route(body, "text/html; charset=utf-8")  # the header lies


@pytest.fixture
def hostile_etoday():
    pages = {
        "/news/view/1001": Route(empty_body()),
        "/news/view/1002": Route(missing_date()),
        "/news/view/1003": page(BAD / "other_site.html"),
        "/news/view/1004": Route(truncated()),
        "/news/view/1005": page(BAD / "soft_404.html"),
        "/news/view/1006": euckr_labelled_utf8(),
        "/news/view/1007": Route(UNDECODABLE),
    }
    items = "".join(f"<item><title>{p}</title><link>https://www.etoday.co.kr{p}</link></item>" for p in pages)
    routes = {"/eto/etoday_news_all.xml": Route(RSS.format(items=items).encode(), "application/rss+xml"), **pages}
    with FixtureServer(routes) as server:
        yield server


def test_each_bad_page_is_counted_logged_and_kept(hostile_etoday, tmp_path):
    result = crawl("etoday", hostile_etoday.base_url, tmp_path / "data")
    # The crawl finished, but six of seven article pages were bad: the layout-drift monitor fails the run.
    assert result.returncode == 1, result.log[-2000:]
    assert result.stats["finish_reason"] == "finished"
    [flag] = result.report["sites"][0]["flags"]
    assert flag.startswith("6 of 7 article pages incomplete or unparseable")
    assert "body" in flag and "published_at" in flag and "truncated" in flag
    stats = result.stats
    assert stats["response_received_count"] >= 8

    # Only the EUC-KR page (decoded correctly despite its header) is a whole article.
    assert [a["canonical_url"] for a in result.articles] == ["https://www.etoday.co.kr/news/view/1006"]
    good = result.articles[0]
    assert good["title"] == "북한, 러시아 동맹국 '벨라루스'와 관계 강화…\"새로운 시대 열 것\""
    assert len(good["paragraphs"]) == 8 and good["published_at"] == "2024-07-25T10:55:00+09:00"
    for article in result.articles:
        assert article["title"] and article["body"] and article["published_at"]

    assert stats["newscrawl/dropped/article/missing_body"] == 1
    assert stats["newscrawl/dropped/article/missing_published_at"] == 1
    assert stats[keys.parse_error("missing_fields")] == 1  # the other site's page
    assert stats[keys.parse_error("truncated")] == 1
    assert stats[keys.parse_error("soft_404")] == 1
    assert stats[keys.parse_error("undecodable")] == 1
    base = hostile_etoday.base_url
    for path, reason in [("/news/view/1003", "missing_fields"), ("/news/view/1004", "truncated"),
                         ("/news/view/1005", "soft_404"), ("/news/view/1007", "undecodable")]:
        assert f"cannot parse {base}{path}: {reason}" in result.log or (
            reason == "undecodable" and f"cannot parse {base}{path}" in result.log)
    assert "without body" in result.log and f"{base}/news/view/1001" in result.log
    assert "Traceback" not in result.log

    with result.db() as db:
        kept = dict(db.execute("SELECT url, parse_error FROM raw_page_index").fetchall())
    assert len(kept) == 7  # every article page's bytes are kept for reprocessing
    assert kept[f"{base}/news/view/1004"].startswith("truncated")
    assert kept[f"{base}/news/view/1006"] is None


def test_unreachable_portal_fails_fast_with_one_clear_flag(tmp_path):
    with FixtureServer({}) as server:
        base = server.base_url  # the port is closed again when the server stops
    started = time.monotonic()
    result = crawl("etoday", base, tmp_path / "data")
    assert time.monotonic() - started < 60
    assert result.returncode == 1
    assert "FLAG no page could be fetched (DownloadConnectionRefusedError x" in result.log
    assert "check the network connection or -a base_url" in result.log


def test_a_page_whose_article_is_dropped_in_the_pipelines_keeps_none_of_its_tickers(tmp_path):
    """Issue #11: the article of /news/view/2002 is dropped by validation (no body after chrome removal); its
    quotes must not be stored either — not in the database, not in the feeds — and the page is counted, its raw
    bytes kept with the reason for `scrapy reextract --failed`, and not marked done."""
    pages = {"/news/view/2001": Route(variant(2001).encode()), "/news/view/2002": Route(chrome_only_body(2002))}
    items = "".join(f"<item><title>{p}</title><link>https://www.etoday.co.kr{p}</link></item>" for p in pages)
    routes = {"/eto/etoday_news_all.xml": Route(RSS.format(items=items).encode(), "application/rss+xml"), **pages}
    with FixtureServer(routes) as server:
        result = crawl("etoday", server.base_url, tmp_path / "data", settings={"NEWSCRAWL_MAX_MISSING_SHARE": "0.5"})
    base, good = server.base_url, "https://www.etoday.co.kr/news/view/2001"
    assert result.returncode == 0, result.log[-3000:]
    assert "Traceback" not in result.log
    assert [a["canonical_url"] for a in result.articles] == [good]
    quotes = len(result.tickers)
    assert quotes > 0 and {t["source_url"] for t in result.tickers} == {good}
    with result.db() as db:
        stored = db.execute("SELECT source_url, COUNT(*) FROM tickers GROUP BY source_url").fetchall()
        raw = dict(db.execute("SELECT url, parse_error FROM raw_page_index").fetchall())
        done = {url for (url,) in db.execute("SELECT url FROM crawl_state")}
    assert stored == [(good, quotes)]
    stats = result.stats
    assert stats["newscrawl/dropped/article/missing_body"] == 1
    assert stats["newscrawl/dropped/ticker/article_dropped"] == quotes  # the same widget on both pages
    assert f"{quotes} tickers of {base}/news/view/2002 dropped with its article (article without body" in result.log
    assert raw[f"{base}/news/view/2002"].startswith("dropped: article without body")
    assert raw[f"{base}/news/view/2001"] is None
    assert not any(url.endswith("/news/view/2002") for url in done)  # fetched again by the next run

    # Re-extraction of the failed page keeps it whole or not at all as well, and keeps it marked as failing.
    again = reextract_cli(result.data_dir, "--failed", "-j", "1")
    assert again.returncode == 1, again.stderr[-2000:]  # its only page still fails
    assert "reextract: 1 pages, 0 articles" in again.stderr and "Traceback" not in again.stderr
    with result.db() as db:
        assert db.execute("SELECT source_url, COUNT(*) FROM tickers GROUP BY source_url").fetchall() == stored
        still = db.execute("SELECT parse_error FROM raw_page_index WHERE url = ?", (f"{base}/news/view/2002",)).fetchone()
    assert still[0].startswith("dropped: article without body")
    assert len(result.tickers) == quotes
