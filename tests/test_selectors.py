"""PageSelector answers every CSS query exactly as parsel does: same elements, same order, same strings, on every
real page of the shared corpus, before and after elements are dropped."""

from __future__ import annotations

import inspect

import pytest
from parsel import Selector

from newscrawl.extract import decode_html
from newscrawl.pages import HtmlArticlePage
from newscrawl.selectors import Marked, PageSelector, _union, descendants, within
from newscrawl.sites import all_sites
from tests.shared import manifest, shared_path

# Shapes the site modules use, and a few they do not (sibling combinators, :not, pseudo-classes go to parsel).
EXTRA_QUERIES = (
    "script", "title::text", "p::text", "div::text", "a::attr(href)", "img::attr(src), img::attr(data-src)",
    "meta[property]", 'meta[property^="og:"]::attr(content)', 'meta[name$="date"]', '[class*="ad"]',
    '[class~="ad"]', '[id|="ad"]', 'div[class!="x"] > p', "div > div > p", "body div p a", "ul li + li",
    "li:first-child", ".location > span:not(.arr)::text", "h1, h2, h3", "#container .article p", "*",
    'a[href*="news"]::text', "[data-date-time]::attr(data-date-time), time::attr(datetime)", "div p::text",
)


def site_queries() -> list[str]:
    """Every CSS string a site module declares: chrome selectors, body_css and module-level *_CSS constants."""
    queries: set[str] = set(EXTRA_QUERIES)
    for site in all_sites().values():
        for layout in site.layouts:
            if isinstance(layout, type) and issubclass(layout, HtmlArticlePage):
                queries.update(layout.chrome_selectors)
                if layout.body_css:
                    queries.add(layout.body_css)
        module = inspect.getmodule(site.layouts[0]) if site.layouts else None
        for name, value in vars(module or object).items():
            if name.upper().endswith("_CSS") and isinstance(value, str):
                queries.add(value)
    return sorted(queries)


def html_pages() -> list[str]:
    return sorted(name for name, row in manifest().items() if name.endswith(".html"))


def answers(selector: Selector, query: str) -> list[str]:
    found = selector.css(query)
    return [s.root if isinstance(s.root, str) else s.root.getroottree().getpath(s.root) for s in found]


@pytest.mark.parametrize("name", html_pages())
def test_same_answers_as_parsel(name):
    html = decode_html(shared_path("corpus", "raw", name).read_bytes())[0]
    ours, theirs = PageSelector.from_html(html), Selector(text=html)
    queries = site_queries()
    for query in queries:
        assert answers(ours, query) == answers(theirs, query), query
    # inside one element, and after dropping elements (they must disappear from the answers)
    for query in ("body div", "body p", 'body [class*="ad"]'):
        ours.css(query)[:3].drop()
        theirs.css(query)[:3].drop()
    for query in queries:
        assert answers(ours, query) == answers(theirs, query), f"after drop: {query}"
    for ours_body, theirs_body in zip(ours.css("body"), theirs.css("body"), strict=True):
        for query in queries:
            assert answers(ours_body, query) == answers(theirs_body, query), f"in body: {query}"


def test_nested_elements_and_scope():
    html = ('<html><body><div id="a" class="x y">one<div class="x">two</div>three</div>'
            '<section><p class="x">four</p></section></body></html>')
    ours, theirs = PageSelector.from_html(html), Selector(text=html)
    for query in (".x::text", "div.x", "#a .x", "#a > .x", "section .x", ".x", "body > div > div", "div div"):
        assert ours.css(query).getall() == theirs.css(query).getall(), query
    inner = ours.css("#a")[0]
    assert [s.root.get("class") for s in inner.css(".x")] == ["x y", "x"]  # the context itself is included
    assert inner.css("section .x") == []
    assert ours.css("#a")[0].root.tag == "div" and ours.css("#a .x::text").getall() == ["two"]


def test_class_and_id_steps_move_to_the_attribute_axis():
    translate = PageSelector.from_html("<p/>")._css2xpath
    assert translate(".ad") == ("descendant-or-self::*/@class[contains(., 'ad') and "
                                "contains(concat(' ', normalize-space(.), ' '), ' ad ')]/..")
    assert translate("#main p") == "descendant-or-self::*/@id[. = 'main']/../descendant::p"
    assert translate('[id$="_box"]') == "descendant-or-self::*/@id[substring(., string-length(.)-3) = '_box']/.."
    parsel = Selector(text="<p/>")._css2xpath
    for kept in ("div.ad", ".a.b", '[class*="a]b"]', "[data-x][data-y]"):  # a tag first, or several attributes
        assert translate(kept) == parsel(kept)


