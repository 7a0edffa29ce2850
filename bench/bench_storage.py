"""Storage throughput: article items/s written into SQLite and into PostgreSQL in the same run, the way the
store pipeline writes them (raw page + upsert + crawl state per item, commit every 100 items), then the same
items again (all 'unchanged'), then PostgreSQL with two writer processes at once (distributed workers).

PostgreSQL is a throwaway local cluster started by this script (tests/pg.py) with its durable defaults
(fsync on, synchronous_commit on); SQLite is the project's WAL file with synchronous=NORMAL.

    python3 bench/bench_storage.py [--items 5000] [--quick] [--no-write] [--dsn postgresql://...]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ETODAY_PAGE, header, table, write_section
from newscrawl.items import ArticleItem
from newscrawl.storage import open_storage

PARAGRAPH = "한국은행이 기준금리를 동결했다. 물가 상승률이 목표 수준으로 내려오고 있다는 판단이다. " * 3


def article(n: int) -> ArticleItem:
    url = f"https://www.etoday.co.kr/news/view/{3_000_000 + n}"
    paragraphs = [f"{n}번 기사 {i}문단. {PARAGRAPH}" for i in range(12)]
    return ArticleItem(url=url, site="etoday", publisher="이투데이", title=f"기준금리 동결 {n}", canonical_url=url,
                       paragraphs=paragraphs, body="\n".join(paragraphs), published_at="2024-07-25T10:55:00+09:00",
                       fetched_at="2024-07-25T11:00:00+09:00", content_hash=f"{n:064x}", authors=["기자"],
                       images=[{"url": f"{url}.jpg", "caption": "사진"}], tags=["금리", "한국은행"], section="경제")


def write(database: str, numbers: range, page: bytes) -> float:
    """Seconds to store these articles as the pipeline does; the storage is opened before timing."""
    storage = open_storage(database)
    items = [article(n) for n in numbers]
    started = time.perf_counter()
    for item in items:
        storage.save_raw(item.url, page, site="etoday", fetched_at=item.fetched_at, status=200, encoding="utf-8")
        storage.upsert_article(item)
        storage.mark_done(item)
        storage.commit_if_due()
    storage.close()
    return time.perf_counter() - started


def rerun(database: str, numbers: range) -> float:
    storage = open_storage(database)
    items = [replace(article(n), fetched_at="2024-07-26T11:00:00+09:00") for n in numbers]
    started = time.perf_counter()
    for item in items:
        assert storage.upsert_article(item) == "unchanged"
        storage.mark_done(item)
        storage.commit_if_due()
    storage.close()
    return time.perf_counter() - started


def _writer(args: tuple[str, range, bytes]) -> float:
    return write(*args)


def parallel(database: str, numbers: range, page: bytes, processes: int) -> float:
    """Wall seconds for ``processes`` writers storing disjoint shares of the articles at once."""
    shares = [numbers[i::processes] for i in range(processes)]
    with mp.get_context("fork").Pool(processes) as pool:
        started = time.perf_counter()
        pool.map(_writer, [(database, share, page) for share in shares])
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=5000)
    parser.add_argument("--quick", action="store_true", help="500 items, print only")
    parser.add_argument("--no-write", action="store_true", help="print the section instead of writing it")
    parser.add_argument("--dsn", help="an existing PostgreSQL database instead of a throwaway local cluster")
    opts = parser.parse_args()
    items = 500 if opts.quick else opts.items
    page = ETODAY_PAGE.read_bytes()
    server = None
    if opts.dsn:
        dsn = opts.dsn
    else:
        from tests.pg import PostgresServer

        server = PostgresServer(durable=True).init()
        dsn = server.new_database()
    rows = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            sqlite = f"sqlite:///{tmp}/bench.sqlite3"
            for name, database in (("SQLite (WAL, synchronous=NORMAL)", sqlite),
                                   ("PostgreSQL (local, fsync on)", dsn)):
                new = write(database, range(items), page)
                unchanged = rerun(database, range(items))
                rows.append([name, 1, items, f"{new:.2f}", f"{items / new:,.0f}", f"{items / unchanged:,.0f}"])
            second = range(items, 3 * items)
            both = parallel(dsn, second, page, 2)
            rows.append(["PostgreSQL, 2 writer processes", 2, len(second), f"{both:.2f}",
                         f"{len(second) / both:,.0f}", ""])
    finally:
        if server:
            server.destroy()
    lines = header("Storage (bench/bench_storage.py)", "psycopg")
    lines += [f"`python3 bench/bench_storage.py --items {items}`: per article item, the raw page (the 8.8 kB etoday "
              "fixture, zstd), the upsert with its revision and the crawl-state rows, committed every 100 items "
              "as the store pipeline does; a second pass stores the same items again (all unchanged).", ""]
    lines += table(["backend", "writers", "items", "seconds (new)", "new items/s", "unchanged items/s"], rows)
    if opts.quick or opts.no_write:
        print("\n".join(lines))
    else:
        write_section("storage", lines)
        print("BENCHMARKS.md: storage section written", file=sys.stderr)


if __name__ == "__main__":
    main()
