"""newscrawl/repeats.py: quotes repeated on every page stop before the pipelines, and the output is the same as
when the pipelines drop them. etoday's article pages all carry the same 12 crypto quotes (the fixture's
'실시간 암호화폐 시세' widget); pages here are that fixture with its article id replaced."""

from __future__ import annotations

import sqlite3

import pytest

from tests.crawling import crawl
from tests.servers import FixtureServer, Route
from tests.shared import FIXTURES

PAGE = (FIXTURES / "etoday" / "news_view_2384652.html").read_bytes()
IDS = range(3_100_000, 3_100_030)
# -s replaces the whole dict: the project's spider middlewares without the repeat filter.
OFF = {"SPIDER_MIDDLEWARES": '{"newscrawl.rawpages.RawPageMiddleware": 950}'}


@pytest.fixture(scope="module")
def portal():
    items = "".join(f"<item><link>{{BASE}}/news/view/{i}</link></item>" for i in IDS)
    routes = {"/eto/etoday_news_all.xml": Route(f'<?xml version="1.0"?><rss><channel>{items}</channel></rss>'
                                                .encode(), "application/rss+xml; charset=utf-8")}
    routes |= {f"/news/view/{i}": Route(PAGE.replace(b"2384652", str(i).encode())) for i in IDS}
    with FixtureServer(routes) as server:
        yield server


def stored_tickers(result) -> list[tuple]:
    with sqlite3.connect(result.data_dir / "newscrawl.sqlite3") as db:
        return db.execute("SELECT site, market, name, price, change_pct FROM tickers ORDER BY id").fetchall()


def test_repeated_quotes_skip_the_pipelines_with_the_same_output(portal, tmp_path):
    runs = {}
    for name, settings in (("on", {}), ("off", OFF)):
        result = crawl("etoday", portal.base_url, tmp_path / name, settings=settings)
        assert result.returncode == 0, result.log[-3000:]
        assert result.stats["newscrawl/articles/new"] == result.stats["newscrawl/raw_pages/saved"] == len(IDS)
        runs[name] = result
    on, off = runs["on"], runs["off"]
    quotes = len(on.tickers)
    assert quotes == 12 and len(stored_tickers(on)) == 12
    repeats = quotes * (len(IDS) - 1)
    # Every repeat is counted as a duplicate either way; with the middleware most never reach the pipelines.
    assert on.stats["newscrawl/duplicates/ticker"] == off.stats["newscrawl/duplicates/ticker"] == repeats
    assert off.stats["item_dropped_count"] == repeats
    assert on.stats.get("item_dropped_count", 0) < repeats
    strip = [{k: v for k, v in t.items() if k not in ("fetched_at", "source_url")} for t in on.tickers]
    assert strip == [{k: v for k, v in t.items() if k not in ("fetched_at", "source_url")} for t in off.tickers]
    assert stored_tickers(on) == stored_tickers(off)
