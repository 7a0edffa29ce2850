"""The crawl path's cheaper parts (issue #15, crawl CPU) give what Scrapy's own parts gave: feed lines, quote
identities, core stats and item counts, Scrapy's DEBUG lines when the log level shows them, a user's own
pipelines and item_scraped receivers, ``-o``, the start-request mark and the depth, URL-length and referer
policies."""

from __future__ import annotations

import io
import json
import threading
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import scrapy
from pydispatch.dispatcher import getAllReceivers, liveReceivers
from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.http import HtmlResponse
from scrapy.settings import Settings
from scrapy.utils.misc import load_object

from newscrawl.exporters import JsonLinesExporter
from newscrawl.identity import ticker_identity
from newscrawl.itemprocessor import ItemPipelines
from newscrawl.items import ArticleItem, TickerItem
from newscrawl.scraped import COUNTS, DATABASE, FEEDS, on_item_scraped
from newscrawl.spidermiddlewares.requests import RequestPolicies
from newscrawl.spidermiddlewares.start import StartRequestsMiddleware
from tests.crawling import crawl
from tests.servers import FixtureServer, page
from tests.shared import FIXTURES, shared_path
from tests.test_etoday import SEED

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
    # an int price (the fast path) is spelled as the same number read as a Decimal or a float
    for same in (Decimal("132845000"), Decimal("1.32845E+8"), 132845000.0):
        assert ticker_identity({**line, "price": same}) == ticker_identity(ticker)


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


def test_a_users_pipelines_receivers_and_o_feed_see_every_item(etoday_portal, tmp_path):
    """The pipelines run as a plain loop (newscrawl/itemprocessor.py) and the project's item_scraped receivers
    from one (newscrawl/scraped.py): a user's own pipelines of each kind, a DropItem of theirs, a receiver of
    their own and ``-o FILE`` still see and write exactly the items of the page."""
    expected = [ticker["name"] for ticker in json.loads(
        shared_path("seed", f"{SEED}.expected.json").read_text(encoding="utf-8"))["tickers"]]
    dropped = expected[1]
    project = Settings()
    project.setmodule("newscrawl.settings")
    pipelines = {**project.getdict("ITEM_PIPELINES"), "tests.userparts.SyncPipeline": 450,
                 "tests.userparts.AsyncPipeline": 460, "tests.userparts.DeferredPipeline": 470}
    extensions = {**project.getdict("EXTENSIONS"), "tests.userparts.ScrapedReceiver": 500}
    own = tmp_path / "own.jsonl"
    result = crawl("etoday", etoday_portal.base_url, tmp_path / "data", options=("-o", str(own)), settings={
        "ITEM_PIPELINES": json.dumps(pipelines), "EXTENSIONS": json.dumps(extensions),
        "USERPARTS_DROP_TICKER": dropped})
    assert result.returncode == 0, result.log[-3000:]
    stats = result.stats
    kept = [name for name in expected if name != dropped]
    assert [ticker["name"] for ticker in result.tickers] == kept
    assert len(result.articles) == 1
    for kind in ("sync", "async", "deferred", "item_scraped"):
        assert (stats.get(f"user/{kind}/article"), stats.get(f"user/{kind}/ticker")) == (1, len(kept)), kind
    assert stats["item_scraped_count"] == 1 + len(kept)
    assert stats["item_dropped_count"] == 1
    lines = own.read_text(encoding="utf-8").splitlines()
    feeds = [path.read_text(encoding="utf-8").splitlines() for path in
             (result.data_dir / "articles.jsonl", result.data_dir / "tickers.jsonl")]
    assert sorted(lines) == sorted(feeds[0] + feeds[1]) and len(lines) == 1 + len(kept)
    assert "Error caught on signal handler" not in result.log
    assert "returned a Deferred, this is deprecated" in result.log  # Scrapy's own warning, kept


def receivers(calls: list[str]) -> dict[str, object]:
    """Three receivers that note their calls; the second is broken."""

    def feeds(item: object) -> None:
        calls.append(f"feeds {item}")

    def counts(item: object) -> None:
        calls.append(f"counts {item}")
        raise ValueError("a broken receiver")

    def database(item: object) -> None:
        calls.append(f"database {item}")

    return {"feeds": feeds, "counts": counts, "database": database}


def connected(crawler: Crawler) -> int:
    return len(list(liveReceivers(getAllReceivers(crawler.signals.sender, signals.item_scraped))))


