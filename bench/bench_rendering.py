"""Rendered vs plain crawling on the same loopback pages: pages/s, and peak memory with N browser tabs.

Each run is a real ``scrapy crawl etoday`` (subprocess) against a loopback portal that serves a sitemap and
PAGES copies of the etoday fixture article (each with its own URL and canonical URL). Memory is the peak
proportional set size (PSS, so pages shared between Chromium processes count once) of the crawl's whole
process tree: Scrapy, the Playwright driver and every Chromium process.

usage: python3 bench/bench_rendering.py [--pages 200] [--tabs 1,4,8] [--no-write]
Writes its table into BENCHMARKS.md between the bench:rendering markers.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.common import publish  # noqa: E402
from tests.servers import FixtureServer, Route  # noqa: E402

FIXTURES = REPO / "tests" / "fixtures"
STATIC_PAGE = FIXTURES / "etoday" / "news_view_2384652.html"
JS_PAGE = FIXTURES / "rendering" / "news_view_2384652_js.html"
COINS = FIXTURES / "rendering" / "coin_price.json"
FIRST_ID = 3000000


@dataclass
class Run:
    label: str
    mode: str
    tabs: int
    pages: int
    articles: int
    elapsed: float
    peak_mb: float

    @property
    def pages_per_s(self) -> float:
        return self.pages / self.elapsed if self.elapsed else 0.0


def portal_routes(template: Path, count: int) -> dict[str, Route]:
    body = template.read_bytes()
    urls = []
    routes: dict[str, Route] = {"/api/coin_price.json": Route(COINS.read_bytes(), "application/json")}
    for article_id in range(FIRST_ID, FIRST_ID + count):
        path = f"/news/view/{article_id}"
        routes[path] = Route(body.replace(b"/news/view/2384652", path.encode()))
        urls.append(f"<url><loc>https://www.etoday.co.kr{path}</loc></url>")
    sitemap = ('<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
               + "".join(urls) + "</urlset>")
    routes["/rss/news_sitemap"] = Route(sitemap.encode(), "application/xml; charset=utf-8")
    return routes


def tree_pss_kb(root: int) -> int:
    """PSS of a process and all its descendants, in kB (RSS where smaps_rollup is unreadable)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry))
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        stack.extend(children.get(pid, []))
        total += _memory_kb(pid)
    return total


def _memory_kb(pid: int) -> int:
    for path, key in ((f"/proc/{pid}/smaps_rollup", "Pss:"), (f"/proc/{pid}/status", "VmRSS:")):
        try:
            for line in Path(path).read_text().splitlines():
                if line.startswith(key):
                    return int(line.split()[1])
        except OSError:
            continue
    return 0


def crawl(base_url: str, mode: str, tabs: int, label: str, pages: int) -> Run:
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        command = [sys.executable, "-m", "scrapy", "crawl", "etoday", "-a", f"base_url={base_url}",
                   "-a", "feeds=/rss/news_sitemap", "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "LOG_LEVEL=WARNING",
                   "-s", f"NEWSCRAWL_STATS_FILE={data / 'stats.json'}", "-s", f"NEWSCRAWL_RENDER={mode}",
                   "-s", f"NEWSCRAWL_RENDER_MAX_PAGES={tabs}", "-s", f"CONCURRENT_REQUESTS_PER_DOMAIN={tabs}",
                   "-s", f"CONCURRENT_REQUESTS={tabs}"]
        env = {**os.environ, "NEWSCRAWL_DATA_DIR": str(data), "PYTHONPATH": str(REPO)}
        env.pop("NEWSCRAWL_DATABASE", None)
        process = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                   text=True)
        peak = 0
        stderr: list[str] = []
        reader = threading.Thread(target=lambda: stderr.append(process.stderr.read()), daemon=True)
        reader.start()
        while process.poll() is None:
            peak = max(peak, tree_pss_kb(process.pid))
            time.sleep(0.1)
        reader.join()
        stats_file = data / "stats.json"
        if not stats_file.exists():
            raise SystemExit(f"{label}: crawl failed\n{''.join(stderr)[-2000:]}")
        stats = json.loads(stats_file.read_text(encoding="utf-8"))
        articles = sum(1 for line in (data / "articles.jsonl").read_text(encoding="utf-8").splitlines() if line)
    return Run(label, mode, tabs, pages, articles, float(stats["elapsed_time_seconds"]), peak / 1024)


def chromium_version() -> str:
    done = subprocess.run(["/usr/bin/chromium", "--version"], capture_output=True, text=True)
    return done.stdout.strip() or "chromium not found"


def table(runs: list[Run], pages: int, load: float) -> list[str]:
    plain = next((r.pages_per_s for r in runs if r.mode == "off"), 0.0)
    lines = [
        "## Rendering (bench/bench_rendering.py)",
        "",
        f"`python3 bench/bench_rendering.py --pages {pages}`: a real `scrapy crawl etoday` per row against a loopback",
        f"portal serving {pages} distinct copies of the etoday fixture article; {chromium_version()};",
        f"{os.cpu_count()} CPUs, load average {load:.1f} when the run started (other jobs share this machine).",
        "Pages/s is article pages over the crawl's elapsed time (browser start-up included); memory is the peak PSS",
        "of the whole process tree (Scrapy + Playwright driver + Chromium).",
        "",
        "| run | mode | tabs | articles | elapsed s | pages/s | vs plain | peak memory MB |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for run in runs:
        ratio = f"{run.pages_per_s / plain:.2f}x" if plain else "-"
        lines.append(f"| {run.label} | {run.mode} | {run.tabs} | {run.articles} | {run.elapsed:.1f} | "
                     f"{run.pages_per_s:.1f} | {ratio} | {run.peak_mb:.0f} |")
    lines.append("")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--tabs", default="1,4,8", help="browser tabs (and concurrent requests) to try")
    parser.add_argument("--no-write", action="store_true", help="print the table, leave BENCHMARKS.md alone")
    options = parser.parse_args()
    tabs = [int(t) for t in options.tabs.split(",")]
    runs = []
    load = os.getloadavg()[0]
    with FixtureServer(portal_routes(STATIC_PAGE, options.pages)) as server:
        runs.append(crawl(server.base_url, "off", max(tabs), "plain HTTP, static page", options.pages))
        for count in tabs:
            runs.append(crawl(server.base_url, "always", count, "rendered, static page", options.pages))
    with FixtureServer(portal_routes(JS_PAGE, options.pages)) as server:
        runs.append(crawl(server.base_url, "fallback", max(tabs), "fallback, JS page (plain + render)",
                          options.pages))
    publish("rendering", table(runs, options.pages, load), no_write=options.no_write, summary=("|", "#"))


if __name__ == "__main__":
    main()
