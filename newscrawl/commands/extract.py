"""``scrapy extract PATH --url URL [--site NAME] [--store]``: one saved page through the same extraction and
pipeline chain as a crawl, printed as JSON lines (article first, then tickers)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from newscrawl.chain import ItemChain
from newscrawl.clock import now_kst
from newscrawl.exporters import dumps
from newscrawl.extract import UndecodableError, decode_html, extract_html, extract_rendered_text
from newscrawl.pages import ExtractionError
from newscrawl.sites import UnknownSiteError
from newscrawl.storage import ConfigError


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False  # no engine, so no start-up log: stdout is the items, stderr the problems

    def syntax(self) -> str:
        return "PATH --url URL [--site NAME] [--store]"

    def short_desc(self) -> str:
        return "Extract one saved page (HTML, or rendered text for .txt) and print its items as JSON lines"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--url", required=True, help="the page's original URL (site, canonical URL, links)")
        parser.add_argument("--site", help="site name; by default the site serving the URL's host")
        parser.add_argument("--store", action="store_true", help="also store the items in NEWSCRAWL_DATABASE")

    def fail(self, message: str) -> None:
        print(f"scrapy extract: {message}", file=sys.stderr)
        self.exitcode = 1

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("give exactly one PATH")
        path = Path(args[0])
        if not path.is_file():
            return self.fail(f"no such file: {path}")
        body = path.read_bytes()
        try:
            if path.suffix.lower() == ".txt":
                try:
                    text = body.decode("utf-8-sig")
                except UnicodeDecodeError:
                    raise UndecodableError(f"{path} is not UTF-8 text") from None
                extracted = extract_rendered_text(opts.url, text, opts.site)
            else:
                html, _ = decode_html(body)
                extracted = extract_html(opts.url, html, opts.site)
        except (UnknownSiteError, UndecodableError) as error:
            return self.fail(str(error).strip("'\""))
        except ExtractionError as error:
            return self.fail(f"cannot extract {path}: {error}")
        fetched_at = now_kst()
        for item in extracted.items():
            item.fetched_at = fetched_at
        try:
            chain = ItemChain(self.settings, store=opts.store)
        except ConfigError as error:
            return self.fail(str(error))
        kept, dropped = chain.process(extracted.items())
        chain.close()
        for item in kept:
            print(dumps(item))
        for reason in dropped:
            print(f"dropped: {reason}", file=sys.stderr)
        if dropped and not any(getattr(i, "type", "") == "article" for i in kept):
            self.exitcode = 1