def test_the_project_processor_calls_its_receivers_after_the_pipelines_without_the_signal():
    crawler = Crawler(scrapy.Spider, Settings({"ITEM_PROCESSOR": "newscrawl.itemprocessor.ItemPipelines"}))
    calls: list[str] = []

    class Upper:
        def process_item(self, item: str) -> str:
            calls.append(f"pipeline {item}")
            return item.upper()

    processor = ItemPipelines(Upper(), crawler=crawler)
    found = receivers(calls)
    crawler.signals.connect(found["feeds"], signal=signals.item_scraped)  # as Scrapy's from_crawler connects it
    on_item_scraped(crawler, found["database"], DATABASE)
    on_item_scraped(crawler, found["counts"], COUNTS)
    on_item_scraped(crawler, found["feeds"], FEEDS)
    assert connected(crawler) == 0  # no asyncio task per receiver and item
    with pytest.raises(StopIteration) as done:  # nothing suspends: the coroutine completes in one step
        processor.process_item_async("x").send(None)
    assert done.value.value == "X"
    # in their places, after the pipelines; the broken one is logged and the next one still called
    assert calls == ["pipeline x", "feeds X", "counts X", "database X"]


def test_with_another_item_processor_the_receivers_are_called_from_one_signal_receiver():
    crawler = Crawler(scrapy.Spider, Settings())  # Scrapy's ItemPipelineManager
    calls: list[str] = []
    found = receivers(calls)
    on_item_scraped(crawler, found["database"], DATABASE)
    on_item_scraped(crawler, found["counts"], COUNTS)
    on_item_scraped(crawler, found["feeds"], FEEDS)
    assert connected(crawler) == 1
    crawler.signals.send_catch_log(signals.item_scraped, item="x", response=None, spider=None)
    assert calls == ["feeds x", "counts x", "database x"]


def test_start_requests_are_marked_and_nothing_else_goes_through():
    async def start():
        yield Request("http://127.0.0.1/a")
        yield Request("http://127.0.0.1/b", meta={"is_start_request": False})
        yield {"an": "item"}

    outputs, marked = [], StartRequestsMiddleware().process_start(start())
    while True:  # nothing here suspends: each step completes at once (pytest's reactor owns the event loop)
        try:
            marked.__anext__().send(None)
        except StopIteration as step:
            outputs.append(step.value)
        except StopAsyncIteration:
            break
    first, second, item = outputs
    assert first.meta["is_start_request"] is True and second.meta["is_start_request"] is False
    assert item == {"an": "item"}
    assert not hasattr(StartRequestsMiddleware, "process_spider_output")


def policies(**settings: object) -> RequestPolicies:
    project = Settings()
    project.setmodule("newscrawl.settings")
    project.setdict(settings, priority="cmdline")
    crawler = Crawler(scrapy.Spider, project)
    crawler.stats = load_object(project["STATS_CLASS"])(crawler)
    return RequestPolicies(crawler)


def test_depth_length_and_referer_policies_apply_to_requests_in_one_pass():
    """Scrapy's DepthMiddleware, UrlLengthMiddleware and RefererMiddleware, as one layer: a request gets its depth
    and Referer, one too deep or too long is dropped and counted; items pass untouched."""
    middleware = policies(DEPTH_LIMIT=2, URLLENGTH_LIMIT=60)
    assert [type(part).__name__ for part in middleware.parts] == [
        "DepthMiddleware", "UrlLengthMiddleware", "RefererMiddleware"]
    response = HtmlResponse("https://www.etoday.co.kr/rss", body=b"<html></html>",
                            request=Request("https://www.etoday.co.kr/rss"))
    item = TickerItem(site="etoday", market="crypto", name="비트코인", price=1)
    article = Request("https://www.etoday.co.kr/news/view/1")
    too_long = Request("https://www.etoday.co.kr/news/view/1?" + "x" * 60)
    out = list(middleware.process_spider_output(response, [article, item, too_long]))
    assert out == [article, item]
    assert article.meta["depth"] == 1 and response.meta["depth"] == 0
    assert article.headers.get("Referer") == b"https://www.etoday.co.kr/rss"
    stats = middleware.crawler.stats
    assert stats.get_value("urllength/request_ignored_count") == 1
    deep = HtmlResponse("https://www.etoday.co.kr/list", body=b"<html></html>",
                        request=Request("https://www.etoday.co.kr/list", meta={"depth": 2}))
    assert list(middleware.process_spider_output(deep, [Request("https://www.etoday.co.kr/list?p=2")])) == []
    assert stats.get_value("request_depth_max") == 1  # the deepest request let through


