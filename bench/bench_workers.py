"""Distributed crawl rate: 1, 2 and 4 newscrawl workers (scrapy-redis; newscrawl/distributed.py) sharing one
Redis and one PostgreSQL, crawling a loopback etoday of a few thousand distinct article pages, in one run.

For each worker count: a fresh database and an empty Redis, ``scrapy seed etoday --reset``, then N
``scrapy crawl etoday`` workers started at once; the clock runs from their start until the portal has served
the last article page (the workers' exit comes an idle-close wait later and is shown apart). Afterwards every
article must be in PostgreSQL exactly once and no page may have been fetched twice.

    python3 bench/bench_workers.py [--pages 4000] [--workers 1,2,4] [--rounds 3] [--quick] [--no-write]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg

from bench.common import REPO, EtodayPortal, header, publish, read_stats, table
from newscrawl.distributed import worker_settings
from newscrawl.storage.postgres import PostgresStorage
from tests.pg import PostgresServer, RedisServer

IDLE_CLOSE = 1.0  # NEWSCRAWL_REDIS_IDLE_CLOSE of the workers: seconds all must be quiet before they exit
SAMPLE_EVERY = 0.05  # seconds between looks at the portal's page counter and the workers
TIMEOUT = 900.0  # seconds one worker count may take before its workers are killed


@dataclass
class WorkerRun:
    """One worker count, one round."""

    workers: int
    fetched: float = 0.0  # seconds from the workers' start until the last article page was served
    exited: float = 0.0  # seconds until every worker had exited
    samples: list[tuple[float, int]] = field(default_factory=list)  # (seconds, article pages served)
    exit_codes: list[int] = field(default_factory=list)
    worker_cpu: float = 0.0  # user + system seconds of all workers, whole lives
    window: Window | None = None  # CPU use from the workers' start until the last page was served
    served: int = 0
    new_per_worker: list[int] = field(default_factory=list)  # newscrawl/articles/new of each worker
    stored: tuple[int, int, int] = (0, 0, 0)  # articles, distinct canonical URLs, revisions
    kept: str = ""  # where a failed run's worker logs and stats were copied

    def rate(self, pages: int) -> float:
        """Article pages per minute from the workers' start (process startup and discovery included)."""
        return pages / self.fetched * 60 if self.fetched else 0.0

    def steady_rate(self, low: float = 0.1, high: float = 0.9) -> float:
        """Pages per minute between ``low`` and ``high`` of the pages served (startup and drain excluded)."""
        total = max((served for _, served in self.samples), default=0)
        first = next(((t, s) for t, s in self.samples if s >= low * total), None)
        last = next(((t, s) for t, s in self.samples if s >= high * total), None)
        if not first or not last or last[0] <= first[0]:
            return 0.0
        return (last[1] - first[1]) / (last[0] - first[0]) * 60

    def verdict(self, pages: int) -> str:
        problems = []
        if any(self.exit_codes):
            problems.append(f"exit codes {self.exit_codes}")
        if self.stored != (pages, pages, pages):
            problems.append(f"stored (articles, distinct, revisions) = {self.stored}")
        if self.served != pages:
            problems.append(f"{self.served} article responses for {pages} pages")
        if sum(self.new_per_worker) != pages:
            problems.append(f"workers report {sum(self.new_per_worker)} new articles")
        return "; ".join(problems) or "ok"


@dataclass
class Window:
    """CPU seconds spent between the workers' start and the last article page served."""

    seconds: float  # wall
    busy: float  # all cores, every process on the machine
    workers: float
    portal: float
    database: float  # PostgreSQL and Redis

    @property
    def stack(self) -> float:
        return self.workers + self.portal + self.database

    @property
    def others(self) -> float:
        """Other processes on the (shared) machine: what the benchmark's own processes do not explain."""
        return max(self.busy - self.stack, 0.0)

    def share(self, cpu: float) -> str:
        return f"{100 * cpu / (self.seconds * (os.cpu_count() or 1)):.0f} %"


