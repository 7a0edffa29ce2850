"""Reliability under faults: real `scrapy crawl` runs against the hostile loopback portal (tests/faults.py).

The large run crawls 10,000 article pages of which 10% misbehave: every article that can be fetched is stored
exactly once (SQLite and JSONL), every one that cannot is counted under its reason, nothing is duplicated and
nothing raises. Smaller runs check Retry-After timing, the size limits at the project defaults, redirects and
endless pagination; unit tests cover Retry-After parsing, failure reasons and URL canonicalisation."""

from __future__ import annotations

from collections import Counter
from itertools import pairwise
from pathlib import Path

import pytest

from newscrawl import keys
from newscrawl.downloadermiddlewares.retry import failure_reason, retry_after_seconds
from newscrawl.urls import strip_tracking
from tests.crawling import CrawlResult
from tests.faults import (
    BAD_PUB_DATES,
    BLOCKED_FIRST_ID,
    FAST_SETTINGS,
    FIRST_ID,
    FaultPlan,
    FaultPortal,
    canonical_of,
    start_crawl,
    title_of,
)

ARTICLES = 10_000
PUBLISHED = "2024-07-25T10:55:00+09:00"
FETCH_REASONS = ("http_500", "http_503", "http_429", "timeout", "connection_lost", "too_large", "redirect_loop")


def run_crawl(portal: FaultPortal, data_dir: Path, settings: dict[str, str] | None = None,
              timeout: float = 600) -> CrawlResult:
    process = start_crawl(portal.base_url, data_dir, settings)
    try:
        process.wait(timeout=timeout)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    return CrawlResult(process.returncode, (data_dir / "crawl.log").read_text(encoding="utf-8"), data_dir)


def assert_stored_once(result: CrawlResult, ids: list[int]) -> None:
    """Exactly the articles ``ids``, once each, whole, in the JSONL feed and in SQLite; their quotes too."""
    articles = result.articles
    canonical = [a["canonical_url"] for a in articles]
    assert [url for url, n in Counter(canonical).items() if n > 1] == []
    expected = {canonical_of(i): i for i in ids}
    assert set(canonical) == set(expected), (sorted(set(expected) - set(canonical))[:10],
                                             sorted(set(canonical) - set(expected))[:10])
    for article in articles:
        article_id = expected[article["canonical_url"]]
        assert article["title"] == title_of(article_id)  # also: every charset lie decoded right
        assert f"기사 번호 {article_id}번의 본문이다." in article["body"]
        assert article["published_at"] == PUBLISHED
    with result.db() as db:
        stored = dict(db.execute("SELECT canonical_url, title FROM articles").fetchall())
        revisions = db.execute("SELECT COUNT(*) FROM article_revisions").fetchone()[0]
        db_tickers = db.execute("SELECT name, price FROM tickers").fetchall()
    assert stored == {url: title_of(i) for url, i in expected.items()}
    assert revisions == len(ids)
    quotes = {(name, base + i) for i in ids for name, base in (("비트코인", 100_000_000), ("이더리움", 4_000_000))}
    feed_tickers = [(t["name"], int(t["price"])) for t in result.tickers]
    assert len(feed_tickers) == len(quotes) and set(feed_tickers) == quotes
    assert sorted((name, int(price)) for name, price in db_tickers) == sorted(quotes)


def assert_reasons(stats: dict, plan: FaultPlan) -> None:
    """Each article that cannot be stored is counted once, under the reason it failed for."""
    reasons = plan.unrecoverable_reasons()
    failed = {k.removeprefix(keys.FETCH_FAILED): v for k, v in stats.items()
              if k.startswith(keys.FETCH_FAILED)}
    # A 50 MB page streamed to a loaded machine can reach DOWNLOAD_TIMEOUT before DOWNLOAD_MAXSIZE: refused
    # either way, counted as one or the other (the large run's 2 s timeout; the project's 30 s: too_large).
    streamed = plan.kinds().get("huge_streamed", 0)
    slow_streams = min(streamed, max(0, reasons.get("too_large", 0) - failed.get("too_large", 0)))
    if slow_streams:
        failed = failed | {"too_large": failed["too_large"] + slow_streams, "timeout": failed["timeout"] - slow_streams}
    assert failed == {r: reasons[r] for r in FETCH_REASONS if reasons.get(r)}
    assert stats.get(keys.parse_error("soft_404"), 0) == reasons.get("soft_404", 0)
    # A page cut inside a UTF-8 character is counted as undecodable until decode_html tolerates a cut last
    # character (proposed in the report); either way it is counted and not stored.
    assert (stats.get(keys.parse_error("truncated"), 0) + stats.get(keys.parse_error("undecodable"), 0)
            == reasons.get("truncated", 0))
    assert stats.get("offsite/filtered", 0) == reasons.get("offsite", 0)
    assert stats.get("robotstxt/forbidden", 0) == plan.blocked
    assert stats.get("newscrawl/dropped/article/missing_published_at", 0) == reasons.get("missing_published_at", 0)
    # Hostile feeds: every impossible pubDate counted (the items after them discovered), the bomb counted.
    assert stats["newscrawl/discovery/bad_date"] == len(BAD_PUB_DATES)
    assert stats["newscrawl/discovery/failed/entity_expansion"] == 1
    assert not [k for k in stats if k.startswith("spider_exceptions")]


