"""Distributed crawling on scrapy-redis: any newscrawl spider, run by several workers that share one Redis.

- ``DistributedCrawl`` (a Scrapy add-on) turns it on when NEWSCRAWL_REDIS_URL is set: the scrapy-redis
  scheduler and dupefilter (one shared request queue ``<spider>:requests`` and one fingerprint set
  ``<spider>:dupefilter``, kept between runs: SCHEDULER_PERSIST) and the ``RedisStartMiddleware``.
- ``RedisStartMiddleware`` replaces the spider's own start (its discovery pages) with the seeds of the Redis
  list ``<spider>:start_urls``, which ``scrapy seed SPIDER`` fills, and keeps an idle worker waiting while
  other workers are active; it closes NEWSCRAWL_REDIS_IDLE_CLOSE seconds after all went quiet (0: never).
  scrapy-redis' own RedisSpider reads seeds in ``start_requests``, which Scrapy 2.19 no longer calls: this
  middleware does the same through ``process_start`` without changing the spider classes.
- Every article is stored once across workers because storage upserts by canonical URL.

A worker killed without warning loses the requests it had taken from the queue (and its uncommitted
database batch), whose fingerprints stay in the shared dupefilter; ``scrapy seed SPIDER --recover`` rebuilds
the fingerprints from the database's crawl state and re-seeds, so that the next run fetches exactly the
articles that are not in the database (see ``recover``).
"""

from __future__ import annotations

import json
import logging
import os
import pickle
import socket
import time
from collections.abc import AsyncIterator, Iterable
from typing import TYPE_CHECKING, Any

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy.settings import SETTINGS_PRIORITIES, BaseSettings
from scrapy.utils.misc import load_object
from twisted.internet import task

if TYPE_CHECKING:  # redis and scrapy-redis are imported where used: the add-on is loaded by every crawl
    import redis

logger = logging.getLogger(__name__)

REDIS_URL = "NEWSCRAWL_REDIS_URL"
IDLE_CLOSE = "NEWSCRAWL_REDIS_IDLE_CLOSE"
DEFAULT_IDLE_CLOSE = 10.0  # seconds a worker waits, once every worker is idle, before it closes
ACTIVE_WINDOW = 10.0  # a worker that reported activity this recently counts as busy
POLL_INTERVAL = 0.5  # seconds between looks at the shared queue while the engine is idle
ADDON = "newscrawl.distributed.DistributedCrawl"


def redis_url(settings: BaseSettings) -> str:
    return settings.get(REDIS_URL) or os.environ.get(REDIS_URL, "")


def worker_settings(url: str, idle_close: float | None = None) -> dict[str, str]:
    """The ``-s`` settings that make ``scrapy crawl`` a worker (the add-on is in the project's ADDONS)."""
    settings = {REDIS_URL: url}
    if idle_close is not None:
        settings[IDLE_CLOSE] = str(idle_close)
    return settings


class RedisKeys:
    """The Redis keys of one spider, as scrapy-redis names them (overridable with its settings)."""

    def __init__(self, settings: BaseSettings, spider_name: str):
        from scrapy_redis import defaults

        self.seeds = settings.get("REDIS_START_URLS_KEY", defaults.START_URLS_KEY) % {"name": spider_name}
        self.requests = settings.get("SCHEDULER_QUEUE_KEY", defaults.SCHEDULER_QUEUE_KEY) % {"spider": spider_name}
        self.dupefilter = settings.get("SCHEDULER_DUPEFILTER_KEY",
                                       defaults.SCHEDULER_DUPEFILTER_KEY) % {"spider": spider_name}
        self.workers = f"{spider_name}:workers"  # sorted set: worker id -> last activity (unix time)