# --- measuring ---------------------------------------------------------------------------------------------
def busy_cpu() -> float:
    """CPU seconds all cores of the machine have spent not idle since boot (/proc/stat)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:8]]
    return (sum(fields) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")  # minus idle and iowait


def _stat(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return []


def process_cpu(pid: int, children: bool = False) -> float:
    """User + system seconds of a live process (0 once it has exited); with ``children``, also those of its
    children that it has waited for."""
    fields = _stat(pid)
    if not fields:
        return 0.0
    ticks = int(fields[11]) + int(fields[12]) + (int(fields[13]) + int(fields[14]) if children else 0)
    return ticks / os.sysconf("SC_CLK_TCK")


def tree_cpu(parent: int) -> float:
    """CPU seconds of a server that forks a process per connection (PostgreSQL): the parent, its ended
    children (waited for) and its live ones."""
    live = [int(p.name) for p in Path("/proc").iterdir()
            if p.name.isdigit() and (fields := _stat(int(p.name))) and int(fields[1]) == parent]
    return process_cpu(parent, children=True) + sum(process_cpu(pid) for pid in live)


def database_cpu(postgres: PostgresServer, redis_server: RedisServer) -> float:
    postmaster = int((postgres.data / "postmaster.pid").read_text().split("\n", 1)[0])
    return tree_cpu(postmaster) + process_cpu(redis_server.process.pid)


def scrapy_env(data_dir: Path) -> dict[str, str]:
    env = {**os.environ, "NEWSCRAWL_DATA_DIR": str(data_dir), "PYTHONPATH": str(REPO)}
    for name in ("NEWSCRAWL_DATABASE", "NEWSCRAWL_REDIS_URL"):
        env.pop(name, None)
    return env


def seed(base_url: str, redis_url: str, data_dir: Path) -> None:
    command = [sys.executable, "-m", "scrapy", "seed", "etoday", "--redis-url", redis_url,
               "-a", f"base_url={base_url}", "--reset"]
    done = subprocess.run(command, cwd=REPO, env=scrapy_env(data_dir), capture_output=True, text=True,
                          timeout=120)
    if done.returncode != 0:
        raise RuntimeError(f"scrapy seed failed:\n{done.stderr[-2000:]}")


def start_worker(base_url: str, data_dir: Path, dsn: str, redis_url: str) -> subprocess.Popen:
    data_dir.mkdir(parents=True, exist_ok=True)
    settings = {**worker_settings(redis_url, idle_close=IDLE_CLOSE), "NEWSCRAWL_DATABASE": dsn,
                "AUTOTHROTTLE_ENABLED": "0", "NEWSCRAWL_STATS_FILE": str(data_dir / "stats.json"),
                "NEWSCRAWL_REPORT_FILE": str(data_dir / "report.json"), "LOG_FILE": str(data_dir / "crawl.log")}
    command = [sys.executable, "-m", "scrapy", "crawl", "etoday", "-a", f"base_url={base_url}"]
    for name, value in settings.items():
        command += ["-s", f"{name}={value}"]
    return subprocess.Popen(command, cwd=REPO, env=scrapy_env(data_dir), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def stored(dsn: str) -> tuple[int, int, int]:
    """(articles, distinct canonical URLs among them, revision rows)."""
    PostgresStorage(dsn).close()  # the schema, if no worker made it
    with psycopg.connect(dsn) as conn:
        articles, distinct = conn.execute("SELECT count(*), count(DISTINCT canonical_url) FROM articles").fetchone()
        revisions = conn.execute("SELECT count(*) FROM article_revisions").fetchone()[0]
    return articles, distinct, revisions


def crawl(workers: int, pages: int, postgres: PostgresServer, redis_server: RedisServer, data_dir: Path) -> WorkerRun:
    """Seed, start ``workers`` workers at once, wait for all of them, verify the database."""
    run = WorkerRun(workers)
    dsn = postgres.new_database()
    redis_server.flush()
    with EtodayPortal(pages) as portal:
        seed(portal.base_url, redis_server.url, data_dir)
        dirs = [data_dir / f"worker{i}" for i in range(1, workers + 1)]
        busy0, portal0, database0 = busy_cpu(), process_cpu(portal.process.pid), database_cpu(postgres, redis_server)
        start = time.perf_counter()
        processes = [start_worker(portal.base_url, d, dsn, redis_server.url) for d in dirs]  # kept: not reaped
        running = {process.pid: d for process, d in zip(processes, dirs, strict=True)}
        codes: dict[Path, int] = {}
        while running:
            now = time.perf_counter() - start
            run.samples.append((now, portal.served))
            if not run.fetched and portal.served >= pages:
                run.fetched = now
                run.window = Window(now, busy_cpu() - busy0,
                                    sum(process_cpu(pid) for pid in running) + run.worker_cpu,
                                    process_cpu(portal.process.pid) - portal0,
                                    database_cpu(postgres, redis_server) - database0)
            for pid in list(running):
                done, status, usage = os.wait4(pid, os.WNOHANG)  # the rusage of this child alone
                if done:
                    process = next(p for p in processes if p.pid == pid)
                    process.returncode = codes[running.pop(pid)] = os.waitstatus_to_exitcode(status)
                    run.worker_cpu += usage.ru_utime + usage.ru_stime
            if now > TIMEOUT:
                for pid in running:
                    os.kill(pid, 9)
            time.sleep(SAMPLE_EVERY)
        run.exited = time.perf_counter() - start
        run.served = portal.served
    run.exit_codes = [codes[d] for d in dirs]
    run.new_per_worker = [read_stats(d).get("newscrawl/articles/new", 0) for d in dirs]
    run.stored = stored(dsn)
    if run.verdict(pages) != "ok":
        keep = Path(tempfile.mkdtemp(prefix="newscrawl-bench-workers-failed-")) / "run"
        run.kept = str(shutil.copytree(data_dir, keep))
    return run


# --- the report --------------------------------------------------------------------------------------------
def window_cells(window: Window | None, pages: int) -> list[str]:
    if window is None:
        return ["", "", "", "", ""]
    return [f"{window.workers:.1f} / {window.portal:.1f} / {window.database:.1f} / {window.others:.1f}",
            window.share(window.stack), window.share(window.others), f"{1000 * window.workers / pages:.1f}"]


def rows(runs: list[WorkerRun], pages: int, base: float) -> list[list[object]]:
    out = []
    for run in runs:
        rate = run.rate(pages)
        out.append([run.workers, f"{run.fetched:.1f}", f"**{rate:.0f}**", f"{rate / run.workers:.0f}",
                    f"{rate / base:.2f}×", f"{run.steady_rate():.0f}", f"{run.exited:.1f}",
                    " / ".join(str(n) for n in run.new_per_worker), *window_cells(run.window, pages),
                    run.verdict(pages)])
    return out


def median_rate(runs: list[WorkerRun], pages: int) -> float:
    return statistics.median(r.rate(pages) for r in runs) or float("nan")  # nan: every run failed


def median_steady(runs: list[WorkerRun]) -> float:
    return statistics.median(r.steady_rate() for r in runs) or float("nan")


def median_share(runs: list[WorkerRun], part: str) -> str:
    windows = [r.window for r in runs if r.window]
    if not windows:
        return ""
    cores = os.cpu_count() or 1
    return f"{statistics.median(100 * getattr(w, part) / (w.seconds * cores) for w in windows):.0f} %"


def summary(by_count: dict[int, list[WorkerRun]], pages: int) -> list[list[object]]:
    base, base_steady = median_rate(by_count[min(by_count)], pages), median_steady(by_count[min(by_count)])
    out = []
    for workers, runs in by_count.items():
        rate, steady = median_rate(runs, pages), median_steady(runs)
        out.append([workers, len(runs), f"**{rate:.0f}**", f"{rate / workers:.0f}", f"**{rate / base:.2f}×**",
                    f"{steady:.0f}", f"{steady / base_steady:.2f}×", median_share(runs, "stack"),
                    median_share(runs, "others")])
    return out


def findings(by_count: dict[int, list[WorkerRun]], pages: int) -> list[str]:
    """The headline, from the medians."""
    one = min(by_count)
    base = median_rate(by_count[one], pages)
    speedups = {w: median_rate(runs, pages) / base for w, runs in by_count.items()}
    best = max(speedups, key=lambda w: speedups[w])
    cores = os.cpu_count() or 1
    said = ", ".join(f"{w} workers {speedups[w]:.2f}×" for w in by_count if w != one)
    lines = [f"**Measured on {cores} cores: {said} the pages/min of {one} worker; the highest rate was with "
             f"{best} worker(s) ({median_rate(by_count[best], pages):.0f} pages/min).**"]
    many, few = [w for w in by_count if w > cores], [w for w in by_count if w <= cores]
    if not many or not few:
        return lines
    if max(speedups[w] for w in many) <= max(speedups[w] for w in by_count if w <= cores):
        lines.append(f"As expected on {cores} cores, more workers than cores ({', '.join(map(str, many))}) "
                     f"were not faster than {cores}.")
    else:
        lines.append(f"More workers than cores ({', '.join(map(str, many))}) measured faster than {cores} in "
                     f"this run: within the noise of a shared machine, not a real gain (there is no idle core "
                     f"to use).")
    return lines


def report(by_count: dict[int, list[WorkerRun]], runs: list[WorkerRun], args: argparse.Namespace) -> list[str]:
    pages = args.pages
    base = median_rate(by_count[min(by_count)], pages)
    all_ok = all(r.verdict(pages) == "ok" for r in runs)
    cores = os.cpu_count() or 1
    return [
        *header("Distributed workers (bench/bench_workers.py)", "scrapy", "scrapy-redis", "redis", "psycopg"),
        f"`python3 bench/bench_workers.py --pages {pages} --workers {args.workers} --rounds {args.rounds}`: "
        f"N distributed workers (`scrapy crawl etoday -a base_url=http://127.0.0.1:PORT` with "
        f"NEWSCRAWL_REDIS_URL, NEWSCRAWL_DATABASE=postgresql://…, AUTOTHROTTLE_ENABLED=0, "
        f"NEWSCRAWL_REDIS_IDLE_CLOSE={IDLE_CLOSE:g}; every pipeline, raw pages and feeds on; concurrency at the "
        f"project defaults, 32 requests and 8 per domain per worker) crawl {pages} distinct etoday article pages "
        f"(the etoday fixture with its id replaced) discovered from the RSS feed and a sitemap index, served by "
        f"the aiohttp loopback portal of bench/common.py in its own process. For each run: a fresh PostgreSQL "
        f"database (a throwaway local cluster with PostgreSQL's durable defaults, tests/pg.py), an emptied "
        f"redis-server, `scrapy seed etoday --reset`, then all N workers started at once. Rounds alternate the "
        f"order of the worker counts (1, 2, 4 then 4, 2, 1, ...) so that drift in the machine's load hits all.",
        "",
        f"Median over the rounds; speed-up against {min(by_count)} worker in the same run:",
        "",
        *table(["workers", "runs", "pages/min (total)", "pages/min per worker", "speed-up",
                "steady pages/min (10–90 %)", "steady speed-up", "CPU: this benchmark's processes",
                "CPU: other processes"], summary(by_count, pages)),
        "",
        *findings(by_count, pages),
        f"Every article stored exactly once in every run: **{'yes' if all_ok else 'NO (see the check column)'}** "
        f"(PostgreSQL count(*) = count(DISTINCT canonical_url) = revision rows = {pages}; the portal served each "
        f"page once; the workers' `newscrawl/articles/new` add up to {pages}; every worker exited 0).",
        "",
        "Every run, in the order run:",
        "",
        *table(["workers", "start → last page, s", "pages/min", "per worker", "vs 1 worker (median)",
                "steady pages/min", "all exited, s", "new articles per worker",
                "CPU s: workers / portal / PG+Redis / others", "CPU: ours", "CPU: others", "worker CPU ms/page",
                "check"], rows(runs, pages, base)),
        "",
        f"- This machine has {cores} cores, shared by the workers, the portal, PostgreSQL, Redis and whatever "
        f"else runs. A worker is one Scrapy process, CPU-bound on loopback (parsing, pipelines, storage: about "
        f"one core at full speed), so more workers can only help while a core is idle: with {cores} cores "
        f"4 workers cannot be faster than 2; they add contention and four Scrapy start-ups at once. On a machine "
        f"with a core per worker (or workers on separate machines) the rate should grow with the workers until "
        f"the site, Redis or PostgreSQL is the limit; this run cannot show that.",
        "- CPU columns: CPU time spent from the workers' start until the last page was served, as a share of "
        f"all {cores} cores' time in that interval (/proc/stat for the machine, /proc/PID/stat for the workers, "
        "the portal, the PostgreSQL server with its backends, and redis-server). 'Others' is the machine's busy "
        "time that this benchmark's processes do not account for: other work on the shared machine, which takes "
        "cores the extra workers would need. worker CPU ms/page is the workers' CPU in that interval per page: "
        "what a worker costs beyond the pages themselves (its start-up, polling Redis while idle, and with more "
        "workers than cores, contention).",
        "- pages/min = pages ÷ seconds from the workers' start until the portal had served the last article page "
        "(Python and Scrapy start-up, robots.txt, seeds and sitemaps included). Steady = slope of the portal's "
        "page counter between 10 % and 90 % of the pages, once the workers are running. The workers exit later "
        "('all exited'): each waits until every worker has been idle (a worker with a response in the last 10 s "
        "counts as active) plus the idle-close time, checked on the engine's 5 s idle heartbeat, and commits its "
        "last batch at close; that tail is not crawling and is not in the rate.",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=4000)
    parser.add_argument("--workers", default="1,2,4", help="comma-separated worker counts (default 1,2,4)")
    parser.add_argument("--rounds", type=int, default=3, help="runs per worker count, order alternating")
    parser.add_argument("--quick", action="store_true", help="600 pages, one round, print only")
    parser.add_argument("--no-write", action="store_true", help="print the section instead of writing it")
    args = parser.parse_args()
    if args.quick:
        args.pages, args.rounds, args.no_write = 600, 1, True
    counts = [int(n) for n in args.workers.split(",")]

    postgres = PostgresServer(durable=True).init()
    redis_server = RedisServer()
    by_count: dict[int, list[WorkerRun]] = {n: [] for n in counts}
    runs: list[WorkerRun] = []
    try:
        with tempfile.TemporaryDirectory(prefix="newscrawl-bench-workers-") as tmp:
            for round_number in range(args.rounds):
                for workers in counts if round_number % 2 == 0 else counts[::-1]:
                    run = crawl(workers, args.pages, postgres, redis_server,
                                Path(tmp) / f"round{round_number}-{workers}")
                    by_count[workers].append(run)
                    runs.append(run)
                    print(f"{workers} worker(s): {run.fetched:.1f} s to the last page, {run.rate(args.pages):.0f} "
                          f"pages/min, steady {run.steady_rate():.0f}, exited at {run.exited:.1f} s, "
                          f"{run.verdict(args.pages)}", file=sys.stderr)
                    if run.kept:
                        print(f"  worker logs and stats kept in {run.kept}", file=sys.stderr)
    finally:
        redis_server.destroy()
        postgres.destroy()

    lines = report(by_count, runs, args)
    publish("workers", lines, no_write=args.no_write)
    if any(run.verdict(args.pages) != "ok" for run in runs):
        sys.exit(1)


if __name__ == "__main__":
    main()