@pytest.mark.slow
def test_ten_thousand_pages_with_ten_percent_faults(tmp_path):
    plan = FaultPlan(ARTICLES, fault_share=0.10)
    assert len(plan.faults) == 1000 and len(plan.kinds()) == len(set(plan.kinds()))
    # 4 MiB instead of the 16 MiB default keeps the bomb and the 50 MB pages cheap (the default: below).
    with FaultPortal(plan) as portal:
        result = run_crawl(portal, tmp_path / "data", {"DOWNLOAD_MAXSIZE": str(4 * 1024 * 1024)})
        hits, offsite_hits = dict(portal.hits), portal.offsite_hits
        archive_pages = portal.hits_under("/sitemap/archive")
    assert result.returncode == 0, result.log[-3000:]
    assert "Traceback" not in result.log
    stats = result.stats
    assert stats["finish_reason"] == "finished"
    assert not [k for k in stats if k.startswith("spider_exceptions")]
    assert_stored_once(result, plan.recoverable)
    assert len(plan.recoverable) == ARTICLES - sum(plan.unrecoverable_reasons().values())
    assert_reasons(stats, plan)

    kinds = plan.kinds()
    assert stats["newscrawl/retry/retry_after_capped"] == kinds["429_retry_after_long"]
    assert stats["newscrawl/retry/retry_after"] >= sum(kinds[k] for k in (
        "429_retry_after", "429_retry_after_long", "429_retry_after_date"))
    # Duplicates: tracking, ?mobile=1 and m. host links are fetched once (canonicalised at discovery);
    # the ?cid= link is fetched and dropped by its page's canonical URL (more than once only when a try timed
    # out: the 2 s timeout of this run is reached by ordinary pages on a loaded machine).
    timeouts = result.stats.get("retry/reason_count/scrapy.exceptions.DownloadTimeoutError", 0)
    for article_id in plan.duplicated:
        assert 1 <= hits.get(f"/news/view/{article_id}?cid=7", 0) <= 1 + min(timeouts, 2)
        assert not any(path.startswith(f"/news/view/{article_id}?") and "cid" not in path for path in hits)
    assert stats["newscrawl/duplicates/article"] == len(plan.duplicated)
    assert archive_pages == int(FAST_SETTINGS["DEPTH_LIMIT"])  # the endless chain stops at DEPTH_LIMIT
    assert not any(path.startswith(f"/news/view/{str(BLOCKED_FIRST_ID)[0]}") for path in hits)  # robots.txt
    assert offsite_hits == 0


@pytest.fixture(scope="module")
def hostile_details(tmp_path_factory):
    """One small crawl at the project's size limits: Retry-After, redirects, bombs and 50 MB pages."""
    kinds = {0: "429_retry_after", 1: "429_retry_after_long", 2: "429_no_retry_after", 3: "502_twice",
             4: "gzip_bomb", 5: "huge_announced", 6: "huge_streamed", 7: "redirect_loop", 8: "redirect_offsite",
             9: "redirect_once", 10: "truncated_mid_char", 11: "hang_once", 12: "redirect_other_port"}
    plan = FaultPlan.explicit(20, kinds, blocked=2)
    with FaultPortal(plan) as portal:
        # DOWNLOAD_MAXSIZE stays at the project's 16 MiB; a longer timeout lets the streamed page reach it.
        result = run_crawl(portal, tmp_path_factory.mktemp("details"), {
            "DOWNLOAD_TIMEOUT": "8", "NEWSCRAWL_RETRY_AFTER_MAX": "1.5", "NEWSCRAWL_RETRY_BACKOFF_BASE": "0.3"},
            timeout=120)
        yield plan, portal, result


