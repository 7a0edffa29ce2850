"""Rendering with scrapy-playwright and the system Chromium: a loopback etoday page whose article and crypto
widget only exist after JavaScript runs, crawled through the real engine in each rendering mode."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from scrapy import Spider
from scrapy.http import HtmlResponse, Request
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from newscrawl import keys
from newscrawl.keys import ARTICLE_META, SITE_META
from newscrawl.rendering.browser import rendered_text
from newscrawl.rendering.config import RENDER_META, configuration_problem, render_mode
from newscrawl.rendering.middleware import RenderingMiddleware, lacks_body
from newscrawl.storage.packing import unpack
from tests.crawling import CrawlResult, crawl
from tests.servers import FixtureServer, Route, page
from tests.shared import FIXTURES, article_of, assert_article_matches, run_page, shared_path

CHROMIUM = Path("/usr/bin/chromium")
RENDERING = FIXTURES / "rendering"
ETODAY = FIXTURES / "etoday"
ARTICLE_PATH = "/news/view/2384652"
SEED = "000_0b445ba40285c7a5"

needs_chromium = pytest.mark.skipif(not CHROMIUM.exists(), reason="apt-get install -y chromium")


def fixture_expected(base: str) -> dict:
    text = (ETODAY / "news_view_2384652.expected.json").read_text(encoding="utf-8")
    return json.loads(text.replace("{BASE}", base))["article"]


def seed_tickers() -> list[dict]:
    return json.loads(shared_path("seed", f"{SEED}.expected.json").read_text(encoding="utf-8"))["tickers"]


@pytest.fixture
def js_portal():
    """An etoday whose article page is rendered client-side; it also references outside hosts."""
    routes = {
        "/rss/news_sitemap": page(RENDERING / "news_sitemap.xml", "application/xml; charset=utf-8"),
        ARTICLE_PATH: page(RENDERING / "news_view_2384652_js.html"),
        "/api/coin_price.json": page(RENDERING / "coin_price.json", "application/json; charset=utf-8"),
        "/static/2384652": page(ETODAY / "news_view_2384652.html"),
    }
    with FixtureServer(routes) as server:
        yield server


def crawl_js_portal(server: FixtureServer, tmp_path: Path, mode: str, **settings: str) -> CrawlResult:
    return crawl("etoday", server.base_url, tmp_path / "data", args={"feeds": "/rss/news_sitemap"},
                 settings={"NEWSCRAWL_RENDER": mode, **settings})


def assert_rendered_items(result: CrawlResult, base: str) -> None:
    assert result.returncode == 0, result.log[-3000:]
    assert len(result.articles) == 1
    expected = fixture_expected(base)
    assert_article_matches(result.articles[0], expected, tuple(expected))
    want = seed_tickers()
    assert [{k: t[k] for k in want[0]} for t in result.tickers] == want


# --- real engine, real Chromium --------------------------------------------------------------------------
def test_without_rendering_the_js_page_is_a_counted_parse_error(js_portal, tmp_path):
    result = crawl_js_portal(js_portal, tmp_path, "off")
    assert ARTICLE_PATH in js_portal.requests
    assert result.articles == [] and result.tickers == []
    assert result.stats[keys.parse_error("missing_fields")] == 1
    assert "missing_fields: body (div.articleView" in result.log
    assert not any(k.startswith(("playwright/", "newscrawl/render/")) for k in result.stats)  # no browser
    assert "/api/coin_price.json" not in js_portal.requests


@needs_chromium
def test_always_renders_article_and_tickers_and_blocks_outside_hosts(js_portal, tmp_path):
    result = crawl_js_portal(js_portal, tmp_path, "always")
    assert_rendered_items(result, js_portal.base_url)
    stats = result.stats
    assert stats["newscrawl/render/requests"] == stats["newscrawl/render/pages"] == 1
    assert js_portal.requests.count(ARTICLE_PATH) == 1  # rendered directly, no plain fetch first
    assert "/api/coin_price.json" in js_portal.requests  # same-host requests of the page go through
    # gtag, gpt, Google Fonts (outside hosts) and the two images are aborted; nothing else is.
    assert stats["playwright/request_count/aborted"] == 5
    assert stats["playwright/request_count"] - stats["playwright/request_count/aborted"] == 2


@needs_chromium
def test_fallback_renders_only_when_the_plain_html_lacks_the_body(js_portal, tmp_path):
    result = crawl_js_portal(js_portal, tmp_path, "fallback")
    assert_rendered_items(result, js_portal.base_url)
    assert result.stats["newscrawl/render/fallback"] == 1
    assert result.stats["newscrawl/render/pages"] == 1
    assert js_portal.requests.count(ARTICLE_PATH) == 2  # plain first, then the browser
    with result.db() as db:  # the raw page kept is the rendered one
        (body,) = db.execute("SELECT body_compressed FROM raw_pages").fetchone()
    assert 'class="articleView"' in unpack(body).decode("utf-8")


@needs_chromium
def test_a_page_that_never_gets_ready_is_a_counted_logged_failure(js_portal, tmp_path):
    js_portal.routes["/api/coin_price.json"] = Route(b"{}", status=500)  # the page's script then fails
    result = crawl_js_portal(js_portal, tmp_path, "always", NEWSCRAWL_RENDER_TIMEOUT="1")
    assert result.articles == []
    assert result.stats["newscrawl/render/timeout"] == 1
    assert result.stats[keys.article_fetch_failed()] == 1
    assert "render timeout: 'div.articleView' did not appear within 1 s" in result.log
    assert "Traceback" not in result.log


def test_missing_browser_stops_the_crawl_with_one_sentence(js_portal, tmp_path):
    result = crawl_js_portal(js_portal, tmp_path, "always", NEWSCRAWL_CHROMIUM_PATH="/nonexistent")
    assert result.returncode != 0
    errors = [line for line in result.log.splitlines() if " ERROR: " in line]
    assert len(errors) == 1, errors
    assert errors[0].endswith(
        "[newscrawl.rendering.check] ERROR: Cannot crawl: rendering is on (NEWSCRAWL_RENDER=always) but there is no "
        'Chromium at /nonexistent: install it with "apt-get install -y chromium" or set NEWSCRAWL_CHROMIUM_PATH '
        "to a Chromium binary.")
    assert "Traceback" not in result.log
    assert result.stats["finish_reason"] == "render_unavailable"
    assert ARTICLE_PATH not in js_portal.requests


# --- the rendered-text path: browser innerText through the site's text parser -----------------------------
@needs_chromium
@pytest.mark.parametrize("path", [ARTICLE_PATH, "/static/2384652"], ids=["js-page", "static-page"])
def test_rendered_text_equals_the_seed_expected(js_portal, path):
    text = rendered_text(js_portal.base_url + path, "etoday", chromium_path=str(CHROMIUM))
    items = run_page("https://www.etoday.co.kr/news/view/2384652", text, "etoday", rendered_text=True)
    assert article_of(items)["title"].startswith("북한, 러시아 동맹국")
    tool = shared_path("tools", "compare_items.py")
    jsonl = "\n".join(json.dumps(item, ensure_ascii=False) for item in items)
    check = subprocess.run([sys.executable, str(tool), str(shared_path("seed", f"{SEED}.expected.json"))],
                           input=jsonl, text=True, capture_output=True)
    assert check.returncode == 0, check.stdout


# --- configuration, without a browser ---------------------------------------------------------------------
class RenderingSpider(Spider):
    name = "rendering"
    render = "fallback"


def test_mode_comes_from_the_spider_unless_given_on_the_command_line():
    settings = Settings({"NEWSCRAWL_RENDER": "off"}, priority="project")
    assert render_mode(settings, RenderingSpider()) == "fallback"
    assert render_mode(settings, Spider(name="plain")) == "off"
    settings.set("NEWSCRAWL_RENDER", "always", priority="cmdline")
    assert render_mode(settings, RenderingSpider()) == "always"


def test_configuration_problems_are_one_sentence():
    assert configuration_problem("off", "/nonexistent") is None
    assert configuration_problem("sometimes", str(CHROMIUM)).startswith("NEWSCRAWL_RENDER='sometimes' is not one")
    assert "apt-get install -y chromium" in configuration_problem("request", "/nonexistent")
    assert "/bin/false does not start" in configuration_problem("fallback", "/bin/false")


def test_request_mode_renders_only_flagged_requests():
    crawler = get_crawler(settings_dict={"NEWSCRAWL_RENDER": "request", "NEWSCRAWL_RENDER_TIMEOUT": 3})
    middleware = RenderingMiddleware(crawler)
    flagged = Request("http://127.0.0.1:9/a", meta={RENDER_META: True, SITE_META: "etoday"})
    article = Request("http://127.0.0.1:9/b", meta={ARTICLE_META: True})
    middleware.process_request(flagged)
    middleware.process_request(article)
    assert flagged.meta["playwright"] is True
    assert flagged.meta["playwright_page_goto_kwargs"] == {"wait_until": "domcontentloaded", "timeout": 3000}
    (settle,) = flagged.meta["playwright_page_methods"]
    profile, wait_ms, read_text = settle.args
    assert (profile.ready_selector, wait_ms, read_text) == ("div.articleView", 3000, False)
    assert "playwright" not in article.meta


def test_off_mode_fetches_flagged_requests_plainly_and_counts_them():
    crawler = get_crawler(settings_dict={"NEWSCRAWL_RENDER": "off"})
    middleware = RenderingMiddleware(crawler)
    flagged = Request("http://127.0.0.1:9/a", meta={RENDER_META: True})
    middleware.process_request(flagged)
    assert flagged.meta["playwright"] is False
    assert crawler.stats.get_value("newscrawl/render/not_enabled") == 1


def test_lacks_body_tells_the_js_page_from_the_static_one():
    def response(path: Path) -> HtmlResponse:
        return HtmlResponse("http://127.0.0.1:9/news/view/2384652", body=path.read_bytes(),
                            headers={"Content-Type": "text/html; charset=utf-8"})

    assert lacks_body(response(RENDERING / "news_view_2384652_js.html"), "etoday")
    assert not lacks_body(response(ETODAY / "news_view_2384652.html"), "etoday")
