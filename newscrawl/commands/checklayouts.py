"""``scrapy checklayouts [--sites a,b] [--pages K] [--store]``: the daily layout canary. For each site, discover
through its normal feeds, fetch its first K article links (feeds list the newest first), extract them as a crawl
does and print a table: pages, read by its own page objects / by the generic fallback / failed, empty fields.
Exit 1 when any site has a failure, a fallback or no page. Nothing is stored unless ``--store``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from scrapy.commands import BaseRunSpiderCommand
from scrapy.exceptions import UsageError

from newscrawl.chain import STORE_PIPELINE
from newscrawl.checklayouts import LayoutCheck, table
from newscrawl.cli import add_examples
from newscrawl.clock import now_kst
from newscrawl.commands.crawl import sinks_usable, start_problem, validate_arguments
from newscrawl.runs import record_run
from newscrawl.spider import ArgumentError


def _exists(database: str) -> bool:
    """Is there a database to append the run to? (A check never creates a SQLite file just for its history.)"""
    if not database:
        return False
    if database.startswith("sqlite:///") or "://" not in database:
        return Path(database.removeprefix("sqlite:///")).is_file()
    return True


class Command(BaseRunSpiderCommand):
    requires_project = True

    def syntax(self) -> str:
        return "[--sites NAME,NAME...] [--pages K] [--store] [-a base_url=URL]"

    def short_desc(self) -> str:
        return "Fetch each site's newest article pages and report how its page objects read them"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--sites", help="comma-separated spider names (default: every spider)")
        parser.add_argument("--pages", type=int, default=3, help="article pages per site (default 3)")
        parser.add_argument("--store", action="store_true",
                            help="also store pages and articles in NEWSCRAWL_DATABASE and the feeds")
        add_examples(parser, "scrapy checklayouts                      # every site, 3 pages each",
                     "scrapy checklayouts --sites hani,khan --pages 5")

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        if opts.pages < 1:
            raise UsageError("--pages must be at least 1", print_help=False)
        settings = self.settings
        self.history = settings.get("NEWSCRAWL_DATABASE")  # the run is recorded there (if it exists), stored or not
        settings.set("NEWSCRAWL_INCREMENTAL", False, priority="cmdline")  # the newest pages, stored or not
        settings.set("NEWSCRAWL_REPORT_FILE", "", priority="cmdline")  # a check is not a crawl's report
        if not opts.store:
            settings.set("NEWSCRAWL_DATABASE", "", priority="cmdline")
            settings.set("NEWSCRAWL_KEEP_RAW", False, priority="cmdline")
            settings.set("FEEDS", {}, priority="cmdline")
            settings.set("ITEM_PIPELINES", {**settings.getdict("ITEM_PIPELINES"), STORE_PIPELINE: None},
                         priority="cmdline")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if args:
            raise UsageError("checklayouts takes no positional arguments; use --sites")
        assert self.crawler_process
        known = sorted(self.crawler_process.spider_loader.list())
        names = [n.strip() for n in opts.sites.split(",") if n.strip()] if opts.sites else known
        unknown = [n for n in names if n not in known]
        if unknown:
            print(f"scrapy checklayouts: unknown spider {', '.join(unknown)}; known: {', '.join(known)}",
                  file=sys.stderr)
            self.exitcode = 2
            return
        spargs = {**opts.spargs, "max_pages": str(opts.pages)}
        crawlers = [self.crawler_process.create_crawler(name) for name in names]
        try:
            for crawler in crawlers:
                validate_arguments(crawler, spargs)
        except ArgumentError as error:
            print(f"scrapy checklayouts: {error}", file=sys.stderr)
            self.exitcode = 2
            return
        if opts.store and ((problem := start_problem(self.settings)) or not sinks_usable("checklayouts", self.settings)):
            if problem:
                print(f"scrapy checklayouts: {problem}", file=sys.stderr)
            self.exitcode = 1
            return
        checks = [LayoutCheck(crawler) for crawler in crawlers]
        started_at = now_kst()
        for crawler in crawlers:
            self.crawler_process.crawl(crawler, **spargs)
        self.crawler_process.start()
        if self.crawler_process.bootstrap_failed:
            self.exitcode = 1
            return
        rows = [check.row() for check in checks]
        print(table(rows))
        self.exitcode = 1 if any(row["problems"] for row in rows) else 0
        if _exists(self.history):
            record_run(self.history, "checklayouts", started_at, self.exitcode, [check.report() for check in checks])