def gaps(portal: FaultPortal, index: int) -> list[float]:
    times = portal.times[FIRST_ID + index]
    return [later - earlier for earlier, later in pairwise(times)]


def test_retry_after_is_waited_for_and_capped(hostile_details):
    _, portal, result = hostile_details
    assert result.returncode == 0, result.log[-3000:]
    # Gaps between the server seeing each request: the client's wait, give or take server-side scheduling.
    assert gaps(portal, 0)[0] >= 0.9  # Retry-After: 1
    assert 1.35 <= gaps(portal, 1)[0] < 10  # Retry-After: 3600, capped at 1.5 s
    assert 0.15 <= gaps(portal, 2)[0] < 0.9  # no Retry-After: backoff (base 0.3 s, jitter ±25%)
    first, second = gaps(portal, 3)  # 502 twice: 0.3 s then 0.6 s (±25%)
    assert first + second >= 0.55 and second >= 0.35
    assert result.stats["newscrawl/retry/retry_after_capped"] == 1
    assert "asked to wait 3600 s" in result.log


def test_size_limits_and_redirects_at_project_defaults(hostile_details):
    plan, portal, result = hostile_details
    assert "Traceback" not in result.log
    assert_stored_once(result, plan.recoverable)
    assert_reasons(result.stats, plan)
    assert result.stats[keys.fetch_failed("too_large")] == 3  # bomb, announced and streamed 50 MB
    loop = [p for p in portal.hits if p.startswith(f"/news/view/{FIRST_ID + 7}")]
    assert sum(portal.hits[p] for p in loop) == 2  # stopped at the first repeat, not REDIRECT_MAX_TIMES
    assert portal.offsite_hits == 0
    assert portal.other.requests == []  # the same host on another port is outside base_url's origin
    # The run report names every article given up on, the decompression bomb and the redirect loop included.
    assert result.report["sites"][0]["fetch_failed"] == {"too_large": 3, "redirect_loop": 1}


def test_retry_after_holds_no_download_slot(tmp_path):
    """Forty articles answer 503 with Retry-After: 3600 (capped at 3 s) on every try; while they wait, the
    healthy ones and the rest of the crawl go on: with 2 download slots, waiting inside them would take
    40 x 2 waits x 3 s / 2 = 120 s."""
    healthy = [0, 20, 42]
    plan = FaultPlan.explicit(43, {i: "503_retry_after_always" for i in range(43) if i not in healthy}, blocked=0)
    with FaultPortal(plan) as portal:
        result = run_crawl(portal, tmp_path / "data", {
            "CONCURRENT_REQUESTS": "2", "CONCURRENT_REQUESTS_PER_DOMAIN": "2", "NEWSCRAWL_RETRY_AFTER_MAX": "3"},
            timeout=120)
        first_seen = dict(portal.first_seen)
    assert result.returncode == 0, result.log[-3000:]
    assert_stored_once(result, plan.recoverable)
    assert result.stats["newscrawl/fetch_failed/http_503"] == 40
    assert result.stats["newscrawl/retry/retry_after_capped"] == 80
    for index in range(1, 20):
        assert min(gaps(portal, index)) >= 2.9  # each retry still waits as long as the server asked (capped)
    assert result.stats["elapsed_time_seconds"] < 30
    start = min(first_seen.values())
    assert all(first_seen[FIRST_ID + i] - start < 5 for i in healthy)


@pytest.mark.parametrize("robots", ["503", "reset", "huge"])
def test_robots_txt_unavailable_or_huge(tmp_path, robots):
    """RFC 9309: a robots.txt answering 5xx or unreachable disallows the whole host for the run (flagged); a
    50 MB one is read up to 500 KiB and obeyed instead of being cancelled by the size limit and ignored."""
    plan = FaultPlan.explicit(6, {}, blocked=3)
    with FaultPortal(plan, robots=robots) as portal:
        result = run_crawl(portal, tmp_path / "data", timeout=120)
        hits = dict(portal.hits)
    site = result.report["sites"][0]
    host = portal.base_url.removeprefix("http://")
    if robots in ("503", "reset"):
        reason = {"503": "http_503", "reset": "connection_lost"}[robots]
        assert result.returncode == 1
        assert hits == {"/robots.txt": 3}  # asked again RETRY_TIMES (2) times, then nothing else
        assert site["robots"]["unavailable"] == {host: reason}
        assert site["flags"][-1] == (f"robots_unavailable: robots.txt could not be read, so nothing was fetched "
                                     f"from {host} ({reason})")
        assert len(site["flags"]) == (1 if robots == "503" else 2)  # reset: no page at all, also flagged
    else:
        assert result.returncode == 0, result.log[-3000:]
        assert_stored_once(result, plan.recoverable)
        assert result.stats["robotstxt/forbidden"] == 3
        assert not [p for p in hits if p.startswith(f"/news/view/{BLOCKED_FIRST_ID // 100_000}")]
        assert result.stats["newscrawl/robots/truncated"] == 1
    assert "Traceback" not in result.log


