"""Accuracy against hand-annotated pages: every truth page through our full chain and through trafilatura,
scored the same way in the same run.

Body scores are whitespace-token precision/recall/F1 after NFC, over token multisets, micro-averaged
(summed token counts) per site and overall. A *chrome leak* is an output line that is not a truth paragraph
and looks like page furniture (a global chrome line, a copyright notice, an e-mail, a related-news link).
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from scrapy.settings import Settings

from newscrawl.chain import ItemChain
from newscrawl.chrome import is_chrome_line
from newscrawl.dates import to_kst_iso
from newscrawl.exporters import dumps
from newscrawl.extract import UndecodableError, decode_html, extract_html
from newscrawl.pages import ExtractionError
from newscrawl.sites import all_sites
from newscrawl.text import clean

REPO = Path(__file__).resolve().parent.parent
DEFAULT_TRUTH_DIR = REPO.parent / "shared" / "corpus" / "truth"
DEFAULT_RAW_DIR = REPO.parent / "shared" / "corpus" / "raw"
DEFAULT_CORRECTIONS_DIR = REPO / "tests" / "fixtures" / "truth_corrections"
TRAFILATURA_OPTIONS: dict[str, Any] = {"include_comments": False, "include_tables": False, "favor_precision": True}
# Ask htmldate for the time of day too (its default output is the day only, which could never match).
TRAFILATURA_DATE_PARAMS = {"original_date": True, "extensive_search": True, "outputformat": "%Y-%m-%dT%H:%M:%S%z"}

_FURNITURE = re.compile(
    r"무단\s*전재|재배포\s*금지|ⓒ|©|copyright|all rights reserved|저작권자"  # copyright
    r"|[\w.+-]+@[\w-]+(\.[\w-]+)+"  # e-mail
    r"|^\W{0,2}(관련\s*(기사|뉴스)|많이\s*본|주요\s*뉴스|함께\s*본|추천\s*기사)",  # related-news lists
    re.IGNORECASE,
)


class CorpusMissingError(FileNotFoundError):
    pass


def tokens(text: str) -> list[str]:
    return unicodedata.normalize("NFC", text).split()


def overlap(output: list[str], truth: list[str]) -> int:
    return sum((Counter(output) & Counter(truth)).values())


def is_leak(line: str, truth_paragraphs: set[str]) -> bool:
    return line not in truth_paragraphs and (is_chrome_line(line) or bool(_FURNITURE.search(line)))


@dataclass
class Score:
    """What one extractor produced for one page, as counts."""

    matched: int = 0  # tokens in both output and truth (multiset)
    output_tokens: int = 0
    truth_tokens: int = 0
    title_exact: bool = False
    date_exact: bool = False
    leaks: int = 0


def score(paragraphs: list[str], title: str | None, published_at: str | None, truth: dict) -> Score:
    out, want = tokens("\n".join(paragraphs)), tokens(truth.get("body") or "\n".join(truth["paragraphs"]))
    truth_lines = {clean(p) for p in truth["paragraphs"]}
    return Score(
        matched=overlap(out, want), output_tokens=len(out), truth_tokens=len(want),
        title_exact=bool(title) and clean(title) == clean(truth.get("title")),
        date_exact=bool(published_at) and published_at == truth.get("published_at"),
        leaks=sum(is_leak(line, truth_lines) for line in paragraphs),
    )


@dataclass
class PageResult:
    site: str
    file: str
    status: str  # ok, dropped, error, unsupported
    ours: Score | None
    trafilatura: Score
    detail: str = ""


@dataclass
class Figures:
    pages: int = 0
    precision: float = 0.0
    recall: float = 0.0
    f1: float = 0.0
    title_exact: float = 0.0
    date_exact: float = 0.0
    leaks: int = 0

    @classmethod
    def of(cls, scores: list[Score]) -> Figures:
        if not scores:
            return cls()
        matched = sum(s.matched for s in scores)
        precision = matched / max(1, sum(s.output_tokens for s in scores))
        recall = matched / max(1, sum(s.truth_tokens for s in scores))
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return cls(pages=len(scores), precision=round(precision, 4), recall=round(recall, 4), f1=round(f1, 4),
                   title_exact=round(sum(s.title_exact for s in scores) / len(scores), 4),
                   date_exact=round(sum(s.date_exact for s in scores) / len(scores), 4),
                   leaks=sum(s.leaks for s in scores))


@dataclass
class SiteReport:
    site: str
    pages: int
    supported: bool
    ours: Figures | None
    trafilatura: Figures  # on the same pages as ``ours`` when supported, else on all of the site's pages
    failures: list[str] = field(default_factory=list)


@dataclass
class TruthPage:
    path: Path
    truth: dict
    raw: bytes


# --- loading -------------------------------------------------------------------------------------------
def load_truth(truth_dir: Path, raw_dir: Path, corrections_dir: Path | None = None,
               only_site: str | None = None) -> list[TruthPage]:
    """Truth pages with their raw bytes; correction files (``<site>/<page>.json`` with ``fields``) applied."""
    for what, path in (("truth", truth_dir), ("raw page", raw_dir)):
        if not path.is_dir():
            raise CorpusMissingError(f"no {what} directory at {path}: the corpus is read from ../shared beside the "
                                     f"repo (or pass --truth-dir and --raw-dir)")
    pattern = f"{only_site}/*.json" if only_site else "*/*.json"
    pages = []
    for path in sorted(truth_dir.glob(pattern)):
        truth = json.loads(path.read_text(encoding="utf-8"))
        correction = corrections_dir / path.parent.name / path.name if corrections_dir else None
        if correction and correction.exists():
            truth.update(json.loads(correction.read_text(encoding="utf-8"))["fields"])
        raw = raw_dir / truth["file"]
        if not raw.is_file():
            raise CorpusMissingError(f"the raw page {raw} named by {path} is missing")
        pages.append(TruthPage(path, truth, raw.read_bytes()))
    return pages


# --- running --------------------------------------------------------------------------------------------
def run_ours(page: TruthPage, html: str, site: str, settings: Settings) -> tuple[str, dict | None, str]:
    """(status, article JSON or None, detail) for our extraction + full pipeline chain."""
    try:
        extracted = extract_html(page.truth["url"], html, site)
    except ExtractionError as error:
        return "error", None, str(error)
    except Exception as error:  # a site module under construction must not stop the report
        return "error", None, f"{type(error).__name__}: {error}"
    chain = ItemChain(settings)
    kept, dropped = chain.process(extracted.items())
    chain.close()
    articles = [json.loads(dumps(item)) for item in kept if getattr(item, "type", "") == "article"]
    if not articles:
        return "dropped", None, "; ".join(dropped) or "no article item"
    return "ok", articles[0], ""


def run_trafilatura(page: TruthPage, html: str) -> Score:
    import trafilatura  # here: Scrapy imports every command's module (and this one) for every command

    text = trafilatura.extract(html, url=page.truth["url"], output_format="txt", **TRAFILATURA_OPTIONS) or ""
    meta = trafilatura.bare_extraction(html, url=page.truth["url"], with_metadata=True,
                                       date_extraction_params=TRAFILATURA_DATE_PARAMS, **TRAFILATURA_OPTIONS)
    title = clean(getattr(meta, "title", None)) if meta is not None else None
    date = to_kst_iso(getattr(meta, "date", None)) if meta is not None else None
    lines = [c for c in (clean(line) for line in text.splitlines()) if c]
    return score(lines, title, date, page.truth)


def evaluate_page(page: TruthPage, settings: Settings, parser: str | None = None) -> PageResult:
    site = page.truth["site"]
    try:
        html, _ = decode_html(page.raw)
    except UndecodableError as error:
        empty = Score(truth_tokens=len(tokens(page.truth.get("body", ""))))
        return PageResult(site, page.truth["file"], "error", empty, empty, str(error))
    baseline = run_trafilatura(page, html)
    use = parser or site
    if use not in all_sites():
        return PageResult(site, page.truth["file"], "unsupported", None, baseline, f"no module {use!r}")
    status, article, detail = run_ours(page, html, use, settings)
    if article is None:
        ours = score([], None, None, page.truth)
    else:
        ours = score(article["paragraphs"], article["title"], article["published_at"], page.truth)
    return PageResult(site, page.truth["file"], status, ours, baseline, detail)


def summarise(results: Iterable[PageResult]) -> tuple[list[SiteReport], SiteReport]:
    by_site: dict[str, list[PageResult]] = {}
    for result in results:
        by_site.setdefault(result.site, []).append(result)
    reports = []
    for site, rows in sorted(by_site.items()):
        supported = [r for r in rows if r.ours is not None]
        compared = supported or rows
        reports.append(SiteReport(
            site=site, pages=len(rows), supported=bool(supported),
            ours=Figures.of([r.ours for r in supported if r.ours]) if supported else None,
            trafilatura=Figures.of([r.trafilatura for r in compared]),
            failures=[f"{r.file}: {r.status}: {r.detail}" for r in rows if r.status not in ("ok", "unsupported")],
        ))
    every = [r for rows in by_site.values() for r in rows]
    supported = [r for r in every if r.ours is not None]
    overall = SiteReport(
        site="overall", pages=len(supported), supported=bool(supported),
        ours=Figures.of([r.ours for r in supported if r.ours]),
        trafilatura=Figures.of([r.trafilatura for r in supported]),
        failures=[f for report in reports for f in report.failures],
    )
    return reports, overall


def evaluate(pages: list[TruthPage], settings: Settings, parser: str | None = None
             ) -> tuple[list[PageResult], list[SiteReport], SiteReport]:
    results = [evaluate_page(page, settings, parser) for page in pages]
    reports, overall = summarise(results)
    return results, reports, overall


# --- output ---------------------------------------------------------------------------------------------
def _pct(value: float) -> str:
    return f"{100 * value:.1f}%"


def text_table(reports: list[SiteReport], overall: SiteReport) -> str:
    header = ("site", "pages", "P", "R", "F1", "title", "date", "leaks", "| traf P", "traf R", "traf F1",
              "traf title", "traf date", "traf leaks")
    rows = [header]
    for report in [*reports, overall]:
        t = report.trafilatura
        theirs = ("| " + f"{t.precision:.3f}", f"{t.recall:.3f}", f"{t.f1:.3f}", _pct(t.title_exact),
                  _pct(t.date_exact), str(t.leaks))
        if report.ours is None:
            ours: tuple[str, ...] = ("unsupported", "", "", "", "", "")
        else:
            o = report.ours
            ours = (f"{o.precision:.3f}", f"{o.recall:.3f}", f"{o.f1:.3f}", _pct(o.title_exact),
                    _pct(o.date_exact), str(o.leaks))
        rows.append((report.site, str(report.pages), *ours, *theirs))
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    lines.insert(1, "-" * len(lines[0]))
    lines.insert(len(lines) - 1, "-" * len(lines[0]))
    notes = ["", "Body: whitespace-token precision/recall/F1 (NFC, multiset overlap); title/date: exact-match rate; "
                 "leaks: output lines that are chrome and not truth paragraphs.",
             "overall: pages of supported sites only, both extractors on the same pages (trafilatura: extract() "
             "for the body, bare_extraction() metadata for title/date)."]
    if overall.failures:
        notes += ["", "Pages our chain did not turn into an article:", *(f"  {f}" for f in overall.failures)]
    return "\n".join(lines + notes)


def markdown_table(reports: list[SiteReport], overall: SiteReport) -> str:
    lines = ["| Site | Pages | Our F1 | trafilatura F1 | Title / date exact | Chrome leaks (ours / trafilatura) |",
             "|---|---:|---:|---:|---:|---:|"]
    for report in [*reports, overall]:
        name = f"**{report.site}**" if report is overall else report.site
        t = report.trafilatura
        if report.ours is None:
            lines.append(f"| {name} | {report.pages} | unsupported | {t.f1:.3f} | – | – / {t.leaks} |")
            continue
        o = report.ours
        lines.append(f"| {name} | {report.pages} | {o.f1:.3f} | {t.f1:.3f} | {_pct(o.title_exact)} / "
                     f"{_pct(o.date_exact)} | {o.leaks} / {t.leaks} |")
    return "\n".join(lines)


def as_json(results: list[PageResult], reports: list[SiteReport], overall: SiteReport) -> dict[str, Any]:
    def report_dict(report: SiteReport) -> dict[str, Any]:
        return {"pages": report.pages, "supported": report.supported,
                "ours": asdict(report.ours) if report.ours else None, "trafilatura": asdict(report.trafilatura),
                "failures": report.failures}

    return {
        "method": {"body": "whitespace tokens after NFC, multiset overlap, micro-averaged",
                   "trafilatura_options": TRAFILATURA_OPTIONS, "trafilatura_date_params": TRAFILATURA_DATE_PARAMS},
        "sites": {report.site: report_dict(report) for report in reports},
        "overall": report_dict(overall),
        "pages": [asdict(result) for result in results],
    }
