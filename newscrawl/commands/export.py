"""``scrapy export [--kind article|ticker] [--format csv|jsonl|parquet] [--site NAME] [--since DAY]
[--until DAY] [--out PATH]``: the stored articles or tickers for analysts, streamed (see newscrawl/export.py)."""

from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path
from typing import ClassVar

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from newscrawl import export
from newscrawl.cli import add_examples, first_line, open_existing, quiet_broken_pipe
from newscrawl.storage import ConfigError


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings: ClassVar[dict[str, str]] = {"LOG_LEVEL": "WARNING"}

    def syntax(self) -> str:
        return "[--kind article|ticker] [--format csv|jsonl|parquet] [--site NAME] [--since DAY] [--until DAY] [--out PATH]"

    def short_desc(self) -> str:
        return "Export stored articles or tickers as CSV, JSON lines or Parquet"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--kind", choices=export.KINDS, default="article", help="what to export (article)")
        parser.add_argument("--format", choices=export.FORMATS,
                            help="output format (default: from --out's extension, else jsonl)")
        parser.add_argument("--site", help="only this site")
        parser.add_argument("--since", help="published on or after this day (YYYY-MM-DD, KST)")
        parser.add_argument("--until", help="published on or before this day (YYYY-MM-DD, KST)")
        parser.add_argument("--out", "-O", dest="out", help="file to write (default: stdout; parquet needs a file)")
        add_examples(parser,
                     "scrapy export --kind article --site etoday --since 2026-11-01 --out articles.parquet",
                     "scrapy export --kind ticker --format csv | head")

    def fail(self, message: str, code: int = 1) -> None:
        print(f"scrapy export: {message}", file=sys.stderr)
        self.exitcode = code

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if args:
            raise UsageError(f"unexpected argument {args[0]!r}")
        fmt = opts.format or (Path(opts.out).suffix.lstrip(".") if opts.out else "jsonl")
        if fmt not in export.FORMATS:
            return self.fail(f"cannot tell the format from {opts.out!r}: give --format csv, jsonl or parquet", 2)
        if fmt == "parquet" and not opts.out:
            return self.fail("parquet is binary: give --out PATH", 2)
        try:
            export.day_bounds(opts.since, opts.until)
            storage = open_existing(self.settings["NEWSCRAWL_DATABASE"])
        except (export.ExportError, ConfigError) as error:
            return self.fail(str(error), 2 if isinstance(error, export.ExportError) else 1)
        try:
            rows = export.iter_rows(storage, opts.kind, opts.site, opts.since, opts.until)
            if opts.out:
                mode = "wb" if fmt == "parquet" else "w"
                with open(opts.out, mode, **({} if fmt == "parquet" else {"encoding": "utf-8", "newline": ""})) as out:
                    count = export.write(rows, opts.kind, fmt, out)
                print(f"scrapy export: {count} {opts.kind}s written to {opts.out}", file=sys.stderr)
            else:
                export.write(rows, opts.kind, fmt, sys.stdout)
                sys.stdout.flush()
        except BrokenPipeError:
            quiet_broken_pipe()
        except export.ExportError as error:
            self.fail(str(error))
        except OSError as error:
            self.fail(f"cannot write {opts.out}: {error.strerror or error}")
        except Exception as error:  # a database lost mid-export: one line, not a traceback
            self.fail(f"export stopped: {first_line(error)}")
        finally:
            with contextlib.suppress(Exception):  # a lost database is already reported above
                storage.close()
