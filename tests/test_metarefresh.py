"""A meta refresh is followed as Scrapy follows it; a page without one is not decoded to find that out
(newscrawl/downloadermiddlewares/metarefresh.py)."""

from __future__ import annotations

import pytest
from scrapy.http import HtmlResponse
from scrapy.utils.response import get_meta_refresh

from newscrawl.downloadermiddlewares.metarefresh import may_refresh
from tests.crawling import crawl
from tests.servers import FixtureServer, Route, page
from tests.shared import FIXTURES

ETODAY = FIXTURES / "etoday"
URL = "https://www.etoday.co.kr/news/view/2384999"
REFRESH = '<meta http-equiv="Refresh" content="0; url=/news/view/2384652">'


def html(body: str, encoding: str = "utf-8", content_type: str | None = None) -> HtmlResponse:
    content_type = content_type or f"text/html; charset={encoding}"
    return HtmlResponse(URL, body=body.encode(encoding), headers={"Content-Type": content_type})


CASES = {
    "etoday page": (HtmlResponse(URL, body=(ETODAY / "news_view_2384652.html").read_bytes(),
                                 headers={"Content-Type": "text/html; charset=utf-8"}), False),
    "refresh": (html(f"<html><head>{REFRESH}</head><body>기사</body></html>"), True),
    "upper-case refresh": (html(f"<html><head>{REFRESH.upper()}</head></html>"), True),
    # 4,000 Korean characters (12,000 bytes in UTF-8, 8,000 in EUC-KR) before it: still in Scrapy's 4096 characters
    "refresh after 4,000 characters, UTF-8": (html(f"<html><head><title>{'가' * 4000}</title>{REFRESH}</head>"), True),
    "refresh after 4,000 characters, EUC-KR": (html(f"<html><head><title>{'가' * 4000}</title>{REFRESH}</head>",
                                                    "euc-kr"), True),
    "UTF-16 page": (html(f"<html><head>{REFRESH}</head></html>", "utf-16"), True),
    "refresh past Scrapy's 4096 characters": (html(f"<html><head><title>{'x' * 20000}</title>{REFRESH}</head>"),
                                               False),
}


@pytest.mark.parametrize("name", CASES)
def test_a_page_is_skipped_only_when_scrapy_finds_no_refresh_in_it(name):
    response, refreshes = CASES[name]
    assert (get_meta_refresh(response)[1] is not None) == refreshes  # Scrapy's reading of the page
    assert may_refresh(response) == refreshes


def test_a_meta_refresh_is_followed_in_a_crawl(tmp_path):
    """The feed lists a page that only refreshes to the article: the article is fetched and scraped."""
    rss = ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>t</title><item><title>x'
           f"</title><link>{URL}</link><pubDate>Thu, 25 Jul 2024 10:55:00 +0900</pubDate></item></channel></rss>")
    routes = {
        "/eto/etoday_news_all.xml": Route(rss.encode(), "application/rss+xml; charset=utf-8"),
        "/rss/news_sitemap": Route(b'<?xml version="1.0" encoding="UTF-8"?>'
                                   b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"></urlset>',
                                   "application/xml; charset=utf-8"),
        "/news/view/2384999": Route(f"<html><head>{REFRESH}</head><body></body></html>".encode()),
        "/news/view/2384652": page(ETODAY / "news_view_2384652.html"),
    }
    with FixtureServer(routes) as server:
        result = crawl("etoday", server.base_url, tmp_path / "data")
    assert result.returncode == 0, result.log[-3000:]
    assert "/news/view/2384999" in server.requests and "/news/view/2384652" in server.requests
    assert [article["canonical_url"] for article in result.articles] == [
        "https://www.etoday.co.kr/news/view/2384652"]
    assert result.stats["downloader/response_status_count/200"] >= 2
