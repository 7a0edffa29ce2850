"""``scrapy reextract [--site NAME,...] [--since D] [--until D] [--failed] [--outdated] [-j N]``: today's page
objects and pipeline chain over the raw pages stored in NEWSCRAWL_DATABASE (see newscrawl/reextract.py)."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from newscrawl.cli import add_examples, open_existing
from newscrawl.clock import now_kst
from newscrawl.reextract import Reextraction, Selection
from newscrawl.runs import record_run
from newscrawl.sinks import check_sinks
from newscrawl.sites import all_sites
from newscrawl.storage import ConfigError, describe, storage_errors


def _day(value: str | None, name: str) -> str | None:
    """YYYY-MM-DD; ValueError (one sentence) otherwise."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise ValueError(f"--{name} must be a date YYYY-MM-DD, not {value!r}") from None


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False  # no engine: the raw pages come from the database

    def syntax(self) -> str:
        return "[--site NAME,...] [--since YYYY-MM-DD] [--until YYYY-MM-DD] [--failed] [--outdated] [-j N]"

    def short_desc(self) -> str:
        return "Re-run extraction over stored raw pages with today's parsers; changes become revisions"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--site", help="only these sites (comma-separated)")
        parser.add_argument("--since", help="pages fetched on or after this day")
        parser.add_argument("--until", help="pages fetched on or before this day")
        parser.add_argument("--failed", action="store_true", help="pages stored with a parse error")
        parser.add_argument("--outdated", action="store_true",
                            help="pages read by an older version of their page object or by the fallback")
        parser.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1,
                            help="worker processes (default: every core)")
        add_examples(parser, "scrapy reextract --failed            # pages no parser could read, after adding one",
                     "scrapy reextract --outdated --site hani   # after a page object's version bump",
                     "scrapy reextract --since 2026-11-01 -j 2")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if args:
            raise UsageError("reextract takes no positional arguments")
        sites = tuple(s.strip() for s in (opts.site or "").split(",") if s.strip())
        unknown = [s for s in sites if s not in all_sites()]
        if unknown:
            return self.fail(f"unknown site {', '.join(unknown)}; known: {', '.join(sorted(all_sites()))}", 2)
        if opts.jobs < 1:
            return self.fail("-j must be at least 1", 2)
        try:
            open_existing(self.settings.get("NEWSCRAWL_DATABASE")).close()  # never creates an empty database
            check_sinks(self.settings)
        except ConfigError as error:
            return self.fail(str(error), 1)
        try:
            since, until = _day(opts.since, "since"), _day(opts.until, "until")
        except ValueError as error:
            return self.fail(str(error), 2)
        selection = Selection(sites, since, until, opts.failed, opts.outdated)
        run = Reextraction(self.settings, selection, opts.jobs)
        started_at = now_kst()
        try:
            run.run()
        except ConfigError as error:
            return self.fail(str(error), 1)
        except ChildProcessError as error:  # a worker killed (e.g. out of memory): what was committed stays
            self.fail(f"stopped: {error} (run the same command to resume)", 1)
        except (OSError, *storage_errors()) as error:  # a sink failed: what was committed stays consistent
            self.fail(f"stopped, a sink failed: {describe(error)} (fix it and run the same command to resume)", 1)
        else:
            self.exitcode = 1 if run.all_failed else 0
        print(f"newscrawl {run.summary()}", file=sys.stderr)
        reports = run.reports()
        for report in reports:
            for flag in report["flags"]:
                print(f"  FLAG {report['site']}: {flag}", file=sys.stderr)
        record_run(self.settings["NEWSCRAWL_DATABASE"], "reextract", started_at, self.exitcode, reports)

    def fail(self, message: str, code: int) -> None:
        print(f"scrapy reextract: {message}", file=sys.stderr)
        self.exitcode = code
