"""Outlets declared by configuration (``newscrawl/outlets.py``): every one crawls a loopback copy of its first
discovery source through the real engine and its fixture page (tests/fixtures/outlets/<name>.html, written from
public facts about the outlet's pages) comes out as the hand-written expected file beside it.

The generic extractor does not yet read every part of every page: ``GAPS`` names, per outlet, the fields it
gets wrong on its fixture. The list is strict: a field listed there that comes out right fails the test until
it is removed, and the README support table must list the same gaps.
"""

from __future__ import annotations

import json
from html import escape
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from newscrawl.chrome import leaks
from newscrawl.outlets import is_outlet
from newscrawl.sites import all_sites, get_site, site_for_url
from newscrawl.urls import strip_tracking
from tests.crawling import crawl
from tests.servers import FixtureServer, Route
from tests.shared import FIXTURES, REPO, article_of, run_page, url_path

OUTLET_FIXTURES = FIXTURES / "outlets"
OUTLETS = sorted(name for name, site in all_sites().items() if is_outlet(site))
COMPARED = ("canonical_url", "site", "publisher", "title", "subtitles", "published_at", "modified_at", "authors",
            "section", "tags", "images", "paragraphs", "extracted_by")
# Fields the generic extractor gets wrong on each outlet's fixture (measured; see the README support table).
GAPS: dict[str, frozenset[str]] = {name: frozenset(fields) for name, fields in {
    "asiae": ("images",),
    "edaily": ("subtitles", "images"),
    "etnews": ("subtitles",),
    "fnnews": ("authors",),
    "hankyung": ("paragraphs",),
    "heraldcorp": ("subtitles", "images"),
    "joongang": ("authors", "images"),
    "kbs": ("authors",),
    "kmib": ("subtitles", "images", "paragraphs"),
    "mbc": ("subtitles", "authors", "paragraphs"),
    "mt": ("subtitles", "images", "paragraphs"),
    "newsis": ("images", "paragraphs"),
    "sbs": ("authors", "paragraphs"),
    "sedaily": ("subtitles", "images"),
    "segye": ("subtitles",),
    "seoul": ("authors", "images"),
    "ytn": ("authors", "paragraphs"),
    "zdnet": ("subtitles", "authors"),
}.items()}


def expected(name: str) -> dict:
    return json.loads((OUTLET_FIXTURES / f"{name}.expected.json").read_text(encoding="utf-8"))["article"]


def comparable(article: dict) -> dict:
    """The compared fields (images as url and caption), body derived from paragraphs on both sides."""
    fields = {field: article.get(field) for field in COMPARED}
    fields["images"] = [{"url": i.get("url"), "caption": i.get("caption")} for i in fields["images"] or []]
    return fields


def assert_as_expected(got: dict, name: str) -> None:
    want, have = comparable(expected(name)), comparable(got)
    gaps = GAPS.get(name, frozenset())
    wrong = {field for field in COMPARED if have[field] != want[field]}
    assert not wrong - gaps, "\n".join(
        f"{field}:\n  expected {json.dumps(want[field], ensure_ascii=False)[:500]}\n"
        f"  got      {json.dumps(have[field], ensure_ascii=False)[:500]}" for field in sorted(wrong - gaps))
    assert not gaps - wrong, f"now read right, remove from GAPS[{name!r}]: {sorted(gaps - wrong)}"
    if "paragraphs" not in gaps:
        assert got["body"] == "\n\n".join(want["paragraphs"])


def discovery_document(source: str, links: list[str]) -> Route:
    """A loopback copy of a discovery source in its kind: RSS for feeds, an HTML list page otherwise."""
    if any(word in source.lower() for word in ("rss", "feed", ".xml")):
        items = "".join(f"<item><title>기사</title><link>{escape(link)}</link></item>" for link in links)
        body = f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>{items}</channel></rss>'
        return Route(body.encode(), "application/rss+xml; charset=utf-8")
    anchors = "".join(f'<li><a href="{escape(link)}">기사</a></li>' for link in links)
    return Route(f'<html><head><meta charset="utf-8"></head><body><ul>{anchors}</ul></body></html>'.encode())


