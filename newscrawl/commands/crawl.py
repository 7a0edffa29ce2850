"""``scrapy crawl`` that tells an unattended caller whether the run worked: a one-line summary, and a
non-zero exit when the spider did not finish cleanly or no page at all could be fetched."""

from __future__ import annotations

import argparse
import sys

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError

from newscrawl.spider import ArgumentError


class Command(ScrapyCrawlCommand):
    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("give exactly one spider name")
        assert self.crawler_process
        crawler = self._create_crawler(args[0])
        try:
            validate = getattr(crawler.spidercls, "validate_arguments", None)
            if validate:
                validate(**opts.spargs)
        except ArgumentError as error:
            print(f"scrapy crawl: {error}", file=sys.stderr)
            self.exitcode = 2
            return
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        if self.crawler_process.bootstrap_failed:
            self.exitcode = 1
            return
        self.exitcode = max(self.exitcode, report(crawler.stats.get_stats(), args[0]))


def report(stats: dict, spider: str) -> int:
    """Print the run summary; return the exit code it deserves."""
    responses = stats.get("response_received_count", 0)
    articles = stats.get("item_scraped_count", 0)
    errors = {k.rsplit("/", 1)[-1]: v for k, v in stats.items() if k.startswith("downloader/exception_type_count/")}
    reason = stats.get("finish_reason")
    print(f"newscrawl {spider}: {responses} responses, {articles} items scraped, "
          f"{stats.get('item_dropped_count', 0)} dropped, finish reason {reason}", file=sys.stderr)
    if responses == 0:
        detail = ", ".join(f"{name} x{count}" for name, count in errors.items()) or "no response"
        print(f"newscrawl {spider}: no page could be fetched ({detail}); check the network connection "
              f"or the -a base_url", file=sys.stderr)
        return 1
    return 0 if reason == "finished" else 1
