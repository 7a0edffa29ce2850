"""Crawling politely (issue 17), through the real engine against loopback hosts: robots.txt refusals named in
the run report, a robots.txt Crawl-delay honoured per host, and a contactable User-Agent."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from itertools import pairwise
from pathlib import Path

import pytest

from tests.crawling import CrawlResult, crawl
from tests.faults import article_html
from tests.servers import FixtureServer, Route
from tests.shared import REPO

CONTACT = "mailto:crawler-team@example.org"


def rss(ids: list[int]) -> Route:
    items = "".join(f"<item><title>{i}</title><link>{{BASE}}/news/view/{i}</link>"
                    f"<pubDate>Thu, 25 Jul 2024 01:55:00 GMT</pubDate></item>" for i in ids)
    body = f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>{items}</channel></rss>'
    return Route(body.encode(), "application/rss+xml; charset=utf-8")


def portal(robots: str, ids: list[int], host: str = "127.0.0.1") -> FixtureServer:
    """etoday's feed paths (the RSS rebased, the news sitemap missing) and the articles ``ids``."""
    routes = {"/robots.txt": Route(robots.encode(), "text/plain"), "/eto/etoday_news_all.xml": rss(ids),
              "/feed.xml": rss(ids)}
    routes |= {f"/news/view/{i}": Route(article_html(i).encode()) for i in ids}
    return FixtureServer(routes, host=host)


def article_hits(server: FixtureServer) -> list[tuple[str, float, str]]:
    return [seen for seen in server.seen if seen[0].startswith("/news/view/")]


@pytest.mark.parametrize(("robots", "article", "discovery"), [
    ("User-agent: *\nDisallow: /\n", 0, 2),  # the RSS feed and the news sitemap refused: nothing discovered
    ("User-agent: *\nDisallow: /news/\n", 3, 0),  # discovered, every article refused
    ("User-agent: newscrawl\nDisallow: /news/view/\n\nUser-agent: *\nAllow: /\n", 3, 0),  # named for us
])
def test_robots_disallowed_is_named(tmp_path, robots, article, discovery):
    with portal(robots, [101, 102, 103]) as server:
        env_contact = os.environ.pop("NEWSCRAWL_CONTACT", None)
        try:
            result = crawl("etoday", server.base_url, tmp_path, settings={
                "NEWSCRAWL_REPORT_FILE": str(tmp_path / "run-report.json")})
        finally:
            if env_contact is not None:
                os.environ["NEWSCRAWL_CONTACT"] = env_contact
        assert not article_hits(server)
    assert result.returncode == 1, result.log[-2000:]
    site = result.report["sites"][0]
    host = server.base_url.removeprefix("http://")
    assert site["robots"]["refused_article_urls"] == article
    assert site["robots"]["refused_discovery_urls"] == discovery
    assert site["robots"]["refused_by_host"] == {host: article + discovery}
    [flag] = site["flags"]
    assert flag.startswith(f"robots_disallowed: robots.txt of {host} refused {article} article and "
                           f"{discovery} discovery URLs for User-Agent 'newscrawl/")
    assert f"robots.txt refused {article} article and {discovery} discovery URLs" in result.log
    assert "yield dropped to zero" not in result.log
    # Without NEWSCRAWL_CONTACT: one warning line, and the User-Agent names the project and nothing made up.
    assert result.log.count("NEWSCRAWL_CONTACT is not set") == 1
    assert {ua for _, _, ua in server.seen} == {"newscrawl/0.1 (news research crawler)"}


def crawl_hosts(feeds: list[str], hosts: list[str], data_dir: Path, settings: dict[str, str],
                env: dict[str, str]) -> CrawlResult:
    data_dir.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "scrapy", "crawl", "twohosts", "-a", f"feeds={','.join(feeds)}",
               "-a", f"hosts={','.join(hosts)}", "-s", "SPIDER_MODULES=tests.twohosts",
               "-s", f"NEWSCRAWL_STATS_FILE={data_dir / 'stats.json'}"]
    for name, value in settings.items():
        command += ["-s", f"{name}={value}"]
    environment = {**os.environ, "NEWSCRAWL_DATA_DIR": str(data_dir), "PYTHONPATH": str(REPO),
                   "NEWSCRAWL_REPORT_FILE": str(data_dir / "run-report.json"), **env}
    environment.pop("NEWSCRAWL_DATABASE", None)
    done = subprocess.run(command, cwd=REPO, env=environment, capture_output=True, text=True, timeout=120)
    return CrawlResult(done.returncode, done.stderr + done.stdout, data_dir)


def test_crawl_delay_slows_only_its_host_and_the_contact_is_in_the_user_agent(tmp_path):
    slow_ids, fast_ids = [201, 202, 203, 204], [301, 302, 303, 304]
    with portal("User-agent: *\nCrawl-delay: 2\nAllow: /\n", slow_ids) as slow, \
            portal("User-agent: *\nAllow: /\n", fast_ids, host="127.0.0.2") as fast:
        # AutoThrottle on (the project default) with a small start delay: it must not go below Crawl-delay.
        result = crawl_hosts([f"{slow.base_url}/feed.xml", f"{fast.base_url}/feed.xml"], ["127.0.0.1", "127.0.0.2"],
                             tmp_path, {"AUTOTHROTTLE_ENABLED": "1", "AUTOTHROTTLE_START_DELAY": "0.05"},
                             {"NEWSCRAWL_CONTACT": CONTACT})
    assert result.returncode == 0, result.log[-3000:]
    assert len(result.articles) == len(slow_ids) + len(fast_ids)
    slow_times = sorted(t for _, t, _ in article_hits(slow))
    fast_times = sorted(t for _, t, _ in article_hits(fast))
    assert len(slow_times) == len(slow_ids) and len(fast_times) == len(fast_ids)
    assert min(later - earlier for earlier, later in pairwise(slow_times)) >= 1.9  # scheduling: ±0.1 s
    assert fast_times[-1] - fast_times[0] < 1.5  # the other host in the same crawl is not slowed
    assert fast_times[-1] < slow_times[-1] - 2
    assert result.stats["newscrawl/robots/crawl_delay/127.0.0.1"] == 2
    assert "newscrawl/robots/crawl_delay/127.0.0.2" not in result.stats
    assert "NEWSCRAWL_CONTACT is not set" not in result.log
    user_agents = {ua for _, _, ua in [*slow.seen, *fast.seen]}
    assert user_agents == {f"newscrawl/0.1 (news research crawler; +{CONTACT})"}


def test_crawl_delay_cap_is_counted(tmp_path):
    with portal("User-agent: *\nCrawl-delay: 3600\n", [401, 402]) as server:
        result = crawl_hosts([f"{server.base_url}/feed.xml"], ["127.0.0.1"], tmp_path,
                             {"AUTOTHROTTLE_ENABLED": "0", "NEWSCRAWL_CRAWL_DELAY_MAX": "1"},
                             {"NEWSCRAWL_CONTACT": "https://example.org/crawler"})
    assert result.returncode == 0, result.log[-3000:]
    first, second = sorted(t for _, t, _ in article_hits(server))
    assert 0.9 <= second - first < 5
    assert result.stats["newscrawl/robots/crawl_delay_capped"] == 1
    assert "asks for a Crawl-delay of 3600 s; waiting the 1 s cap" in result.log
    report = json.loads((tmp_path / "run-report.json").read_text(encoding="utf-8"))
    assert report["sites"][0]["robots"]["crawl_delay"] == {"127.0.0.1": 1.0}