def another_shape(name: str, url: str) -> str:
    """The same article as a feed may also link it: on a mobile alias, or with a tracking parameter."""
    site = get_site(name)
    for alias, desktop in site.mobile_hosts.items():
        return url.replace(f"//{desktop}/", f"//{alias}/")
    return url + ("&" if "?" in url else "?") + "utm_source=rss"


def test_the_declared_outlets_each_have_a_page_and_an_expected_file():
    assert len(OUTLETS) >= 19, OUTLETS
    assert sorted(p.stem for p in OUTLET_FIXTURES.glob("*.html")) == OUTLETS
    assert sorted(p.name.removesuffix(".expected.json") for p in OUTLET_FIXTURES.glob("*.expected.json")) == OUTLETS
    assert set(GAPS) <= set(OUTLETS)


def test_readme_support_table_lists_every_outlet_with_its_misses():
    rows = {}
    for line in (REPO / "README.md").read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if len(cells) == 4 and cells[0].split(" ")[0] in OUTLETS:
            rows[cells[0].split(" ")[0]] = frozenset() if cells[3] == "—" else frozenset(cells[3].split(", "))
    assert rows == {name: GAPS.get(name, frozenset()) for name in OUTLETS}


@pytest.mark.parametrize("name", OUTLETS)
def test_declaration_serves_its_article_urls(name):
    site, url = get_site(name), expected(name)["url"]
    assert site_for_url(url).name == name
    assert site.article_url.search(url) and not site.article_url.search(site.base_url + "/")
    assert site.article_id(url) and site.article_id(url) in url
    assert site.discovery and site.publisher == expected(name)["publisher"]
    for alias, desktop in site.mobile_hosts.items():  # the same article on a mobile host is one URL
        assert strip_tracking(url.replace(f"//{desktop}/", f"//{alias}/")) == strip_tracking(url)


@pytest.mark.parametrize("name", OUTLETS)
def test_fixture_page_reads_as_expected(name):
    want = expected(name)
    assert_as_expected(article_of(run_page(want["url"], (OUTLET_FIXTURES / f"{name}.html").read_bytes(), name)), name)


@pytest.mark.parametrize("name", OUTLETS)
def test_crawl_from_discovery(name, tmp_path: Path):
    site, url = get_site(name), expected(name)["url"]
    source = site.discovery[0]
    not_an_article = site.base_url + "/company/about"
    routes = {url_path(site.base_url + source if source.startswith("/") else source):
              discovery_document(source, [not_an_article, url, another_shape(name, url)]),
              url_path(url): Route((OUTLET_FIXTURES / f"{name}.html").read_bytes())}
    with FixtureServer(routes) as server:
        result = crawl(name, server.base_url, tmp_path / "data")
    assert result.returncode == 0, result.log[-3000:]
    assert server.requests.count(url_path(url)) == 1, server.requests  # two links, one article, one fetch
    assert urlsplit(not_an_article).path not in server.requests
    [article] = result.articles
    assert_as_expected(article, name)
    assert result.stats["newscrawl/articles/pages"] == 1


@pytest.mark.parametrize(("text", "found"), [
    ("◀ 앵커 ▶\n버스정류장 와이파이가 빨라집니다.", []),  # MBC's role markers: lines of the broadcast
    ("◀ 인터뷰 ▶ 시민\n본문.", []),
    ("본문.\n▶ 관련기사 더 보기", ["▶"]),  # a promo link still leaks
])
def test_broadcast_role_markers_are_not_leaks(text, found):
    assert leaks(text) == found


@pytest.mark.parametrize(("name", "link", "fetched"), [
    ("sbs", "https://news.sbs.co.kr/news/endPage.do?news_id=N1007561234&plink=RSSREADER&cooper=RSSREADER",
     "https://news.sbs.co.kr/news/endPage.do?news_id=N1007561234"),
    ("segye", "https://www.segye.com/newsView/20240312512345?OutUrl=naver", "https://www.segye.com/newsView/20240312512345"),
    ("kmib", "https://www.kmib.co.kr/article/view.asp?arcid=0019312345&code=61121111&cp=nv",
     "https://www.kmib.co.kr/article/view.asp?arcid=0019312345&code=61121111"),
])
def test_placement_parameters_are_dropped_from_discovered_links(name, link, fetched):
    assert get_site(name).link(link) == fetched
