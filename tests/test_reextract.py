"""``scrapy reextract``: stored raw pages through today's page objects and pipeline chain.

The database comes from a real crawl of a loopback hani portal serving three real pages: one intact, one whose
body container was renamed (``div.text`` -> ``div.story-body``: read by the generic fallback) and one that is
also stripped of its ``article:published_time`` meta and of the ``등록 :`` label of its date line (the generic
extractor cannot read it either: stored as ``parse_error``). Adding a page object for the redesigned layout
(what a developer does after the drift flag) and re-extracting must turn the failed page into an article and
the fallback one into a revision, with feeds and database holding the same articles.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gzip
import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest
from scrapy.settings import Settings
from scrapy.utils.project import get_project_settings

from newscrawl.items import TickerItem
from newscrawl.reextract import Reextraction, Selection, current_versions, is_outdated
from newscrawl.sites import all_sites
from newscrawl.sites.hani import HaniLegacyArticlePage
from newscrawl.storage import Storage
from newscrawl.storage.packing import ZSTD_MAGIC, unpack
from newscrawl.storage.postgres import PostgresStorage
from newscrawl.storage.sqlite import SQLiteStorage
from tests import pg
from tests.crawling import crawl
from tests.servers import FixtureServer, Route
from tests.shared import REPO, CorpusSite, url_path

pg_server, pg_dsn = pg.pg_server, pg.pg_dsn  # fixtures used here
CORPUS = CorpusSite("hani")
INTACT, DRIFTED, BROKEN = "hani_761487", "hani_761485", "hani_761485"
BODY, RENAMED = b"<div class='text'>", b"<div class='story-body'>"
DATE_LABEL = "<em>등록 :</em>".encode()
BROKEN_PATH = "/arti/society/society_general/99761485.html"  # a second URL for the stripped copy


def drifted_page() -> bytes:
    page = CORPUS.raw(DRIFTED)
    assert page.count(BODY) == 1
    return page.replace(BODY, RENAMED)


def broken_page() -> bytes:
    """The redesign without the machine-readable date: neither hani's layouts nor the generic extractor read it."""
    page = drifted_page()
    meta = b'<meta property="article:published_time"\tcontent="2016-09-17T17:01:27+09:00">'
    assert page.count(meta) == 1 and page.count(DATE_LABEL) == 1
    page = page.replace(meta, b"").replace(DATE_LABEL, b"")
    return page.replace(b"/arti/society/society_general/761485.html", BROKEN_PATH.encode())  # its own article


class HaniStoryBodyPage(HaniLegacyArticlePage):
    """The fix a developer ships: the renamed body container, and the date line without its label."""

    body_css = "div.article-text div.story-body"

    @classmethod
    def matches(cls, source: str) -> bool:
        return "class='story-body'" in source

    def article(self):
        article = super().article()
        article.published_at = article.published_at or self.text("div.article-head p.date-time span") or None
        return article


@pytest.fixture
def parser_added(monkeypatch):
    site = all_sites()["hani"]
    monkeypatch.setitem(all_sites(), "hani", dataclasses.replace(site, layouts=(HaniStoryBodyPage, *site.layouts)))
    current_versions.cache_clear()
    yield
    current_versions.cache_clear()


def feed(urls: list[str]) -> bytes:
    items = "".join(f"<item><title>t</title><link>{u}</link></item>" for u in urls)
    return f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>{items}</channel></rss>'.encode()


@pytest.fixture
def crawled(tmp_path) -> Path:
    """A data dir after a crawl of the three pages (exit 1: the run flags layout drift and the failure)."""
    intact, drifted = (CORPUS.truth(name)["url"] for name in (INTACT, DRIFTED))
    broken = "https://www.hani.co.kr" + BROKEN_PATH
    routes = {"/feed.xml": Route(feed([intact, drifted, broken]), "application/rss+xml; charset=utf-8"),
              url_path(intact): Route(CORPUS.raw(INTACT)), url_path(drifted): Route(drifted_page()),
              BROKEN_PATH: Route(broken_page())}
    with FixtureServer(routes) as server:
        result = crawl("hani", server.base_url, tmp_path / "data", args={"feeds": "/feed.xml"})
    assert "Traceback" not in result.log
    assert result.stats["newscrawl/parse_error/missing_fields"] == 1, result.log[-3000:]
    return result.data_dir


