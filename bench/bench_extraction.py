"""Extraction throughput, single core: newscrawl (decode + site page object + the item pipeline chain + the
feed's JSON line) against trafilatura.extract, and fundus where it has a parser for the site, on every real
article page of the shared corpus that has a truth annotation. Ends with a cProfile of our hot path.

    python3 bench/bench_extraction.py [--seconds 20] [--no-write] [--sites chosun,mk]

``--sites`` measures only those sites' pages (for iterating on them; it prints and never writes the section).

fundus needs lxml < 6 and so cannot live beside this project; it runs in a worker process under another
interpreter: ``--fundus-python`` or $NEWSCRAWL_BENCH_FUNDUS_PYTHON (default /tmp/fundus-venv/bin/python,
made by ``bench/run.sh --setup-fundus``).
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import io
import json
import logging
import os
import pstats
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import REPO, SHARED, header, pin_to_one_core, publish, short_path, table

FUNDUS_PUBLISHERS = {"mk": "MBN", "hankookilbo": "HankookIlbo"}  # fundus 0.5.7's Korean publishers
DEFAULT_FUNDUS_PYTHON = "/tmp/fundus-venv/bin/python"
PROFILE_TOP = 15
OVERALL_TARGET, SITE_TARGET, FUNDUS_TARGET = 12, 8, 2  # x trafilatura overall, x trafilatura per site, x fundus


@dataclass
class Page:
    file: str
    site: str
    url: str
    body: bytes
    html: str = ""  # decoded once, for the baselines (our timing includes our own decoding)


@dataclass
class Tally:
    """Pages done and seconds spent (CPU time of the measuring thread, and wall time), per site."""

    seconds: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    wall: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    pages: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    empty: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # files with no output

    @property
    def total_seconds(self) -> float:
        return sum(self.seconds.values())

    def wall_rate(self) -> float:
        return sum(self.pages.values()) / sum(self.wall.values()) if self.wall else 0.0

    def rate(self, site: str | None = None) -> float:
        """Pages per CPU-second: robust to other processes sharing the core (wall_rate is not)."""
        if site is None:
            return sum(self.pages.values()) / self.total_seconds if self.total_seconds else 0.0
        return self.pages[site] / self.seconds[site] if self.seconds[site] else 0.0


def corpus_pages() -> list[Page]:
    """Every article page of MANIFEST.tsv that has a truth JSON (site from the truth file)."""
    with (SHARED / "corpus" / "raw" / "MANIFEST.tsv").open(encoding="utf-8") as f:
        manifest = {row["file"]: row for row in csv.DictReader(f, delimiter="\t")}
    pages = []
    for truth_file in sorted((SHARED / "corpus" / "truth").glob("*/*.json")):
        truth = json.loads(truth_file.read_text(encoding="utf-8"))
        row = manifest.get(truth.get("file", ""))
        if row is None or row["page_kind"] != "article":
            continue
        body = (SHARED / "corpus" / "raw" / row["file"]).read_bytes()
        pages.append(Page(row["file"], truth["site"], row["original_url"], body))
    return pages


# --- the contenders ----------------------------------------------------------------------------------
def newscrawl_runner() -> Callable[[Page], bool]:
    """Bytes -> feed JSON lines of every kept item, through one ItemChain built once (as in a crawl); the dedup
    pipeline forgets between pages, so that repeated passes are read as new pages, as a crawl reads them."""
    from scrapy.utils.project import get_project_settings

    from newscrawl.chain import ItemChain
    from newscrawl.exporters import dumps
    from newscrawl.extract import decode_html, extract_html
    from newscrawl.pages import ExtractionError
    from pipelines.dedup import DedupPipeline

    chain = ItemChain(get_project_settings())
    dedup = [p for p in chain.pipelines if isinstance(p, DedupPipeline)]

    def run(page: Page) -> bool:
        for pipeline in dedup:  # every pass reads the pages as new ones (a crawl's pages are distinct)
            pipeline.articles.clear()
            pipeline.tickers.clear()
        try:
            extracted = extract_html(page.url, decode_html(page.body)[0], page.site)
        except ExtractionError:
            return False
        kept, _ = chain.process(extracted.items())
        return bool([dumps(item) for item in kept])

    return run


def trafilatura_runner(with_metadata: bool) -> Callable[[Page], bool]:
    import trafilatura

    def run(page: Page) -> bool:
        return bool(trafilatura.extract(page.html, url=page.url, with_metadata=with_metadata))

    return run


def measure(contenders: dict[str, Callable[[Page], bool]], pages: list[Page], seconds: float) -> dict[str, Tally]:
    """Passes over all pages, interleaved between contenders, until each has spent ``seconds``."""
    tallies = {name: Tally() for name in contenders}
    for run in contenders.values():  # warm-up: imports, caches, first-call costs
        for page in pages:
            run(page)
    while any(t.total_seconds < seconds for t in tallies.values()):
        for name, run in contenders.items():
            tally = tallies[name]
            if tally.total_seconds >= seconds:
                continue
            for page in pages:
                start, start_cpu = time.perf_counter(), time.thread_time()
                ok = run(page)
                tally.seconds[page.site] += time.thread_time() - start_cpu
                tally.wall[page.site] += time.perf_counter() - start
                tally.pages[page.site] += 1
                if not ok:
                    tally.empty[page.site].add(page.file)
    return tallies


# --- fundus, in its own interpreter --------------------------------------------------------------------
def fundus_worker(seconds: float) -> None:
    """Reads [{file, site, url, html}] on stdin, prints a Tally as JSON (runs under the fundus interpreter)."""
    import datetime as dt

    from fundus import PublisherCollection

    pages = [Page(p["file"], p["site"], p["url"], b"", p["html"]) for p in json.load(sys.stdin)]
    parsers = {site: getattr(PublisherCollection.kr, name).parser(dt.date.today())
               for site, name in FUNDUS_PUBLISHERS.items()}

    def run(page: Page) -> bool:
        return bool(str(parsers[page.site].parse(page.html, error_handling="suppress").get("body") or ""))

    tally = measure({"fundus": run}, pages, seconds)["fundus"]
    json.dump({"seconds": tally.seconds, "wall": tally.wall, "pages": tally.pages,
               "empty": {k: sorted(v) for k, v in tally.empty.items()}}, sys.stdout)


def run_fundus(python: str, pages: list[Page], seconds: float) -> tuple[Tally | None, str]:
    """(tally, note); tally None when fundus cannot run here."""
    supported = [p for p in pages if p.site in FUNDUS_PUBLISHERS]
    if not Path(python).exists():
        return None, (f"fundus not measured: no interpreter at {python}. fundus 0.5.7 requires lxml<6 (this "
                      f"project runs lxml 6), so `pip install fundus` does not install cleanly here; "
                      f"`bench/run.sh --setup-fundus` puts it in its own virtualenv.")
    if not supported:  # (measure() would never reach its seconds without a page)
        return None, f"fundus not measured: it has no parser for these sites ({', '.join(sorted(FUNDUS_PUBLISHERS))} only)."
    payload = json.dumps([{"file": p.file, "site": p.site, "url": p.url, "html": p.html} for p in supported])
    done = subprocess.run([python, __file__, "--fundus-worker", "--seconds", str(seconds)], input=payload,
                          capture_output=True, text=True, cwd=REPO)
    if done.returncode != 0:
        return None, f"fundus failed to run: {done.stderr.strip().splitlines()[-1:]}"
    data = json.loads(done.stdout)
    tally = Tally()
    tally.seconds.update(data["seconds"])
    tally.wall.update(data["wall"])
    tally.pages.update(data["pages"])
    for site, files in data["empty"].items():
        tally.empty[site] = set(files)
    version = subprocess.run([python, "-c", "from importlib.metadata import version as v; "
                              "print(v('fundus'), v('lxml'))"], capture_output=True, text=True).stdout.split()
    return tally, (f"fundus {version[0]} (lxml {version[1]}) ran in a worker process under {python}, on the same "
                   f"pinned core, after the two in-process contenders, on the pages of the sites it has a "
                   f"parser for ({', '.join(sorted(FUNDUS_PUBLISHERS))}).")


# --- profile -----------------------------------------------------------------------------------------
def profile(pages: list[Page], passes: int) -> list[str]:
    run = newscrawl_runner()
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(passes):
        for page in pages:
            run(page)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    total = stats.total_tt  # type: ignore[attr-defined]
    rows = []
    for (filename, line, function), (_, calls, tottime, cumtime, _) in sorted(
            stats.stats.items(), key=lambda kv: kv[1][2], reverse=True)[:PROFILE_TOP]:  # type: ignore[attr-defined]
        where = short_path(filename)
        rows.append([f"`{where}:{line} {function}`", calls, f"{tottime:.2f}", f"{100 * tottime / total:.1f}%",
                     f"{cumtime:.2f}"])
    cumulative = []
    for (filename, line, function), (_, calls, _, cumtime, _) in sorted(
            stats.stats.items(), key=lambda kv: kv[1][3], reverse=True):  # type: ignore[attr-defined]
        where = short_path(filename)
        if where.startswith(("newscrawl/", "pipelines/")) and len(cumulative) < PROFILE_TOP:
            cumulative.append([f"`{where}:{line} {function}`", calls, f"{cumtime:.2f}",
                               f"{100 * cumtime / total:.1f}%"])
    return [f"cProfile of {passes} passes over the {len(pages)} pages ({total:.1f} s under the profiler).", "",
            "Top functions by own time:", "",
            *table(["function", "calls", "own s", "own share", "cumulative s"], rows), "",
            "Our own code by cumulative time:", "",
            *table(["function", "calls", "cumulative s", "share"], cumulative)]


# --- report ------------------------------------------------------------------------------------------
def report(pages: list[Page], tallies: dict[str, Tally], fundus: Tally | None, fundus_note: str,
           seconds: float, cpu: int | None, profile_lines: list[str]) -> list[str]:
    from newscrawl.sites import all_sites

    specific = {name for name in all_sites() if name != "generic"}
    ours, trafi, trafi_meta = tallies["newscrawl"], tallies["trafilatura"], tallies["trafilatura+metadata"]
    sites = sorted({p.site for p in pages})
    rows, holds = [], []
    for site in sites:
        count = sum(1 for p in pages if p.site == site)
        ratio = ours.rate(site) / trafi.rate(site) if trafi.rate(site) else float("inf")
        if site in specific:
            holds.append((site, ratio >= SITE_TARGET))
        fundus_rate = fundus.rate(site) if fundus and fundus.pages.get(site) else None
        rows.append([
            site, count, "specific" if site in specific else "generic", f"{ours.rate(site):.0f}",
            f"{trafi.rate(site):.1f}", f"{trafi_meta.rate(site):.1f}", f"**{ratio:.1f}x**",
            f"{fundus_rate:.1f}" if fundus_rate else "—",
            f"{ours.rate(site) / fundus_rate:.1f}x" if fundus_rate else "—",
            _empties(ours, site) + " / " + _empties(trafi, site),
        ])
    overall = ours.rate() / trafi.rate()
    rows.append(["**all**", len(pages), "", f"**{ours.rate():.0f}**", f"{trafi.rate():.1f}",
                 f"{trafi_meta.rate():.1f}", f"**{overall:.1f}x**",
                 f"{fundus.rate():.1f}" if fundus else "—", "", ""])
    failed = [site for site, ok in holds if not ok]
    verdict = ("holds on every site" if not failed else f"misses on {', '.join(failed)}")
    versus_fundus = {site: ours.rate(site) / fundus.rate(site) for site in sites
                     if fundus and fundus.pages.get(site) and fundus.rate(site)}
    fundus_failed = [site for site, ratio in versus_fundus.items() if ratio < FUNDUS_TARGET]
    fundus_verdict = ("not measured (fundus not installed)" if not versus_fundus else "holds" if not fundus_failed
                      else f"misses on {', '.join(fundus_failed)}")
    passes = {name: sum(t.pages.values()) // len(pages) for name, t in tallies.items()}
    return [
        *header("Extraction throughput (single core)", "scrapy", "parsel", "lxml", "trafilatura"),
        f"Pages: the {len(pages)} real article pages of /work/shared/corpus/raw/ that have a truth JSON "
        f"({len(sites)} sites), repeated until each contender had spent ≥ {seconds:.0f} s "
        f"(passes: {', '.join(f'{k} {v}' for k, v in passes.items())}), contenders interleaved pass by pass in "
        f"one process pinned to CPU {cpu}. Rates are pages per CPU-second of the measuring thread "
        f"(`time.thread_time`), which other processes on the shared core do not inflate; wall-clock rates "
        f"overall: newscrawl {ours.wall_rate():.0f}, trafilatura {trafi.wall_rate():.1f} pages/s.",
        "- **newscrawl**: bytes → `decode_html` → `extract_html` (site page object) → the project's "
        "`ItemChain` (every pipeline but storage, built once and reused; its dedup pipeline forgets between pages, so "
        "every pass is read as new pages) → the feed's JSON line (`JsonLinesExporter.line`).",
        "- **trafilatura**: `trafilatura.extract(html, url=url)` on the already decoded text (its decoding is not "
        "timed, ours is); `+metadata` adds `with_metadata=True` (title/date/author, closer to what we extract).",
        f"- **fundus**: {fundus_note}",
        "",
        *table(["site", "pages", "parser", "newscrawl pages/s", "trafilatura pages/s",
                "trafilatura+metadata pages/s", "newscrawl / trafilatura", "fundus pages/s",
                "newscrawl / fundus", "no output (ours / trafilatura)"], rows),
        "",
        f"Targets (issue #15): overall ≥ {OVERALL_TARGET}x trafilatura: **{overall:.1f}x, "
        f"{'holds' if overall >= OVERALL_TARGET else 'missed'}**; ≥ {SITE_TARGET}x on every site with a specific "
        f"parser: **{verdict}**; ≥ {FUNDUS_TARGET}x fundus on the sites it parses: **{fundus_verdict}**.",
        "",
        *WHAT_CHANGED,
        "",
        *profile_lines,
    ]


WHAT_CHANGED = [
    "What the page objects do since #15 (on 2026-11-30, before these changes, the same benchmark gave 202 pages/s, "
    "5.3x trafilatura overall, mk 2.6x, chosun 3.9x, hankookilbo 4.0x, yonhapnewstv 3.6x):",
    "- `newscrawl/selectors.py` `PageSelector`: pages parsed into plain lxml elements (lxml.html's per-element "
    "Python class lookup gone); CSS steps that test one attribute evaluated on the attribute axis "
    "(`*/@class[...]/..`, about half the cost of cssselect's element predicate; ids a quarter); the bare `.class` "
    "and `#id` chrome selectors of a layout removed in one pass.",
    "- Regions (`cut_regions`): a layout that names the containers it reads (`regions`) has its page parsed and "
    "de-chromed by lexbor (selectolax: ~2.5x libxml2's parse, ~20x its XPath for a class selector here) and only "
    "`<head>`, the body and the regions parsed by libxml2 for parsel: mk, naver, khan (legacy), yna, hani, "
    "yonhapnewstv, donga (today's). tests/test_regions.py holds every such layout to the whole page's items. "
    "chosun and etoday stay whole: their pages were no faster cut (small). hankookilbo was not faster cut either "
    "(lexbor spends as long as libxml2 on the markup after its article) and is cut by bytes instead (next item).",
    "- hankookilbo (`newscrawl/sites/hankookilbo.py`, `hankookilbo_flight.py`; its pages are mostly script and "
    "furniture): `HtmlArticlePage.parse()` lets a layout parse less than the page. The legacy page (373 kB) is parsed "
    "only up to the byline box that ends its article (40% of its bytes), the server-rendered Next.js page up to the "
    "end of `section#article-section` (`EndOfArticleCut`): what a layout finds first in a prefix is what it finds "
    "first in the page, and a prefix that lacks something looked for (a meta name, JSON-LD, the headline, the "
    "canonical link) or a date to replace sends the layout to the whole page (tests/test_site_hankookilbo.py holds "
    "both to the whole page's reading on the real pages and on variants). The Next.js pages' flight scripts (half "
    "their bytes; text without `<`, so for any parser the bytes up to `</script>`) are cut out before libxml2 "
    "parses, their rows split once and parsed only when read (module and hint rows skipped by their first byte); "
    "editor photo boxes read with compiled queries. Thread CPU per page, this work and a `git archive` of 929eeb8 "
    "timed alternately in one session: legacy 4.8 -> 3.1 ms, flight-payload page 2.8 -> 2.0 ms, server-rendered "
    "2.3 -> 1.95 ms.",
    "- A page decoded from UTF-8 hands its bytes to the parser; control characters looked for in bytes; khan's "
    "layout marker searched from a literal; the whole-line chrome rules in one regex; feed lines without an "
    "ItemAdapter.",
    "- Per-page fixed costs, which decide the small pages (chosun, yonhapnewstv) and help every site (2026-11-30, "
    "second round; side by side with the tree before it (929eeb8), both runs of `--sites chosun,mk,yonhapnewstv "
    "--seconds 10` started together on a busy machine: chosun 5.0x -> 7.5x, mk 7.2x -> 8.7x, yonhapnewstv 6.9x -> "
    "8.2x): `fragment_lines` reads markup that is plain text (most Arc paragraphs) without an "
    "HTML parse; `clean()` answers a line it cleaned recently from a small bounded cache (the chrome and normalize "
    "pipelines clean every line again: the chain ~2x faster); the e-mail chrome rule runs only on lines with an @ and "
    "the case-insensitive copyright search only where one of its words is; parsed date strings cached (page object "
    "and dates pipeline parse the same ones); `labeled_date` with str.find; `xml_safe` with one memchr per refused "
    "byte; `global_content` no longer an lru_cache keyed by the page (hashing a 200 kB Arc page cost ~0.1 ms); "
    "`PageSelector.xpath` without parsel's per-call namespace dicts and a `Selector.__init__` per result; libxml2 "
    "parses without its id hash (`collect_ids=False`, ~10% of a small page's parse); a layout's non-bare chrome "
    "selectors dropped in one query; JSON decoders made once.",
    "- chosun (third round, 2026-11-30; side by side with the tree before it (6f00222), alternating runs of "
    "`--sites chosun --seconds 8`: 7.7x -> 8.3x and 7.9x -> 8.5x): the legacy layout finds its elements together (`selectors.Marked`: the "
    "ids in one attribute-axis query, the classes in one query of every classed element and a name search, meta/link/"
    "script/title in one walk; `descendants()`/`within()` for `A tag` and scoping) instead of eleven CSS queries at "
    "their 4-15 us floor (~95 -> ~49 us; tests/test_site_chosun.py holds the reading to the queries on the real pages "
    "and 18 variants, tests/test_selectors.py holds Marked to parsel on every corpus page); `global_content` finds "
    "its literal with str.find and matches the pattern there (47 -> 23 us on the Arc page); `render_lines` makes one "
    "call per element that has children and writes line ends inline (~20% faster, the same lines on all 35,567 "
    "elements of the corpus); `absolute()` returns a plain absolute URL without urljoin (~4 us a call; held to "
    "urljoin on 20,000 random URLs); `leaks()` answers a Korean article without a marker in one regex scan (~2.3x). "
    "Measured and not kept: parsing the legacy page only up to its body's end (`<!-- news_body -->`, 86% of the "
    "bytes: 12 us less parse, eaten by the checks that keep it exact); one union XPath for the legacy fields (60-75 us:"
    " slower than the queries); libxml2 decoding the EUC-KR bytes itself (180 us against 35 us decode + 117 us "
    "parse); a larger glibc top pad (decoding the Arc page 243 -> 93 us alone, no change inside this benchmark, "
    "whose heap is already large).",
    "- Where the rest goes (profile below): libxml2/lexbor parsing is the largest single cost. chosun's two legacy "
    "pages (14.5 kB as UTF-8) are ~35 us of CP949 decoding, ~117 us of libxml2 parse, ~49 us finding the elements, "
    "~75 us of pipelines and ~45 us of JSON line (each about 1.5x in this interleaved run, where trafilatura leaves "
    "the caches cold); cut into regions they are slower (lexbor parses pages this small "
    "no faster). Its Arc page: decoding 211 kB of UTF-8 is a third of it (glibc maps the decoder's widened buffer "
    "afresh, ~100 page faults), the control-character check of its bytes ~70 us, and trafilatura finds no text there "
    "and returns early. mk: lexbor's parse of its "
    "110-128 kB pages (1,100 class and 800 data-* attributes) is ~40%, the region cut ~15%. hankookilbo's legacy "
    "page: decoding and the control-character check of its 373 kB (0.7 ms), its layout markers (0.2 ms), libxml2 on "
    "the 150 kB prefix (0.65 ms, 86 kB of it `<head>`).",
]


def _empties(tally: Tally, site: str) -> str:
    return str(len(tally.empty.get(site, ())))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="seconds of work per contender (>= 20)")
    parser.add_argument("--profile-passes", type=int, default=20)
    parser.add_argument("--fundus-python", default=os.environ.get("NEWSCRAWL_BENCH_FUNDUS_PYTHON",
                                                                  DEFAULT_FUNDUS_PYTHON))
    parser.add_argument("--no-write", action="store_true", help="print the section instead of writing it")
    parser.add_argument("--sites", default="", help="only these sites' pages, comma-separated (implies --no-write)")
    parser.add_argument("--fundus-worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.fundus_worker:
        fundus_worker(args.seconds)
        return

    os.chdir(REPO)  # the project's settings (scrapy.cfg)
    logging.disable(logging.WARNING)  # trafilatura and the pipelines log per page; not what we time
    cpu = pin_to_one_core()
    pages = corpus_pages()
    if args.sites:
        wanted = {name.strip() for name in args.sites.split(",") if name.strip()}
        pages = [page for page in pages if page.site in wanted]
        if not pages:
            parser.error(f"no corpus page of {', '.join(sorted(wanted))}")
    from newscrawl.extract import decode_html

    for page in pages:
        page.html = decode_html(page.body)[0]
    contenders = {"newscrawl": newscrawl_runner(), "trafilatura": trafilatura_runner(False),
                  "trafilatura+metadata": trafilatura_runner(True)}
    tallies = measure(contenders, pages, args.seconds)
    fundus, fundus_note = run_fundus(args.fundus_python, pages, args.seconds)
    lines = report(pages, tallies, fundus, fundus_note, args.seconds, cpu, profile(pages, args.profile_passes))
    publish("extraction", lines, no_write=args.no_write or bool(args.sites), summary=("|",))


if __name__ == "__main__":
    main()