class DistributedCrawl:
    """Scrapy add-on; does nothing unless NEWSCRAWL_REDIS_URL is set."""

    def update_settings(self, settings: BaseSettings) -> None:
        url = redis_url(settings)
        if not url:
            return
        settings.set("REDIS_URL", url, "addon")
        # Required, whatever the project says (its per-run dupefilter would let every worker fetch everything).
        for name, value in (("SCHEDULER", "scrapy_redis.scheduler.Scheduler"),
                            ("DUPEFILTER_CLASS", "scrapy_redis.dupefilter.RFPDupeFilter")):
            settings.set(name, value, max(settings.getpriority(name) or 0, SETTINGS_PRIORITIES["addon"]))
        # Persist: the first worker to finish must not delete the queue and fingerprints the others use.
        settings.set("SCHEDULER_PERSIST", True, "addon")
        settings.set_in_component_priority_dict("SPIDER_MIDDLEWARES", RedisStartMiddleware, 990)  # next to the spider


def seed(url: str, kind: str) -> str:
    """One entry of the seed list: a discovery page (feed, sitemap, list) or an article page."""
    return json.dumps({"url": url, "kind": kind})


def seed_request(spider: Spider, data: bytes | str) -> Request:
    """The request for a seed; seeds are always fetched (dont_filter), what they link is deduplicated."""
    entry = json.loads(data)
    if entry.get("kind") == "article" and hasattr(spider, "article_request"):
        return spider.article_request(entry["url"]).replace(dont_filter=True)
    if hasattr(spider, "parse_discovery"):
        return Request(entry["url"], callback=spider.parse_discovery, errback=spider.discovery_failed,
                       dont_filter=True)
    return Request(entry["url"], dont_filter=True)


class RedisStartMiddleware:
    def __init__(self, crawler: Crawler):
        url = redis_url(crawler.settings)
        if not url:
            raise NotConfigured(f"{REDIS_URL} is empty")
        import redis

        self.crawler = crawler
        self.server = redis.Redis.from_url(url)
        self.batch = crawler.settings.getint("CONCURRENT_REQUESTS", 16)
        self.idle_close = crawler.settings.getfloat(IDLE_CLOSE, DEFAULT_IDLE_CLOSE)
        self.worker = f"{socket.gethostname()}:{os.getpid()}"
        self.idle_since: float | None = None
        self.last_report = 0.0
        self.keys: RedisKeys | None = None
        self.poller = task.LoopingCall(self.wake_when_work_arrives)
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(self.response_received, signal=signals.response_received)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedisStartMiddleware:
        return cls(crawler)

    @property
    def spider(self) -> Spider:
        assert self.crawler.spider
        return self.crawler.spider

    def _keys(self) -> RedisKeys:
        if self.keys is None:
            self.keys = RedisKeys(self.crawler.settings, self.spider.name)
        return self.keys

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        # The spider's own start is not read: its discovery pages are seeds that `scrapy seed` put in Redis.
        logger.info("worker %s reads seeds from Redis key %s", self.worker, self._keys().seeds)
        self.report_activity(force=True)
        for request in self.pop_seeds():
            yield request

    def pop_seeds(self) -> list[Request]:
        popped = self.server.lpop(self._keys().seeds, self.batch) or []
        if popped:
            self.crawler.stats.inc_value("newscrawl/redis/seeds", len(popped))
        return [seed_request(self.spider, data) for data in popped]

    def report_activity(self, force: bool = False) -> None:
        now = time.time()
        if force or now - self.last_report >= 1.0:
            self.server.zadd(self._keys().workers, {self.worker: now})
            self.last_report = now

    def others_active(self) -> bool:
        since = time.time() - ACTIVE_WINDOW
        active = self.server.zrangebyscore(self._keys().workers, since, "+inf")
        return any(worker.decode() != self.worker for worker in active)

    def response_received(self) -> None:
        self.report_activity()

    def spider_opened(self) -> None:
        self.poller.start(POLL_INTERVAL, now=False)

    def wake_when_work_arrives(self) -> None:
        """An idle engine looks at the shared queue only every 5 s (its heartbeat): when another worker has
        queued requests, take one, which wakes the engine up to take the rest at once."""
        engine = self.crawler.engine
        if engine is None or engine.downloader.active or not self.server.zcard(self._keys().requests):
            return
        from scrapy_redis import defaults

        queue = load_object(self.crawler.settings.get("SCHEDULER_QUEUE_CLASS", defaults.SCHEDULER_QUEUE_CLASS))
        request = queue(self.server, self.spider, self._keys().requests,
                        load_object(self.crawler.settings.get("SCHEDULER_SERIALIZER", "scrapy_redis.picklecompat"))
                        ).pop()
        if request is not None:
            engine.crawl(request.replace(dont_filter=True))  # already through the dupefilter once

    def spider_idle(self) -> None:
        self.server.zrem(self._keys().workers, self.worker)  # idle: nobody needs to wait for this worker
        self.last_report = 0.0  # its next response makes it active again at once
        requests = self.pop_seeds()
        for request in requests:
            self.crawler.engine.crawl(request)
        if requests or self.others_active():
            self.idle_since = None
            raise DontCloseSpider
        now = time.monotonic()
        self.idle_since = self.idle_since or now
        if self.idle_close <= 0 or now - self.idle_since < self.idle_close:
            raise DontCloseSpider
        logger.info("worker %s closes: no seeds, no queued requests, no active worker for %.0f s",
                    self.worker, now - self.idle_since)

    def spider_closed(self) -> None:
        if self.poller.running:
            self.poller.stop()
        self.server.zrem(self._keys().workers, self.worker)


