"""``scrapy seed SPIDER [--redis-url URL] [-a NAME=VALUE] [--url URL ...] [--reset | --recover]``: put a
distributed crawl's starting points into Redis, where workers (``scrapy crawl SPIDER`` with
NEWSCRAWL_REDIS_URL set) take them from."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, ClassVar

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError
from scrapy.spiderloader import get_spider_loader
from scrapy.utils.conf import arglist_to_dict

from newscrawl.cli import add_examples
from newscrawl.spider import ArgumentError
from newscrawl.storage import ConfigError, open_storage

if TYPE_CHECKING:  # redis and scrapy-redis are imported by run(): Scrapy imports this module for every command
    import redis

    from newscrawl import distributed


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings: ClassVar[dict[str, str]] = {"LOG_LEVEL": "WARNING"}

    def syntax(self) -> str:
        return "SPIDER [--redis-url URL] [-a NAME=VALUE] [--url URL ...] [--reset | --recover]"

    def short_desc(self) -> str:
        return "Seed a distributed crawl: push the spider's discovery pages (or given URLs) into Redis"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--redis-url", help="Redis URL (default: the NEWSCRAWL_REDIS_URL setting)")
        parser.add_argument("-a", dest="spargs", action="append", default=[], metavar="NAME=VALUE",
                            help="spider argument, as for scrapy crawl (e.g. base_url)")
        parser.add_argument("--url", dest="urls", action="append", default=[],
                            help="seed this URL instead of the discovery pages (repeatable)")
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument("--reset", action="store_true",
                          help="first forget the previous crawl: queued requests and seen-URL fingerprints")
        mode.add_argument("--recover", action="store_true",
                          help="after a worker died: keep as seen only the articles in NEWSCRAWL_DATABASE "
                               "and the queued requests, so the next run fetches exactly what is missing")
        add_examples(parser, "scrapy seed etoday --redis-url redis://127.0.0.1:6379/0 --reset",
                     "scrapy seed etoday --recover   # after a worker was killed")

    def fail(self, message: str, code: int = 1) -> None:
        print(f"scrapy seed: {message}", file=sys.stderr)
        self.exitcode = code

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("give exactly one spider name")
        assert self.settings is not None
        import redis

        from newscrawl import distributed

        url = opts.redis_url or distributed.redis_url(self.settings)
        if not url:
            return self.fail(f"no Redis: give --redis-url or set {distributed.REDIS_URL}", 2)
        try:
            spidercls = get_spider_loader(self.settings).load(args[0])
            spider = spidercls(**arglist_to_dict(opts.spargs))
        except KeyError:
            return self.fail(f"no spider named {args[0]!r}", 2)
        except (ArgumentError, ValueError) as error:
            return self.fail(str(error), 2)
        server = redis.Redis.from_url(url)
        keys = distributed.RedisKeys(self.settings, spider.name)
        try:
            server.ping()
            if opts.reset:
                distributed.reset(server, keys)
            if opts.recover and not self.recover(server, keys):
                return
            seeds = [distributed.seed(u, self.kind(spider, u)) for u in opts.urls] or distributed.discovery_seeds(spider)
            pushed = distributed.push_seeds(server, keys, seeds)
        except redis.RedisError as error:
            return self.fail(f"Redis at {url}: {error}")
        print(f"scrapy seed: {pushed} seeds in {keys.seeds}, {server.zcard(keys.requests)} requests queued, "
              f"{server.scard(keys.dupefilter)} fingerprints", file=sys.stderr)

    def recover(self, server: redis.Redis, keys: distributed.RedisKeys) -> bool:
        from newscrawl import distributed

        assert self.settings is not None
        try:
            storage = open_storage(self.settings["NEWSCRAWL_DATABASE"])
        except ConfigError as error:
            self.fail(str(error))
            return False
        try:
            done = storage.done_urls()
        finally:
            storage.close()
        kept = distributed.recover(server, keys, done)
        print(f"scrapy seed: recovered: {len(done)} URLs done in the database, {kept} fingerprints kept",
              file=sys.stderr)
        return True

    @staticmethod
    def kind(spider: object, url: str) -> str:
        pattern = getattr(spider, "article_url", None)
        return "article" if pattern is not None and pattern.search(url) else "discovery"
