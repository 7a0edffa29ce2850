"""``scrapy crawlall [--sites a,b,...]``: one scheduled run of several portals in one process with shared
settings; writes the run report and exits non-zero when any site raises a flag."""

from __future__ import annotations

import argparse
import sys

from scrapy.commands import BaseRunSpiderCommand
from scrapy.exceptions import UsageError

from newscrawl.cli import add_examples
from newscrawl.clock import now_kst
from newscrawl.commands.crawl import finish, sinks_usable, start_problem, validate_arguments
from newscrawl.spider import ArgumentError


class Command(BaseRunSpiderCommand):
    requires_project = True

    def syntax(self) -> str:
        return "[--sites NAME,NAME...] [-a since=YYYY-MM-DD] [-a max_pages=N]"

    def short_desc(self) -> str:
        return "Run several portal spiders in one process and report on the run"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--sites", help="comma-separated spider names (default: every spider)")
        add_examples(parser, "scrapy crawlall --sites etoday,naver,yna -L WARNING; scrapy dashboard",
                     "scrapy crawlall -a since=2026-11-01   # every portal, a backfill window")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if args:
            raise UsageError("crawlall takes no positional arguments; use --sites")
        assert self.crawler_process
        known = sorted(self.crawler_process.spider_loader.list())
        names = [n.strip() for n in opts.sites.split(",") if n.strip()] if opts.sites else known
        unknown = [n for n in names if n not in known]
        if unknown:
            print(f"scrapy crawlall: unknown spider {', '.join(unknown)}; known: {', '.join(known)}", file=sys.stderr)
            self.exitcode = 2
            return
        crawlers = [self.crawler_process.create_crawler(name) for name in names]
        try:
            for crawler in crawlers:
                validate_arguments(crawler, opts.spargs)
        except ArgumentError as error:
            print(f"scrapy crawlall: {error}", file=sys.stderr)
            self.exitcode = 2
            return
        if problem := start_problem(self.settings):
            print(f"scrapy crawlall: {problem}", file=sys.stderr)
            self.exitcode = 1
            return
        if not sinks_usable("crawlall", self.settings):
            self.exitcode = 1
            return
        started_at = now_kst()
        for crawler in crawlers:
            self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        self.exitcode = 1 if self.crawler_process.bootstrap_failed else finish(
            crawlers, self.settings, "crawlall", started_at)