# --- seeding (``scrapy seed``) ---------------------------------------------------------------------

def discovery_seeds(spider: Spider) -> list[str]:
    """The spider's discovery pages (feeds, sitemaps, list pages) as seeds."""
    return [seed(spider.resolve(path), "discovery") for path in getattr(spider, "discovery_paths", ())]


def push_seeds(server: redis.Redis, keys: RedisKeys, seeds: Iterable[str]) -> int:
    entries = list(seeds)
    if entries:
        server.rpush(keys.seeds, *entries)
    return len(entries)


def reset(server: redis.Redis, keys: RedisKeys) -> None:
    """Forget the crawl: seeds, queued requests, fingerprints and worker records."""
    server.delete(keys.seeds, keys.requests, keys.dupefilter, keys.workers)


def fingerprints(server: redis.Redis, keys: RedisKeys, urls: Iterable[str]) -> set[str]:
    from scrapy_redis.dupefilter import RFPDupeFilter

    fingerprint = RFPDupeFilter(server, keys.dupefilter).request_fingerprint
    return {fingerprint(Request(url)) for url in urls}


def queued_fingerprints(server: redis.Redis, keys: RedisKeys) -> set[str]:
    """Fingerprints of the requests still in the shared queue (scrapy-redis pickles request dicts)."""
    from scrapy_redis.dupefilter import RFPDupeFilter

    fingerprint = RFPDupeFilter(server, keys.dupefilter).request_fingerprint
    found = set()
    for data in server.zrange(keys.requests, 0, -1):
        entry = pickle.loads(data)  # our own queue, written by scrapy-redis workers
        found.add(fingerprint(Request(entry["url"], method=entry.get("method", "GET"), body=entry.get("body"))))
    return found


def recover(server: redis.Redis, keys: RedisKeys, done_urls: Iterable[str]) -> int:
    """After a worker died: rebuild the fingerprint set from what is really done (the database's crawl state,
    committed with the articles) and what is still queued, so that crawling the discovery pages again fetches
    exactly the missing articles. Returns the number of fingerprints kept."""
    keep = fingerprints(server, keys, done_urls) | queued_fingerprints(server, keys)
    with server.pipeline() as pipe:
        pipe.delete(keys.dupefilter, keys.workers)
        if keep:
            pipe.sadd(keys.dupefilter, *keep)
        pipe.execute()
    return len(keep)