def test_gzip_sitemaps_and_unusable_discovery_responses(tmp_path):
    """Article sitemaps served as .xml.gz (application/x-gzip) are read; a binary sitemap, a broken gzip one and
    a gzip bomb (64 MiB unpacked, over the 16 MiB DOWNLOAD_MAXSIZE) are each counted with their reason."""
    plan = FaultPlan.explicit(30, {}, blocked=0)
    with FaultPortal(plan, page_size=10, gzip_sitemaps=True) as portal:
        result = run_crawl(portal, tmp_path / "data", timeout=120)
    assert result.returncode == 0, result.log[-3000:]
    assert "Traceback" not in result.log
    assert_stored_once(result, plan.recoverable)
    stats = result.stats
    assert {k: v for k, v in stats.items() if k.startswith("newscrawl/discovery/failed/")} == {
        "newscrawl/discovery/failed/binary": 1, "newscrawl/discovery/failed/bad_gzip": 1,
        "newscrawl/discovery/failed/too_large": 1,
        "newscrawl/discovery/failed/entity_expansion": 1}  # every fault portal also lists its billion-laughs sitemap
    assert stats["newscrawl/discovery/failed"] == 4
    assert result.report["sites"][0]["discovery_failed"] == {"bad_gzip": 1, "binary": 1, "too_large": 1,
                                                              "entity_expansion": 1}
    for path in ("binary", "broken", "bomb"):
        assert f"/sitemap/{path}.xml.gz (" in result.log  # logged with its URL and reason


def test_canonical_urls_are_not_trusted_blindly(tmp_path):
    """Article 0 names another site's URL as canonical, article 1 names article 2's: both are stored under their
    own URLs (counted), and article 2 keeps its own record (one revision, its own title)."""
    plan = FaultPlan.explicit(5, {0: "canonical_offsite", 1: "canonical_next_article"}, blocked=0)
    with FaultPortal(plan) as portal:
        result = run_crawl(portal, tmp_path / "data", timeout=120)
    assert result.returncode == 0, result.log[-3000:]
    own = {FIRST_ID + i: f"{portal.base_url}/news/view/{FIRST_ID + i}" for i in (0, 1)}
    expected = {canonical_of(i): i for i in plan.ids if i not in own} | {url: i for i, url in own.items()}
    assert {a["canonical_url"]: a["title"] for a in result.articles} == {u: title_of(i) for u, i in expected.items()}
    with result.db() as db:
        stored = dict(db.execute("SELECT canonical_url, title FROM articles").fetchall())
        revisions = db.execute("SELECT canonical_url, COUNT(*) FROM article_revisions GROUP BY 1").fetchall()
    assert stored == {u: title_of(i) for u, i in expected.items()}
    assert dict(revisions) == dict.fromkeys(expected, 1)
    assert result.stats["newscrawl/canonical/foreign_host"] == 1
    assert result.stats["newscrawl/canonical/canonical_conflict"] == 1
    assert "news.example.com" not in (tmp_path / "data" / "articles.jsonl").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def hostile_values(tmp_path_factory):
    """One small crawl whose pages carry impossible dates, a stray byte and bidi controls (issue #11)."""
    names = ["date_feb30", "date_year9999", "date_offset99", "date_year0", "date_month13", "modified_year9999",
             "no_possible_date", "euckr_stray_byte", "bidi_controls"]
    plan = FaultPlan.explicit(12, dict(enumerate(names)), blocked=1)
    with FaultPortal(plan) as portal:
        yield plan, run_crawl(portal, tmp_path_factory.mktemp("values"), timeout=120), portal.base_url