def test_a_policy_switched_off_by_its_setting_is_left_out():
    middleware = policies(REFERER_ENABLED=False, URLLENGTH_LIMIT=0)
    assert [type(part).__name__ for part in middleware.parts] == ["DepthMiddleware"]
    response = HtmlResponse("https://www.etoday.co.kr/rss", body=b"", request=Request("https://www.etoday.co.kr/rss"))
    request = Request("https://www.etoday.co.kr/news/view/1?" + "x" * 3000)
    assert list(middleware.process_spider_output(response, [request])) == [request]
    assert "Referer" not in request.headers


class KeepAlivePortal:
    """An etoday with ``pages`` distinct article pages (the fixture with its id replaced) in its RSS feed, over
    HTTP/1.1 with keep-alive (as portals and aiohttp serve; the fixture server speaks HTTP/1.0), counting the
    TCP connections it accepts."""

    def __init__(self, pages: int):
        self.connections = 0
        fixture = (ETODAY / "news_view_2384652.html").read_bytes().split(b"2384652")
        ids = range(3_000_000, 3_000_000 + pages)
        rss = "".join(f"<item><title>{i}</title><link>https://www.etoday.co.kr/news/view/{i}</link>"
                      f"<pubDate>Thu, 25 Jul 2024 10:55:00 +0900</pubDate></item>" for i in ids)
        self.routes = {
            "/eto/etoday_news_all.xml": f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
                                        f"<title>t</title>{rss}</channel></rss>".encode(),
            "/rss/news_sitemap": b'<?xml version="1.0" encoding="UTF-8"?>'
                                 b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"></urlset>',
            **{f"/news/view/{i}": str(i).encode().join(fixture) for i in ids}}
        portal = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self) -> None:
                portal.connections += 1
                super().setup()

            def do_GET(self) -> None:
                body = portal.routes.get(self.path)
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Length", str(len(body or b"")))
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.end_headers()
                self.wfile.write(body or b"")

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self) -> KeepAlivePortal:
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def test_connections_to_a_portal_are_reused(tmp_path):
    """Scrapy's pool kept CONCURRENT_REQUESTS_PER_DOMAIN idle connections and closed the ones that came back
    late: a new connection for most requests (136 for 203 requests here; newscrawl/downloadhandlers.py)."""
    with KeepAlivePortal(200) as portal:
        result = crawl("etoday", portal.base_url, tmp_path / "data")
    assert result.returncode == 0, result.log[-3000:]
    assert result.stats["newscrawl/articles/new"] == 200
    requests = result.stats["downloader/request_count"]
    assert portal.connections < requests / 2, (portal.connections, requests)


# Scrapy imports every command's module and every listed component for every command: what a crawl never uses
# is imported only where it is used (the remote-control extension, off, is left out of EXTENSIONS_BASE).
NOT_IMPORTED_BY_A_CRAWL = ("aiohttp", "redis", "scrapy_redis", "trafilatura")


def test_a_crawl_does_not_import_what_it_does_not_use(tmp_path):
    """aiohttp (Scrapy's remote control), redis and scrapy-redis (scrapy seed; the distributed add-on while
    NEWSCRAWL_REDIS_URL is empty), trafilatura (scrapy evaluate; the generic fallback until a page needs it):
    about 0.3 s of CPU at every start-up."""
    project = Settings()
    project.setmodule("newscrawl.settings")
    extensions = {**project.getdict("EXTENSIONS"), "tests.modules.ImportedModules": -5}
    with KeepAlivePortal(2) as portal:
        result = crawl("etoday", portal.base_url, tmp_path / "data", settings={"EXTENSIONS": json.dumps(extensions)})
    assert result.returncode == 0, result.log[-3000:]
    assert result.stats["newscrawl/articles/new"] == 2
    imported = set(result.stats["test/modules"])
    assert {"scrapy.crawler", "newscrawl.distributed", "newscrawl.sites.generic", "newscrawl.commands.seed",
            "newscrawl.evaluate"} <= imported
    assert {name for name in imported if name.split(".")[0] in NOT_IMPORTED_BY_A_CRAWL} == set()
