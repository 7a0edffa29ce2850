"""Shared parts of the benchmarks: machine and version facts, BENCHMARKS.md sections, RSS sampling, and a
fast loopback etoday portal (aiohttp, in its own process) with any number of distinct article pages.

Importing this module needs only the standard library, so a benchmark can re-run itself as a worker under
another interpreter (e.g. a separate virtualenv with fundus)."""

from __future__ import annotations

import asyncio
import datetime as dt
import fcntl
import json
import multiprocessing as mp
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
BENCHMARKS = REPO / "BENCHMARKS.md"
ETODAY_PAGE = REPO / "tests" / "fixtures" / "etoday" / "news_view_2384652.html"
ETODAY_ID = b"2384652"
FIRST_ID = 3_000_000  # generated pages are /news/view/3000000, /news/view/3000001, ...
SITEMAP_CHUNK = 1000  # URLs per child sitemap of the generated sitemap index
SHARED_MACHINE = ("A 2-core virtual machine on a shared host (the load average above says what else ran here): the "
                  "same run moves by a few percent from one run to the next; ratios in the same run are the stable "
                  "part.")


# --- facts for the report ------------------------------------------------------------------------------
def machine() -> str:
    cpu = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        found = re.search(r"^model name\s*:\s*(.+)$", cpuinfo.read_text(), re.MULTILINE)
        cpu = found.group(1).strip() if found else cpu
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        found = re.search(r"^MemTotal:\s*(\d+) kB", meminfo.read_text(), re.MULTILINE)
        memory = f", {int(found.group(1)) / 1024 / 1024:.1f} GB RAM" if found else ""
    load = ", load avg at start {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())
    return f"{cpu}, {os.cpu_count()} cores{memory}, {platform.system()} {platform.release()}{load}"


def versions(*packages: str) -> str:
    found = [f"Python {platform.python_version()}"]
    for name in packages:
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            found.append(f"{name} (not installed)")
    return ", ".join(found)


def revision() -> str:
    """The repo's commit, with '+ uncommitted changes' when the work tree differs (read-only git calls)."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True,
                              text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPO,
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + (" + uncommitted changes" if dirty else "")


def today() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def header(title: str, *packages: str) -> list[str]:
    """Title and the machine/date/versions lines every section starts with."""
    return [f"## {title}", "", f"- Date: {today()}; newscrawl at {revision()}", f"- Machine: {machine()}",
            f"- Versions: {versions(*packages)}", f"- {SHARED_MACHINE}", ""]


def table(headers: list[str], rows: list[list[object]]) -> list[str]:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return lines


# --- BENCHMARKS.md ---------------------------------------------------------------------------------------
def publish(name: str, lines: list[str], *, no_write: bool, summary: tuple[str, ...] = ("|", "**")) -> None:
    """Print the section (``no_write``), or write it to BENCHMARKS.md and print its summary lines."""
    if no_write:
        print("\n".join(lines))
    else:
        write_section(name, lines)
        print("\n".join(line for line in lines if line.startswith(summary)))


def write_section(name: str, lines: list[str]) -> None:
    """Replace (or append) the block between ``<!-- bench:NAME -->`` and ``<!-- /bench:NAME -->``.

    Read-modify-write under an advisory lock, then an atomic rename: other benchmarks' sections are kept.
    """
    start, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
    block = "\n".join([start, *lines, end])
    with open(Path(tempfile.gettempdir()) / "newscrawl-benchmarks.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        text = BENCHMARKS.read_text(encoding="utf-8") if BENCHMARKS.exists() else (
            "# Benchmarks\n\nWritten by the scripts in bench/ (`bench/run.sh`); each section is replaced by "
            "its own script.\n")
        pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.DOTALL)
        if pattern.search(text):
            text = pattern.sub(lambda _: block, text, count=1)
        else:
            text = text.rstrip("\n") + "\n\n" + block + "\n"
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=REPO, delete=False) as out:
            out.write(text)
        os.replace(out.name, BENCHMARKS)


# --- processes ---------------------------------------------------------------------------------------
def pin_to_one_core() -> int | None:
    """Run this process (and its children) on one CPU; returns the CPU, None where affinity is unsupported."""
    if not hasattr(os, "sched_setaffinity"):
        return None
    cpu = sorted(os.sched_getaffinity(0))[-1]
    os.sched_setaffinity(0, {cpu})
    return cpu


def memory_kb(pid: int) -> dict[str, int]:
    """VmRSS / VmHWM (peak) / VmSize of a live process, in kB ({} once it has exited)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return {}
    return {key: int(value) for key, value in re.findall(r"^(VmRSS|VmHWM|VmSize):\s*(\d+) kB", status, re.M)}


