"""``scrapy checklayouts`` through the real engine against loopback portals on one server: etoday (its RSS feed
and the seed page fixture) and hani at its declared ``/rss/`` feed, serving an intact real page, the same site's
page with its body container renamed (read by the generic fallback) and one the generic extractor cannot read
either (failed). The table shows each, the exit code flags hani, and nothing is stored unless ``--store``."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.servers import FixtureServer, Route, page
from tests.shared import FIXTURES, REPO, CorpusSite, url_path
from tests.test_reextract import BROKEN_PATH, broken_page, drifted_page, feed

HANI = CorpusSite("hani")
INTACT, DRIFTED = "hani_761487", "hani_761485"
ETODAY = FIXTURES / "etoday"


def portal(*, drifted: bool) -> FixtureServer:
    intact = HANI.truth(INTACT)["url"]
    urls = [intact, HANI.truth(DRIFTED)["url"], "https://www.hani.co.kr" + BROKEN_PATH] if drifted else [intact]
    routes = {"/eto/etoday_news_all.xml": page(ETODAY / "etoday_news_all.xml", "application/rss+xml"),
              "/news/view/2384652": page(ETODAY / "news_view_2384652.html"),
              "/rss/": Route(feed(urls), "application/rss+xml; charset=utf-8"),
              url_path(intact): Route(HANI.raw(INTACT))}
    if drifted:
        routes[url_path(urls[1])] = Route(drifted_page())
        routes[BROKEN_PATH] = Route(broken_page())
    return FixtureServer(routes)


def checklayouts(data_dir: Path, base_url: str, *args: str, sites: str = "etoday,hani") -> subprocess.CompletedProcess:
    env = {**os.environ, "NEWSCRAWL_DATA_DIR": str(data_dir), "PYTHONPATH": str(REPO)}
    env.pop("NEWSCRAWL_DATABASE", None)
    return subprocess.run([sys.executable, "-m", "scrapy", "checklayouts", "--sites", sites,
                           "-a", f"base_url={base_url}", "-s", "AUTOTHROTTLE_ENABLED=0", *args],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=120)


def rows(stdout: str) -> dict[str, list[str]]:
    """site -> [pages, own, fallback, failed, empty fields] from the printed table."""
    table = {}
    for line in stdout.splitlines():
        cells = line.split(None, 5)
        if cells and cells[0] in ("etoday", "hani"):
            table[cells[0]] = cells[1:]
    return table


@pytest.fixture
def drifted_portal():
    with portal(drifted=True) as server:
        yield server


def test_a_changed_layout_shows_as_fallback_and_failure(drifted_portal, tmp_path):
    done = checklayouts(tmp_path, drifted_portal.base_url)
    assert done.returncode == 1, done.stderr[-3000:]
    assert "Traceback" not in done.stderr
    table = rows(done.stdout)
    assert table["etoday"][:4] == ["1", "1", "0", "0"], done.stdout
    assert table["hani"][:4] == ["3", "1", "1", "1"], done.stdout
    assert "FLAG hani: layout_drift: 1 of 3 pages read by the generic fallback" in done.stdout
    assert "FLAG hani: failed: missing_fields 1" in done.stdout
    assert "FLAG etoday" not in done.stdout
    assert not (tmp_path / "newscrawl.sqlite3").exists() and not (tmp_path / "articles.jsonl").exists()


def test_healthy_layouts_exit_zero(tmp_path):
    with portal(drifted=False) as server:
        done = checklayouts(tmp_path, server.base_url, "--pages", "1")
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    table = rows(done.stdout)
    assert table["etoday"][:4] == ["1", "1", "0", "0"] and table["hani"][:4] == ["1", "1", "0", "0"]
    assert "FLAG" not in done.stdout


def test_pages_caps_the_pages_per_site_and_store_keeps_them(drifted_portal, tmp_path):
    # One site: two crawlers in one process would each hold a write transaction on the SQLite file.
    done = checklayouts(tmp_path, drifted_portal.base_url, "--pages", "2", "--store", sites="hani")
    assert done.returncode == 1, done.stderr[-3000:]
    assert rows(done.stdout)["hani"][:4] == ["2", "1", "1", "0"], done.stdout
    with sqlite3.connect(tmp_path / "newscrawl.sqlite3") as db:
        stored = dict(db.execute("SELECT site, count(*) FROM articles GROUP BY site"))
        raw = db.execute("SELECT count(*) FROM raw_pages").fetchone()[0]
    assert stored == {"hani": 2} and raw == 2
    with sqlite3.connect(tmp_path / "newscrawl.sqlite3") as db:  # the run history (newscrawl/runs.py)
        command, exit_code, sites = db.execute("SELECT command, exit_code, sites FROM runs").fetchone()
    report = json.loads(sites)[0]
    assert (command, exit_code, report["site"]) == ("checklayouts", 1, "hani")
    assert report["layouts"]["fallback"] == 1 and report["flags"][0].startswith("layout_drift")
    assert len((tmp_path / "articles.jsonl").read_text().splitlines()) == 2


def test_unknown_site_is_one_line(tmp_path):
    env = {**os.environ, "NEWSCRAWL_DATA_DIR": str(tmp_path), "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-m", "scrapy", "checklayouts", "--sites", "nosuch"], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "unknown spider nosuch" in done.stderr and "Traceback" not in done.stderr
