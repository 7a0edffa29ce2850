"""Bad pages in a real crawl: each is counted with its reason and logged with its URL, raw bytes are kept,
nothing half-empty is written, and the crawl goes on."""

from __future__ import annotations

import pytest

from tests.crawling import crawl
from tests.servers import FixtureServer, Route, page
from tests.shared import FIXTURES

BAD = FIXTURES / "badinput"
UNDECODABLE = b"<html><head><title>x</title></head><body>\xff\xfe\xff\xfe broken \xff</body></html>"
RSS = """<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>t</title>
{items}</channel></rss>"""


@pytest.fixture
def hostile_etoday():
    pages = {
        "/news/view/1001": page(BAD / "empty_body.html"),
        "/news/view/1002": page(BAD / "missing_date.html"),
        "/news/view/1003": page(BAD / "other_site.html"),
        "/news/view/1004": page(BAD / "truncated.html"),
        "/news/view/1005": page(BAD / "soft_404.html"),
        "/news/view/1006": page(BAD / "euckr_labelled_utf8.html"),  # header lies: says UTF-8
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
    assert stats["newscrawl/parse_error/missing_fields"] == 1  # the other site's page
    assert stats["newscrawl/parse_error/truncated"] == 1
    assert stats["newscrawl/parse_error/soft_404"] == 1
    assert stats["newscrawl/parse_error/undecodable"] == 1
    base = hostile_etoday.base_url
    for path, reason in [("/news/view/1003", "missing_fields"), ("/news/view/1004", "truncated"),
                         ("/news/view/1005", "soft_404"), ("/news/view/1007", "undecodable")]:
        assert f"cannot parse {base}{path}: {reason}" in result.log or (
            reason == "undecodable" and f"cannot parse {base}{path}" in result.log)
    assert "without body" in result.log and f"{base}/news/view/1001" in result.log
    assert "Traceback" not in result.log

    with result.db() as db:
        kept = dict(db.execute("SELECT url, parse_error FROM raw_pages").fetchall())
    assert len(kept) == 7  # every article page's bytes are kept for reprocessing
    assert kept[f"{base}/news/view/1004"].startswith("truncated")
    assert kept[f"{base}/news/view/1006"] is None