def crawl_command(base_url: str, data_dir: Path, settings: dict[str, str], *, repo: Path = REPO,
                  python_args: tuple[str, ...] = ()) -> tuple[list[str], dict[str, str]]:
    """``scrapy crawl etoday`` against ``base_url`` with output (feeds, SQLite, stats, log) in ``data_dir``;
    ``repo``: the source tree that crawls (another revision's), ``python_args`` e.g. ``-m cProfile -o FILE``."""
    command = [sys.executable, *python_args, "-m", "scrapy", "crawl", "etoday", "-a", f"base_url={base_url}",
               "-s", f"NEWSCRAWL_STATS_FILE={data_dir / 'stats.json'}", "-s", f"LOG_FILE={data_dir / 'crawl.log'}"]
    for name, value in settings.items():
        command += ["-s", f"{name}={value}"]
    env = {**os.environ, "NEWSCRAWL_DATA_DIR": str(data_dir), "PYTHONPATH": str(repo)}
    env.pop("NEWSCRAWL_DATABASE", None)
    return command, env


def read_stats(data_dir: Path) -> dict:
    path = data_dir / "stats.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


@dataclass
class Sample:
    seconds: float  # since the crawl process started
    served: int  # article pages the portal had served
    rss_kb: int
    hwm_kb: int


@dataclass
class CrawlRun:
    returncode: int
    wall: float
    cpu: float  # user + system seconds of the crawl process
    samples: list[Sample]
    stats: dict
    log_tail: str

    @property
    def peak_kb(self) -> int:
        return max((s.hwm_kb for s in self.samples), default=0)

    def steady_rate(self, low: float = 0.1, high: float = 0.9) -> float:
        """Article pages per minute between ``low`` and ``high`` of the pages served (startup and drain excluded)."""
        total = max((s.served for s in self.samples), default=0)
        first = next((s for s in self.samples if s.served >= low * total), None)
        last = next((s for s in self.samples if s.served >= high * total), None)
        if not first or not last or last.seconds <= first.seconds:
            return 0.0
        return (last.served - first.served) / (last.seconds - first.seconds) * 60

    def rate(self) -> float:
        """Article responses per minute over Scrapy's elapsed time (the whole run, startup included)."""
        pages = self.stats.get("newscrawl/raw_pages/saved", 0)
        elapsed = self.stats.get("elapsed_time_seconds") or self.wall
        return pages / elapsed * 60 if elapsed else 0.0


def run_crawl(portal: EtodayPortal, data_dir: Path, settings: dict[str, str], every: float = 0.25,
              timeout: float = 3600, *, repo: Path = REPO, python_args: tuple[str, ...] = ()) -> CrawlRun:
    """Crawl ``portal`` in a subprocess, sampling its memory and the portal's page count every ``every`` s."""
    data_dir.mkdir(parents=True, exist_ok=True)
    command, env = crawl_command(portal.base_url, data_dir, settings, repo=repo, python_args=python_args)
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=repo, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    samples = []
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)  # rusage of this child alone
        if pid:
            break
        memory = memory_kb(process.pid)
        if memory:
            samples.append(Sample(time.perf_counter() - start, portal.served, memory.get("VmRSS", 0),
                                  memory.get("VmHWM", 0)))
        if time.perf_counter() - start > timeout:
            process.kill()
        time.sleep(every)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    cpu = usage.ru_utime + usage.ru_stime
    log = data_dir / "crawl.log"
    tail = log.read_text(encoding="utf-8", errors="replace")[-3000:] if log.exists() else ""
    return CrawlRun(process.returncode, wall, cpu, samples, read_stats(data_dir), tail)



# --- the loopback etoday portal ------------------------------------------------------------------------
def article_ids(pages: int, first: int = FIRST_ID) -> range:
    return range(first, first + pages)


def _rss(pages: int, first: int) -> bytes:
    items = "".join(f"<item><title>{i}</title><link>https://www.etoday.co.kr/news/view/{i}</link>"
                    f"<pubDate>Thu, 25 Jul 2024 10:55:00 +0900</pubDate></item>"
                    for i in article_ids(min(pages, 50), first))
    return (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>이투데이 전체기사</title>'
            f"{items}</channel></rss>").encode()


