"""``scrapy crawl`` that tells an unattended caller whether the run worked: a short summary, the run report
(JSON) when NEWSCRAWL_REPORT_FILE is set, and a non-zero exit when the report raises a flag."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.crawler import Crawler
from scrapy.exceptions import UsageError
from scrapy.settings import Settings

from newscrawl.cli import add_examples, database_problem
from newscrawl.clock import now_kst
from newscrawl.report import site_report, summary_line
from newscrawl.runs import record_run
from newscrawl.sinks import check_sinks
from newscrawl.spider import ArgumentError
from newscrawl.storage import ConfigError, describe


def validate_arguments(crawler: Crawler, spargs: dict[str, Any]) -> None:
    validate = getattr(crawler.spidercls, "validate_arguments", None)
    if validate:
        validate(**spargs)


def sinks_usable(command: str, settings: Settings) -> bool:
    """False, after one line on stderr, when the database or a feed cannot be used (newscrawl/sinks.py)."""
    try:
        check_sinks(settings)
    except ConfigError as error:
        print(f"scrapy {command}: {error}", file=sys.stderr)
        return False
    return True


def finish(crawlers: list[Crawler], settings: Settings, command: str, started_at: str) -> int:
    """Print each site's summary, write the JSON report, append the run to the history, and return the exit
    code the run deserves."""
    share = settings.getfloat("NEWSCRAWL_MAX_MISSING_SHARE")
    fallback_share = settings.getfloat("NEWSCRAWL_MAX_FALLBACK_SHARE")
    reports = [site_report(c.spidercls.name, c.stats.get_stats(), share, fallback_share) for c in crawlers]
    for report in reports:
        print(f"newscrawl {summary_line(report)}", file=sys.stderr)
    path = settings.get("NEWSCRAWL_REPORT_FILE")
    failed = any(r["flags"] for r in reports)
    if path:
        document = {"ok": not failed, "sites": reports}
        try:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            Path(path).write_text(json.dumps(document, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
        except OSError as error:
            print(f"newscrawl: cannot write the run report {path}: {describe(error)}", file=sys.stderr)
            failed = True
    exit_code = 1 if failed else 0
    if settings.get("NEWSCRAWL_DATABASE"):
        record_run(settings["NEWSCRAWL_DATABASE"], command, started_at, exit_code, reports)
    return exit_code


def start_problem(settings: Settings) -> str | None:
    """What stops a run before it starts (one sentence), e.g. a database that cannot be reached."""
    return database_problem(settings.get("NEWSCRAWL_DATABASE"))


class Command(ScrapyCrawlCommand):
    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        add_examples(parser, "scrapy crawl etoday -a since=2026-11-01 -a max_pages=50",
                     "scrapy crawl naver -a base_url=http://127.0.0.1:8000   # a mirror or test server")

    def fail(self, message: str, code: int) -> None:
        print(f"scrapy crawl: {message}", file=sys.stderr)
        self.exitcode = code

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("give exactly one spider name")
        assert self.crawler_process
        known = sorted(self.crawler_process.spider_loader.list())
        if args[0] not in known:
            return self.fail(f"no spider named {args[0]!r}; known: {', '.join(known)}", 2)
        crawler = self._create_crawler(args[0])
        try:
            validate_arguments(crawler, opts.spargs)
        except ArgumentError as error:
            return self.fail(str(error), 2)
        if problem := start_problem(self.settings):
            return self.fail(problem, 1)
        if not sinks_usable("crawl", self.settings):
            self.exitcode = 1
            return
        started_at = now_kst()
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        if self.crawler_process.bootstrap_failed:
            self.exitcode = 1
            return
        self.exitcode = max(self.exitcode, finish([crawler], self.settings, "crawl", started_at))
