"""``scrapy extract PATH --url URL [--site NAME] [--store]``: one saved page through the same extraction and
pipeline chain as a crawl, printed as JSON lines (article first, then tickers)."""

from __future__ import annotations

import argparse
import os
import stat
import sys
from pathlib import Path
from urllib.parse import urlsplit

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from newscrawl.chain import ItemChain
from newscrawl.clock import now_kst
from newscrawl.dates import parse_datetime
from newscrawl.exporters import dumps
from newscrawl.extract import UndecodableError, decode_page, extract_html, extract_rendered_text
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

    def read_page(self, path: Path) -> bytes | None:
        """The file's bytes, or None after one error line: missing, not a regular file, over DOWNLOAD_MAXSIZE."""
        try:
            mode = path.stat().st_mode
        except FileNotFoundError:
            return self.fail(f"no such file: {path}")
        except OSError as error:
            return self.fail(f"cannot read {path}: {error.strerror}")
        if stat.S_ISDIR(mode):
            return self.fail(f"{path} is a directory, not a saved page")
        if not stat.S_ISREG(mode):  # a FIFO or device would block or never end
            kind = "a FIFO" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode) else "a device"
            return self.fail(f"{path} is {kind}, not a saved page")
        limit = self.settings.getint("DOWNLOAD_MAXSIZE")
        try:
            with path.open("rb") as page:
                body = page.read(limit + 1) if limit else page.read()
        except OSError as error:
            return self.fail(f"cannot read {path}: {error.strerror}")
        if limit and len(body) > limit:  # the crawl refuses such a page too; never read it whole
            return self.fail(f"{path} is larger than DOWNLOAD_MAXSIZE ({limit} bytes)")
        return body

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("give exactly one PATH")
        parts = urlsplit(opts.url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return self.fail(f"--url must be an http or https URL with a host, not {opts.url!r}")
        path = Path(args[0])
        body = self.read_page(path)
        if body is None:
            return None
        try:
            if path.suffix.lower() == ".txt":
                try:
                    text = body.decode("utf-8-sig")
                except UnicodeDecodeError:
                    raise UndecodableError(f"{path} is not UTF-8 text") from None
                extracted = extract_rendered_text(opts.url, text, opts.site)
            else:
                decoded = decode_page(body)
                if decoded.replaced:
                    print(f"scrapy extract: {decoded.replaced} undecodable byte(s) in {decoded.encoding} replaced "
                          f"by U+FFFD", file=sys.stderr)
                extracted = extract_html(opts.url, decoded.text, opts.site)
        except (UnknownSiteError, UndecodableError) as error:
            return self.fail(str(error).strip("'\""))
        except ExtractionError as error:
            return self.fail(f"cannot extract {path}: {error}")
        for name, value in extracted.impossible_dates:
            print(f"scrapy extract: impossible {name} {value!r} ignored", file=sys.stderr)
        article = extracted.article
        if article and parse_datetime(article.published_at) is None:  # as a crawl: the page whole or not at all
            dropped = f" (and its {len(extracted.tickers)} tickers)" if extracted.tickers else ""
            return self.fail(f"dropped: article without published_at: {opts.url}{dropped}")
        fetched_at = now_kst()
        for item in extracted.items():
            item.fetched_at = fetched_at
        try:
            chain = ItemChain(self.settings, store=opts.store)
        except ConfigError as error:
            return self.fail(str(error))
        kept, dropped = chain.process(extracted.items())
        chain.close()
        try:
            for item in kept:
                print(dumps(item))
            sys.stdout.flush()
        except BrokenPipeError:  # the reader (e.g. `| head`) has what it wanted
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
            self.exitcode = 1
            return None
        for reason in dropped:
            print(f"dropped: {reason}", file=sys.stderr)
        if dropped and not any(getattr(i, "type", "") == "article" for i in kept):
            self.exitcode = 1
        return None
