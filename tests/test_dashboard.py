"""``scrapy dashboard`` on a seeded history (clean runs, a flagged one, ticker series), opened from a file in
headless Debian Chromium: every chart drew, no script error, no network request, the flags are on the page."""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from newscrawl.dates import KST
from newscrawl.items import TickerItem
from newscrawl.runs import record_run
from newscrawl.storage.sqlite import SQLiteStorage
from tests.shared import REPO

CHROMIUM = Path("/usr/bin/chromium")
needs_chromium = pytest.mark.skipif(not CHROMIUM.exists(), reason="apt-get install -y chromium")
DRIFT = "9 of 12 article pages incomplete or unparseable (over 20%): body, missing_fields"


def report(site: str, articles: int, **extra: Any) -> dict[str, Any]:
    """A per-site run report in the shape newscrawl.report.site_report writes."""
    return {"site": site, "pages_fetched": articles + 3, "article_pages": articles + len(extra.get("dropped", {})),
            "items": {"article": articles}, "articles": {"new": articles}, "duration_s": 40.0 + articles,
            "fetch_failed": {}, "parse_errors": {}, "dropped": {}, "render_fallback": 0, "flags": [], **extra}


def seed_history(path: Path, now: datetime) -> list[str]:
    """Four days of runs (the last one flagged) and three ticker series; returns the last run's flags."""
    database = f"sqlite:///{path}"
    day = timedelta(days=1)
    history = [
        (now - 3 * day, 0, [report("etoday", 12), report("mk", 10, render_fallback=2)]),
        (now - 2 * day, 0, [report("etoday", 14, fetch_failed={"timeout": 2, "http_503": 1}),
                            report("mk", 11, parse_errors={"truncated": 1}, render_fallback=1)]),
        (now - 1 * day, 0, [report("etoday", 13), report("mk", 12)]),
        (now - timedelta(hours=1), 1, [
            report("etoday", 0, flags=["yield dropped to zero: no article came out"]),
            report("mk", 3, article_pages=12, parse_errors={"missing_fields": 3},
                   dropped={"article/missing_body": 6}, flags=[DRIFT])]),
    ]
    for started, code, sites in history:
        assert record_run(database, "crawlall", started.isoformat(timespec="seconds"), code, sites,
                          finished_at=(started + timedelta(minutes=2)).isoformat(timespec="seconds"))
    storage = SQLiteStorage(path)
    for hour in range(0, 72, 6):
        at = (now - timedelta(hours=72 - hour)).isoformat(timespec="seconds")
        for name, code, market, price in (("비트코인", "BTC", "crypto", 132_000_000 + hour * 150_000),
                                          ("이더리움", "ETH", "crypto", 4_800_000 - hour * 9_000),
                                          ("코스피", None, "index", Decimal("2500.12") + hour)):
            storage.add_ticker(TickerItem(site="mk" if market == "index" else "etoday", market=market, name=name,
                                          code=code, price=price, currency="KRW", as_of=at, fetched_at=at))
    storage.close()
    return history[-1][2][0]["flags"] + history[-1][2][1]["flags"]


def open_in_chromium(page_path: Path, screenshot: Path) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    seen: dict[str, Any] = {"errors": [], "requests": []}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.on("console", lambda m: seen["errors"].append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: seen["errors"].append(str(e)))

        def outside(route: Any) -> None:
            seen["requests"].append(route.request.url)
            route.abort()

        page.route(lambda url: not url.startswith("file://"), outside)
        page.goto(page_path.as_uri())
        page.wait_for_selector("body[data-ready='1']", timeout=60_000)
        seen["charts"] = page.eval_on_selector_all(".chart", """divs => divs.map(d => ({
            name: d.dataset.chart, drawn: d.dataset.drawn === "1",
            svgs: d.querySelectorAll("svg").length,
            marks: d.querySelectorAll("svg .role-mark path, svg .role-mark line").length,
            cells: d.querySelectorAll("svg .role-scope.cell > g, svg g.cell").length,
            box: d.querySelector("svg") ? d.querySelector("svg").getBoundingClientRect().width : 0}))""")
        seen["last_run"] = page.inner_text("#last-run")
        seen["text"] = page.inner_text("body")
        page.screenshot(path=str(screenshot), full_page=True)
        page.screenshot(path=str(screenshot.with_suffix(".top.png")))
        browser.close()
    return seen


@needs_chromium
def test_seeded_history_renders_every_chart_and_the_flags(tmp_path):
    now = datetime.now(KST)
    flags = seed_history(tmp_path / "news.sqlite3", now)
    out = tmp_path / "dashboard.html"
    done = subprocess.run([sys.executable, "-m", "scrapy", "dashboard", "--out", str(out), "--days", "30"],
                          cwd=REPO, env={**os.environ, "NEWSCRAWL_DATABASE": f"sqlite:///{tmp_path / 'news.sqlite3'}"},
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "4 runs, 36 ticker quotes" in done.stderr
    text = out.read_text(encoding="utf-8")
    assert "<script src" not in text and "<link" not in text  # self-contained
    with ThreadPoolExecutor(1) as pool:  # the sync Playwright API wants a thread without an event loop
        seen = pool.submit(open_in_chromium, out, tmp_path / "dashboard.png").result()
    print(f"dashboard screenshot: {tmp_path / 'dashboard.png'}")
    assert seen["errors"] == [] and seen["requests"] == []
    names = [c["name"] for c in seen["charts"]]
    # etoday had fetch failures, mk parse errors; both have shares of article pages
    assert names == [f"{site} {chart}" for site in ("etoday", "mk")
                     for chart in ("articles", "duration", "problems", "shares")] + ["tickers crypto", "tickers index"]
    for chart in seen["charts"]:
        assert chart["drawn"] and chart["svgs"] == 1 and chart["marks"] > 0 and chart["box"] > 100, chart
    assert "exit code 1" in seen["last_run"] and "2 flags" in seen["last_run"]
    for flag in flags:
        assert flag in seen["last_run"]
    assert "mk: " + DRIFT in seen["last_run"]
    assert "비트코인 (BTC) · etoday" in seen["text"] and "코스피 · mk" in seen["text"]


def test_without_a_database_it_says_so_in_one_line(tmp_path):
    done = subprocess.run([sys.executable, "-m", "scrapy", "dashboard", "--out", str(tmp_path / "d.html")], cwd=REPO,
                          env={**os.environ, "NEWSCRAWL_DATABASE": f"sqlite:///{tmp_path / 'none.sqlite3'}"},
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and done.stderr.count("\n") == 1
    assert done.stderr.startswith("scrapy dashboard: no database at")
    bad = subprocess.run([sys.executable, "-m", "scrapy", "dashboard", "--days", "0"], cwd=REPO,
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "not a positive number of days" in bad.stderr and "Traceback" not in bad.stderr
