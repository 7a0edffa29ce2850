"""A page's tickers leave the pipelines with its article or not at all (pipelines/pagetie.py), through the real
engine, with the database and with feeds only (``NEWSCRAWL_DATABASE`` empty: no store pipeline)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from scrapy.utils.project import get_project_settings

from newscrawl.chain import ItemChain
from newscrawl.extract import extract_html
from newscrawl.pageitems import TICKER_OF_DROPPED_ARTICLE
from tests.crawling import CrawlResult, crawl
from tests.servers import FixtureServer, Route
from tests.shared import REPO
from tests.test_bad_input import RSS, chrome_only_body, variant

GOOD, EMPTY = "/news/view/2001", "/news/view/2002"
COPY = f"{GOOD}?cid=7"  # an unknown parameter: fetched as another URL, the page names /news/view/2001 canonical
CANONICAL = "https://www.etoday.co.kr/news/view/2001"
PRICE = re.compile(r'<li class="name">([^<]+)</li><li class="price">([\d,]+)</li>')  # etoday's coin_list rows


def quotes(html: str) -> set[tuple[str, Decimal]]:
    """(name, price) of each row of the page's 실시간 암호화폐 시세 box, read from its markup."""
    return {(name, Decimal(price.replace(",", ""))) for name, price in PRICE.findall(html)}


def repriced(html: str) -> str:
    """The same page a moment later: every quote one won higher (the widget is live)."""
    return PRICE.sub(lambda m: f'<li class="name">{m[1]}</li><li class="price">{int(m[2].replace(",", "")) + 1:,}</li>',
                     html)


def fed_quotes(result: CrawlResult) -> list[tuple[str, str, Decimal]]:
    return [(t["source_url"], t["name"], Decimal(str(t["price"]))) for t in result.tickers]


@pytest.mark.parametrize("database", ["", "sqlite"], ids=["feeds_only", "with_database"])
def test_a_dropped_articles_tickers_reach_no_sink(tmp_path, database):
    """Three article pages: a whole one, one whose body is only widget lines (dropped by validation once chrome
    is removed) and the whole one again under another URL with newer quotes (a duplicate article). Only the
    kept article's quotes are written; the others are dropped with their articles, counted and logged once per
    page — whether the database is on or not."""
    good = variant(2001)
    assert len(quotes(good)) == 12 and quotes(repriced(good)).isdisjoint(quotes(good))
    pages = {GOOD: Route(good.encode()), EMPTY: Route(chrome_only_body(2002)), COPY: Route(repriced(good).encode())}
    items = "".join(f"<item><title>{p}</title><link>https://www.etoday.co.kr{p}</link></item>" for p in pages)
    routes = {"/eto/etoday_news_all.xml": Route(RSS.format(items=items).encode(), "application/rss+xml"), **pages}
    settings = {"NEWSCRAWL_MAX_MISSING_SHARE": "0.5"}
    if not database:
        settings["NEWSCRAWL_DATABASE"] = ""
    with FixtureServer(routes) as server:
        result = crawl("etoday", server.base_url, tmp_path / "data", settings=settings)
    base = server.base_url
    assert "Traceback" not in result.log
    assert not (tmp_path / "data" / "newscrawl.sqlite3").exists() if not database else True
    [article] = result.articles
    assert article["canonical_url"] == CANONICAL
    kept_page = repriced(good) if article["url"].endswith(COPY) else good  # whichever of the two came first
    assert sorted(fed_quotes(result)) == sorted((CANONICAL, name, price) for name, price in quotes(kept_page))

    stats = result.stats
    assert stats["newscrawl/dropped/article/missing_body"] == 1
    assert stats["newscrawl/duplicates/article"] == 1
    assert stats["newscrawl/dropped/ticker/article_dropped"] == 12 + 12
    assert result.log.count(f"12 tickers of {base}{EMPTY} dropped with its article (article without body") == 1
    assert result.log.count("12 tickers of") == 2  # once per page
    assert re.search(r"12 tickers of \S+/news/view/2001\S* dropped with its article \(duplicate article", result.log)
    if database:
        with result.db() as db:
            stored = db.execute("SELECT source_url, name, price FROM tickers").fetchall()
        assert sorted((url, name, Decimal(str(price))) for url, name, price in stored) == sorted(fed_quotes(result))


