"""Re-extraction: run today's page objects and pipeline chain over the raw pages stored in the database.

Selection (:class:`Selection`) reads the raw-page index (no bytes). ``-j N`` runs N processes that read pages'
bytes from the database, extract them as a crawl does (site layouts, then the generic fallback), run the
pipeline chain without its store step and make each kept item ready to write: its feed lines and its database
rows (newscrawl/storage/prepared.py). One of them, the command's own process, also writes, in URL order:
upserts (a changed article becomes a revision, never a duplicate; a page's quotes in one statement) and the
lines of new or changed items appended to the JSONL feeds. It extracts whenever the next result to write is
not there yet (see :class:`Extractors` and BENCHMARKS.md, ``bench:reextract``).

Feeds and database are sinks as in a crawl (newscrawl/sinks.py): feed lines are written before the database
commit that records each feed's size; a run starts by cutting each feed back to its recorded size. The last
committed URL is kept in a checkpoint file beside the feeds: a killed run started again with the same selection
continues after it, and a page done twice (killed between commit and checkpoint) is ``unchanged``, so it adds
no feed line.
"""

from __future__ import annotations

import fcntl
import gc
import io
import json
import logging
import multiprocessing
import os
import signal
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from functools import cache
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any, NamedTuple

from scrapy.settings import BaseSettings, Settings
from scrapy.utils.misc import load_object

from newscrawl import keys
from newscrawl.chain import ItemChain
from newscrawl.exporters import JsonLinesExporter
from newscrawl.extract import UndecodableError, decode_html, extract_html
from newscrawl.items import ArticleItem, TickerItem
from newscrawl.pageitems import TICKER_OF_DROPPED_ARTICLE
from newscrawl.pages import ExtractionError
from newscrawl.sinks import adopt_feeds, feed_name, last_line_end
from newscrawl.sites import all_sites
from newscrawl.storage import Storage, open_storage, storage_errors
from newscrawl.storage.packing import DamagedRawPage, unpack
from newscrawl.storage.prepared import PreparedArticle

logger = logging.getLogger(__name__)

FALLBACK_MARK = " fallback from "  # in extracted_by: "generic/1 fallback from hani"
CHECKPOINT = "reextract.checkpoint.json"


class RawPage(NamedTuple):  # a tuple: the task sent to each worker pickles small
    url: str
    site: str | None
    fetched_at: str | None
    encoding: str | None
    parse_error: str | None
    extracted_by: str | None


@cache
def current_versions() -> dict[str, str]:
    """Layout name -> its extracted_by today ("hani.HaniLegacyArticlePage" -> "hani.HaniLegacyArticlePage/1")."""
    versions = {}
    for site in all_sites().values():
        for layout in (*site.layouts, *site.text_layouts):
            versions[layout.layout()] = f"{layout.layout()}/{layout.version}"
    return versions


def is_outdated(extracted_by: str | None) -> bool:
    """Read by the fallback, by a layout version that is not today's, or before versions were recorded."""
    if not extracted_by or FALLBACK_MARK in extracted_by:
        return True
    name = extracted_by.rsplit("/", 1)[0]
    return current_versions().get(name) != extracted_by


@dataclass(frozen=True)
class Selection:
    sites: tuple[str, ...] = ()
    since: str | None = None  # fetch date, YYYY-MM-DD, inclusive
    until: str | None = None
    failed: bool = False  # pages stored with a parse error
    outdated: bool = False  # pages read by an older layout version or by the fallback

    def accepts(self, page: RawPage) -> bool:
        if self.sites and page.site not in self.sites:
            return False
        day = (page.fetched_at or "")[:10]
        if (self.since and day < self.since) or (self.until and day > self.until):
            return False
        if self.failed or self.outdated:
            return bool((self.failed and page.parse_error) or
                        (self.outdated and not page.parse_error and is_outdated(page.extracted_by)))
        return True

    def key(self) -> str:
        return json.dumps([list(self.sites), self.since, self.until, self.failed, self.outdated])


