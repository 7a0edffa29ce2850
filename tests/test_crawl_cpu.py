"""The crawl path's cheaper parts (issue #15, crawl CPU) give what Scrapy's own parts gave: feed lines, quote
identities, core stats and item counts, and Scrapy's DEBUG lines when the log level shows them."""

from __future__ import annotations

import io
import json
from decimal import Decimal

import pytest

from newscrawl.exporters import JsonLinesExporter
from newscrawl.identity import ticker_identity
from newscrawl.items import ArticleItem, TickerItem
from tests.crawling import crawl
from tests.servers import FixtureServer, page
from tests.shared import FIXTURES

ETODAY = FIXTURES / "etoday"


def items() -> list[object]:
    article = ArticleItem(url="https://www.etoday.co.kr/news/view/1", site="etoday", publisher="이투데이",
                          title="제목 \"따옴표\"", paragraphs=["첫 문단", "둘째 문단"], body="첫 문단\n\n둘째 문단",
                          images=[{"url": "https://img.etoday.co.kr/1.jpg", "caption": None}])
    ticker = TickerItem(site="etoday", market="crypto", name="비트코인", price=132845000,
                        change_pct=Decimal("-1.06"), source_url=article.url)
    exact = TickerItem(site="etoday", market="crypto", name="샌드박스", price=Decimal("0.12345678901234567"))
    return [article, ticker, exact]


def export(item: object, **options: object) -> str:
    out = io.BytesIO()
    exporter = JsonLinesExporter(out, encoding="utf-8", **options)  # as FEEDS configures it
    exporter.export_item(item)
    return out.getvalue().decode("utf-8")


@pytest.mark.parametrize("item", items(), ids=["article", "ticker", "long-decimal"])
def test_a_feed_line_is_the_same_with_and_without_the_field_list(item):
    """The exporter's fast path (every dataclass field in order) writes exactly what Scrapy's field-by-field
    path writes when the same fields are named explicitly."""
    names = [name for name in item.__dataclass_fields__]
    fast, generic = export(item), export(item, fields_to_export=names)
    assert fast == generic
    assert list(json.loads(fast)) == names
    assert "\\u" not in fast  # Korean as UTF-8, not escaped


def test_a_feed_line_keeps_a_named_field_list():
    line = json.loads(export(items()[1], fields_to_export=["name", "price"]))
    assert line == {"name": "비트코인", "price": 132845000}


def test_a_ticker_has_one_identity_as_an_item_and_as_a_json_line():
    ticker = items()[1]
    line = json.loads(export(ticker))
    assert ticker_identity(ticker) == ticker_identity(line)
    assert ticker_identity(ticker)[:5] == ("etoday", "crypto", "비트코인", "132845000", "-1.06")


@pytest.fixture
def etoday_portal():
    routes = {
        "/eto/etoday_news_all.xml": page(ETODAY / "etoday_news_all.xml", "application/rss+xml; charset=utf-8"),
        "/rss/news_sitemap": page(ETODAY / "news_sitemap.xml", "application/xml; charset=utf-8"),
        "/news/view/2384652": page(ETODAY / "news_view_2384652.html"),
    }
    with FixtureServer(routes) as server:
        yield server


def test_core_stats_and_counts_by_type_come_from_one_extension(etoday_portal, tmp_path):
    result = crawl("etoday", etoday_portal.base_url, tmp_path / "data")
    assert result.returncode == 0, result.log[-3000:]
    stats = result.stats
    tickers, articles = stats["newscrawl/scraped/ticker"], stats["newscrawl/scraped/article"]
    assert (articles, tickers) == (len(result.articles), len(result.tickers)) == (1, 12)
    assert stats["item_scraped_count"] == articles + tickers
    assert stats["finish_reason"] == "finished" and stats["elapsed_time_seconds"] > 0
    assert stats["start_time"] <= stats["finish_time"]
    # At the default level (INFO) Scrapy's per-response and per-item DEBUG lines are not built.
    assert "Scraped from" not in result.log and "Crawled (200)" not in result.log


def test_debug_level_still_logs_every_response_and_item(etoday_portal, tmp_path):
    result = crawl("etoday", etoday_portal.base_url, tmp_path / "data", settings={"LOG_LEVEL": "DEBUG"})
    assert result.returncode == 0, result.log[-3000:]
    assert result.log.count("Scraped from <200 ") == result.stats["item_scraped_count"] == 13
    assert f"Crawled (200) <GET {etoday_portal.base_url}/news/view/2384652>" in result.log