def runspider(path: str, base_url: str, data_dir: Path, settings: dict[str, str]) -> CrawlResult:
    """``scrapy runspider`` of a test spider with the project's settings (the engine, pipelines and feeds of a
    crawl), as tests.crawling.crawl runs the project's spiders."""
    data_dir.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "scrapy", "runspider", path, "-a", f"base_url={base_url}",
               "-s", "AUTOTHROTTLE_ENABLED=0", "-s", f"NEWSCRAWL_STATS_FILE={data_dir / 'stats.json'}"]
    for name, value in settings.items():
        command += ["-s", f"{name}={value}"]
    env = {**os.environ, "NEWSCRAWL_DATA_DIR": str(data_dir), "PYTHONPATH": str(REPO)}
    env.pop("NEWSCRAWL_DATABASE", None)
    done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    return CrawlResult(done.returncode, done.stderr + done.stdout, data_dir)


@pytest.mark.parametrize("database", ["", "sqlite"], ids=["feeds_only", "with_database"])
def test_a_page_without_an_article_still_emits_its_tickers(tmp_path, database):
    """tests/quotespider.py reads one page for its quote widget only (no article: nothing to tie its tickers
    to) beside an article page whose article is dropped: the first page's quotes are all written, the second's
    none."""
    quote_page = repriced(variant(2003))
    pages = {EMPTY: Route(chrome_only_body(2002))}
    items = "".join(f"<item><title>{p}</title><link>https://www.etoday.co.kr{p}</link></item>" for p in pages)
    routes = {"/eto/etoday_news_all.xml": Route(RSS.format(items=items).encode(), "application/rss+xml"),
              "/market/coin": Route(quote_page.encode()), **pages}
    settings = {"NEWSCRAWL_MAX_MISSING_SHARE": "1"} | ({} if database else {"NEWSCRAWL_DATABASE": ""})
    with FixtureServer(routes) as server:
        result = runspider("tests/quotespider.py", server.base_url, tmp_path / "data", settings)
    assert "Traceback" not in result.log, result.log[-3000:]
    assert "/market/coin" in server.requests and EMPTY in server.requests
    source = f"{server.base_url}/market/coin"
    assert sorted(fed_quotes(result)) == sorted((source, name, price) for name, price in quotes(quote_page))
    assert result.articles == []
    assert result.stats["newscrawl/dropped/ticker/article_dropped"] == 12  # the article page's
    if database:
        with result.db() as db:
            assert db.execute("SELECT COUNT(*), MIN(source_url), MAX(source_url) FROM tickers").fetchone() == (
                12, source, source)


def test_item_chain_ties_pages_by_the_same_rule():
    """``scrapy extract`` and reextract (newscrawl/chain.py) run the same tie pipeline: a dropped article's
    tickers are dropped with it and counted, the next page is whole, and no page is left in the ledger."""
    chain = ItemChain(get_project_settings())
    empty = extract_html(f"https://www.etoday.co.kr{EMPTY}", chrome_only_body(2002).decode(), "etoday")
    kept, dropped = chain.process(empty.items())
    assert kept == [] and len(dropped) == 13 and dropped[0].startswith("article without body")
    assert all(reason.startswith(f"{TICKER_OF_DROPPED_ARTICLE}: ") for reason in dropped[1:])
    assert chain.stats["newscrawl/dropped/ticker/article_dropped"] == 12
    whole = extract_html(CANONICAL, variant(2001), "etoday")
    kept, dropped = chain.process(whole.items())
    assert kept == whole.items() and dropped == []
    chain.close()
    assert chain.pages is not None and not chain.pages.by_item