@pytest.mark.parametrize("name", html_pages())
def test_chrome_in_one_pass_drops_what_selector_by_selector_drops(name):
    html = decode_html(shared_path("corpus", "raw", name).read_bytes())[0]
    together, one_by_one = PageSelector.from_html(html), PageSelector.from_html(html)
    chrome = tuple(q for q in site_queries() if "::" not in q  # the root element cannot be dropped
                   and all(found.root.getparent() is not None for found in together.css(q)))
    together.drop_all(chrome)
    for css in chrome:
        one_by_one.css(css).drop()
    assert together.get() == one_by_one.get()
    # without selectors that depend on siblings or position, the non-bare ones are dropped as one group
    independent = tuple(css for css in chrome if not any(mark in css for mark in ":+~"))
    assert len(_union(independent)[3]) == 1
    together, one_by_one = PageSelector.from_html(html), PageSelector.from_html(html)
    together.drop_all(independent)
    for css in independent:
        one_by_one.css(css).drop()
    assert together.get() == one_by_one.get()


def test_xpath_makes_the_selectors_parsel_makes():
    """PageSelector.xpath's own result selectors carry what parsel's xpath gives them (root, type, expression,
    namespaces), for elements, strings and numbers; variables and extra namespaces still go through parsel."""
    html = '<html><body><div id="a" class="x">one<p>two</p><!-- c --></div><p data-n="3">four</p></body></html>'
    ours = PageSelector.from_html(html)
    for query in ("//p", "//p/text()", "//p/@data-n", "count(//p)", "//div/comment()", "//div[@id='a']",
                  "boolean(//p)", "//nothing", "re:test(string(//p), 'tw')", "set:distinct(//p)"):
        mine, parsels = ours.xpath(query), Selector.xpath(ours, query)
        assert type(mine) is type(parsels) and len(mine) == len(parsels), query
        for a, b in zip(mine, parsels, strict=True):
            assert (type(a), a.root, a.type, a._expr, a.namespaces, a._text, a._huge_tree) == \
                   (type(b), b.root, b.type, b._expr, b.namespaces, b._text, b._huge_tree), query
    assert ours.xpath("//p[@data-n=$n]/text()", n="3").getall() == ["four"]
    assert ours.xpath("//x:p", namespaces={"x": "urn:x"}).getall() == []
    with pytest.raises(ValueError, match="XPath error"):
        ours.xpath("//p[")


@pytest.mark.parametrize("name", html_pages())
def test_marked_elements_are_the_css_answers(name):
    """Marked finds for each id, class and tag what ``#id``, ``.class`` and ``tag`` find, and descendants() what
    ``.class tag`` finds, on every real page (names taken from the page itself: a few of each, and one absent)."""
    ours = PageSelector.from_html(decode_html(shared_path("corpus", "raw", name).read_bytes())[0])
    ids = [el.get("id") for el in ours.root.iter() if el.get("id") and "'" not in el.get("id")]
    classes = [token for el in ours.root.iter() if el.get("class") for token in el.get("class").split()
               if token.isascii() and not set(token) & set("'\"\\")]
    ids, classes = frozenset([*ids[:8], "no-such-id"]), frozenset([*classes[:12], "no-such-class"])
    tags = frozenset({"meta", "link", "script", "li", "nosuchtag"})
    marked = Marked.find(ours.root, ids, classes, tags)
    for name_, found in marked.ids.items():
        assert found == [s.root for s in ours.css(f'[id="{name_}"]')], name_
    for name_, found in marked.classes.items():
        assert found == [s.root for s in ours.css(f'[class~="{name_}"]')], name_  # .name, for any name
        assert descendants(found, "li") == [s.root for s in ours.css(f'[class~="{name_}"] li')], name_
    for tag, found in marked.tags.items():
        assert found == [s.root for s in ours.css(tag)], tag
    body = ours.css("body")[0].root
    assert all(within(el, body) for el in marked.tags["li"]) and not within(ours.root, body)
