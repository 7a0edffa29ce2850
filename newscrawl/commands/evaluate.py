"""``scrapy evaluate [--site NAME] [--json PATH] [--markdown]``: accuracy of our chain and of trafilatura on
every hand-annotated page, per site and overall."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import ClassVar

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from newscrawl.cli import add_examples
from newscrawl.evaluate import (
    DEFAULT_CORRECTIONS_DIR,
    DEFAULT_RAW_DIR,
    DEFAULT_TRUTH_DIR,
    CorpusMissingError,
    as_json,
    evaluate,
    load_truth,
    markdown_table,
    text_table,
)
from newscrawl.sites import all_sites


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False  # no engine: pages are read from disk; keeps Scrapy's startup log quiet
    default_settings: ClassVar[dict[str, str]] = {"LOG_LEVEL": "ERROR"}

    def syntax(self) -> str:
        return "[--site NAME] [--json PATH] [--markdown] [--truth-dir DIR --raw-dir DIR]"

    def short_desc(self) -> str:
        return "Score our extraction and trafilatura against the hand-annotated corpus pages"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--site", help="only the truth pages of this site")
        parser.add_argument("--parser", help="run every page through this site module instead of its own "
                                             "(e.g. generic, to score the fallback)")
        parser.add_argument("--json", dest="json_path", help="also write the figures (and per-page scores) here")
        parser.add_argument("--markdown", action="store_true", help="print a Markdown table for the README")
        parser.add_argument("--truth-dir", type=Path, default=DEFAULT_TRUTH_DIR, help="<site>/*.json truth files")
        parser.add_argument("--raw-dir", type=Path, default=DEFAULT_RAW_DIR, help="raw pages named by 'file'")
        parser.add_argument("--corrections-dir", type=Path, default=DEFAULT_CORRECTIONS_DIR,
                            help="<site>/<page>.json corrections applied over the truth")
        add_examples(parser, "scrapy evaluate --site naver", "scrapy evaluate --markdown --json data/accuracy.json")

    def fail(self, message: str) -> None:
        print(f"scrapy evaluate: {message}", file=sys.stderr)
        self.exitcode = 1

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if args:
            raise UsageError("scrapy evaluate takes no positional arguments")
        if opts.parser and opts.parser not in all_sites():
            return self.fail(f"unknown parser {opts.parser!r}; known: {', '.join(sorted(all_sites()))}")
        try:
            pages = load_truth(opts.truth_dir, opts.raw_dir, opts.corrections_dir, opts.site)
        except CorpusMissingError as error:
            return self.fail(str(error))
        if not pages:
            return self.fail(f"no truth pages{' for site ' + repr(opts.site) if opts.site else ''} "
                             f"under {opts.truth_dir}")
        logging.getLogger("trafilatura").setLevel(logging.ERROR)  # "discarding data" is a score, not news
        results, reports, overall = evaluate(pages, self.settings, opts.parser)
        print(markdown_table(reports, overall) if opts.markdown else text_table(reports, overall))
        if opts.json_path:
            Path(opts.json_path).write_text(json.dumps(as_json(results, reports, overall), ensure_ascii=False,
                                                       indent=1) + "\n", encoding="utf-8")