def settings_for(data_dir: Path, **extra) -> Settings:
    settings = get_project_settings().copy()
    settings.set("NEWSCRAWL_DATA_DIR", str(data_dir))
    settings.set("NEWSCRAWL_DATABASE", f"sqlite:///{data_dir}/newscrawl.sqlite3")
    settings.set("FEEDS", {str(data_dir / "articles.jsonl"): {"format": "jsonl", "encoding": "utf8",
                                                             "item_classes": ["newscrawl.items.ArticleItem"]},
                           str(data_dir / "tickers.jsonl"): {"format": "jsonl", "encoding": "utf8",
                                                            "item_classes": ["newscrawl.items.TickerItem"]}})
    for name, value in extra.items():
        settings.set(name, value)
    return settings


def reextract_cli(data_dir: Path, *args: str, timeout: float = 120, **popen) -> subprocess.CompletedProcess:
    env = {**os.environ, "NEWSCRAWL_DATA_DIR": str(data_dir), "PYTHONPATH": str(REPO)}
    env.pop("NEWSCRAWL_DATABASE", None)
    return subprocess.run([sys.executable, "-m", "scrapy", "reextract", *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=timeout)


def feed_articles(data_dir: Path) -> list[dict]:
    lines = (data_dir / "articles.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def assert_feeds_match_database(data_dir: Path) -> None:
    """Every stored revision is a feed line and every feed line a stored revision, once each (a revision is new
    text or a new page object's reading)."""
    lines = [(a["canonical_url"], a["content_hash"], a["extracted_by"]) for a in feed_articles(data_dir)]
    assert len(lines) == len(set(lines)), "a feed line written twice"
    with sqlite3.connect(data_dir / "newscrawl.sqlite3") as db:
        revisions = db.execute("SELECT canonical_url, content_hash, json_extract(item_json, '$.extracted_by') "
                               "FROM article_revisions").fetchall()
    assert sorted(lines) == sorted(revisions)


def raw_state(data_dir: Path) -> dict[str, tuple]:
    with sqlite3.connect(data_dir / "newscrawl.sqlite3") as db:
        return {url_path(u): (e, p) for u, e, p in db.execute("SELECT url, extracted_by, parse_error FROM raw_page_index")}


def test_outdated_means_an_older_version_or_the_fallback():
    current = current_versions()["hani.HaniLegacyArticlePage"]
    assert current == f"hani.HaniLegacyArticlePage/{HaniLegacyArticlePage.version}"
    assert not is_outdated(current)
    assert is_outdated(f"hani.HaniLegacyArticlePage/{HaniLegacyArticlePage.version + 1}")
    assert is_outdated("generic/1 fallback from hani") and is_outdated(None)
    assert not is_outdated("generic/1")


def test_failed_pages_become_articles_after_a_parser_is_added(crawled, parser_added):
    before = feed_articles(crawled)
    assert raw_state(crawled)[BROKEN_PATH][1].startswith("missing_fields")

    run = Reextraction(settings_for(crawled), Selection(failed=True), jobs=1)  # the added parser is in this process
    run.run()

    assert "1 pages, 1 articles (1 new, 0 updated, 0 unchanged)" in run.summary()
    assert "still failing: none" in run.summary() and not run.all_failed
    assert raw_state(crawled)[BROKEN_PATH] == ("hani.HaniStoryBodyPage/1", None)
    added = [a for a in feed_articles(crawled) if url_path(a["url"]) == BROKEN_PATH]
    assert len(added) == 1 and added[0]["extracted_by"] == "hani.HaniStoryBodyPage/1"
    truth = CORPUS.truth(BROKEN)
    assert added[0]["title"] == truth["title"] and added[0]["paragraphs"] == truth["paragraphs"]
    assert added[0]["published_at"] == "2016-09-17T17:01:00+09:00"  # the date line, to the minute
    assert feed_articles(crawled)[:len(before)] == before  # appended, nothing rewritten
    assert_feeds_match_database(crawled)


def test_outdated_pages_become_revisions_not_duplicates(crawled, parser_added):
    drifted = url_path(CORPUS.truth(DRIFTED)["url"])
    assert raw_state(crawled)[drifted][0] == "generic/1 fallback from hani"
    with sqlite3.connect(crawled / "newscrawl.sqlite3") as db:
        articles_before = db.execute("SELECT count(*) FROM articles").fetchone()[0]

    run = Reextraction(settings_for(crawled), Selection(outdated=True), jobs=1)
    run.run()

    assert raw_state(crawled)[drifted][0] == "hani.HaniStoryBodyPage/1"
    report = {r["site"]: r for r in run.reports()}["hani"]
    assert report["article_pages"] == 1 and report["articles"]["updated"] == 1 and report["fallbacks"] == 0
    with sqlite3.connect(crawled / "newscrawl.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM articles").fetchone()[0] == articles_before
        revisions = db.execute("SELECT revision, json_extract(item_json, '$.extracted_by') FROM article_revisions "
                               "WHERE canonical_url LIKE ? ORDER BY revision", (f"%{drifted}",)).fetchall()
    assert revisions == [(1, "generic/1 fallback from hani"), (2, "hani.HaniStoryBodyPage/1")]
    assert_feeds_match_database(crawled)

    again = Reextraction(settings_for(crawled), Selection(outdated=True), jobs=1)
    again.run()  # nothing is outdated any more
    assert again.summary().startswith("reextract: 0 pages")


def test_cli_reports_still_failing_pages_and_exits_non_zero(crawled):
    lines_before = feed_articles(crawled)
    done = reextract_cli(crawled, "--failed", "-j", "2")
    assert done.returncode == 1, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    assert "reextract: 1 pages, 0 articles" in done.stderr
    assert "still failing: parse_error/missing_fields 1" in done.stderr
    assert raw_state(crawled)[BROKEN_PATH][1].startswith("missing_fields")
    assert feed_articles(crawled) == lines_before
    with sqlite3.connect(crawled / "newscrawl.sqlite3") as db:  # the run history (newscrawl/runs.py)
        command, exit_code, sites = db.execute("SELECT command, exit_code, sites FROM runs ORDER BY id DESC").fetchone()
    hani = json.loads(sites)[0]
    assert (command, exit_code, hani["site"], hani["parse_errors"]) == ("reextract", 1, "hani", {"missing_fields": 1})
    assert hani["flags"] == ["every page still fails"]


def test_cli_whole_site_rerun_changes_nothing(crawled):
    lines_before = feed_articles(crawled)
    done = reextract_cli(crawled, "--site", "hani", "--since", "2000-01-01")
    assert done.returncode == 0, done.stderr[-2000:]
    assert "reextract: 3 pages, 2 articles (0 new, 0 updated, 2 unchanged)" in done.stderr
    assert "1 read by the generic fallback" in done.stderr
    assert feed_articles(crawled) == lines_before  # unchanged articles are not appended again
    assert_feeds_match_database(crawled)
    done = reextract_cli(crawled, "--until", "2000-01-01")  # fetched later: nothing selected
    assert done.returncode == 0 and "reextract: 0 pages" in done.stderr


@pytest.mark.parametrize("args", [["--site", "nosuchsite"], ["--since", "yesterday"], ["-j", "0"],
                                  ["--failed"]])  # the last: no database in the data dir
def test_cli_bad_arguments_are_one_line(tmp_path, args):
    done = reextract_cli(tmp_path, *args)
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert len([line for line in done.stderr.splitlines() if line.strip()]) == 1, done.stderr
    assert not (tmp_path / "newscrawl.sqlite3").exists()  # never creates an empty database


def seed_failed_pages(data_dir: Path, count: int, storage: Storage | None = None) -> None:
    """``count`` copies of a stored page that the hani layouts read, marked as failed (an older parser's verdict)."""
    storage = storage or SQLiteStorage(data_dir / "newscrawl.sqlite3")
    for number in range(count):
        path = f"/arti/society/society_general/{700000 + number}.html"
        url = f"https://www.hani.co.kr{path}"
        body = CORPUS.raw(INTACT).replace(b"/arti/economy/it/761487.html", path.encode())  # canonical, og:url
        storage.save_raw(url, body, site="hani", fetched_at="2026-11-01T09:00:00+09:00", status=200)
        storage.mark_parse_error(url, "missing_fields: body")
    storage.close()


def test_a_page_whose_stored_bytes_are_damaged_fails_alone(tmp_path):
    """A raw page damaged on disk (a cut zstd frame, bytes that are no known format) is that page's failure:
    counted as parse_error/damaged_raw, logged with its URL, kept; the pages beside it in its chunk are read."""
    data_dir = tmp_path / "data"
    seed_failed_pages(data_dir, 6)
    with sqlite3.connect(data_dir / "newscrawl.sqlite3") as db:
        urls = [url for (url,) in db.execute("SELECT url FROM raw_pages ORDER BY url")]
        (packed,) = db.execute("SELECT body_compressed FROM raw_pages WHERE url = ?", (urls[1],)).fetchone()
        db.execute("UPDATE raw_pages SET body_compressed = ? WHERE url = ?", (packed[:len(packed) // 2], urls[1]))
        db.execute("UPDATE raw_pages SET body_compressed = ? WHERE url = ?", (b"<html>not packed</html>", urls[4]))
    done = reextract_cli(data_dir, "--failed", "-j", "1")
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    assert "reextract: 6 pages, 4 articles (4 new" in done.stderr
    assert "still failing: parse_error/damaged_raw 2" in done.stderr
    assert f"still failing: {urls[1]} (stored bytes damaged" in done.stderr
    assert f"still failing: {urls[4]} (stored bytes are neither zstd nor gzip)" in done.stderr
    state = raw_state(data_dir)  # path -> (extracted_by, parse_error)
    assert {path for path, (_, error) in state.items() if error is None} == {
        url_path(url) for i, url in enumerate(urls) if i not in (1, 4)}
    assert state[url_path(urls[4])][1] == "stored bytes are neither zstd nor gzip"
    assert len(feed_articles(data_dir)) == 4


def test_killed_run_resumes_and_writes_everything_once(tmp_path):
    data_dir = tmp_path / "data"
    seed_failed_pages(data_dir, 300)
    env = {**os.environ, "NEWSCRAWL_DATA_DIR": str(data_dir), "PYTHONPATH": str(REPO)}
    env.pop("NEWSCRAWL_DATABASE", None)
    command = [sys.executable, "-m", "scrapy", "reextract", "--failed", "-j", "2",
               "-s", "NEWSCRAWL_REEXTRACT_BATCH=20"]
    process = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               start_new_session=True)
    checkpoint = data_dir / "reextract.checkpoint.json"
    deadline = time.monotonic() + 90
    while not checkpoint.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)  # the command and its workers
    process.wait()
    assert checkpoint.exists(), "the run ended before its first checkpoint: seed more pages"
    with sqlite3.connect(data_dir / "newscrawl.sqlite3") as db:
        failed_left = db.execute("SELECT count(*) FROM raw_page_index WHERE parse_error IS NOT NULL").fetchone()[0]
    assert 0 < failed_left < 300

    done = reextract_cli(data_dir, "--failed", "-j", "2", "-s", "NEWSCRAWL_REEXTRACT_BATCH=20")
    assert done.returncode == 0, done.stderr[-2000:]
    assert "resumed after" in done.stderr
    assert not checkpoint.exists()
    with sqlite3.connect(data_dir / "newscrawl.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM raw_page_index WHERE parse_error IS NOT NULL").fetchone()[0] == 0
        assert db.execute("SELECT count(*) FROM articles").fetchone()[0] == 300
    assert len(feed_articles(data_dir)) == 300
    assert_feeds_match_database(data_dir)


def test_postgres_failed_pages_become_articles_with_every_core(pg_dsn, tmp_path):
    data_dir = tmp_path / "data"
    seed_failed_pages(data_dir, 40, PostgresStorage(pg_dsn))
    done = reextract_cli(data_dir, "--failed", "-s", f"NEWSCRAWL_DATABASE={pg_dsn}")  # -j: every core
    assert done.returncode == 0, done.stderr[-2000:]
    assert "reextract: 40 pages, 40 articles (40 new, 0 updated, 0 unchanged)" in done.stderr
    storage = PostgresStorage(pg_dsn)
    try:
        assert storage.failed_pages() == []
        stored = {(a["canonical_url"], a["content_hash"]) for a in storage.articles()}
        made_by = {a["extracted_by"] for a in storage.articles()}
    finally:
        storage.close()
    assert made_by == {current_versions()["hani.HaniLegacyArticlePage"]}
    assert {(a["canonical_url"], a["content_hash"]) for a in feed_articles(data_dir)} == stored
    assert len(feed_articles(data_dir)) == 40


def test_feed_lines_made_by_workers_are_the_exporters_lines():
    """Workers make the feed lines; each must be the line Scrapy's exporter path makes of the same item (every
    field in declaration order, exact numbers, Korean text as is)."""
    from scrapy.utils.project import get_project_settings as project_settings

    from newscrawl.chain import ItemChain
    from newscrawl.exporters import JsonLinesExporter
    from newscrawl.extract import decode_html, extract_html

    page = REPO / "tests" / "fixtures" / "etoday" / "news_view_2384652.html"
    html, _ = decode_html(page.read_bytes(), "utf-8")
    chain = ItemChain(project_settings())
    items, _ = chain.process(extract_html("https://www.etoday.co.kr/news/view/2384652", html, "etoday").items())
    chain.close()
    assert {type(i).__name__ for i in items} == {"ArticleItem", "TickerItem"}
    exporter = JsonLinesExporter(io.BytesIO(), encoding="utf8")
    for item in items:
        expected = exporter.encoder.encode(dict(exporter.get_serialized_fields(item))) + "\n"
        assert exporter.line(item) == expected.encode("utf-8")
    assert "이투데이" in exporter.line(items[0]).decode("utf-8")


def test_a_feed_that_fails_mid_run_commits_nothing_and_the_same_command_completes(tmp_path):
    data_dir = tmp_path / "data"
    seed_failed_pages(data_dir, 30)
    (data_dir / "articles.jsonl").symlink_to("/dev/full")  # every write: No space left on device
    done = reextract_cli(data_dir, "--failed", "-j", "2")
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr[-2000:]
    assert "stopped, a sink failed: No space left on device" in done.stderr
    with sqlite3.connect(data_dir / "newscrawl.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM articles").fetchone()[0] == 0
        assert db.execute("SELECT count(*) FROM raw_page_index WHERE parse_error IS NOT NULL").fetchone()[0] == 30

    (data_dir / "articles.jsonl").unlink()  # the cause fixed
    done = reextract_cli(data_dir, "--failed", "-j", "2")
    assert done.returncode == 0, done.stderr[-2000:]
    assert "reextract: 30 pages, 30 articles (30 new" in done.stderr
    assert len(feed_articles(data_dir)) == 30
    assert_feeds_match_database(data_dir)


def open_backend(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Storage:
    if backend == "sqlite":
        return SQLiteStorage(tmp_path / "newscrawl.sqlite3")
    return PostgresStorage(request.getfixturevalue("pg_dsn"))


def failed_pages_to_extract(tmp_path: Path, count: int) -> tuple[Settings, list]:
    """The settings of a data directory seeded with ``count`` failed pages, and those pages as selected."""
    from newscrawl.reextract import select

    data_dir = tmp_path / "data"
    seed_failed_pages(data_dir, count)
    storage = SQLiteStorage(data_dir / "newscrawl.sqlite3")
    pages = select(storage, Selection(failed=True))
    storage.close()
    return settings_for(data_dir), pages


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_a_pages_quotes_in_one_call_answer_as_one_by_one(backend, tmp_path, request):
    """add_tickers (the writer's one statement per page) says, for each quote, what add_ticker would: new, or
    already held (stored, committed or not, or earlier in the same list)."""
    storage = open_backend(backend, tmp_path, request)

    def quote(number: int, price: int | Decimal) -> TickerItem:
        return TickerItem(site="etoday", market="crypto", name=f"coin{number}", code=f"C{number}", price=price,
                          change_pct=Decimal("-1.06"), as_of="2026-11-01T09:00:00+09:00",
                          source_url="https://www.etoday.co.kr/news/view/1", fetched_at="2026-11-01T09:00:00+09:00")

    try:
        assert storage.add_tickers([quote(1, 100), quote(2, Decimal("0.5")), quote(1, 100)]) == [True, True, False]
        assert storage.add_tickers([quote(2, Decimal("0.5"))]) == [False]  # not committed yet, still held
        assert storage.add_tickers([quote(3, 7), quote(4, 8)]) == [True, True]
        storage.commit()
        assert storage.add_tickers([quote(2, Decimal("0.5")), quote(5, 9)]) == [False, True]
        assert storage.add_tickers([quote(3, 7), quote(4, 8)]) == [False, False]
        assert storage.add_tickers([quote(3, 70)]) == [True]  # another price: another observation
        assert storage.add_tickers([]) == []
        storage.commit()
        names = sorted((t["name"], t["price"]) for t in storage.tickers())
    finally:
        storage.close()
    assert names == [("coin1", "100"), ("coin2", "0.5"), ("coin3", "7"), ("coin3", "70"), ("coin4", "8"),
                     ("coin5", "9")]


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_a_raw_pages_state_follows_its_marks(backend, tmp_path, request):
    """What the index says of a stored page: marked failing, read (the parse error gone), fetched again (not
    failing until read again, what read it last kept); a mark for a page that is not stored changes nothing.
    raw_pages() reads a chunk's stored bytes at once."""
    storage = open_backend(backend, tmp_path, request)
    first, second = "https://www.etoday.co.kr/news/view/1", "https://www.etoday.co.kr/news/view/2"

    def index() -> dict[str, tuple]:
        storage.commit()
        return {url: (error, by) for url, _, _, _, error, by in storage.raw_page_index()}

    try:
        for url in (first, second):
            storage.save_raw(url, b"<html>page</html>", site="etoday", fetched_at="2026-11-01T09:00:00+09:00",
                             status=200, encoding="utf-8")
        storage.mark_parse_error(first, "missing_fields: body")
        storage.mark_extracted(second, "etoday.EtodayArticlePage/2")
        storage.mark_parse_error("https://www.etoday.co.kr/news/view/3", "never stored")
        storage.mark_extracted("https://www.etoday.co.kr/news/view/4", "etoday.EtodayArticlePage/2")
        assert index() == {first: ("missing_fields: body", None), second: (None, "etoday.EtodayArticlePage/2")}
        assert storage.failed_pages() == [(first, "missing_fields: body")]
        storage.mark_extracted(first, "generic/1 fallback from etoday")
        storage.mark_parse_error(second, "dropped: article without body")
        assert index() == {first: (None, "generic/1 fallback from etoday"),
                           second: ("dropped: article without body", "etoday.EtodayArticlePage/2")}
        storage.save_raw(second, b"<html>again</html>", site="etoday", fetched_at="2026-11-02T09:00:00+09:00",
                         status=200, encoding="utf-8")
        assert index()[second] == (None, "etoday.EtodayArticlePage/2")
        assert storage.raw_page(second) == b"<html>again</html>"
        missing = "https://www.etoday.co.kr/news/view/3"
        packed = storage.raw_pages([second, missing, first])
        assert {url: unpack(body) for url, body in packed.items()} == {first: b"<html>page</html>",
                                                                      second: b"<html>again</html>"}
    finally:
        storage.close()


def test_sqlite_moves_a_raw_pages_state_out_of_its_row_and_reads_its_gzip_bytes(tmp_path):
    """Migrations 6 and 7 on a database written before them: each page's parse error and reader move to
    raw_page_state (marking a page no longer rewrites its compressed row), the index reads the same; pages
    gzipped then are read as they are, a page saved now is packed with zstd."""
    from newscrawl.storage.sqlite import MIGRATIONS

    path = tmp_path / "newscrawl.sqlite3"
    with contextlib.closing(sqlite3.connect(path)) as db:
        for script in MIGRATIONS[:5]:
            db.executescript(script)
        db.execute("PRAGMA user_version = 5")
        rows = [("https://www.etoday.co.kr/news/view/1", "missing_fields: body", None),
                ("https://www.etoday.co.kr/news/view/2", None, "etoday.EtodayArticlePage/1"),
                ("https://www.etoday.co.kr/news/view/3", None, None)]
        db.executemany("INSERT INTO raw_pages (url, site, fetched_at, status, encoding, parse_error, extracted_by,"
                       " body_gz) VALUES (?, 'etoday', '2026-11-01T09:00:00+09:00', 200, 'utf-8', ?, ?, ?)",
                       [(*row, gzip.compress(f"<html>{row[0]}</html>".encode())) for row in rows])
        db.commit()
    storage = SQLiteStorage(path)
    try:
        assert [(url, error, by) for url, _, _, _, error, by in storage.raw_page_index()] == rows
        assert storage.failed_pages() == [rows[0][:2]]
        storage.mark_extracted(rows[0][0], "etoday.EtodayArticlePage/2")
        storage.commit()
        assert storage.failed_pages() == []
        state = storage.db.execute("SELECT url, parse_error, extracted_by FROM raw_page_state ORDER BY url")
        assert state.fetchall() == [(rows[0][0], None, "etoday.EtodayArticlePage/2"), rows[1]]
        packed = storage.raw_pages([row[0] for row in rows])
        assert {url: unpack(body) for url, body in packed.items()} == {
            row[0]: f"<html>{row[0]}</html>".encode() for row in rows}
        storage.save_raw(rows[2][0], b"<html>again</html>", site="etoday", fetched_at="2026-11-30T09:00:00+09:00",
                         status=200, encoding="utf-8")
        packed = storage.db.execute("SELECT body_compressed FROM raw_pages WHERE url = ?", (rows[2][0],)).fetchone()[0]
        assert packed.startswith(ZSTD_MAGIC) and storage.raw_page(rows[2][0]) == b"<html>again</html>"
    finally:
        storage.close()


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_writes_prepared_in_a_worker_are_the_items_writes(backend, tmp_path, request):
    """A worker's storage prepares an article and its quotes (no query); the writing process's storage writes
    them: the same outcomes, rows, crawl state and NUL count as upsert_article + mark_done + add_tickers there."""
    from tests.test_postgres import article, ticker

    worker, writer = open_backend(backend, tmp_path, request), open_backend(backend, tmp_path, request)
    nul = article(1, title="제목\x00 1", url="https://www.etoday.co.kr/news/view/1?ref=rss")
    revised = article(1, content_hash="hash-1b")
    naver = article(1, site="naver", syndicated=True, url="https://n.news.naver.com/mnews/article/1/1")
    quotes = [ticker("비트코인", 132845000), ticker("이더리움", Decimal("4.5e6"))]
    try:
        outcomes = [writer.upsert_prepared(worker.prepare_article(item), mark_done=True)
                    for item in (nul, nul, revised, naver)]
        added = [writer.add_prepared_tickers(worker.prepare_tickers(quotes)) for _ in range(2)]
        writer.commit()
        assert outcomes == ["new", "unchanged", "updated", "copy"]
        assert added == [[True, True], [False, False]]
        assert worker.nul_stripped == 0  # counted where it is written
        assert writer.nul_stripped == (2 if backend == "postgres" else 0)  # each write of the NUL title
        [stored] = writer.articles()
        assert (stored["title"], stored["content_hash"], stored["url"]) == (revised.title, "hash-1b", revised.url)
        assert set(writer.done_urls()) == {nul.url, nul.canonical_url, naver.url}  # every URL of the article
        assert sorted(t["name"] for t in writer.tickers()) == ["비트코인", "이더리움"]
    finally:
        worker.close()
        writer.close()


def test_a_worker_that_dies_stops_the_run_instead_of_waiting_for_it(tmp_path):
    from newscrawl.reextract import Extractors

    settings, pages = failed_pages_to_extract(tmp_path, 8)
    extractors = Extractors(1, settings["NEWSCRAWL_DATABASE"], settings.copy_to_dict())
    try:
        worker = extractors.workers[0].process
        os.kill(worker.pid, signal.SIGKILL)  # e.g. the kernel's OOM killer
        worker.join(10)
        with pytest.raises(ChildProcessError, match="worker process ended"):
            list(extractors.results(pages, 2))  # its first chunk never comes back
    finally:
        extractors.stop(now=True)


def test_results_come_in_the_pages_order_from_this_process_and_its_workers(tmp_path):
    from newscrawl.reextract import Extractors

    settings, pages = failed_pages_to_extract(tmp_path, 30)
    extractors = Extractors(2, settings["NEWSCRAWL_DATABASE"], settings.copy_to_dict())
    try:
        results = list(extractors.results(pages, 2))
    finally:
        extractors.stop()
    assert [result.url for result in results] == [page.url for page in pages]
    # each page's own article (the seeded copies name their own path as canonical URL)
    assert all(result.article and url_path(result.article[0].key) == url_path(result.url) for result in results)


def children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (the command line has no other thread: its workers are forked)."""
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                stat = (entry / "stat").read_text()
                if int(stat[stat.rindex(")") + 2:].split()[1]) == pid:
                    children.append(int(entry.name))
    return children


def test_cli_a_killed_worker_stops_the_run_in_one_line_and_the_same_command_completes(tmp_path):
    data_dir = tmp_path / "data"
    seed_failed_pages(data_dir, 300)
    env = {**os.environ, "NEWSCRAWL_DATA_DIR": str(data_dir), "PYTHONPATH": str(REPO)}
    env.pop("NEWSCRAWL_DATABASE", None)
    command = [sys.executable, "-m", "scrapy", "reextract", "--failed", "-j", "2", "-s", "NEWSCRAWL_REEXTRACT_BATCH=20"]
    process = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               text=True)
    deadline = time.monotonic() + 90
    while not (data_dir / "reextract.checkpoint.json").exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    [worker] = children(process.pid)  # the one worker of -j 2
    os.kill(worker, signal.SIGKILL)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 1 and "Traceback" not in stderr, stderr[-2000:]
    assert "stopped: a reextract worker process ended (exit code -9)" in stderr

    done = reextract_cli(data_dir, "--failed", "-j", "2", "-s", "NEWSCRAWL_REEXTRACT_BATCH=20")
    assert done.returncode == 0, done.stderr[-2000:]
    with sqlite3.connect(data_dir / "newscrawl.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM articles").fetchone()[0] == 300
    assert len(feed_articles(data_dir)) == 300
    assert_feeds_match_database(data_dir)
