"""``scrapy reextract`` throughput: pages/s over a SQLite database of stored raw pages, with 1 and 2 worker
processes, beside single-process extraction (decode, page object, pipeline chain, JSON line; no database) times the cores.

The database holds ``--pages`` distinct etoday article pages (the fixture page under distinct article ids),
stored as a crawl stores them and marked as failed by an older parser, so ``reextract --failed`` reads every
page and writes every article (new) and feed line. Each run starts from a fresh copy of that database.

    python3 bench/bench_reextract.py [--pages 20000] [--jobs 1,2] [--before REV] [--repeat N] [--quick]
                                     [--no-write] [--no-corpus]

``--before REV`` runs the command of an earlier revision too, each -j back to back with today's. Unless
``--no-corpus`` (or ``--quick``), the same is measured on real pages: a database of copies of the annotated
corpus pages (../shared), each copy a new article.
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import io
import multiprocessing
import os
import pickle
import pstats
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scrapy.settings import Settings
from scrapy.utils.project import get_project_settings

from bench.bench_extraction import corpus_pages
from bench.common import ETODAY_ID, ETODAY_PAGE, FIRST_ID, REPO, header, profile_tables, publish, revision, table
from newscrawl.chain import ItemChain
from newscrawl.exporters import JsonLinesExporter
from newscrawl.extract import decode_html, extract_html
from newscrawl.reextract import CHUNK, Reextraction, Selection, reextract_chunk, select, start_worker, stop_worker
from newscrawl.storage.sqlite import SQLiteStorage

SUMMARY = re.compile(r"reextract: (\d+) pages, (\d+) articles")


def page_url(number: int) -> str:
    return f"https://www.etoday.co.kr/news/view/{FIRST_ID + number}"


def seed(path: Path, pages: int, page_at: Callable[[int], tuple[str, str, bytes, str | None]] | None = None) -> None:
    """A database of ``pages`` raw pages (``page_at``, the fixture page's copies by default) stored as a crawl
    stores them and marked failed by an older parser."""
    storage = SQLiteStorage(path, batch=1000)
    for number in range(pages):
        url, site, body, charset = (page_at or fixture_page)(number)
        storage.save_raw(url, body, site=site, fetched_at="2026-11-01T09:00:00+09:00", status=200, encoding=charset)
        storage.mark_parse_error(url, "missing_fields: body")
        storage.commit_if_due()
    storage.close()


def seed_as(code: Path, path: Path, pages: int) -> Path:
    """seed() by the project in ``code``: an earlier revision reads the schema and raw-page format it wrote."""
    script = (f"import sys; from pathlib import Path; sys.path.insert(0, {str(code)!r}); "
              f"from bench.bench_reextract import seed; seed(Path({str(path)!r}), {pages})")
    subprocess.run([sys.executable, "-c", script], cwd=code, check=True, env={**os.environ, "PYTHONPATH": str(code)})
    return path


def extraction_rate(page_at: Callable[[int], tuple[str, str, bytes, str | None]], seconds: float,
                    lines: bool = True, distinct: int | None = None) -> tuple[float, float]:
    """(pages per second, pages per CPU-second) of extraction in this process as issue #15 defines it: decode,
    page object, pipeline chain, each item's JSON line (no database, no file); ``lines=False``: without the
    JSON lines (this benchmark's baseline before 2026-11-30). ``page_at(n)`` is the n-th page (url, site, bytes,
    charset); after ``distinct`` pages they come again, to a fresh chain (to the same one, duplicates)."""
    chain = ItemChain(get_project_settings())
    exporter = JsonLinesExporter(io.BytesIO(), encoding="utf8")  # as the FEEDS setting's exporters
    done, start, cpu = 0, time.perf_counter(), time.thread_time()
    while time.perf_counter() - start < seconds:
        url, site, body, charset = page_at(done)
        html, _ = decode_html(body, charset)
        kept, _ = chain.process(extract_html(url, html, site).items())
        if lines:
            for item in kept:
                exporter.line(item)
        done += 1
        if distinct and done % distinct == 0:
            chain.close()
            chain = ItemChain(get_project_settings())
    rates = done / (time.perf_counter() - start), done / (time.thread_time() - cpu)
    chain.close()
    return rates


def fixture_page(number: int) -> tuple[str, str, bytes, str | None]:
    """The etoday fixture page under the ``number``-th id, as seed() stores it."""
    return page_url(number), "etoday", fixture().replace(ETODAY_ID, str(FIRST_ID + number).encode()), "utf-8"


@functools.cache
def fixture() -> bytes:
    return ETODAY_PAGE.read_bytes()


def single_process_rate(seconds: float, lines: bool = True) -> tuple[float, float]:
    """extraction_rate() of the fixture page's copies (a function of its own: the pool's processes call it)."""
    return extraction_rate(fixture_page, seconds, lines)


def article_token(url: str) -> str:
    """The longest run of 6+ letters and digits with a digit in a canonical URL's path and query: the article's
    id (hani 761487, chosun RNGKBEZYJJBWVLQZFEK4M6FMZQ, naver 0005316196, yna AKR20160917021800007)."""
    rest = url.split("://", 1)[-1].split("/", 1)[-1]
    return max((run for run in re.findall(r"[A-Za-z0-9]{6,}", rest) if re.search(r"\d", run)), key=len, default="")


def corpus_copies(count: int) -> tuple[list[tuple[str, str, bytes]], int, list[str]]:
    """``count`` distinct article pages made of the annotated corpus pages, (url, site, bytes), in turn: each
    copy has its page's article id (every occurrence of it, URL and canonical URL included) replaced by another
    of the same length, so that each is a new article. Pages whose copies would not be new articles are left
    out (named in the last list); the middle number is the pages used."""
    originals, left_out = [], []
    for page in corpus_pages():
        html, _ = decode_html(page.body)
        article = extract_html(page.url, html, page.site).article
        token = article_token((article.canonical_url or article.url) if article else "")
        if article is None or len(token) < 6 or page.body.count(token.encode()) == 0:
            left_out.append(page.file)
            continue
        originals.append((page, token, article.canonical_url or article.url))
    copies = []
    for number in range(count):
        page, token, _ = originals[number % len(originals)]
        twin = token[:-5] + f"{number // len(originals):05d}"
        url = page.url.replace(token, twin)
        if url == page.url:  # a portal's page: the id replaced is its publisher's (the canonical URL)
            url += f"{'&' if '?' in url else '?'}copy={number}"
        copies.append((url, page.site, page.body.replace(token.encode(), twin.encode())))
    for url, site, body in copies[:len(originals)]:  # each page's first copy is read as a new article
        article = extract_html(url, decode_html(body)[0], site).article
        assert article is not None and (article.canonical_url or article.url) not in {c for _, _, c in originals}
    return copies, len(originals), left_out


def corpus_section(workdir: Path, pages: int, jobs: list[int], seconds: float, cores: int, repeat: int) -> list[str]:
    """The same measure on real pages: a database of copies of the annotated corpus pages (126 kB on average,
    where the etoday fixture page is 9 kB); with ``repeat``, the fastest of each measurement."""
    copies, used, left_out = corpus_copies(pages)
    seeded = workdir / "corpus.sqlite3"
    def page_at(number: int) -> tuple[str, str, bytes, str | None]:
        return (*copies[number % len(copies)], None)

    seed(seeded, len(copies), page_at)
    rate, cpu_rate, best = 0.0, 0.0, {}
    for _ in range(repeat):  # interleaved, as the fixture's runs
        rates = extraction_rate(page_at, seconds, distinct=len(copies))
        rate, cpu_rate = max(rate, rates[0]), max(cpu_rate, rates[1])
        for count in jobs:
            run = reextract(seeded, workdir, count)
            best[count] = min(best.get(count, run), run)
    rows, shares = [], {}
    for count in jobs:
        elapsed, cpu, _, done, articles = best[count]
        shares[count] = done / elapsed / (rate * min(count, cores))
        rows.append([f"`scrapy reextract --failed -j {count}`", f"{done:,}", f"{articles:,}", f"{elapsed:.1f}",
                     f"{done / elapsed:.0f}", f"{done / elapsed / (rate * min(count, cores)):.0%}", f"{cpu:.1f}",
                     f"{done / cpu:.0f}", f"{done / cpu / cpu_rate:.0%}"])
    rows.append(["extraction (decode, page object, pipeline chain, JSON line), one process", "-", "-", "-",
                 f"{rate:.0f}", "100%", "-", f"{cpu_rate:.0f}", "100%"])
    lines = ["", f"Real pages: {pages:,} copies of the {used} annotated corpus pages (each page's article id replaced "
             "by another in each copy: every copy is a new article)"
             + (f"; left out: {', '.join(left_out)}" if left_out else "") + ".", ""]
    lines += table(["run", "pages", "articles", "seconds", "pages/s", "of extraction x workers", "CPU s",
                    "pages per CPU-s", "of extraction per CPU-s"], rows)
    count = cores if cores in shares else max(shares, key=shares.__getitem__)  # as the fixture's figure
    share = shares[count]
    scaling = (f"; -j {count} is {share / shares[1]:.0%} of -j 1 x {min(count, cores)}" if 1 in shares and count > 1
               else "")
    return [*lines, "", f"**reextract of real pages (#15's figure): {share * rate * min(count, cores):.0f} pages/s "
            f"with -j {count} ({share:.0%} of single-process extraction of the same pages x {min(count, cores)}"
            f"{scaling})**"]


TICKS = os.sysconf("SC_CLK_TCK")


def tree_cpu(root: int, seen: dict[int, float]) -> None:
    """Record in ``seen`` the user + system seconds of ``root`` and of every descendant alive now (the
    forkserver's workers are not the command's children, so its rusage never includes them)."""
    parents: dict[int, list[int]] = {}
    times: dict[int, float] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()  # after "pid (comm) ": state, ppid, ...
        pid = int(entry.name)
        parents.setdefault(int(fields[1]), []).append(pid)
        times[pid] = (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime
    stack = [root]
    while stack:
        pid = stack.pop()
        if pid in times:
            seen[pid] = max(seen.get(pid, 0.0), times[pid])
        stack += parents.get(pid, [])


def reextract(seeded: Path, workdir: Path, jobs: int, code: Path = REPO) -> tuple[float, float, float, int, int]:
    """(seconds, CPU seconds of every process, of the command's own process, pages, articles) of one
    ``scrapy reextract --failed -j N`` (of the project in ``code``) on a fresh copy of the database. The clock
    stops when the command is reaped; its CPU is its rusage with every descendant it reaped (forked workers),
    or /proc's sum over the process tree where that is more (a forkserver's workers: sampled every 0.5 s by a
    thread of this process, which takes ~0.3% of a core; every 0.1 s from this thread took ~1.6%)."""
    data_dir = workdir / f"{code.name}-j{jobs}"
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True)
    shutil.copy(seeded, data_dir / "newscrawl.sqlite3")
    env = {**os.environ, "NEWSCRAWL_DATA_DIR": str(data_dir), "PYTHONPATH": str(code)}
    env.pop("NEWSCRAWL_DATABASE", None)
    cpu: dict[int, float] = {}
    finished = threading.Event()
    with tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        process = subprocess.Popen([sys.executable, "-m", "scrapy", "reextract", "--failed", "-j", str(jobs)],
                                   cwd=code, env=env, stdout=subprocess.DEVNULL, stderr=err, text=True)

        def sample() -> None:
            while not finished.wait(0.5):
                tree_cpu(process.pid, cpu)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - start
        finished.set()
        sampler.join()
        process.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        done = subprocess.CompletedProcess(process.args, process.returncode, "", err.read())
    total = max(usage.ru_utime + usage.ru_stime, sum(cpu.values()))
    found = SUMMARY.search(done.stderr)
    if done.returncode != 0 or not found:
        raise SystemExit(f"reextract -j {jobs} failed: {done.stderr[-2000:]}")
    lines = (data_dir / "articles.jsonl").read_text(encoding="utf-8").count("\n")
    if int(found.group(2)) != int(found.group(1)) or lines != int(found.group(1)):
        raise SystemExit(f"reextract -j {jobs}: {found.group(0)} but {lines} feed lines")
    return elapsed, total, cpu.get(process.pid, 0.0), int(found.group(1)), int(found.group(2))


def profiled_settings(seeded: Path, data_dir: Path) -> Settings:
    data_dir.mkdir()
    shutil.copy(seeded, data_dir / "newscrawl.sqlite3")
    settings = get_project_settings().copy()
    settings.set("NEWSCRAWL_DATA_DIR", str(data_dir))
    settings.set("NEWSCRAWL_DATABASE", f"sqlite:///{data_dir / 'newscrawl.sqlite3'}")
    settings.set("FEEDS", {str(data_dir / f"{kind}s.jsonl"): {"format": "jsonl", "encoding": "utf8",
                                                            "item_classes": [f"newscrawl.items.{kind.title()}Item"]}
                           for kind in ("article", "ticker")})
    return settings


def profile(seeded: Path, workdir: Path, jobs: int, top: int) -> list[str]:
    """cProfile tables of one re-extraction in this process: with ``-j 1`` the whole run, with more jobs the
    writing process (which extracts too while its workers' next result is not there; workers not profiled)."""
    settings = profiled_settings(seeded, workdir / f"profile-j{jobs}")
    run = Reextraction(settings, Selection(failed=True), jobs)
    profiler = cProfile.Profile(time.thread_time)  # CPU time: a writer waiting for its workers costs nothing
    profiler.enable()
    run.run()
    profiler.disable()
    stats = pstats.Stats(profiler, stream=io.StringIO())
    who = ("the whole run (one process)" if jobs == 1 else
           "the writing process (its own chunks' extraction included; the worker is profiled below)")
    return [f"cProfile (CPU time) of `reextract --failed -j {jobs}`, {who}: {run.summary().split(',')[0]}, "
            f"{stats.total_tt:.1f} CPU s under the profiler.", "",  # type: ignore[attr-defined]
            *profile_tables(stats, top)]


def profile_worker(seeded: Path, workdir: Path, top: int) -> list[str]:
    """cProfile tables of a worker's work, in this process: every page of the database read, extracted, made
    ready for the writer (feed lines, rows) and pickled in chunks as worker_loop sends them."""
    settings = profiled_settings(seeded, workdir / "profile-worker")
    storage = SQLiteStorage(Path(settings["NEWSCRAWL_DATABASE"].removeprefix("sqlite:///")))
    pages = select(storage, Selection(failed=True))
    storage.close()
    start_worker(settings["NEWSCRAWL_DATABASE"], settings.copy_to_dict())
    profiler = cProfile.Profile(time.thread_time)
    profiler.enable()
    for start in range(0, len(pages), CHUNK):
        pickle.dumps(reextract_chunk(pages[start:start + CHUNK]), pickle.HIGHEST_PROTOCOL)
    profiler.disable()
    stop_worker()
    stats = pstats.Stats(profiler, stream=io.StringIO())
    return [f"cProfile (CPU time) of a worker's work (`reextract_chunk` over {len(pages):,} pages, results pickled "
            f"in chunks of {CHUNK} as sent to the writer), {stats.total_tt:.1f} CPU s under the profiler.", "",  # type: ignore[attr-defined]
            *profile_tables(stats, top)]


def checkout(revision: str, into: Path) -> Path:
    """The project at ``revision`` (``git archive``: the repository and its worktrees are left alone)."""
    into.mkdir()
    archive = subprocess.run(["git", "archive", revision], cwd=REPO, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=20_000)
    parser.add_argument("--jobs", default="1,2")
    parser.add_argument("--before", metavar="REV", help="also run the command of this git revision (side by side)")
    parser.add_argument("--profile-pages", type=int, default=4_000, help="pages of the profiled runs (0: none)")
    parser.add_argument("--repeat", type=int, default=1, help="run everything N times, report the fastest of each")
    parser.add_argument("--quick", action="store_true", help="2,000 pages, printed only (a smoke run)")
    parser.add_argument("--no-write", action="store_true", help="print the section, leave BENCHMARKS.md alone")
    parser.add_argument("--no-corpus", action="store_true", help="leave out the database of real corpus pages")
    args = parser.parse_args()
    pages = 2_000 if args.quick else args.pages
    jobs = [int(j) for j in args.jobs.split(",")]
    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory(prefix="bench-reextract-") as tmp:
        workdir = Path(tmp)
        seeded = workdir / "seeded.sqlite3"
        seed(seeded, pages)
        codes = [(revision(), REPO)]
        seeds = {REPO: seeded}
        if args.before:
            before = checkout(args.before, workdir / "before")
            codes.insert(0, (args.before, before))
            seeds[before] = seed_as(before, workdir / "seeded-before.sqlite3", pages)
        seconds = 5 if args.quick else 20
        best_runs: dict[tuple[str, int], tuple[float, float, float, int, int]] = {}
        baseline, baseline_cpu, parallel = 0.0, 0.0, [(0.0, 1.0)]
        lineless, lineless_cpu = 0.0, 0.0
        for _ in range(args.repeat):  # the fastest of each: on a shared machine, the one least slowed by others
            rate, cpu_rate = single_process_rate(seconds)
            baseline, baseline_cpu = max(baseline, rate), max(baseline_cpu, cpu_rate)
            rate, cpu_rate = single_process_rate(seconds, lines=False)
            lineless, lineless_cpu = max(lineless, rate), max(lineless_cpu, cpu_rate)
            with multiprocessing.get_context("forkserver").Pool(cores) as pool:  # the machine's parallel ceiling
                found = pool.map(single_process_rate, [seconds] * cores)
            parallel = max(parallel, found, key=lambda rates: sum(rate for rate, _ in rates))
            for count in jobs:  # before and after back to back, so that both see the same load
                for name, code in codes:
                    run = reextract(seeds[code], workdir, count, code)
                    if (name, count) not in best_runs or run[0] < best_runs[name, count][0]:
                        best_runs[name, count] = run
        rows, rates = [], {}
        for (name, count), (elapsed, cpu, parent_cpu, done, articles) in best_runs.items():
            workers = min(count, cores)
            rates[name, count] = done / elapsed
            rows.append([f"`scrapy reextract --failed -j {count}` at {name}", f"{done:,}", f"{articles:,}",
                         f"{elapsed:.1f}", f"{done / elapsed:.0f}", f"{done / elapsed / (baseline * workers):.0%}",
                         f"{cpu:.1f}", f"{parent_cpu / cpu:.0%}" if count > 1 else "-",
                         f"{done / cpu:.0f}", f"{done / cpu / baseline_cpu:.0%}"])
        corpus = [] if args.quick or args.no_corpus else corpus_section(workdir, pages, jobs, seconds, cores, args.repeat)
        profiles = []
        profile_pages = min(args.profile_pages, 500 if args.quick else args.profile_pages)
        if profile_pages:
            small = workdir / "profiled.sqlite3"
            seed(small, profile_pages)
            for count in (1, 2):
                profiles += ["", *profile(small, workdir, count, 8 if args.quick else 15)]
            profiles += ["", *profile_worker(small, workdir, 8 if args.quick else 15)]
    rows.append(["extraction (decode, page object, pipeline chain, JSON line), one process (no database)", "-",
                 "-", "-", f"{baseline:.0f}", "100%", "-", "-", f"{baseline_cpu:.0f}", "100%"])
    rows.append(["the same without the JSON lines (the baseline here before 2026-11-30)", "-", "-", "-",
                 f"{lineless:.0f}", f"{lineless / baseline:.0%}", "-", "-", f"{lineless_cpu:.0f}",
                 f"{lineless_cpu / baseline_cpu:.0%}"])
    ceiling = sum(rate for rate, _ in parallel)
    ceiling_cpu = ceiling / sum(rate / cpu_rate for rate, cpu_rate in parallel)  # pages over CPU seconds, per second
    rows.append([f"extraction, {cores} such processes at once (no database)", "-", "-", "-",
                 f"{ceiling:.0f}", f"{ceiling / (baseline * cores):.0%}", "-", "-", f"{ceiling_cpu:.0f}",
                 f"{ceiling_cpu / baseline_cpu:.0%}"])
    now = codes[-1][0]
    best = cores if (now, cores) in rates else max((c for n, c in rates if n == now), key=lambda c: rates[now, c])
    lines = header("Re-extraction (scrapy reextract)", "scrapy", "lxml", "trafilatura")
    options = (f" --before {args.before}" if args.before else "") + (f" --repeat {args.repeat}" if args.repeat > 1 else "")
    lines += [f"`python3 bench/bench_reextract.py{options}`. Each run re-extracts a SQLite database of {pages:,} "
              "stored pages marked failed (`scrapy reextract --failed -j N`, on a fresh copy of the database), "
              "writing every article, quote and feed line; with --repeat N every measurement is taken N times, "
              "interleaved, and the fastest kept. Extraction is what issue #15 measures as such: decode, page "
              "object, pipeline chain and each item's JSON line, in one process without a database. \"of "
              "extraction x workers\" is a run's rate against single-process extraction of the same pages times the "
              "processes that extract (-j N: N, the writing process among them; capped at the cores), by the clock. "
              "The CPU columns say what the same runs cost: CPU seconds of every process of the command (its "
              "rusage with the workers it reaped; start-up included), pages per CPU-second and that against "
              "extraction's pages per CPU-second (what the clock ratio is on otherwise idle cores).", *corpus, "",
              f"The etoday fixture page (9 kB, 12 quotes: a page's writes are an article and 12 quotes for ~1 ms "
              f"of extraction, the heaviest writing per page of any database here): {pages:,} copies under distinct "
              "ids. The writer's share is the writing process's part of the CPU (sampled from /proc every 0.5 s). "
              "The row without JSON lines is this benchmark's baseline before 2026-11-30; the last row runs the "
              "extraction loop in as many processes as cores at once: what this machine gives two CPU-bound "
              "processes, the ceiling of any -j 2.", ""]
    lines += table(["run", "pages", "articles", "seconds", "pages/s", "of extraction x workers", "CPU s",
                    "writer's share", "pages per CPU-s", "of extraction per CPU-s"], rows)
    scaling = (f"; -j {best} is {rates[now, best] / (rates[now, 1] * min(best, cores)):.0%} of -j 1 x "
               f"{min(best, cores)}" if (now, 1) in rates and best > 1 else "")
    lines += ["", f"**reextract of the fixture page (the heaviest writing): {rates[now, best]:.0f} pages/s with "
              f"-j {best} on {cores} cores ({rates[now, best] / (baseline * min(best, cores)):.0%} of single-process "
              f"extraction x {min(best, cores)}; {rates[now, best] / ceiling:.0%} of {cores} extraction processes "
              f"running at once in the same run{scaling})**"]
    lines += profiles
    publish("reextract", lines, no_write=args.no_write or args.quick)  # a smoke run (bench/run.sh --quick) writes nothing


if __name__ == "__main__":
    main()
