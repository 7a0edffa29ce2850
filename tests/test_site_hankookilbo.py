"""한국일보: the three templates (one page class each, chosen by what the page contains), the React flight
payload reader, and a real-engine crawl of a loopback hankookilbo.com fed by an RSS feed and a news sitemap."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import pytest
from lxml import etree
from lxml import html as html_fragment
from parsel import Selector

from newscrawl import keys
from newscrawl.extractors import embedded
from newscrawl.extractors.embedded import flight_rows, resolve_reference
from newscrawl.extractors.images import caption_text, photo_boxes, plain_caption
from newscrawl.pages import ExtractionError
from newscrawl.selectors import utf8
from newscrawl.sites import site_for_url
from newscrawl.sites.hankookilbo import (
    CAPTION_CSS,
    PHOTO_BOX_CSS,
    PHOTO_SRC_CSS,
    HankookFlightPage,
    HankookLegacyPage,
    HankookNextPage,
    _WholeLegacyPage,
    _WholeNextPage,
    editor_fragment,
    editor_photos,
    find_article_detail,
    hankookilbo_page,
)
from newscrawl.sites.hankookilbo_flight import without_flight_scripts
from newscrawl.text import fragment_lines
from tests.crawling import crawl
from tests.servers import FixtureServer, Route, page
from tests.shared import FIXTURES, CorpusSite, article_of, assert_article_matches, run_page, shared_path

HANKOOK = FIXTURES / "hankookilbo"
LEGACY = "hankookilbo_A2025051516330004328"
FLIGHT = "hankookilbo_A2026012914320005196"
SERVER_RENDERED = "hankookilbo_A2026071220290000630"
PAGES = {  # real path -> corpus file
    "/News/Read/A2025051516330004328": LEGACY,
    "/news/article/A2026012914320005196": FLIGHT,
    "/news/article/A2026071220290000630": SERVER_RENDERED,
}
URLS = {stem: f"https://www.hankookilbo.com{path}" for path, stem in PAGES.items()}
COMPARED = ("title", "subtitles", "published_at", "modified_at", "authors", "paragraphs", "images", "section",
            "tags")


CORPUS = CorpusSite("hankookilbo")
truth, raw, original_path = CORPUS.truth, CORPUS.raw, CORPUS.original_path


def html_of(stem: str) -> str:
    return shared_path("corpus", "raw", "hankookilbo", f"{stem}.html").read_text(encoding="utf-8")


def expected_paths(name: str) -> list[str]:
    return json.loads((HANKOOK / f"{name}.expected.json").read_text(encoding="utf-8"))["articles"]


@pytest.mark.parametrize(("stem", "layout"), [
    (LEGACY, HankookLegacyPage), (FLIGHT, HankookFlightPage), (SERVER_RENDERED, HankookNextPage)])
def test_each_template_gets_its_page_class(stem, layout):
    assert site_for_url(URLS[stem]).name == "hankookilbo"
    assert type(hankookilbo_page(URLS[stem], html_of(stem))) is layout


def test_flight_payload_of_the_server_rendered_page_gives_the_same_article():
    """The server-rendered page also carries the flight payload: both readers must agree (dates aside,
    which the payload gives as visible minutes and the pipeline converts)."""
    html = html_of(SERVER_RENDERED)
    from_dom = asdict(HankookNextPage(URLS[SERVER_RENDERED], html).article())
    from_payload = asdict(HankookFlightPage(URLS[SERVER_RENDERED], html).article())
    for name in ("title", "subtitles", "authors", "paragraphs", "images", "section", "tags"):
        assert from_payload[name] == from_dom[name], name
    assert from_payload["published_at"] == "2026.07.12 22:09"


def test_flight_text_rows_are_measured_in_utf8_bytes():
    text = "<p>한국일보 본문</p>"  # 3 bytes per hangul syllable
    stream = f'1:{{"detail":"$2"}}\n2:T{len(text.encode()):x},{text}3:["$","p",null,{{}}]\n'
    script = f"self.__next_f.push({json.dumps([1, stream], ensure_ascii=False)})"
    rows = flight_rows([script])
    assert rows["2"] == text
    assert rows["1"] == {"detail": "$2"} and rows["3"] == ["$", "p", None, {}]


@pytest.mark.parametrize("stem", [FLIGHT, SERVER_RENDERED])
def test_lazy_flight_rows_read_as_every_row_parsed(stem):
    """Rows read one by one are the rows all parsed (dict(rows)), and the detail object is the one a depth-first
    search over every parsed row finds (the reader skips rows whose text cannot hold the keys)."""
    scripts = Selector(text=html_of(stem)).css("script::text").getall()
    every = embedded.flight_rows(scripts)
    assert embedded.find_object(list(every.values()), "articleId", "contentHtml")["articleId"] == stem.split("_")[1]
    assert find_article_detail(flight_rows(scripts)) == embedded.find_object(
        list(every.values()), "articleId", "contentHtml")
    lazy = flight_rows(scripts)
    assert list(lazy) == list(every) and dict(lazy) == every


def test_a_flight_script_of_another_shape_means_every_script_of_the_parsed_page():
    html = html_of(FLIGHT)
    odd = html.replace("<script>self.__next_f.push(", "<script >self.__next_f.push(", 1)
    page, served = HankookFlightPage(URLS[FLIGHT], odd), HankookFlightPage(URLS[FLIGHT], html)
    assert page.selector.css("script::text").re(r"self\.__next_f\.push") and not served.selector.css(
        "script::text").re(r"self\.__next_f\.push")  # the served page's flight scripts are not parsed
    assert dict(page.rows) == dict(served.rows)
    assert asdict(page.article()) == asdict(served.article())


@pytest.mark.parametrize("stem", [FLIGHT, SERVER_RENDERED])
def test_flight_scripts_taken_out_are_the_parsed_pages_flight_scripts(stem):
    """The texts taken out are the flight scripts' texts of the parsed page; a script with a '<' or a CR in its
    text stays in the page (and the page is then not read from them alone)."""
    page = utf8(html_of(stem))
    stripped, texts, every = without_flight_scripts(page)
    parsed = [text for text in Selector(text=html_of(stem)).css("script::text").getall()
              if text.startswith("self.__next_f.push(")]
    assert every and len(texts) >= 10 and texts == parsed
    assert not Selector(text=stripped.decode("utf-8")).css("script::text").re(r"self\.__next_f\.push")
    assert without_flight_scripts(page, texts=False) == (stripped, [], True)
    for odd in (b'self.__next_f.push([1,"<', b'self.__next_f.push([1,"\r'):
        changed = page.replace(b'self.__next_f.push([1,"', odd, 1)
        kept, texts, every = without_flight_scripts(changed)
        assert not every and len(texts) == len(parsed) - 1 and odd in kept


@pytest.mark.parametrize("markup", [
    "", "  ", "text <p>a</p> tail", "  <p>a</p>", "<!-- c --><p>x</p>", "<html><body><p>x</p></body></html>",
    "<!DOCTYPE html><p>x</p>", "<p>a<p>b", "<table><td>x</td></table>", "<body><p>q</p></body>", "a<br>b",
    "<head><title>t</title></head><p>x</p>", "<script>x</script>$$ARTICLEAD$$"])
def test_editor_fragment_is_lxml_htmls_fragment(markup):
    expected = html_fragment.fragment_fromstring(markup, create_parent="div")
    assert etree.tostring(editor_fragment(markup)) == etree.tostring(expected)


def test_editor_fragment_of_the_flight_content_is_lxml_htmls_fragment():
    page = HankookFlightPage(URLS[FLIGHT], html_of(FLIGHT))
    content = resolve_reference(find_article_detail(page.rows)["contentHtml"], page.rows)
    assert len(content) > 1000
    assert etree.tostring(editor_fragment(content)) == etree.tostring(
        html_fragment.fragment_fromstring(content, create_parent="div"))


def test_flight_rows_edge_cases_read_lazily_as_wholly():
    rows = ['1:{"a":1}', "2:I[1]", '3:{"x":{"articleId":1,"contentHtml":"$4"}}', "4:T3,abc",
            '1:{"a":2}', '3:not json', '5:{"article\\u0049d":2,"contentHtml":"$4"}']
    stream = "\n".join(rows) + "\n"
    scripts = [f"self.__next_f.push({json.dumps([1, stream])})", "self.__next_f.push([2, 1])", "var x = 1"]
    lazy, every = flight_rows(scripts), embedded.flight_rows(scripts)
    assert dict(lazy) == every and list(lazy) == list(every)
    assert every["1"] == {"a": 2} and every["4"] == "abc" and "2" not in every
    assert find_article_detail(flight_rows(scripts)) == {"articleId": 1, "contentHtml": "$4"}
    assert flight_rows(scripts).find_object("articleId", "nothing") == {}
    escaped = flight_rows([f"self.__next_f.push({json.dumps([1, rows[-1] + chr(10)])})"])
    assert escaped.find_object("articleId", "contentHtml") == {"articleId": 2, "contentHtml": "$4"}


def test_deck_markup_splits_at_br():
    assert fragment_lines("첫 줄<br>둘째 줄<br/> ") == ["첫 줄", "둘째 줄"]


def test_legacy_article_ends_at_the_byline():
    item = article_of(run_page(URLS[LEGACY], html_of(LEGACY), "hankookilbo"))
    assert item["paragraphs"][:2] == ['"경상도와 전라도로 나눠서 왜 싸우나."', "이재명 더불어민주당 대선 후보"]
    assert not any("이 기사와 관련된 기사" in p or "hankookilbo.com" in p for p in item["paragraphs"])
    assert item["authors"] == ["구현모"]  # the dateline 순천, 광양 is not a name


def after_end(html: str, end: str, extra: str) -> str:
    return html[:end] + extra + html[end:]


def legacy_variants() -> dict[str, str]:
    html = html_of(LEGACY)
    end = html.index("</div>", html.index('<div class="writer"')) + len("</div>")
    return {
        "as served": html,
        "text after the byline": after_end(html, end, "후속 텍스트<!-- c -->꼬리<p>단락</p>끝"),
        "a meta after the byline": after_end(html, end, '<meta property="article:section" content="나중">'),
        "a meta only after the byline": after_end(html, end, '<meta property="article:section" content="나중">')
        .replace('<meta property="article:section" content="정치">', ""),
        "JSON-LD after the byline": after_end(html, end, '<script type="application/ld+json">{"@type": "NewsArticle"}'
                                                         '</script>'),
        "JSON-LD only after the byline": after_end(html, end, '<script type="application/ld+json">{"@type": '
                                                              '"NewsArticle", "headline": "나중"}</script>')
        .replace('"@type" : "NewsArticle"', '"@type" : "Other"'),
        "no canonical link": html.replace('rel="canonical"', 'rel="x-canonical"'),
        "no h1 title before the byline": html.replace('<h1 class="title">', '<h1 class="x">', 1),
        "no modified date": html.replace('"dateModified"', '"x"').replace("article:modified_time", "x"),
        "the date box only after the byline": after_end(
            html, end, '<div class="info"><dl class="wrt-text"><dt>수정</dt><dd>2025.05.16 09:00</dd></dl></div>'
        ).replace("<dt>수정</dt>", "<dt>-</dt>", 1).replace('"dateModified"', '"x"'),
        "an impossible date": html.replace('"datePublished" : "2025-05-15', '"datePublished" : "2025-02-30', 1),
    }


def next_variants() -> dict[str, str]:
    html = html_of(SERVER_RENDERED)
    end = html.index("</section>", html.index('<section id="article-section"')) + len("</section>")
    return {
        "as served": html,
        "a meta after the article": after_end(html, end, '<meta property="article:tag" content="나중">'),
        "JSON-LD after the article": after_end(html, end, '<script type="application/ld+json">{"@type": '
                                                          '"NewsArticle", "keywords": "x"}</script>'),
        "text after the article": after_end(html, end, "<p>후속</p>"),
        "no section link before the article": html.replace('data-ga4="article_section_1"', 'data-ga4="x"', 1),
        "no canonical link": html.replace('rel="canonical"', 'rel="x-canonical"'),
        "a nested section": html.replace('<section id="article-section">', '<section id="article-section">'
                                         '<section></section>', 1),
    }


def in_menus(html: str, before: str, extra: str) -> str:
    """``extra`` in the page furniture before the article, just before ``before`` (the first one)."""
    at = html.index(before)
    return html[:at] + extra + html[at:]


def legacy_menu_variants() -> dict[str, str]:
    """The legacy page with something the layout reads in the menus before ``div.end-top`` (left out of the parse
    only when it holds none of it)."""
    html, end_top = html_of(LEGACY), '<div class="end-top"'
    no_modified = html.replace('"dateModified"', '"x"').replace("article:modified_time", "x")
    return {
        "as served": html,
        "a meta in the menus": in_menus(no_modified, end_top, '<meta property="article:modified_time" '
                                                             'content="2025-05-16T09:00:00+09:00">'),
        "JSON-LD in the menus": in_menus(html, end_top, '<script type="application/ld+json">{"@type": '
                                                        '"NewsArticle", "headline": "메뉴"}</script>')
        .replace('"@type" : "NewsArticle"', '"@type" : "Other"'),
        "an h1 title in the menus": in_menus(html, end_top, '<h1 class="title">메뉴 제목</h1>'),
        "a canonical link in the menus": in_menus(html.replace('rel="canonical"', 'rel="x-canonical"'), end_top,
                                                  '<link rel="canonical" href="https://www.hankookilbo.com/x">'),
        "a date box in the menus": in_menus(no_modified.replace("<dt>수정</dt>", "<dt>-</dt>", 1), end_top,
                                            '<div class="info"><dl class="wrt-text"><dt>수정</dt>'
                                            '<dd>2025.05.16 09:00</dd></dl></div>'),
        "the end-top box named in a script of the menus": in_menus(
            html, "</head>", "").replace("<body>", '<body><script>var s = \'<div class="end-top">\';</script>', 1),
    }


def next_menu_variants() -> dict[str, str]:
    """The server-rendered page with something the layout reads in its site header (``<header>``)."""
    html, header_end = html_of(SERVER_RENDERED), "</header>"
    return {
        "as served": html,
        "a section link in the menus": in_menus(html, header_end, '<div><a data-ga4="article_section_1" href="/x">'
                                                                  '메뉴</a></div><p>메뉴 제목</p>'),
        "a tag meta in the menus": in_menus(html, header_end, '<meta property="article:tag" content="메뉴">'),
        "JSON-LD in the menus": in_menus(html, header_end, '<script type="application/ld+json">{"@type": '
                                                           '"NewsArticle", "datePublished": "2026-07-13T00:00:00+09:00"}'
                                                           '</script>').replace('"@type":"NewsArticle"', '"@type":"x"', 1),
        "a second header": in_menus(html, header_end, "<header></header>"),
    }


MENU_VARIANTS = [("legacy", name) for name in sorted(legacy_menu_variants())] + [
    ("next", name) for name in sorted(next_menu_variants())]
SKIPPED = {"as served", "a date box in the menus"}  # a date box is read only where the whole page is read


@pytest.mark.parametrize(("template", "variant"), MENU_VARIANTS)
def test_a_page_parsed_without_its_menus_reads_as_the_whole_page(template, variant):
    """The menus before the article are left out of the parse too when they hold nothing the layout reads first;
    what the layout reads is what the whole page gives."""
    if template == "legacy":
        html, url, layout, whole_layout = legacy_menu_variants()[variant], URLS[LEGACY], HankookLegacyPage, \
            _WholeLegacyPage
    else:
        html, url, layout, whole_layout = next_menu_variants()[variant], URLS[SERVER_RENDERED], HankookNextPage, \
            _WholeNextPage
    page, whole = layout(url, html), whole_layout(url, html)
    assert page.cut and not whole.skipped
    assert page.skipped == (variant in SKIPPED)
    assert asdict(page.article()) == asdict(whole.article())
    assert page.impossible_dates == whole.impossible_dates


CUT_VARIANTS = [("legacy", name) for name in sorted(legacy_variants())] + [
    ("next", name) for name in sorted(next_variants())]


@pytest.mark.parametrize(("template", "variant"), CUT_VARIANTS)
def test_a_page_parsed_up_to_its_article_end_reads_as_the_whole_page(template, variant):
    """Legacy and server-rendered pages are parsed only up to their article's end (the byline box, the article
    section); what they read is what the whole page gives, and a page whose cut lacks something is read whole."""
    if template == "legacy":
        html, url, layout, whole_layout = legacy_variants()[variant], URLS[LEGACY], HankookLegacyPage, _WholeLegacyPage
    else:
        html, url, layout, whole_layout = next_variants()[variant], URLS[SERVER_RENDERED], HankookNextPage, \
            _WholeNextPage
    page, whole = layout(url, html), whole_layout(url, html)
    assert not whole.cut
    assert page.cut == (variant not in ("a meta after the article", "a nested section"))
    assert asdict(page.article()) == asdict(whole.article())
    assert page.impossible_dates == whole.impossible_dates


def test_cut_ends_at_the_article_end():
    legacy = utf8(html_of(LEGACY))
    end = HankookLegacyPage.article_end(legacy)
    assert end is not None and legacy[:end].endswith(b"</div>") and b'<div class="writer"' in legacy[end - 200:end]
    assert end < 0.5 * len(legacy)
    assert HankookLegacyPage.article_end(legacy.replace(b'<div class="writer"', b'<div class="writer-x"')) is None
    assert HankookLegacyPage.article_end(legacy.replace(b'<div class="writer">', b'<div class="writer"><div>', 1)) \
        is None
    server_rendered = HankookNextPage.page_bytes(html_of(SERVER_RENDERED))
    end = HankookNextPage.article_end(server_rendered)
    assert end is not None and server_rendered[:end].endswith(b"</section>")
    assert HankookNextPage.article_end(server_rendered.replace(b'id="article-view-content"', b'id="x"')) is None


def test_legacy_text_after_the_byline_is_not_article():
    item = asdict(HankookLegacyPage(URLS[LEGACY], legacy_variants()["text after the byline"]).article())
    assert item["paragraphs"] == asdict(HankookLegacyPage(URLS[LEGACY], html_of(LEGACY)).article())["paragraphs"]


@pytest.mark.parametrize("stem", [LEGACY, SERVER_RENDERED])
def test_editor_photos_read_as_the_shared_photo_box_reader(stem):
    """editor_photos (queries compiled once) gives what extractors.images.photo_boxes gives, and drops the boxes."""
    layout = HankookLegacyPage if stem == LEGACY else HankookNextPage
    page, other = layout(URLS[stem], html_of(stem)), layout(URLS[stem], html_of(stem))
    ours, shared = page.body(), other.body()
    expected = photo_boxes(shared, PHOTO_BOX_CSS, other.absolute,
                           caption=lambda box: plain_caption(caption_text(box, CAPTION_CSS, first=True)),
                           src_css=PHOTO_SRC_CSS, every_image=False, keep_missing=True)
    assert len(expected) >= 3 and all(image["url"] and image["caption"] for image in expected)
    assert editor_photos(ours, page) == expected
    assert ours.get() == shared.get() and not ours.css(PHOTO_BOX_CSS)


def test_flight_page_drops_ad_placeholders_and_byline():
    item = article_of(run_page(URLS[FLIGHT], html_of(FLIGHT), "hankookilbo"))
    assert not any("$$" in p or "spicy@" in p for p in item["paragraphs"])
    assert item["tags"] == ["국민의힘", "중도층"]
    assert "\u00a0" not in item["title"]


def test_unknown_page_is_an_extraction_error():
    with pytest.raises(ExtractionError) as error:
        hankookilbo_page("https://www.hankookilbo.com/news/politics", "<html><body><ul><li>목록</li></ul></body></html>"
                         ).extract()
    assert error.value.reason == "missing_fields"


@pytest.fixture
def hankook_portal():
    routes = {
        "/rss/all": page(HANKOOK / "rss_all.xml", "application/rss+xml; charset=utf-8"),
        "/sitemap/latest-articles": page(HANKOOK / "latest_articles.xml", "application/xml; charset=utf-8"),
        "/news/article/A2026071399990000001": Route(b"<html><body>not found</body></html>", status=404),
    }
    for path, stem in PAGES.items():
        routes[path] = Route(shared_path("corpus", "raw", "hankookilbo", f"{stem}.html").read_bytes())
    with FixtureServer(routes) as server:
        yield server


def test_crawl_reads_all_three_templates_and_matches_truth(hankook_portal, tmp_path: Path):
    result = crawl("hankookilbo", hankook_portal.base_url, tmp_path / "data")
    assert result.returncode == 0, result.log[-3000:]
    requested = [p for p in hankook_portal.requests if p.lower().startswith("/news/")]
    assert sorted(requested) == sorted(set(expected_paths("rss_all") + expected_paths("latest_articles")))
    assert result.stats[keys.article_fetch_failed()] == 1

    by_path = {a["url"].removeprefix(hankook_portal.base_url): a for a in result.articles}
    assert sorted(by_path) == sorted(PAGES)
    for path, stem in PAGES.items():
        assert_article_matches(by_path[path], truth(stem), COMPARED)
        assert by_path[path]["body"] == "\n\n".join(truth(stem)["paragraphs"])