def select(storage: Storage, selection: Selection, after: str | None = None) -> list[RawPage]:
    pages = (RawPage(*row) for row in storage.raw_page_index())
    return [p for p in pages if selection.accepts(p) and (after is None or p.url > after)]


# --- workers -------------------------------------------------------------------------------------------------
Lines = tuple[bytes | None, ...]  # an item's line in each local feed (None: not that feed's)


class PageResult(NamedTuple):
    """What a worker sends the writing process: plain tuples, made ready for its backend (the article's rows and
    JSON, the quotes' rows) and for the feeds (each kept item's lines), so that the writer only decides and
    writes (newscrawl/storage/prepared.py)."""

    url: str
    site: str
    extracted_by: str | None = None
    fallback: bool = False
    failure: str | None = None  # stats-style reason: parse_error/<reason> or dropped/article/<reason>
    message: str = ""
    article: tuple[PreparedArticle, Lines] | None = None  # after the pipeline chain (without storage)
    tickers: tuple[Any, tuple[Lines, ...]] | None = None  # the backend's prepare_tickers(), and their lines


_WORKER: dict[str, Any] = {}


def local_feeds(settings: BaseSettings) -> list[tuple[str, tuple[type, ...], dict[str, Any]]]:
    """(path, item classes, options) of the FEEDS setting's local files, in one order for workers and writer."""
    feeds = []
    for uri, options in settings.getdict("FEEDS").items():
        path = str(uri).removeprefix("file://")
        if "://" in path or "%(" in path:
            continue
        classes = tuple(load_object(c) for c in options.get("item_classes") or ()) or (object,)
        feeds.append((path, classes, options))
    return feeds


def start_worker(database: str, settings: dict[str, Any]) -> None:
    _WORKER["storage"] = open_storage(database)
    _WORKER["chain"] = ItemChain(Settings(settings))
    # Feed lines are made here, where extraction runs in parallel: the writing process only appends bytes.
    _WORKER["feeds"] = [(classes, JsonLinesExporter(io.BytesIO(), encoding=options.get("encoding") or "utf-8"))
                        for _, classes, options in local_feeds(Settings(settings))]


def stop_worker() -> None:
    if "chain" in _WORKER:
        _WORKER.pop("chain").close()
        _WORKER.pop("storage").close()


def read_chunk(pages: Sequence[RawPage]) -> list[tuple[RawPage, bytes | None]]:
    """A chunk's pages with their stored bytes (packed), read in one query."""
    bodies = _WORKER["storage"].raw_pages([page.url for page in pages])
    return [(page, bodies.get(page.url)) for page in pages]


def reextract_chunk(pages: Sequence[RawPage]) -> list[PageResult]:
    return [reextract_page(page, body) for page, body in read_chunk(pages)]


def reextract_page(page: RawPage, body: bytes | None) -> PageResult:
    """One stored page (its packed bytes from read_chunk) through extraction and the pipeline chain (in a
    worker)."""
    site = page.site or ""
    storage: Storage = _WORKER["storage"]
    if body is None:
        return PageResult(page.url, site, failure="parse_error/missing_raw", message="raw page vanished")
    try:
        html, _ = decode_html(unpack(body), page.encoding)
        extracted = extract_html(page.url, html, page.site or None)
    except DamagedRawPage as error:
        return PageResult(page.url, site, failure="parse_error/damaged_raw", message=str(error))
    except (ExtractionError, UndecodableError) as error:
        reason = getattr(error, "reason", "undecodable")
        return PageResult(page.url, site, failure=f"parse_error/{reason}", message=str(error))
    except Exception as error:  # one bad page never stops the run
        return PageResult(page.url, site, failure="parse_error/malformed", message=f"{type(error).__name__}: {error}")
    for item in extracted.items():
        item.fetched_at = page.fetched_at
    article = extracted.article
    if article is not None and article.canonical_url:
        for ticker in extracted.tickers:
            ticker.source_url = article.canonical_url
    chain: ItemChain = _WORKER["chain"]
    before = keys.below(chain.stats, keys.DROPPED)
    kept, drops = chain.process(extracted.items())
    site = site or (article.site if article else "")
    extracted_by, fallback = (article.extracted_by if article else None), extracted.fallback_from is not None
    drops = [reason for reason in drops if not reason.startswith(TICKER_OF_DROPPED_ARTICLE)]  # the article's own
    if article is not None and not any(isinstance(i, ArticleItem) for i in kept):
        # a page whole or not at all: its tickers go with its article (newscrawl/pageitems.py)
        if drops and all(reason.startswith("duplicate") for reason in drops):  # another page's article
            return PageResult(page.url, site, extracted_by, fallback)
        after = keys.below(chain.stats, keys.DROPPED)
        reasons = [k for k, v in after.items() if v != before.get(k, 0) and k.startswith("article/")]
        return PageResult(page.url, site, extracted_by, fallback, f"dropped/{reasons[0] if reasons else 'article'}",
                          "; ".join(drops))
    feeds = _WORKER["feeds"]
    prepared, tickers = None, []
    for item in kept:
        lines = tuple(exporter.line(item) if isinstance(item, classes) else None for classes, exporter in feeds)
        if isinstance(item, ArticleItem):
            prepared = (storage.prepare_article(item), lines)
        elif isinstance(item, TickerItem):
            tickers.append((item, lines))
    quotes = (storage.prepare_tickers([item for item, _ in tickers]), tuple(lines for _, lines in tickers))
    return PageResult(page.url, site, extracted_by, fallback, article=prepared, tickers=quotes if tickers else None)


