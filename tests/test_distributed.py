"""Distributed crawling: workers sharing one Redis (scrapy-redis scheduler and dupefilter) store a generated
loopback etoday of 1,000 articles in PostgreSQL, each exactly once, also when one worker is SIGKILLed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
import redis
from scrapy.settings import Settings

from newscrawl import settings as project_settings
from newscrawl.distributed import ADDON, DistributedCrawl, RedisKeys, worker_settings
from newscrawl.storage.postgres import PostgresStorage
from tests import pg
from tests.servers import FixtureServer, Route
from tests.shared import REPO

pg_server, pg_dsn, redis_server, redis_url = pg.pg_server, pg.pg_dsn, pg.redis_server, pg.redis_url  # fixtures

ARTICLES = 1000
SITEMAPS = 10
IDLE_CLOSE = 2  # seconds a worker waits once every worker is idle


def article_page(n: int) -> bytes:
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>기사 {n}</title>
<link rel="canonical" href="{{BASE}}/news/view/{n}">
<meta property="article:published_time" content="2024-07-25T10:55:00+09:00">
<meta property="article:section" content="경제"></head>
<body><h1 class="main_title">생성된 기사 {n}번 제목</h1>
<div class="articleView" itemprop="articleBody"><p>기사 {n}의 첫 문단입니다.</p>
<p>둘째 문단은 번호 {n * 7}을 담고 있습니다.</p></div></body></html>""".encode()


def sitemap(numbers: range) -> bytes:
    urls = "".join(f"<url><loc>https://www.etoday.co.kr/news/view/{n}</loc></url>" for n in numbers)
    return f'<?xml version="1.0" encoding="UTF-8"?><urlset>{urls}</urlset>'.encode()


def generated_site() -> dict[str, Route]:
    """RSS (the 20 newest) and a sitemap index of 10 sitemaps listing all articles, as etoday's paths."""
    xml = "application/xml; charset=utf-8"
    per_sitemap = ARTICLES // SITEMAPS
    index = "".join(f"<sitemap><loc>https://www.etoday.co.kr/rss/news_sitemap_{k}</loc></sitemap>"
                    for k in range(SITEMAPS))
    items = "".join(f"<item><link>https://www.etoday.co.kr/news/view/{n}</link></item>"
                    for n in range(ARTICLES - 20, ARTICLES))
    routes = {
        "/eto/etoday_news_all.xml": Route(f'<?xml version="1.0"?><rss><channel>{items}</channel></rss>'.encode(), xml),
        "/rss/news_sitemap": Route(f'<?xml version="1.0"?><sitemapindex>{index}</sitemapindex>'.encode(), xml),
    }
    for k in range(SITEMAPS):
        routes[f"/rss/news_sitemap_{k}"] = Route(sitemap(range(k * per_sitemap, (k + 1) * per_sitemap)), xml)
    for n in range(ARTICLES):
        routes[f"/news/view/{n}"] = Route(article_page(n))
    return routes


class LoopbackSite(FixtureServer):
    """FixtureServer with a listen backlog for two crawlers at full speed (the default of 5 drops
    connections, and each retried SYN costs a second)."""

    def __init__(self, routes: dict[str, Route]):
        super().__init__(routes)
        self.httpd.socket.listen(128)


@pytest.fixture(scope="module")
def site():
    with LoopbackSite(generated_site()) as server:
        yield server


@dataclass
class Worker:
    process: subprocess.Popen
    data_dir: Path

    def wait(self, timeout: float = 120) -> int:
        return self.process.wait(timeout)

    @property
    def log(self) -> str:
        return (self.data_dir / "log.txt").read_text(errors="replace")

    @property
    def stats(self) -> dict:
        return json.loads((self.data_dir / "stats.json").read_text(encoding="utf-8"))


def scrapy_env(data_dir: Path) -> dict[str, str]:
    env = {**os.environ, "NEWSCRAWL_DATA_DIR": str(data_dir), "PYTHONPATH": str(REPO)}
    for name in ("NEWSCRAWL_DATABASE", "NEWSCRAWL_REDIS_URL"):
        env.pop(name, None)
    return env


def start_worker(base_url: str, data_dir: Path, dsn: str, redis_url: str) -> Worker:
    """``scrapy crawl etoday`` as a distributed worker, logging to data_dir/log.txt."""
    data_dir.mkdir(parents=True, exist_ok=True)
    settings = {**worker_settings(redis_url, idle_close=IDLE_CLOSE), "NEWSCRAWL_DATABASE": dsn,
                "AUTOTHROTTLE_ENABLED": "0", "NEWSCRAWL_STATS_FILE": str(data_dir / "stats.json"),
                "LOG_LEVEL": os.environ.get("TEST_LOG_LEVEL", "INFO"), "NEWSCRAWL_REPORT_FILE": str(data_dir / "report.json")}
    command = [sys.executable, "-m", "scrapy", "crawl", "etoday", "-a", f"base_url={base_url}"]
    for name, value in settings.items():
        command += ["-s", f"{name}={value}"]
    log = (data_dir / "log.txt").open("w")
    process = subprocess.Popen(command, cwd=REPO, env=scrapy_env(data_dir), stdout=log, stderr=subprocess.STDOUT)
    return Worker(process, data_dir)