def _sitemap_index(pages: int, chunk: int) -> bytes:
    children = "".join(f"<sitemap><loc>https://www.etoday.co.kr/rss/news_sitemap?page={n}</loc></sitemap>"
                       for n in range(1, (pages + chunk - 1) // chunk + 1))
    return (f'<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/'
            f'sitemap/0.9">{children}</sitemapindex>').encode()


def _sitemap(pages: int, number: int, first: int, chunk: int) -> bytes:
    start = first + (number - 1) * chunk
    ids = range(start, min(start + chunk, first + pages))
    urls = "".join(f"<url><loc>https://www.etoday.co.kr/news/view/{i}</loc><lastmod>2024-07-25T10:55:00+09:00"
                   f"</lastmod></url>" for i in ids)
    return (f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/'
            f'sitemap/0.9">{urls}</urlset>').encode()


async def _serve(pages: int, port_out: mp.connection.Connection, served: mp.sharedctypes.Synchronized,
                 first: int, chunk: int) -> None:
    from aiohttp import web

    parts = ETODAY_PAGE.read_bytes().split(ETODAY_ID)  # the page with its id cut out: join with a new id
    fixed = {"/robots.txt": (b"User-agent: *\nAllow: /\n", "text/plain"),
             "/eto/etoday_news_all.xml": (_rss(pages, first), "application/rss+xml"),
             "/rss/news_sitemap": (_sitemap_index(pages, chunk), "application/xml")}
    last_id = first + pages

    async def handle(request: web.BaseRequest) -> web.Response:
        path = request.path
        if path.startswith("/news/view/") and path[11:].isdigit() and first <= int(path[11:]) < last_id:
            served.value += 1  # only this process writes it
            return web.Response(body=path[11:].encode().join(parts), content_type="text/html", charset="utf-8")
        if path == "/rss/news_sitemap" and request.query.get("page", "").isdigit():
            return web.Response(body=_sitemap(pages, int(request.query["page"]), first, chunk), content_type="application/xml",
                                charset="utf-8")
        if path in fixed:
            body, kind = fixed[path]
            return web.Response(body=body, content_type=kind, charset="utf-8")
        return web.Response(status=404, text="not found")

    server = await asyncio.get_running_loop().create_server(web.Server(handle, access_log=None), "127.0.0.1", 0)
    port_out.send(server.sockets[0].getsockname()[1])
    port_out.close()
    await asyncio.Event().wait()


def _serve_forever(pages: int, port_out: mp.connection.Connection, served: mp.sharedctypes.Synchronized,
                   first: int, chunk: int) -> None:
    asyncio.run(_serve(pages, port_out, served, first, chunk))


class EtodayPortal:
    """``with EtodayPortal(3000) as portal:`` serves RSS, a sitemap index and ``pages`` distinct etoday article
    pages (the fixture page with its id replaced) at ``portal.base_url``; ``portal.served`` counts article pages.
    ``first``: the first article id; ``chunk``: URLs per child sitemap (50,000 is the sitemaps protocol's limit)."""

    def __init__(self, pages: int, first: int = FIRST_ID, chunk: int = SITEMAP_CHUNK):
        self.pages = pages
        self._served = mp.Value("q", 0, lock=False)
        receive, send = mp.Pipe(duplex=False)
        self._receive = receive
        self.process = mp.get_context("fork").Process(
            target=_serve_forever, args=(pages, send, self._served, first, chunk), daemon=True)

    @property
    def served(self) -> int:
        return self._served.value

    def __enter__(self) -> EtodayPortal:
        self.process.start()
        if not self._receive.poll(30):
            raise RuntimeError("the loopback portal did not start")
        self.base_url = f"http://127.0.0.1:{self._receive.recv()}"
        return self

    def __exit__(self, *exc: object) -> None:
        self.process.terminate()
        self.process.join(5)


@contextmanager
def stopwatch() -> Iterator[list[float]]:
    """``with stopwatch() as took:`` ... ``took[0]`` is the wall time in seconds."""
    took: list[float] = []
    start = time.perf_counter()
    try:
        yield took
    finally:
        took.append(time.perf_counter() - start)


# --- profiles ----------------------------------------------------------------------------------------------
def short_path(filename: str) -> str:
    """A profiled function's file, relative to the repository or to site-packages / the standard library."""
    if "site-packages/" in filename:  # before the repository: the virtualenv may live inside it (.venv)
        return filename.split("site-packages/", 1)[1]
    if filename.startswith(str(REPO)):
        return filename[len(str(REPO)) + 1:]
    if "lib/python3" in filename:
        return filename.split("lib/python3", 1)[1].split("/", 1)[-1]
    return filename


def profile_tables(stats: Any, top: int) -> list[str]:
    """Markdown tables of a ``pstats.Stats``: the ``top`` functions by own time, and the project's own functions
    (newscrawl/, pipelines/) by cumulative time."""
    total = stats.total_tt
    entries = stats.stats.items()
    own = [[f"`{short_path(f)}:{line} {name}`", calls, f"{tottime:.2f}", f"{tottime / total:.1%}", f"{cumtime:.2f}"]
           for (f, line, name), (_, calls, tottime, cumtime, _) in sorted(entries, key=lambda e: -e[1][2])[:top]]
    ours = [[f"`{short_path(f)}:{line} {name}`", calls, f"{cumtime:.2f}", f"{cumtime / total:.1%}"]
            for (f, line, name), (_, calls, _, cumtime, _) in sorted(entries, key=lambda e: -e[1][3])
            if short_path(f).startswith(("newscrawl/", "pipelines/"))][:top]
    return ["Top functions by own time:", "", *table(["function", "calls", "own s", "own share", "cumulative s"], own),
            "", "Our own code by cumulative time:", "", *table(["function", "calls", "cumulative s", "share"], ours)]
