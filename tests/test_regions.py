"""Layouts that declare ``regions`` read only a cut of the page (newscrawl/selectors.cut_regions): on every page
registered for them (fixtures and real corpus pages) and every real corpus page of their site, the items are the
same as when the whole page is parsed."""

from __future__ import annotations

import json

import pytest

from newscrawl.exporters import dumps
from newscrawl.extract import decode_html, extract_html
from newscrawl.pages import HtmlArticlePage
from newscrawl.selectors import cut_regions
from newscrawl.sites import all_sites
from tests.layouts import BASE, cases, resolve
from tests.shared import manifest, shared_path


def region_layouts() -> dict[str, type[HtmlArticlePage]]:
    return {layout.layout(): layout for site in all_sites().values() for layout in site.layouts
            if isinstance(layout, type) and issubclass(layout, HtmlArticlePage) and layout.regions}


def pages() -> list:
    layouts = region_layouts()
    sites = {name.split(".")[0] for name in layouts}
    found = {(case.page, case.url.replace("{BASE}", BASE), case.site) for case in cases()
             if case.layout in layouts and not case.rendered_text}
    found |= {(f"shared:corpus/raw/{name}", row["original_url"], row["site"]) for name, row in manifest().items()
              if row.get("site") in sites and name.endswith(".html") and row.get("page_kind") == "article"}
    return [pytest.param(*page, id=page[0]) for page in sorted(found)]


def items(url: str, html: str, site: str) -> list[dict]:
    try:
        extracted = extract_html(url, html, site)
    except Exception as error:  # the same error both ways is the same answer
        return [{"error": str(error)}]
    return [json.loads(dumps(item)) for item in extracted.items()]


def test_some_layouts_read_regions():
    assert len(region_layouts()) >= 1


@pytest.mark.parametrize(("page", "url", "site"), pages())
def test_a_cut_page_reads_as_the_whole_page(page, url, site, monkeypatch):
    path = resolve(page) if not page.startswith("shared:corpus/raw/") else shared_path(
        "corpus", "raw", page.removeprefix("shared:corpus/raw/"))
    html = decode_html(path.read_bytes())[0]
    cut = items(url, html, site)
    for layout in region_layouts().values():
        monkeypatch.setattr(layout, "regions", ())
    assert cut == items(url, html, site)


def test_cut_keeps_head_regions_in_order_and_json_ld_before_chrome():
    html = ('<html><head><title>t</title><meta property="og:title" content="T"></head><body>'
            '<div class="top"><h1 class="title">Title</h1><span class="ad">ad</span></div>'
            '<p>outside</p><div class="body"><p>one</p><script type="application/ld+json">{"a": 1}</script>'
            '<div class="box">inner</div></div><div class="box">after</div></body></html>')
    cut = cut_regions(html, ("script", ".ad"), "div.body", (".top", ".box"))
    assert cut is not None
    assert cut.json_ld == ['{"a": 1}']
    assert cut.html == ('<html><head><title>t</title><meta property="og:title" content="T"></head><body>'
                        '<div class="top"><h1 class="title">Title</h1></div><div class="body"><p>one</p>'
                        '<div class="box">inner</div></div><div class="box">after</div></body></html>')
    assert cut_regions(html, (), "div.missing", (".top",)) is None  # no body: the caller parses the whole page


def test_a_selector_lexbor_refuses_means_the_whole_page(caplog):
    html = '<html><head></head><body><div class="body"><p>one</p></div></body></html>'
    assert cut_regions(html, ("p:contains(one)",), "div.body", ()) is None
    assert cut_regions(html, ("p:contains(one)",), "div.body", ()) is None
    said = [r.getMessage() for r in caplog.records if "parsed whole" in r.getMessage()]
    assert len(said) == 1 and "p:contains(one)" in said[0]  # said once, not per page
    assert cut_regions(html, ("script",), "div.body", ()) is not None
