"""The daily layout canary (``scrapy checklayouts``): per site, how its newest article pages were read.

A :class:`LayoutCheck` listens to one crawler's items (scraped and dropped) and, with the crawl's stats, sorts
the article pages into read by the site's own page objects, read by the generic fallback, and failed (not
parsed, or dropped for a missing title/body/date), and counts which fields came out empty.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from newscrawl import keys
from newscrawl.items import ArticleItem
from newscrawl.reextract import FALLBACK_MARK
from newscrawl.report import site_report

# Fields a reader of the table cares about when they come out empty (others are often empty by design).
WATCHED_FIELDS = ("title", "published_at", "body", "authors", "section", "images", "publisher")


class LayoutCheck:
    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.site = crawler.spidercls.name
        self.own = 0
        self.fallback = 0
        self.dropped = 0
        self.empty: Counter[str] = Counter()
        crawler.signals.connect(self.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(self.item_dropped, signal=signals.item_dropped)

    def _look(self, item: ArticleItem) -> None:
        for name in WATCHED_FIELDS:
            if not getattr(item, name, None):
                self.empty[name] += 1

    def item_scraped(self, item: Any) -> None:
        if isinstance(item, ArticleItem):
            self._look(item)
            if FALLBACK_MARK in (item.extracted_by or ""):
                self.fallback += 1
            else:
                self.own += 1

    def item_dropped(self, item: Any, exception: DropItem) -> None:
        if isinstance(item, ArticleItem) and " without " in str(exception):  # the validation's verdict
            self._look(item)
            self.dropped += 1

    def row(self) -> dict[str, Any]:
        assert self.crawler.stats
        stats = self.crawler.stats.get_stats()
        parse_errors = keys.group(stats, f"{keys.PARSE_ERROR}{self.site}")
        failed = sum(parse_errors.values()) + self.dropped
        pages = stats.get(keys.ARTICLE_PAGES, 0)
        problems = []
        if pages == 0:
            problems.append("no article page fetched")
        if failed:
            reasons = [f"{reason} {count}" for reason, count in sorted(parse_errors.items())]
            problems.append("failed: " + ", ".join(reasons + ([f"dropped {self.dropped}"] if self.dropped else [])))
        if self.fallback:
            problems.append(f"layout_drift: {self.fallback} of {pages} pages read by the generic fallback")
        return {"site": self.site, "pages": pages, "own": self.own, "fallback": self.fallback, "failed": failed,
                "empty": {name: self.empty[name] for name in WATCHED_FIELDS if self.empty[name]},
                "problems": problems}


    def report(self) -> dict[str, Any]:
        """The run-history report (newscrawl.runs): a crawl's site report, the check's problems as its flags."""
        assert self.crawler.stats
        settings = self.crawler.settings
        row = self.row()
        report = site_report(self.site, self.crawler.stats.get_stats(), settings.getfloat("NEWSCRAWL_MAX_MISSING_SHARE"),
                             settings.getfloat("NEWSCRAWL_MAX_FALLBACK_SHARE"))
        report["flags"] = row["problems"]
        report["layouts"] = {k: row[k] for k in ("own", "fallback", "failed", "empty")}
        return report


def table(rows: list[dict[str, Any]]) -> str:
    header = ("site", "pages", "own", "fallback", "failed", "empty fields")
    lines = [header] + [
        (r["site"], str(r["pages"]), str(r["own"]), str(r["fallback"]), str(r["failed"]),
         ", ".join(f"{name} {count}/{r['pages']}" for name, count in r["empty"].items()) or "-")
        for r in rows]
    widths = [max(len(line[i]) for line in lines) for i in range(len(header) - 1)]
    text = "\n".join("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=False)) + "  " + line[-1]
                     for line in lines)
    flags = [f"FLAG {r['site']}: {problem}" for r in rows for problem in r["problems"]]
    return "\n".join([text, *flags])
