"""Run history: crawl and crawlall append their report to the ``runs`` table (SQLite and PostgreSQL alike),
and record_run is the one call other commands use."""

from __future__ import annotations

import sqlite3

from newscrawl.runs import record_run
from newscrawl.storage import open_storage
from tests import pg
from tests.servers import FixtureServer, page
from tests.test_examples import ETODAY, run_scrapy

pg_server, pg_dsn = pg.pg_server, pg.pg_dsn  # fixtures used here

FLAGGED = {"site": "mk", "articles": {"new": 0}, "flags": ["yield dropped to zero: no article came out"]}
CLEAN = {"site": "etoday", "articles": {"new": 3}, "flags": []}


def exercise(database: str) -> list[dict]:
    first = record_run(database, "crawlall", "2026-11-01T09:00:00+09:00", 1, [CLEAN, FLAGGED],
                       finished_at="2026-11-01T09:05:00+09:00")
    second = record_run(database, "checklayouts", "2026-11-02T09:00:00+09:00", 0, [CLEAN],
                        finished_at="2026-11-02T09:01:00+09:00")
    assert first and second and second > first
    storage = open_storage(database)
    try:
        assert [r["command"] for r in storage.runs()] == ["crawlall", "checklayouts"]
        return storage.runs(since="2026-11-01T12:00:00+09:00") + storage.runs()[:1]
    finally:
        storage.close()


def test_runs_are_appended_and_read_back_alike_in_sqlite_and_postgres(tmp_path, pg_dsn):
    from_sqlite = exercise(f"sqlite:///{tmp_path / 'runs.sqlite3'}")
    from_pg = exercise(pg_dsn)
    for runs in (from_sqlite, from_pg):
        later, first = runs
        assert later["command"] == "checklayouts" and later["exit_code"] == 0 and later["flags"] == []
        assert first["sites"] == [CLEAN, FLAGGED]
        assert first["flags"] == ["mk: yield dropped to zero: no article came out"]
        assert first["finished_at"] == "2026-11-01T09:05:00+09:00"
    strip = [{k: v for k, v in run.items() if k != "id"} for run in from_sqlite]
    assert strip == [{k: v for k, v in run.items() if k != "id"} for run in from_pg]


def test_a_run_that_cannot_be_recorded_says_so_in_one_line(capsys):
    assert record_run(f"postgresql://nobody@127.0.0.1:{pg.free_port()}/none", "crawl",
                      "2026-11-01T09:00:00+09:00", 0, [CLEAN]) is None
    err = capsys.readouterr().err
    assert err.startswith("newscrawl: run not recorded in the history: cannot use NEWSCRAWL_DATABASE")
    assert err.count("\n") == 1


def test_each_crawl_appends_its_report(tmp_path):
    routes = {"/eto/etoday_news_all.xml": page(ETODAY / "etoday_news_all.xml", "application/rss+xml"),
              "/news/view/2384652": page(ETODAY / "news_view_2384652.html")}
    with FixtureServer(routes) as server:
        ran = [run_scrapy(["crawl", "etoday"], server.base_url, tmp_path),
               run_scrapy(["crawlall", "--sites", "etoday"], server.base_url, tmp_path)]
    assert [r.returncode for r in ran] == [0, 0], ran[-1].stderr[-2000:]
    with sqlite3.connect(tmp_path / "newscrawl.sqlite3") as db:
        rows = db.execute("SELECT command, exit_code, started_at <= finished_at, sites FROM runs ORDER BY id").fetchall()
    assert [r[:3] for r in rows] == [("crawl", 0, 1), ("crawlall", 0, 1)]
    assert '"new": 1' in rows[0][3] and '"skipped_seen": 1' in rows[1][3]
