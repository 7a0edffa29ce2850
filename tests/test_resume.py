"""Unattended operation: a crawl of the hostile portal killed with SIGKILL at a random point and resumed with the
same JOBDIR and data directory ends with the same store and feeds as a run that was never interrupted."""

from __future__ import annotations

import json
import os
import random
import signal
import time
from collections import Counter
from pathlib import Path

from newscrawl import keys
from tests.crawling import CrawlResult
from tests.faults import FaultPlan, FaultPortal, start_crawl
from tests.test_faults import assert_stored_once, run_crawl

ARTICLES = 1_500
SETTINGS = {"DOWNLOAD_MAXSIZE": str(4 * 1024 * 1024)}
VARYING = ("fetched_at",)  # the only fields that may differ between two runs over the same pages


def feed_lines(path: Path) -> list[str]:
    """The whole lines of a feed, possibly while the crawl is still appending to it."""
    if not path.exists():
        return []
    data = path.read_bytes()
    return data[: data.rfind(b"\n") + 1].decode("utf-8").splitlines()


def stable(item: dict) -> str:
    return json.dumps({k: v for k, v in item.items() if k not in VARYING}, ensure_ascii=False, sort_keys=True)


def store(result: CrawlResult) -> dict[str, Counter]:
    """Everything a run leaves behind, as multisets: duplicates and losses both show."""
    with result.db() as db:
        articles = db.execute("SELECT canonical_url, content_hash, revision FROM articles").fetchall()
        revisions = db.execute("SELECT canonical_url, revision, content_hash FROM article_revisions").fetchall()
        tickers = db.execute("SELECT site, market, code, name, price, change_pct, as_of, source_url "
                             "FROM tickers").fetchall()
        done = db.execute("SELECT url, canonical_url FROM crawl_state").fetchall()
    return {
        "db_articles": Counter(articles), "db_revisions": Counter(revisions), "db_tickers": Counter(tickers),
        "crawl_state": Counter(done),
        "jsonl_articles": Counter(stable(a) for a in result.articles),
        "jsonl_tickers": Counter(stable(t) for t in result.tickers),
    }


def wait_for_lines(process, feed: Path, count: int, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while len(feed_lines(feed)) < count:
        assert process.poll() is None, f"the crawl ended (exit {process.returncode}) before the kill point"
        assert time.monotonic() < deadline, "the crawl made no progress"
        time.sleep(0.02)


def test_sigkill_then_resume_equals_an_uninterrupted_run(tmp_path):
    seed = int(os.environ.get("NEWSCRAWL_KILL_SEED", time.time_ns() % 100_000))
    plan = FaultPlan(ARTICLES, fault_share=0.10, seed=3, unknown_param_copies=False)
    with FaultPortal(plan) as portal:
        whole = run_crawl(portal, tmp_path / "whole", SETTINGS)
        assert whole.returncode == 0, whole.log[-3000:]
        portal.reset_counts()  # the interrupted run meets every transient fault again

        data, jobdir = tmp_path / "killed", tmp_path / "job"
        settings = {**SETTINGS, "JOBDIR": str(jobdir)}
        process = start_crawl(portal.base_url, data, settings)
        kill_at = random.Random(seed).randint(len(plan.recoverable) // 10, len(plan.recoverable) * 7 // 10)
        try:
            wait_for_lines(process, data / "articles.jsonl", kill_at)
            process.send_signal(signal.SIGKILL)
        finally:
            process.kill()
            process.wait()
        assert process.returncode == -signal.SIGKILL
        for feed in ("articles.jsonl", "tickers.jsonl"):  # flushed line by line: no half line after a kill
            text = (data / feed).read_text(encoding="utf-8")
            assert not text or text.endswith("\n"), f"half line in {feed} (seed {seed})"
            [json.loads(line) for line in text.splitlines()]
        killed_with = len(feed_lines(data / "articles.jsonl"))

        resumed = run_crawl(portal, data, settings)
    context = f"killed after {killed_with} articles (NEWSCRAWL_KILL_SEED={seed})"
    assert resumed.returncode == 0, f"{context}\n{resumed.log[-3000:]}"
    assert "Traceback" not in resumed.log, context
    assert resumed.stats[keys.SKIPPED_SEEN] > 0, context  # it resumed, not restarted
    expected, got = store(whole), store(resumed)
    for name in expected:
        missing, extra = expected[name] - got[name], got[name] - expected[name]
        assert not missing and not extra, (f"{name} differs, {context}: missing {list(missing)[:3]}, "
                                           f"extra {list(extra)[:3]}")
    assert sum(expected["jsonl_articles"].values()) == len(plan.recoverable)


def test_same_page_under_another_url_in_a_later_run_adds_no_quotes(tmp_path):
    plan = FaultPlan(3, fault_share=0.0, blocked=0)
    data = tmp_path / "data"
    with FaultPortal(plan) as portal:
        assert run_crawl(portal, data, SETTINGS).returncode == 0
        first = store(CrawlResult(0, "", data))["db_tickers"]
        portal.plan.duplicated = list(plan.ids)  # the next run also finds every page under ?cid=7
        second = run_crawl(portal, data, SETTINGS)
    assert second.returncode == 0
    assert sum(store(second)["db_tickers"].values()) == sum(first.values())


def test_a_queue_file_cut_short_by_the_kill_does_not_break_the_resumed_run(tmp_path):
    """queuelib writes a disk queue's 4-byte header buffered and its count only on close, so a SIGKILL can
    leave a queue file empty; a resumed run that pushes to it got struct.error (a Twisted traceback, the
    request lost). Here every queue file is cut to 0 bytes after the kill, whatever the kill left."""
    plan = FaultPlan(400, fault_share=0.0, blocked=0, unknown_param_copies=False)
    data, jobdir = tmp_path / "data", tmp_path / "job"
    settings = {**SETTINGS, "JOBDIR": str(jobdir)}
    with FaultPortal(plan) as portal:
        process = start_crawl(portal.base_url, data, settings)
        try:
            wait_for_lines(process, data / "articles.jsonl", 200)  # past a commit
            process.send_signal(signal.SIGKILL)
        finally:
            process.kill()
            process.wait()
        assert process.returncode == -signal.SIGKILL
        queues = [f for f in (jobdir / "requests.queue").rglob("*") if f.is_file() and f.name != "active.json"]
        assert queues, "the killed run left no disk queue"
        for queue in queues:
            queue.write_bytes(b"")
        resumed = run_crawl(portal, data, settings)
    assert resumed.returncode == 0, resumed.log[-3000:]
    assert "Traceback" not in resumed.log, resumed.log[-3000:]
    assert resumed.stats[keys.SKIPPED_SEEN] > 0  # it resumed, not restarted
    assert resumed.stats[keys.JOBDIR_QUEUES_DISCARDED] == 1
    assert_stored_once(resumed, plan.recoverable)