def worker_loop(tasks: Connection, results: Connection, database: str, settings: dict[str, Any]) -> None:
    """A worker process: (index, pages) in, (index, results, error) out, until None or the writer is gone."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the writer's to handle: it stops the workers
    start_worker(database, settings)
    try:
        while (task := tasks.recv()) is not None:
            index, pages = task
            try:
                results.send((index, reextract_chunk(pages), None))
            except Exception as error:  # the database failing: the writer stops the run with it
                results.send((index, [], error))
    except EOFError:
        pass
    finally:
        stop_worker()


CHUNK = 32  # pages a worker is sent at once (fewer round trips than 16: -j 2 ~4% faster on real pages)
AHEAD = 2  # chunks each worker holds (one being extracted, one waiting)
RESULT_PIPE = 1 << 20  # bytes of results a worker can leave in its pipe while the writer writes (Linux)


@dataclass
class Worker:
    process: Any
    tasks: Connection
    results: Connection
    holding: int = 0  # chunks sent, results not yet received

    def lost(self) -> ChildProcessError:
        self.process.join(1)
        return ChildProcessError(f"a reextract worker process ended (exit code {self.process.exitcode})")


class Extractors:
    """This process and ``processes`` worker processes extracting chunks of pages, the results in the pages'
    order. This process writes; while the next result to write is not there, it extracts a chunk of its own, a
    page at a time between looks at the workers' pipes: ``-j N`` is N processes that all extract, the writing
    fitted into one of them (a process that only wrote would wait most of the time, or take a core's share from
    the workers), and its own chunks cross no pipe.
    Workers are forked from this process when it runs no other thread (the command line: they start at once,
    with everything imported), else started by a forkserver (a fork of a process with threads, such as a
    test's servers or a logging lock, can deadlock); their results are read straight from their pipes (no
    thread of ours takes the GIL from the writing); a worker gets its next chunk as soon as it returns one, so
    a fast one never waits for a slow one. A worker that dies stops the run (ChildProcessError)."""

    def __init__(self, processes: int, database: str, settings: dict[str, Any]):
        self.workers: list[Worker] = []
        if processes:
            self._start(processes, database, settings)
        start_worker(database, settings)  # after the fork: no connection is carried into a worker

    def _start(self, processes: int, database: str, settings: dict[str, Any]) -> None:
        if threading.active_count() == 1:
            context = multiprocessing.get_context("fork")
            gc.freeze()  # what is alive now is never scanned by a worker's collector (nor copied on its write)
        else:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["newscrawl.reextract"])  # the site registry, imported once
        for _ in range(processes):
            task_out, task_in = context.Pipe(duplex=False)
            result_out, result_in = context.Pipe(duplex=False)
            with suppress(OSError, AttributeError):  # a larger pipe: a worker rarely waits for the writer
                fcntl.fcntl(result_in.fileno(), fcntl.F_SETPIPE_SZ, RESULT_PIPE)
            process = context.Process(target=worker_loop, args=(task_out, result_in, database, settings), daemon=True)
            process.start()
            task_out.close()
            result_in.close()
            self.workers.append(Worker(process, task_in, result_out))
        gc.unfreeze()

    def results(self, pages: list[RawPage], chunk: int) -> Iterator[PageResult]:
        chunks = [pages[start:start + chunk] for start in range(0, len(pages), chunk)]
        early: dict[int, list[PageResult]] = {}
        by_pipe = {worker.results: worker for worker in self.workers}
        lead = len(self.workers) * AHEAD * 2  # chunks sent ahead of the one being written, at most
        sent = 0

        def top_up(written: int) -> None:  # never further ahead of the writer than twice what the workers hold
            nonlocal sent
            for worker in self.workers:
                while worker.holding < AHEAD and sent < min(len(chunks), written + lead):
                    try:
                        worker.tasks.send((sent, chunks[sent]))
                    except BrokenPipeError:
                        raise worker.lost() from None
                    worker.holding, sent = worker.holding + 1, sent + 1

        local: list[PageResult] = []  # this process's chunk in progress (at index mine), page by page
        mine: int | None = None
        read: list[tuple[RawPage, bytes | None]] = []  # its pages and bytes
        for written in range(len(chunks)):
            top_up(written)
            while written not in early:
                if mine is None and sent < min(len(chunks), written + lead + 1):
                    mine, sent, local, read = sent, sent + 1, [], read_chunk(chunks[sent])
                holding = [worker.results for worker in self.workers if worker.holding]
                ready = wait(holding, 0 if mine is not None else None) if holding else []
                if mine is not None and not ready:
                    # Nothing to write yet: one page of this process's chunk, then the pipes again, so that a
                    # worker's result is written (and the worker given more) as soon as it comes; a whole chunk
                    # here left the workers waiting for the writing process half the time.
                    local.append(reextract_page(*read[len(local)]))
                    if len(local) == len(chunks[mine]):
                        early[mine], mine = local, None
                for pipe in ready:
                    worker = by_pipe[pipe]  # type: ignore[index]
                    try:
                        index, results, error = worker.results.recv()
                    except EOFError:
                        raise worker.lost() from None
                    if error is not None:
                        raise error
                    early[index] = results
                    worker.holding -= 1
                top_up(written)
            yield from early.pop(written)

    def stop(self, now: bool = False) -> None:
        stop_worker()
        for worker in self.workers:
            with suppress(OSError):
                worker.tasks.send(None)
        for worker in self.workers:
            if now:
                worker.process.terminate()
            worker.process.join(5)
            if worker.process.is_alive():
                worker.process.kill()
            worker.tasks.close()
            worker.results.close()


# --- the run ---------------------------------------------------------------------------------------------------
@dataclass
class SiteTally:
    pages: int = 0
    articles: Counter[str] = field(default_factory=Counter)  # new, updated, unchanged, copy
    tickers: int = 0
    fallbacks: int = 0
    failures: Counter[str] = field(default_factory=Counter)  # reason -> pages

    def report(self, site: str, duration_s: float | None = None) -> dict[str, Any]:
        """A site report in the shape of newscrawl.report.site_report (the run history reads both)."""
        parse_errors = {k.split("/", 1)[1]: v for k, v in self.failures.items() if k.startswith("parse_error/")}
        dropped = {k.split("/", 1)[1]: v for k, v in self.failures.items() if k.startswith("dropped/")}
        flags = ["every page still fails"] if self.pages and sum(self.failures.values()) == self.pages else []
        return {"site": site, "pages_fetched": 0, "article_pages": self.pages,
                "items": {"article": sum(self.articles.values()), "ticker": self.tickers},
                "articles": {k: self.articles.get(k, 0) for k in keys.ARTICLE_OUTCOMES},
                "fallbacks": self.fallbacks, "parse_errors": parse_errors, "dropped": dropped, "duration_s": duration_s,
                "flags": flags}


class FeedWriter:
    """The FEEDS setting's local JSONL feeds as sinks (newscrawl/sinks.py), as a crawl writes them: cut back on
    open to the size recorded with the database's last commit, lines appended, sizes recorded in each commit.
    Lines come ready-made from the workers; they are buffered and written in one call per feed before the
    commit that records the feed's size."""

    def __init__(self, settings: BaseSettings, storage: Storage):
        self.feeds: list[tuple[str, Any]] = []  # (feed name, file), in local_feeds() order
        self.sizes: list[int] = []  # bytes written (whole lines): what a commit may record
        self.buffers: list[list[bytes]] = []
        adopt_feeds(settings, storage)  # a feed the database has no record of yet: its size now
        for path, _, _ in local_feeds(settings):
            if os.path.isfile(path):
                size, committed = os.path.getsize(path), storage.feed_size(feed_name(path))
                keep = committed if committed is not None and committed <= size else last_line_end(path)
                if keep < size:
                    os.truncate(path, keep)
                    logger.info("feed %s: cut %d bytes written after the last database commit", path, size - keep)
            file = open(path, "ab", buffering=0)  # noqa: SIM115 - closed in close()
            self.feeds.append((feed_name(path), file))
            self.sizes.append(file.seek(0, os.SEEK_END))
            self.buffers.append([])

    def write(self, lines: tuple[bytes | None, ...]) -> None:
        """One item's lines (None: not an item of that feed)."""
        for buffer, line in zip(self.buffers, lines, strict=True):
            if line is not None:
                buffer.append(line)

    def write_all(self, items: Sequence[tuple[bytes | None, ...]]) -> None:
        """write() of each item's lines (a page's quotes)."""
        for buffer, column in zip(self.buffers, zip(*items, strict=True), strict=False):  # no items: no column
            buffer.extend(filter(None, column))  # None: not that feed's

    def flush(self) -> None:
        """Write the buffered lines. A failed write raises: the batch is not committed, and the next run cuts
        the feed back to its recorded size."""
        for index, (_, file) in enumerate(self.feeds):
            if self.buffers[index]:
                data = memoryview(b"".join(self.buffers[index]))
                self.buffers[index] = []
                self.sizes[index] += len(data)
                while data:
                    data = data[file.write(data):]

    def record(self, storage: Storage) -> None:
        """Flush, then each feed's size, in the transaction that commits the items written up to there."""
        self.flush()
        for (name, _), size in zip(self.feeds, self.sizes, strict=True):
            storage.record_feed(name, size)

    def close(self) -> None:
        for _, file in self.feeds:
            file.close()


