"""Memory at scale: RSS of a ``scrapy crawl etoday`` subprocess over a 20,000-page loopback crawl, sampled from
/proc/<pid>/status (VmRSS, VmHWM), with RSS at 5k, 10k and 20k pages, and the size of the per-run state that
grows with every page (dedup keys, dupefilter fingerprints), measured with tracemalloc.

    python3 bench/bench_memory.py [--pages 20000] [--no-write]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import tracemalloc
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import CrawlRun, EtodayPortal, Sample, article_ids, header, publish, run_crawl, table

SETTINGS = {"AUTOTHROTTLE_ENABLED": "0"}
LIMIT_MB = 250
FLAT_MB = 25  # RSS growth between the first and the last checkpoint that still counts as flat


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

    urls = [f"http://127.0.0.1:40000/news/view/{i}" for i in article_ids(pages)]  # the items' own strings

    def canonical(url: str) -> str:  # a new string, as each item carries its own
        return url.replace("127.0.0.1:40000", "www.etoday.co.kr")

    fingerprinter = RequestFingerprinter()
    builders: dict[str, Callable[[], object]] = {
        "DedupPipeline.articles (canonical URL -> URL)": lambda: {canonical(u): (u + " ")[:-1] for u in urls},
        "RFPDupeFilter.fingerprints": lambda: {fingerprinter.fingerprint(Request(u)).hex() for u in urls},
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


def backlog_check(pages: int, tmp: Path) -> tuple[CrawlRun, CrawlRun]:
    """Same number of pages crawled (pages // 10), with a discovery backlog of that many or of ``pages``: the
    difference in peak RSS is what the pending Requests cost."""
    small = max(1, pages // 10)
    with EtodayPortal(small) as portal:
        short = run_crawl(portal, tmp / "short", SETTINGS)
    with EtodayPortal(pages) as portal:
        long = run_crawl(portal, tmp / "long", {**SETTINGS, "CLOSESPIDER_PAGECOUNT": str(small)})
    return short, long


def report(run: CrawlRun, pages: int, state: list[tuple[str, float]], backlog: tuple[CrawlRun, CrawlRun]
           ) -> list[str]:
    rows = []
    first = next((s for s in run.samples if s.served > 0), None)
    if first:
        rows.append([f"first article page ({first.seconds:.1f} s)", first.served, f"{first.rss_kb / 1024:.0f}"])
    early = at(run.samples, max(1, pages // 20))
    if early:
        rows.append([f"{pages // 20:,} pages ({early.seconds:.0f} s)", early.served, f"{early.rss_kb / 1024:.0f}"])
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
    state_rows = [[name, f"{per_page:.0f}", f"{per_page * pages / 2**20:.1f}"] for name, per_page in state]
    total_state = sum(per_page for _, per_page in state) * pages / 2**20
    short, long = backlog
    small = max(1, pages // 10)
    queue = (long.peak_kb - short.peak_kb) / 1024
    per_request = (long.peak_kb - short.peak_kb) * 1024 / max(pages - small, 1)
    articles = run.stats.get("newscrawl/articles/new", 0)
    return [
        *header("Memory at scale (loopback etoday)", "scrapy", "twisted", "lxml"),
        f"`scrapy crawl etoday` (AUTOTHROTTLE_ENABLED=0, everything else at the project defaults: all pipelines, "
        f"SQLite + raw pages, both feeds) of {pages:,} distinct etoday pages served by the loopback portal of "
        f"bench_crawl.py; RSS of the crawl process read from /proc/<pid>/status every 0.25 s; page counts are the "
        f"server's. Run: exit {run.returncode}, {articles:,} articles stored, {run.wall:.0f} s, "
        f"Scrapy memusage/max {run.stats.get('memusage/max', 0) / 2**20:.0f} MB.",
        "",
        *table(["point", "pages served", "RSS MB"], rows),
        "",
        f"**Peak RSS (VmHWM) {peak:.0f} MB — target < {LIMIT_MB} MB: {'holds' if peak < LIMIT_MB else 'missed'}. "
        f"Growth from {checkpoints(pages)[0]:,} to {pages:,} pages: {growth:+.0f} MB — flat (≤ {FLAT_MB} MB): "
        f"{'holds' if flat else 'missed'}.**",
        "",
        f"State that grows with every page, for {pages:,} pages (tracemalloc, structures built as the code builds "
        f"them; a model, not a reading of the crawl process):",
        "",
        *table(["structure", "bytes/page", f"MB at {pages:,}"], state_rows),
        "",
        f"Where the memory goes, measured: {small:,} pages crawled with a discovery backlog of {small:,} URLs "
        f"peak at {short.peak_kb / 1024:.0f} MB; the same {small:,} pages with a backlog of {pages:,} URLs "
        f"(CLOSESPIDER_PAGECOUNT={small}) peak at {long.peak_kb / 1024:.0f} MB: **the pending Requests cost "
        f"{queue:.0f} MB, ≈ {per_request / 1024:.1f} kB each**. Discovery reads the sitemap index and its "
        f"children in the first seconds and enqueues every URL at once, so the plateau is reached early; the "
        f"queue then drains, CPython keeps the freed arenas, and the state kept to the end of the run "
        f"(exactly-once keys, {total_state:.1f} MB at {pages:,} pages) grows into that space — hence flat RSS "
        f"from the first quarter on. RSS is therefore bounded by the discovery backlog, not by pages crawled: a "
        f"site-wide sitemap of 200k URLs would need ≈ {per_request * 200_000 / 2**20:.0f} MB of queue. Proposed "
        f"if that matters: JOBDIR disk queues (`-s JOBDIR=...`, Scrapy's own), or lazy discovery in "
        f"newscrawl/spider.py (request a child sitemap only when the scheduler holds fewer than N requests).",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=20000)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        with EtodayPortal(args.pages) as portal:
            run = run_crawl(portal, Path(tmp) / "data", SETTINGS)
        backlog = backlog_check(args.pages, Path(tmp))
    lines = report(run, args.pages, retained_state(args.pages), backlog)
    publish("memory", lines, no_write=args.no_write)


if __name__ == "__main__":
    main()
