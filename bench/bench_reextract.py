"""``scrapy reextract`` throughput: pages/s over a SQLite database of stored raw pages, with 1 and 2 worker
processes, beside single-process extraction (page object + pipeline chain, no database) times the cores.

The database holds ``--pages`` distinct etoday article pages (the fixture page under distinct article ids),
stored as a crawl stores them and marked as failed by an older parser, so ``reextract --failed`` reads every
page and writes every article (new) and feed line. Each run starts from a fresh copy of that database.

    python3 bench/bench_reextract.py [--pages 20000] [--jobs 1,2] [--quick] [--no-write]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scrapy.utils.project import get_project_settings

from bench.common import ETODAY_ID, ETODAY_PAGE, FIRST_ID, REPO, header, publish, table
from newscrawl.chain import ItemChain
from newscrawl.extract import decode_html, extract_html
from newscrawl.storage.sqlite import SQLiteStorage

SUMMARY = re.compile(r"reextract: (\d+) pages, (\d+) articles")


def page_url(number: int) -> str:
    return f"https://www.etoday.co.kr/news/view/{FIRST_ID + number}"


def seed(path: Path, pages: int) -> None:
    template = ETODAY_PAGE.read_bytes()
    storage = SQLiteStorage(path, batch=1000)
    for number in range(pages):
        url = page_url(number)
        storage.save_raw(url, template.replace(ETODAY_ID, str(FIRST_ID + number).encode()), site="etoday",
                         fetched_at="2026-11-01T09:00:00+09:00", status=200, encoding="utf-8")
        storage.mark_parse_error(url, "missing_fields: body")
        storage.commit_if_due()
    storage.close()


def single_process_rate(seconds: float) -> float:
    """Pages/s of extraction and the pipeline chain in this process (no database, no feeds)."""
    template = ETODAY_PAGE.read_bytes()
    chain = ItemChain(get_project_settings())
    done, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        body = template.replace(ETODAY_ID, str(FIRST_ID + done).encode())
        html, _ = decode_html(body, "utf-8")
        chain.process(extract_html(page_url(done), html, "etoday").items())
        done += 1
    rate = done / (time.perf_counter() - start)
    chain.close()
    return rate


def reextract(seeded: Path, workdir: Path, jobs: int) -> tuple[float, int, int]:
    """(seconds, pages, articles) of one ``scrapy reextract --failed -j N`` on a fresh copy of the database."""
    data_dir = workdir / f"j{jobs}"
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True)
    shutil.copy(seeded, data_dir / "newscrawl.sqlite3")
    env = {**os.environ, "NEWSCRAWL_DATA_DIR": str(data_dir), "PYTHONPATH": str(REPO)}
    env.pop("NEWSCRAWL_DATABASE", None)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "scrapy", "reextract", "--failed", "-j", str(jobs)], cwd=REPO,
                          env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    found = SUMMARY.search(done.stderr)
    if done.returncode != 0 or not found:
        raise SystemExit(f"reextract -j {jobs} failed: {done.stderr[-2000:]}")
    lines = (data_dir / "articles.jsonl").read_text(encoding="utf-8").count("\n")
    if int(found.group(2)) != int(found.group(1)) or lines != int(found.group(1)):
        raise SystemExit(f"reextract -j {jobs}: {found.group(0)} but {lines} feed lines")
    return elapsed, int(found.group(1)), int(found.group(2))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=20_000)
    parser.add_argument("--jobs", default="1,2")
    parser.add_argument("--quick", action="store_true", help="2,000 pages")
    parser.add_argument("--no-write", action="store_true", help="print the section, leave BENCHMARKS.md alone")
    args = parser.parse_args()
    pages = 2_000 if args.quick else args.pages
    jobs = [int(j) for j in args.jobs.split(",")]
    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory(prefix="bench-reextract-") as tmp:
        workdir = Path(tmp)
        seeded = workdir / "seeded.sqlite3"
        seed(seeded, pages)
        baseline = single_process_rate(5 if args.quick else 20)
        rows, rates = [], {}
        for count in jobs:
            elapsed, done, articles = reextract(seeded, workdir, count)
            rates[count] = done / elapsed
            rows.append([f"`scrapy reextract --failed -j {count}`", f"{done:,}", f"{articles:,}", f"{elapsed:.1f}",
                         f"{rates[count]:.0f}", f"{rates[count] / (baseline * min(count, cores)):.0%}"])
    rows.append(["extraction + pipeline chain, one process (no database)", "-", "-", "-", f"{baseline:.0f}", "100%"])
    best = max(rates, key=lambda c: rates[c])
    lines = header("Re-extraction (scrapy reextract)", "scrapy", "lxml", "trafilatura")
    lines += [f"{pages:,} stored etoday pages (the fixture page under distinct ids) marked failed; each run on a "
              "fresh copy of the SQLite database writes every article and feed line. The last column is the rate "
              "against single-process extraction times the worker processes used (capped at the cores).", ""]
    lines += table(["run", "pages", "articles", "seconds", "pages/s", "of extraction x workers"], rows)
    lines += ["", f"**reextract: {rates[best]:.0f} pages/s with -j {best} on {cores} cores "
              f"({rates[best] / (baseline * min(best, cores)):.0%} of single-process extraction x {min(best, cores)})**"]
    publish("reextract", lines, no_write=args.no_write)


if __name__ == "__main__":
    main()
