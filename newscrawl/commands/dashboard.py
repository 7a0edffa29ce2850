"""``scrapy dashboard [--out PATH] [--days N]``: the run history and ticker prices as one static HTML page
(see newscrawl/dashboard.py)."""

from __future__ import annotations

import argparse
import contextlib
import sys
from datetime import datetime
from pathlib import Path
from typing import ClassVar

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from newscrawl import dashboard, export
from newscrawl.cli import add_examples, first_line, open_existing
from newscrawl.dates import KST
from newscrawl.storage import ConfigError


def positive_int(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"{value!r} is not a positive number of days")
    return int(value)


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings: ClassVar[dict[str, str]] = {"LOG_LEVEL": "WARNING"}

    def syntax(self) -> str:
        return "[--out PATH] [--days N]"

    def short_desc(self) -> str:
        return "Write the run history and ticker prices as one self-contained HTML page"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--out", "-O", dest="out", help="where to write it (default: DATA_DIR/dashboard.html)")
        parser.add_argument("--days", type=positive_int, default=30, help="how many days back (30)")
        add_examples(parser, "scrapy dashboard --days 7 --out data/dashboard.html   # then open it in a browser")

    def fail(self, message: str) -> None:
        print(f"scrapy dashboard: {message}", file=sys.stderr)
        self.exitcode = 1

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if args:
            raise UsageError(f"unexpected argument {args[0]!r}")
        assert self.settings is not None
        out = Path(opts.out or Path(self.settings["NEWSCRAWL_DATA_DIR"]) / "dashboard.html")
        now = datetime.now(KST)
        since = dashboard.window_start(now, opts.days)
        try:
            storage = open_existing(self.settings["NEWSCRAWL_DATABASE"])
        except ConfigError as error:
            return self.fail(str(error))
        try:
            runs = storage.runs(since=since)
            tickers = list(export.iter_rows(storage, "ticker", since=since[:10]))
            page = dashboard.render(runs, tickers, opts.days, now.isoformat(timespec="seconds"))
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(page, encoding="utf-8")
        except OSError as error:
            return self.fail(f"cannot write {out}: {error.strerror or error}")
        except Exception as error:  # a database lost or a damaged history: one line, not a traceback
            return self.fail(f"no dashboard: {first_line(error)}")
        finally:
            with contextlib.suppress(Exception):
                storage.close()
        print(f"scrapy dashboard: {len(runs)} runs, {len(tickers)} ticker quotes -> {out}", file=sys.stderr)
