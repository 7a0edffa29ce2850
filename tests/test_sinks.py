"""Nothing lost silently (issue #11, storage and feeds): every item reaches every sink — each JSONL feed and the
database — or the crawl stops with one line; a resume after the cause is fixed leaves feeds and database
holding the same items, also after kills while pages change between fetches.

Real `scrapy crawl` runs against the loopback fault portal (tests/faults.py). A full disk is a real 600 KiB tmpfs,
a read-only folder a read-only tmpfs (chmod does not stop root), a damaged database a real file with 8 KiB
overwritten mid-file."""

from __future__ import annotations

import json
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import time
import tracemalloc
from collections import Counter
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from newscrawl.exporters import JsonLinesExporter
from newscrawl.storage.sqlite import MIGRATIONS
from tests.crawling import CrawlResult
from tests.faults import FaultPlan, FaultPortal, article_html, canonical_of, crawl_command, send
from tests.shared import REPO


@contextmanager
def tmpfs(path: Path, size: str = "600k", *, read_only: bool = False):
    """A small real filesystem at ``path`` (root may mount one); skipped with the reason where it may not."""
    path.mkdir(parents=True, exist_ok=True)
    options = f"size={size}" + (",ro" if read_only else "")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)], capture_output=True, text=True)
    if done.returncode:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.strip()}): a full or read-only disk needs one")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def crawl(portal: FaultPortal, data: Path, side: Path, settings: dict[str, str] | None = None, *,
          env: dict[str, str] | None = None, kill_after_lines: int | None = None, timeout: float = 300) -> CrawlResult:
    """``scrapy crawl etoday`` into ``data``, its log, stats and run report in ``side`` (``data`` may be full);
    with ``kill_after_lines``, SIGKILLed once the articles feed has that many lines."""
    side.mkdir(parents=True, exist_ok=True)
    command, environment = crawl_command(portal.base_url, data, {
        **(settings or {}), "NEWSCRAWL_STATS_FILE": str(side / "stats.json")})
    environment.update({"NEWSCRAWL_REPORT_FILE": str(side / "run-report.json"), **(env or {})})
    with (side / "crawl.log").open("wb") as log:
        process = subprocess.Popen(command, cwd=REPO, env=environment, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + timeout
            while process.poll() is None and time.monotonic() < deadline:
                if kill_after_lines is not None and len(whole_lines(data / "articles.jsonl")) >= kill_after_lines:
                    process.send_signal(signal.SIGKILL)
                time.sleep(0.02)
        finally:
            if process.poll() is None:
                process.kill()
            process.wait()
    result = CrawlResult(process.returncode, (side / "crawl.log").read_text(encoding="utf-8"), data)
    result.side = side  # type: ignore[attr-defined]
    return result


def whole_lines(path: Path) -> list[str]:
    if not path.exists():
        return []
    data = path.read_bytes()
    return data[: data.rfind(b"\n") + 1].decode("utf-8").splitlines()


def side_json(result: CrawlResult, name: str) -> dict:
    return json.loads((result.side / name).read_text(encoding="utf-8"))  # type: ignore[attr-defined]


def sinks_agree(data: Path, ids: list[int], database_dir: Path | None = None) -> None:
    """The feeds and the database hold the same items, and every article of ``ids`` exactly once."""
    result = CrawlResult(0, "", data)
    feed_articles = Counter((a["canonical_url"], a["content_hash"]) for a in result.articles)
    feed_tickers = Counter((t["name"], str(t["price"]), t["source_url"]) for t in result.tickers)
    with CrawlResult(0, "", database_dir or data).db() as db:
        db_articles = Counter(db.execute("SELECT canonical_url, content_hash FROM article_revisions"))
        db_tickers = Counter(db.execute("SELECT name, price, source_url FROM tickers"))
        done = {url for (url,) in db.execute("SELECT canonical_url FROM crawl_state")}
    assert feed_articles == db_articles, (feed_articles - db_articles, db_articles - feed_articles)
    assert feed_tickers == db_tickers, (list(feed_tickers - db_tickers)[:5], list(db_tickers - feed_tickers)[:5])
    assert sorted(url for url, _ in feed_articles.elements()) == sorted(canonical_of(i) for i in ids)
    assert done == {canonical_of(i) for i in ids}
    names: dict[str, set[str]] = {}
    for name, _, url in feed_tickers:
        names.setdefault(url, set()).add(name)
    assert names == {canonical_of(i): {"비트코인", "이더리움"} for i in ids}  # each article's quotes with it


def assert_one_line_failure(result: CrawlResult, *needles: str) -> None:
    assert result.returncode == 1, result.log[-3000:]
    assert "Traceback" not in result.log and "never retrieved" not in result.log, result.log[-3000:]
    lines = [line for line in result.log.splitlines() if all(n in line for n in needles)]
    assert lines, result.log[-3000:]


# --- start-up ------------------------------------------------------------------------------------------------
def test_a_damaged_database_is_refused_with_one_line(tmp_path):
    with FaultPortal(FaultPlan(30, fault_share=0.0)) as portal:
        first = crawl(portal, tmp_path / "data", tmp_path / "run1")
        assert first.returncode == 0, first.log[-3000:]
        database = tmp_path / "data" / "newscrawl.sqlite3"
        feeds = {name: (tmp_path / "data" / name).read_bytes() for name in ("articles.jsonl", "tickers.jsonl")}
        with database.open("r+b") as f:  # 8 KiB of noise in the middle of the file
            f.seek(database.stat().st_size // 2)
            f.write(random.Random(11).randbytes(8192))
        portal.reset_counts()
        damaged = crawl(portal, tmp_path / "data", tmp_path / "run2")
        assert portal.hits_under("/news/view/") == 0  # never crawled into
    assert_one_line_failure(damaged, "scrapy crawl: cannot use the SQLite database", str(database))
    assert "quick_check" in damaged.log or "malformed" in damaged.log
    assert {name: (tmp_path / "data" / name).read_bytes() for name in feeds} == feeds


def test_a_file_that_is_not_a_database_is_refused_with_one_line(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "newscrawl.sqlite3").write_bytes(b"id,title\n1,not a database\n" * 200)
    with FaultPortal(FaultPlan(5, fault_share=0.0)) as portal:
        result = crawl(portal, data, tmp_path / "side")
        assert portal.hits_under("/news/view/") == 0
    assert_one_line_failure(result, "cannot use the SQLite database", "file is not a database")


def test_a_read_only_data_folder_is_refused_with_one_line(tmp_path):
    with FaultPortal(FaultPlan(5, fault_share=0.0)) as portal, tmpfs(tmp_path / "data", read_only=True) as data:
        result = crawl(portal, data, tmp_path / "side")
        assert portal.hits_under("/news/view/") == 0
    assert_one_line_failure(result, "scrapy crawl: cannot use the SQLite database")


def test_a_read_only_feed_folder_is_refused_before_anything_is_stored(tmp_path):
    database = tmp_path / "db" / "elsewhere.sqlite3"
    with FaultPortal(FaultPlan(20, fault_share=0.0)) as portal, tmpfs(tmp_path / "feeds", read_only=True) as feeds:
        result = crawl(portal, feeds, tmp_path / "side", {"NEWSCRAWL_DATABASE": f"sqlite:///{database}"})
        assert portal.hits_under("/news/view/") == 0
    assert_one_line_failure(result, "scrapy crawl: cannot write the feed", "Read-only file system")
    with sqlite3.connect(database) as db:  # no article that later runs would skip as already stored
        assert db.execute("SELECT COUNT(*) FROM crawl_state").fetchone()[0] == 0


def test_crawlall_refuses_a_damaged_database_with_one_line(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "newscrawl.sqlite3").write_bytes(b"SQLite format 3\x00" + bytes(range(256)) * 64)
    env = {**os.environ, "NEWSCRAWL_DATA_DIR": str(data), "PYTHONPATH": str(REPO),
           "NEWSCRAWL_REPORT_FILE": str(tmp_path / "report.json")}
    env.pop("NEWSCRAWL_DATABASE", None)
    done = subprocess.run([sys.executable, "-m", "scrapy", "crawlall", "--sites", "etoday"], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120)
    assert_one_line_failure(CrawlResult(done.returncode, done.stderr + done.stdout, data),
                            "scrapy crawlall: cannot use the SQLite database")


# --- during a crawl ------------------------------------------------------------------------------------------
def test_a_feed_that_cannot_be_opened_mid_crawl_stops_it(tmp_path):
    """A feed URI with a placeholder is only opened at its first item: here in a read-only folder."""
    feeds = json.dumps({str(tmp_path / "ro" / "articles-%(name)s.jsonl"): {
        "format": "jsonl", "item_classes": ["newscrawl.items.ArticleItem"]}})
    with FaultPortal(FaultPlan(100, fault_share=0.0)) as portal, tmpfs(tmp_path / "ro", read_only=True):
        result = crawl(portal, tmp_path / "data", tmp_path / "side", {"FEEDS": feeds})
    assert_one_line_failure(result, "a sink failed", "feed ", "articles-etoday.jsonl", "Read-only file system")
    stats = side_json(result, "stats.json")
    assert stats["finish_reason"] == "sink_failed" and stats.get("log_count/ERROR", 0) <= 3
    with result.db() as db:  # nothing marked done that no feed has
        assert db.execute("SELECT COUNT(*) FROM crawl_state").fetchone()[0] == 0


@pytest.mark.parametrize("database_elsewhere", [False, True], ids=["everything_on_the_disk", "feeds_on_the_disk"])
def test_a_full_disk_stops_the_crawl_and_a_resume_completes_every_sink(tmp_path, database_elsewhere):
    plan = FaultPlan(200, fault_share=0.0)
    settings = {"JOBDIR": str(tmp_path / "job"), "CONCURRENT_REQUESTS": "8", "CONCURRENT_REQUESTS_PER_DOMAIN": "8"}
    if database_elsewhere:
        settings["NEWSCRAWL_DATABASE"] = f"sqlite:///{tmp_path / 'db' / 'newscrawl.sqlite3'}"
    with FaultPortal(plan) as portal, tmpfs(tmp_path / "data", "600k") as data:
        full = crawl(portal, data, tmp_path / "full", settings)
        stats = side_json(full, "stats.json")
        failed = "feed " if database_elsewhere else ""  # everything on it: the database is the first to fail
        assert_one_line_failure(full, "a sink failed", failed, "No space left on device" if failed else "full")
        assert stats["finish_reason"] == "sink_failed"
        assert stats.get("log_count/ERROR", 0) <= 3  # stopped at the first failure, not after thousands
        [report] = side_json(full, "run-report.json")["sites"]
        assert any("a sink failed" in flag for flag in report["flags"])
        assert re.search(r"(feed \S+articles.jsonl|feed \S+tickers.jsonl|database sqlite:///\S+): \S",
                         stats["newscrawl/sink_failed"])
        subprocess.run(["mount", "-o", "remount,size=64m", str(data)], check=True)  # the cause is fixed
        resumed = crawl(portal, data, tmp_path / "resumed", settings)
        assert resumed.returncode == 0, resumed.log[-3000:]
        assert "Traceback" not in resumed.log
        sinks_agree(data, plan.recoverable, tmp_path / "db" if database_elsewhere else data)


class LivePortal(FaultPortal):
    """Every fetch of an article page shows a new bitcoin price, as a live quote widget does."""

    def __init__(self, plan: FaultPlan):
        super().__init__(plan)
        self.fetches: dict[int, int] = {}

    def serve(self, handler) -> None:
        found = re.fullmatch(r"/news/view/(\d+)", urlsplit(handler.path).path)
        if not found or self.plan.fault(int(found.group(1))) or int(found.group(1)) >= 900_000:
            return super().serve(handler)
        article_id = int(found.group(1))
        with self.lock:
            seen = self.fetches[article_id] = self.fetches.get(article_id, 0) + 1
        price = 100_000_000 + article_id
        page = article_html(article_id).replace(f">{price:,}<", f">{price + seen * 1_000_000:,}<")
        send(handler, 200, page.encode())


def test_kills_while_pages_change_leave_feeds_and_database_equal(tmp_path):
    seed = int(os.environ.get("NEWSCRAWL_KILL_SEED", time.time_ns() % 100_000))
    rng = random.Random(seed)
    plan = FaultPlan(600, fault_share=0.0)
    data, settings = tmp_path / "data", {"JOBDIR": str(tmp_path / "job")}
    with LivePortal(plan) as portal:
        for kill in range(2):
            at = len(whole_lines(data / "articles.jsonl")) + rng.randint(20, 150)
            killed = crawl(portal, data, tmp_path / f"killed{kill}", settings, kill_after_lines=at)
            assert killed.returncode == -signal.SIGKILL, f"seed {seed}: {killed.log[-2000:]}"
        resumed = crawl(portal, data, tmp_path / "resumed", settings)
        refetched = sum(1 for n in portal.fetches.values() if n > 1)
    assert resumed.returncode == 0, f"seed {seed}: {resumed.log[-3000:]}"
    assert "Traceback" not in resumed.log
    assert refetched > 0, f"seed {seed}: no page was fetched twice, so no quote changed"
    sinks_agree(data, plan.recoverable)


# --- unit level: migrations and the exporter -----------------------------------------------------------------
def test_concurrent_first_crawls_migrate_a_fresh_database_once(tmp_path):
    """Processes opening the same fresh file at the same instant: each waits for the one migrating."""
    program = ("import sys, time; from newscrawl.storage.sqlite import SQLiteStorage\n"
               "time.sleep(max(0, float(sys.argv[2]) - time.time())); SQLiteStorage(sys.argv[1]).close()")
    for attempt in range(4):
        path = tmp_path / f"fresh{attempt}.sqlite3"
        start = time.time() + 1.5
        processes = [subprocess.Popen([sys.executable, "-c", program, str(path), str(start)], cwd=REPO,
                                      stderr=subprocess.PIPE, text=True) for _ in range(4)]
        errors = [p.communicate(timeout=60)[1] for p in processes]
        assert [p.returncode for p in processes] == [0] * 4, errors
        with sqlite3.connect(path) as db:
            assert db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)


def test_the_exporter_does_not_read_the_feed_at_start(tmp_path):
    feed = tmp_path / "articles.jsonl"
    line = json.dumps({"type": "article", "title": "가" * 400, "body": "나" * 2000}, ensure_ascii=False) + "\n"
    with feed.open("w", encoding="utf-8") as f:
        for _ in range(4000):  # about 28 MB
            f.write(line)
        f.write('{"type": "article", "title": "half')  # a kill mid-line
    size = feed.stat().st_size
    with feed.open("ab") as file:
        exporter = JsonLinesExporter(file)
        tracemalloc.start()
        exporter.start_exporting()
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert size > 25_000_000 and peak < 1_000_000, peak
    assert feed.stat().st_size == 4000 * len(line.encode()) == exporter.size  # the half line cut, nothing else