def seed(base_url: str, redis_url: str, *extra: str, dsn: str | None = None) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "scrapy", "seed", "etoday", "--redis-url", redis_url,
               "-a", f"base_url={base_url}", *extra]
    if dsn:
        command += ["-s", f"NEWSCRAWL_DATABASE={dsn}"]
    done = subprocess.run(command, cwd=REPO, env=scrapy_env(Path("data")), capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    return done


def stored(dsn: str) -> tuple[int, int, int]:
    """(articles, distinct canonical URLs among them, revision rows)."""
    PostgresStorage(dsn).close()  # the schema, if no worker made it yet
    with psycopg.connect(dsn) as conn:
        articles, distinct = conn.execute("SELECT count(*), count(DISTINCT canonical_url) FROM articles").fetchone()
        revisions = conn.execute("SELECT count(*) FROM article_revisions").fetchone()[0]
    return articles, distinct, revisions


def article_fetches(site: FixtureServer) -> dict[str, int]:
    counts: dict[str, int] = {}
    for path in site.requests:
        if path.startswith("/news/view/"):
            counts[path] = counts.get(path, 0) + 1
    return counts


def test_the_addon_turns_a_crawl_into_a_worker_only_when_a_redis_url_is_set():
    settings = Settings({"DUPEFILTER_CLASS": "newscrawl.dupefilter.RunDupeFilter"}, priority="project")
    DistributedCrawl().update_settings(settings)
    assert settings.get("SCHEDULER") != "scrapy_redis.scheduler.Scheduler"
    settings.set("NEWSCRAWL_REDIS_URL", "redis://127.0.0.1:1/0", "cmdline")
    DistributedCrawl().update_settings(settings)
    assert settings["SCHEDULER"] == "scrapy_redis.scheduler.Scheduler"
    assert settings["DUPEFILTER_CLASS"] == "scrapy_redis.dupefilter.RFPDupeFilter"  # over the project's
    assert settings.getbool("SCHEDULER_PERSIST") and settings["REDIS_URL"] == "redis://127.0.0.1:1/0"
    assert any("RedisStartMiddleware" in str(k) for k in settings.getdict("SPIDER_MIDDLEWARES"))
    assert project_settings.ADDONS[ADDON] == 0 and worker_settings("redis://x") == {"NEWSCRAWL_REDIS_URL": "redis://x"}


def test_seed_pushes_the_discovery_pages(redis_url):
    done = seed("http://127.0.0.1:9", redis_url)
    keys = RedisKeys(Settings(), "etoday")
    seeds = [json.loads(s) for s in redis.Redis.from_url(redis_url).lrange(keys.seeds, 0, -1)]
    assert seeds == [{"url": "http://127.0.0.1:9/eto/etoday_news_all.xml", "kind": "discovery"},
                     {"url": "http://127.0.0.1:9/rss/news_sitemap", "kind": "discovery"}]
    assert "2 seeds in etoday:start_urls" in done.stderr
    seed("http://127.0.0.1:9", redis_url, "--reset", "--url", "http://127.0.0.1:9/news/view/5")
    assert redis.Redis.from_url(redis_url).lrange(keys.seeds, 0, -1) == [
        json.dumps({"url": "http://127.0.0.1:9/news/view/5", "kind": "article"}).encode()]


def test_two_workers_store_every_article_exactly_once(site, pg_dsn, redis_url, tmp_path):
    site.requests.clear()
    seed(site.base_url, redis_url)
    workers = [start_worker(site.base_url, tmp_path / f"worker{i}", pg_dsn, redis_url) for i in (1, 2)]
    for worker in workers:
        assert worker.wait() == 0, worker.log[-3000:]

    assert stored(pg_dsn) == (ARTICLES, ARTICLES, ARTICLES)
    fetches = article_fetches(site)
    assert len(fetches) == ARTICLES and set(fetches.values()) == {1}  # the shared dupefilter: none twice
    new = [worker.stats.get("newscrawl/articles/new", 0) for worker in workers]
    assert sum(new) == ARTICLES
    assert min(new) > 0, f"one worker did all the work: {new}"
    assert all(worker.stats.get("newscrawl/articles/unchanged", 0) == 0 for worker in workers)


def test_a_killed_worker_loses_and_duplicates_nothing(site, pg_dsn, redis_url, tmp_path):
    site.requests.clear()
    seed(site.base_url, redis_url)
    victim = start_worker(site.base_url, tmp_path / "victim", pg_dsn, redis_url)
    survivor = start_worker(site.base_url, tmp_path / "survivor", pg_dsn, redis_url)
    deadline = time.monotonic() + 90
    while stored(pg_dsn)[0] < ARTICLES // 4:
        assert time.monotonic() < deadline and victim.process.poll() is None, victim.log[-3000:]
        time.sleep(0.05)
    victim.process.send_signal(signal.SIGKILL)  # in the middle of the crawl: in-flight requests are lost
    assert victim.wait() == -signal.SIGKILL
    assert survivor.wait() == 0, survivor.log[-3000:]
    before = stored(pg_dsn)[0]
    assert before < ARTICLES, "the killed worker lost nothing: kill earlier"

    # Recovery: fingerprints rebuilt from the database's crawl state, discovery pages seeded again.
    done = seed(site.base_url, redis_url, "--recover", dsn=pg_dsn)
    assert "fingerprints kept" in done.stderr
    fetched_before = article_fetches(site)
    recovery = start_worker(site.base_url, tmp_path / "recovery", pg_dsn, redis_url)
    assert recovery.wait() == 0, recovery.log[-3000:]

    assert stored(pg_dsn) == (ARTICLES, ARTICLES, ARTICLES)  # every article once, one revision each
    assert recovery.stats["newscrawl/articles/new"] == ARTICLES - before
    refetched = {path for path, count in article_fetches(site).items() if count > fetched_before.get(path, 0)}
    assert len(refetched) == ARTICLES - before  # only the missing articles were fetched again
