"""Memory at scale: RSS of a ``scrapy crawl etoday`` subprocess that discovers 200,000 URLs from a sitemap index
and fetches 20,000 of them (JOBDIR disk queues), sampled from /proc/<pid>/status (VmRSS, VmHWM); the same
without JOBDIR; start-up memory with an empty data directory and with the big run's; and the size of the
per-run state that grows with every URL (dedup keys, dupefilter fingerprints), measured with tracemalloc.

    python3 bench/bench_memory.py [--discovered 200000] [--pages 20000] [--no-write]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import tracemalloc
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import FIRST_ID, CrawlRun, EtodayPortal, Sample, article_ids, header, publish, run_crawl, table

SETTINGS = {"AUTOTHROTTLE_ENABLED": "0"}
LIMIT_MB = 250
FLAT_MB = 25  # RSS growth between the first and the last checkpoint that still counts as flat
CHUNK = 50_000  # URLs per child sitemap: the sitemaps protocol's maximum
STARTUP_PAGES = 500


def at(samples: list[Sample], served: int) -> Sample | None:
    return next((s for s in samples if s.served >= served), None)


def checkpoints(pages: int) -> list[int]:
    """The pages at which RSS is reported: 1/4, 1/2 and all of them (5k, 10k, 20k for the default run)."""
    return sorted({max(1, pages // 4), max(1, pages // 2), pages})


def retained_state(pages: int) -> list[tuple[str, float]]:
    """Bytes per page kept until the end of a run by the structures that grow with it, built as the code
    builds them (pipelines/dedup.py, Scrapy's RFPDupeFilter) for ``pages`` URLs. The feed exporter keeps none."""
    from scrapy import Request
    from scrapy.utils.request import RequestFingerprinter

    from pipelines.dedup import quote_digest

    urls = [f"http://127.0.0.1:40000/news/view/{i}" for i in article_ids(pages)]  # the items' own strings

    def canonical(url: str) -> str:  # a new string, as each item carries its own
        return url.replace("127.0.0.1:40000", "www.etoday.co.kr")

    fingerprinter = RequestFingerprinter()
    builders: dict[str, Callable[[], object]] = {
        "DedupPipeline.articles (canonical URL -> URL)": lambda: {canonical(u): (u + " ")[:-1] for u in urls},
        "RFPDupeFilter.fingerprints": lambda: {fingerprinter.fingerprint(Request(u)).hex() for u in urls},
        "DedupPipeline.tickers, were a page's 12 quotes kept for the run (as digests)": lambda: {
            quote_digest(("etoday", "crypto", f"코인{n}", f"{i}.5", "-1.25", "", canonical(u)))
            for i, u in enumerate(urls) for n in range(12)},
    }
    sizes = []
    for name, build in builders.items():
        tracemalloc.start()
        kept = build()
        size = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()
        del kept
        sizes.append((name, size / pages))
    return sizes


def sizes_mb(data_dir: Path) -> tuple[float, float]:
    """(database, feeds) size in MB of a data directory."""
    database = sum(f.stat().st_size for f in data_dir.glob("newscrawl.sqlite3*"))
    feeds = sum(f.stat().st_size for f in data_dir.glob("*.jsonl"))
    return database / 2**20, feeds / 2**20


def startup_check(discovered: int, data_dir: Path, tmp: Path) -> tuple[CrawlRun, CrawlRun, tuple[float, float]]:
    """A short crawl of STARTUP_PAGES new pages (ids after the big run's) into an empty data directory and into
    the big run's: start-up memory must not grow with the database and feeds already there."""
    stored = sizes_mb(data_dir)
    runs = []
    for target in (tmp / "empty", data_dir):
        with EtodayPortal(STARTUP_PAGES, first=FIRST_ID + discovered) as portal:
            runs.append(run_crawl(portal, target, SETTINGS))
    return runs[0], runs[1], stored


def first_page_mb(run: CrawlRun) -> float:
    first = next((s for s in run.samples if s.served > 0), None)
    return first.rss_kb / 1024 if first else 0.0


def report(run: CrawlRun, queue: CrawlRun, discovered: int, pages: int, state: list[tuple[str, float]],
           startup: tuple[CrawlRun, CrawlRun, tuple[float, float]]) -> list[str]:
    rows = []
    first = next((s for s in run.samples if s.served > 0), None)
    if first:
        rows.append([f"first article page ({first.seconds:.1f} s)", first.served, f"{first.rss_kb / 1024:.0f}"])
    marks = []
    for mark in checkpoints(pages):
        sample = at(run.samples, mark)
        if sample:
            marks.append(sample.rss_kb / 1024)
            rows.append([f"{mark:,} pages ({sample.seconds:.0f} s)", sample.served, f"**{sample.rss_kb / 1024:.0f}**"])
    if run.samples:
        last = run.samples[-1]
        rows.append([f"last sample, closing ({last.seconds:.0f} s)", last.served, f"{last.rss_kb / 1024:.0f}"])
    peak = run.peak_kb / 1024
    growth = marks[-1] - marks[0] if len(marks) > 1 else 0.0
    flat = growth <= FLAT_MB
    state_rows = [[name, f"{per_page:.0f}", f"{per_page * discovered / 2**20:.1f}"] for name, per_page in state]
    queue_pages = queue.stats.get("newscrawl/raw_pages/saved", 0)
    per_request = max(queue.peak_kb - run.peak_kb, 0) * 1024 / discovered
    empty, full, (database_mb, feeds_mb) = startup
    startup_rows = [
        ["empty data directory", f"{first_page_mb(empty):.0f}", f"{empty.peak_kb / 1024:.0f}", empty.returncode],
        [f"data directory of the run above (SQLite {database_mb:.0f} MB, feeds {feeds_mb:.0f} MB)",
         f"{first_page_mb(full):.0f}", f"{full.peak_kb / 1024:.0f}", full.returncode],
    ]
    articles = run.stats.get("newscrawl/articles/new", 0)
    return [
        *header("Memory at scale (loopback etoday)", "scrapy", "twisted", "lxml"),
        f"`python3 bench/bench_memory.py --discovered {discovered} --pages {pages}`: `scrapy crawl etoday -s "
        f"JOBDIR=... -s CLOSESPIDER_PAGECOUNT={pages}` (AUTOTHROTTLE_ENABLED=0, everything else at the project "
        f"defaults: all pipelines, SQLite + raw pages, both feeds) against the loopback portal of bench/common.py, "
        f"whose sitemap index lists {discovered:,} distinct etoday pages in child sitemaps of {CHUNK:,} URLs (the "
        f"sitemaps protocol's maximum); the crawl discovers all of them and stops after {pages:,} responses. RSS "
        f"of the crawl process read from /proc/<pid>/status every 0.25 s; page counts are the server's. Run: exit "
        f"{run.returncode}, {articles:,} articles stored, {run.stats.get('scheduler/enqueued', 0):,} requests "
        f"enqueued, {run.wall:.0f} s, Scrapy memusage/max {run.stats.get('memusage/max', 0) / 2**20:.0f} MB.",
        "",
        *table(["point", "pages served", "RSS MB"], rows),
        "",
        f"**Peak RSS (VmHWM) {peak:.0f} MB with {discovered:,} URLs discovered — target < {LIMIT_MB} MB: "
        f"{'holds' if peak < LIMIT_MB else 'missed'}. Growth from {checkpoints(pages)[0]:,} to {pages:,} pages: "
        f"{growth:+.0f} MB — flat (≤ {FLAT_MB} MB): {'holds' if flat else 'missed'}.**",
        "",
        f"Same crawl without JOBDIR (Scrapy's memory queue holds every pending Request), stopped after "
        f"{queue_pages:,} article pages: peak RSS **{queue.peak_kb / 1024:.0f} MB** (exit {queue.returncode}), "
        f"≈ {per_request / 1024:.1f} kB more per discovered URL than on disk. A crawl of a site-wide sitemap "
        f"therefore runs with `-s JOBDIR=...` (Scrapy's disk queues; the resumable runs of the README use it "
        f"anyway). Sitemaps are parsed as a stream (newscrawl/feeds.py), so a {CHUNK:,}-URL sitemap adds no tree "
        f"of its size.",
        "",
        f"Start-up memory against stored data: a crawl of {STARTUP_PAGES:,} new pages into an empty data "
        f"directory and into the data directory of the run above (incremental checks query the database per "
        f"request; feeds are resumed from sizes recorded in the database, not read):",
        "",
        *table(["data directory", "RSS at first article page MB", "peak RSS MB", "exit"], startup_rows),
        "",
        f"State that grows with every discovered URL or stored page, for {discovered:,} (tracemalloc, structures "
        f"built as the code builds them; a model, not a reading of the crawl process). A run remembers each "
        f"article it kept, so that it writes each once; the quotes of a page tied to the first article of its "
        f"URL are remembered with the page only (pipelines/dedup.py): the last row is what they would cost "
        f"kept for the run, as the quotes of a page without an article or of a portal copy are:",
        "",
        *table(["structure", "bytes/URL", f"MB at {discovered:,}"], state_rows),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--discovered", type=int, default=200_000, help="URLs in the sitemaps")
    parser.add_argument("--pages", type=int, default=20_000, help="responses before the crawl stops")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    discovered = max(args.discovered, args.pages)
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        with EtodayPortal(discovered, chunk=CHUNK) as portal:
            run = run_crawl(portal, data, {**SETTINGS, "JOBDIR": str(Path(tmp) / "job"),
                                           "CLOSESPIDER_PAGECOUNT": str(args.pages)})
        with EtodayPortal(discovered, chunk=CHUNK) as portal:
            queue = run_crawl(portal, Path(tmp) / "queue",
                              {**SETTINGS, "CLOSESPIDER_PAGECOUNT": str(max(args.pages // 10, 1))})
        startup = startup_check(discovered, data, Path(tmp))
    lines = report(run, queue, discovered, args.pages, retained_state(discovered), startup)
    publish("memory", lines, no_write=args.no_write)


if __name__ == "__main__":
    main()