class Reextraction:
    """One ``scrapy reextract`` run: select, extract in ``jobs`` processes, write in URL order."""

    def __init__(self, settings: BaseSettings, selection: Selection, jobs: int):
        self.settings = settings
        self.database = settings.get("NEWSCRAWL_DATABASE")
        self.selection = selection
        self.jobs = max(1, jobs)
        self.batch = max(1, settings.getint("NEWSCRAWL_REEXTRACT_BATCH"))
        self.checkpoint = Path(settings.get("NEWSCRAWL_DATA_DIR")) / CHECKPOINT
        self.tallies: dict[str, SiteTally] = {}
        self.resumed_after: str | None = None
        self.duration_s: float | None = None

    def _resume_point(self) -> str | None:
        try:
            state = json.loads(self.checkpoint.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return state.get("after") if state.get("selection") == self.selection.key() else None

    def _save_checkpoint(self, url: str) -> None:
        self.checkpoint.parent.mkdir(parents=True, exist_ok=True)
        partial = self.checkpoint.with_suffix(".tmp")
        partial.write_text(json.dumps({"selection": self.selection.key(), "after": url}), encoding="utf-8")
        os.replace(partial, self.checkpoint)

    def run(self) -> None:
        started = time.monotonic()
        try:
            self._run()
        finally:
            self.duration_s = round(time.monotonic() - started, 3)

    def _run(self) -> None:
        storage = open_storage(self.database)
        try:
            self.resumed_after = self._resume_point()
            pages = select(storage, self.selection, self.resumed_after)
        finally:
            storage.close()  # never carried into the forked workers
        with self._workers() as extract:
            storage = open_storage(self.database)
            try:
                feeds = FeedWriter(self.settings, storage)
                try:
                    self._write(storage, feeds, extract(pages))
                finally:
                    feeds.close()
            except BaseException:
                with suppress(*storage_errors()):
                    storage.abort()  # what is not committed may be missing from a feed: nothing of it is kept
                raise
            storage.close()
        self.checkpoint.unlink(missing_ok=True)

    @contextmanager
    def _workers(self) -> Iterator[Callable[[list[RawPage]], Iterable[PageResult]]]:
        """``extract(pages)``: results in the pages' order, from this process and ``jobs - 1`` workers."""
        workers = Extractors(self.jobs - 1, self.database, self.settings.copy_to_dict())
        try:
            yield lambda pages: workers.results(pages, max(1, min(CHUNK, len(pages) // (self.jobs * 8))))
        except BaseException:
            workers.stop(now=True)
            raise
        workers.stop()

    def _write(self, storage: Storage, feeds: FeedWriter, results: Iterable[PageResult]) -> None:
        pending, last = 0, None
        for result in results:
            tally = self.tallies.get(result.site or "?") or self.tallies.setdefault(result.site or "?", SiteTally())
            tally.pages += 1
            tally.fallbacks += result.fallback
            if result.failure and result.failure.startswith("parse_error/"):
                storage.mark_parse_error(result.url, result.message)
            elif result.failure:  # read, but its article dropped: still failing, as a crawl records it
                storage.mark_parse_error(result.url, f"dropped: {result.message}")
            elif result.extracted_by:
                storage.mark_extracted(result.url, result.extracted_by)
            if result.failure:
                tally.failures[result.failure] += 1
                logger.warning("still failing: %s (%s)", result.url, result.message)
            if result.article:
                article, lines = result.article
                outcome = storage.upsert_prepared(article, mark_done=True)
                tally.articles[outcome] += 1
                if outcome in ("new", "updated"):
                    feeds.write(lines)
            if result.tickers:  # a page's quotes in one statement
                quotes, ticker_lines = result.tickers
                tally.tickers += len(ticker_lines)
                added = storage.add_prepared_tickers(quotes)
                if not all(added):  # a quote the database held is in the feeds already
                    ticker_lines = tuple(lines for lines, new in zip(ticker_lines, added, strict=True) if new)
                feeds.write_all(ticker_lines)
            pending, last = pending + 1, result.url
            if pending >= self.batch:
                feeds.record(storage)
                storage.commit()
                self._save_checkpoint(last)
                pending = 0
        feeds.record(storage)
        storage.commit()

    # --- the verdict ---------------------------------------------------------------------------------------
    def reports(self) -> list[dict[str, Any]]:
        return [tally.report(site, self.duration_s) for site, tally in sorted(self.tallies.items())]

    def summary(self) -> str:
        total = SiteTally()
        for tally in self.tallies.values():
            total.pages += tally.pages
            total.articles.update(tally.articles)
            total.tickers += tally.tickers
            total.fallbacks += tally.fallbacks
            total.failures.update(tally.failures)
        articles = total.articles
        failing = ", ".join(f"{reason} {count}" for reason, count in sorted(total.failures.items())) or "none"
        line = (f"reextract: {total.pages} pages, {sum(articles.values())} articles ({articles['new']} new, "
                f"{articles['updated']} updated, {articles['unchanged']} unchanged), {total.tickers} tickers, "
                f"{total.fallbacks} read by the generic fallback, still failing: {failing}")
        if self.resumed_after:
            line += f" (resumed after {self.resumed_after})"
        return line

    @property
    def all_failed(self) -> bool:
        pages = sum(t.pages for t in self.tallies.values())
        return bool(pages) and all(sum(t.failures.values()) == t.pages for t in self.tallies.values())