def test_impossible_dates_fall_back_or_drop_the_whole_page(hostile_values):
    plan, result, base = hostile_values
    assert result.returncode == 0, result.log[-3000:]
    assert "Traceback" not in result.log
    # Recoverable pages are stored whole (published from the visible 입력 line), with their quotes; the page
    # without any possible date is dropped with its quotes, counted, logged and its raw page marked.
    assert_stored_once(result, plan.recoverable)
    assert_reasons(result.stats, plan)
    stats = result.stats
    assert stats["newscrawl/dates/impossible/published_at"] == 5 + 1
    assert stats["newscrawl/dates/impossible/modified_at"] == 1
    assert stats["newscrawl/dropped/ticker/article_dropped"] == 2
    dropped_url = f"{base}/news/view/{FIRST_ID + 6}"
    assert f"article without published_at: {dropped_url}" in result.log
    assert f"2 tickers of {dropped_url} dropped with its article" in result.log
    assert "impossible published_at '9999-12-31T23:00:00-05:00'" in result.log
    [modified] = [a for a in result.articles if a["canonical_url"] == canonical_of(FIRST_ID + 5)]
    assert modified["modified_at"] is None  # the page has no other modified date
    with result.db() as db:
        marks = dict(db.execute("SELECT url, parse_error FROM raw_page_index").fetchall())
    assert marks[dropped_url].startswith("missing_published_at")
    assert marks[f"{base}/news/view/{FIRST_ID + 5}"] is None


def test_stray_byte_and_bidi_controls_do_not_lose_the_article(hostile_values):
    _, result, _ = hostile_values
    assert result.stats["newscrawl/decode/replaced"] == 1
    assert "1 undecodable byte(s) in cp949 replaced" in result.log
    for article in result.articles:  # assert_stored_once compared titles and the body line exactly
        text = article["title"] + article["body"]
        assert not any(c in text for c in "\u202e\u200f\u2066\u2069\u061c\x7f")
    [stray] = [a for a in result.articles if a["canonical_url"] == canonical_of(FIRST_ID + 7)]
    assert any(p.startswith("\ufffd한편,") for p in stray["paragraphs"])


def test_hostile_feeds_are_counted_and_logged(hostile_values):
    _, result, base = hostile_values
    assert f"discovery page failed: {base}/sitemap/laughs (entity_expansion:" in result.log
    assert "impossible date 'Fri, 30 Feb 2024 10:00:00 +0900'" in result.log


# --- units ---------------------------------------------------------------------------------------------
def test_retry_after_values():
    assert retry_after_seconds(b"120") == 120.0
    assert retry_after_seconds(" 5 ") == 5.0
    assert retry_after_seconds(None) is None and retry_after_seconds(b"soon") is None
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # in the past: now
    from datetime import UTC, datetime
    now = datetime(2015, 10, 21, 7, 27, 30, tzinfo=UTC)
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT", now) == 30.0


def test_failure_reasons():
    from scrapy.exceptions import DownloadCancelledError, DownloadTimeoutError, ResponseDataLossError
    from twisted.internet.error import ConnectionRefusedError

    assert failure_reason(503) == "http_503"
    assert failure_reason(DownloadTimeoutError()) == "timeout"
    assert failure_reason(ResponseDataLossError()) == "connection_lost"
    assert failure_reason(DownloadCancelledError()) == "too_large"
    assert failure_reason(ConnectionRefusedError()) == "connection_refused"
    assert failure_reason(KeyError()) == "key_error"


@pytest.mark.parametrize(("url", "canonical"), [
    # strip_tracking's original behaviour
    ("https://www.etoday.co.kr/news/view/1?utm_source=rss&utm_medium=x", "https://www.etoday.co.kr/news/view/1"),
    ("https://www.hani.co.kr/arti/1.html?fbclid=a&b=2&gclid=c#top", "https://www.hani.co.kr/arti/1.html?b=2"),
    ("https://v.daum.net/v/20240725?x=1&ref=main&y=2", "https://v.daum.net/v/20240725?x=1&y=2"),
    # mobile view switches and hosts, default ports, host case
    ("https://www.etoday.co.kr/news/view/1?mobile=1", "https://www.etoday.co.kr/news/view/1"),
    ("https://www.etoday.co.kr/news/view/1?mobile=0", "https://www.etoday.co.kr/news/view/1?mobile=0"),
    ("https://m.etoday.co.kr/news/view/1?utm_campaign=a", "https://www.etoday.co.kr/news/view/1"),
    ("https://M.MK.co.kr:443/news/economy/11?isMobile=Y", "https://www.mk.co.kr/news/economy/11"),
    ("http://127.0.0.1:8080/news/view/2?mobile=1&id=3", "http://127.0.0.1:8080/news/view/2?id=3"),
    ("https://m.donga.com/news/article/all/1", "https://m.donga.com/news/article/all/1"),  # other paths: kept
])
def test_canonical_urls(url, canonical):
    assert strip_tracking(url) == canonical
    assert strip_tracking(canonical) == canonical
