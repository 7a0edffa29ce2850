"""Fuzzing extraction and the pipeline chain (tests/shared.run_page) with mutated real pages: truncations, deleted
and duplicated elements, byte flips, cut and repeated byte runs, charset swaps (with the old label left in place).

Whatever the page, the chain either raises ExtractionError / UndecodableError (a counted parse error in a
crawl) or returns items, and every article it returns has a title, a body and a date; from mutated etoday pages
none of the seed's chrome strings reaches the article text. Examples are bounded and derandomised: the same
inputs in every run, well under a minute."""

from __future__ import annotations

import copy
import json
from functools import cache

import lxml.html
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newscrawl.extract import UndecodableError, decode_html, extract_html, looks_truncated, xml_safe
from newscrawl.pages import ExtractionError
from tests.shared import FIXTURES, manifest, run_page, shared_path

SEED = "000_0b445ba40285c7a5"
CAPTION = "▲김종규 북한 외무성 부상"  # the etoday fixture's photo caption
ETODAY = ("https://www.etoday.co.kr/news/view/2384652", "etoday/news_view_2384652.html", "etoday")
FUZZ = settings(max_examples=400, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@cache
def corpus_articles() -> tuple[tuple[str, str, str], ...]:
    """(original URL, file, site) of every real article page in the shared corpus, and the etoday fixture."""
    rows = [(row["original_url"], row["file"], row["site"]) for row in manifest().values()
            if row["page_kind"] == "article"]
    return (*sorted(rows), ETODAY)


@cache
def page_bytes(file: str) -> bytes:
    if file == ETODAY[1]:
        return (FIXTURES / file).read_bytes()
    return shared_path("corpus", "raw", file).read_bytes()


@cache
def must_not_appear() -> tuple[str, ...]:
    expected = json.loads(shared_path("seed", f"{SEED}.expected.json").read_text(encoding="utf-8"))
    return tuple(expected["must_not_appear_in_article_text"])


def text_of(body: bytes) -> tuple[str, str]:
    for codec in ("utf-8", "cp949"):
        try:
            return body.decode(codec), codec
        except UnicodeDecodeError:
            continue
    return body.decode("cp949", "replace"), "cp949"


# --- mutations: each takes the page bytes and Hypothesis' data --------------------------------------------
def truncate(body: bytes, draw) -> bytes:
    return body[: draw(st.integers(0, len(body)))]


def flip_bytes(body: bytes, draw) -> bytes:
    data = bytearray(body)
    for _ in range(draw(st.integers(1, 16))):
        at = draw(st.integers(0, len(data) - 1))
        data[at] ^= draw(st.integers(1, 255))
    return bytes(data)


def cut_or_repeat_run(body: bytes, draw) -> bytes:
    start = draw(st.integers(0, len(body)))
    end = min(len(body), start + draw(st.integers(1, 4096)))
    return body[:start] + (body[start:end] * 2 if draw(st.booleans()) else b"") + body[end:]


def swap_charset(body: bytes, draw) -> bytes:
    """The page in the other Korean encoding; its <meta charset> and any header now lie."""
    text, codec = text_of(body)
    other = "cp949" if codec == "utf-8" else "utf-8"
    return text.encode(other, "xmlcharrefreplace")


def edit_element(body: bytes, draw) -> bytes:
    """Delete an element, or insert a copy of it right after itself."""
    text, codec = text_of(body)
    try:
        root = lxml.html.document_fromstring(text)
    except (ValueError, lxml.etree.ParserError):
        return body
    elements = [e for e in root.iter() if isinstance(e.tag, str) and e.getparent() is not None]
    if not elements:
        return body
    element = elements[draw(st.integers(0, len(elements) - 1))]
    if draw(st.booleans()):
        element.drop_tree()
    else:
        element.addnext(copy.deepcopy(element))
    return lxml.html.tostring(root, encoding=codec if codec == "utf-8" else "cp949", doctype="<!DOCTYPE html>")


MUTATIONS = (truncate, flip_bytes, cut_or_repeat_run, swap_charset, edit_element)
# Mutations that leave every element where it was: a cut or repeated byte run can splice the quote widget's
# text into the article body, where no parser can tell it from the article.
IN_PLACE = (truncate, flip_bytes, swap_charset, edit_element)


@st.composite
def mutated_pages(draw, pages=None, mutations=MUTATIONS):
    url, file, site = draw(st.sampled_from(pages or corpus_articles()))
    body = page_bytes(file)
    for mutation in draw(st.lists(st.sampled_from(mutations), min_size=1, max_size=3)):
        if body:
            body = mutation(body, draw)
    return url, site, body


def chain_items(url: str, site: str, body: bytes) -> list[dict]:
    try:
        return run_page(url, body, site)
    except (ExtractionError, UndecodableError):
        return []


def article_text(article: dict) -> str:
    return " ".join([article.get("title") or "", article.get("body") or "", *(article.get("subtitles") or []),
                     *(article.get("paragraphs") or [])])


@FUZZ
@given(mutated_pages())
def test_mutated_real_pages_raise_only_extraction_errors_and_yield_whole_articles(page):
    url, site, body = page
    for item in chain_items(url, site, body):
        if item["type"] == "article":
            assert item["title"] and item["body"] and item["published_at"], (url, item)


@FUZZ
@given(mutated_pages(pages=(ETODAY,), mutations=IN_PLACE))
def test_mutated_etoday_pages_let_no_chrome_through(page):
    url, site, body = page
    for item in chain_items(url, site, body):
        if item["type"] == "article":
            leaked = [s for s in must_not_appear() if s in article_text(item)]
            assert not leaked, (leaked, item["paragraphs"])


def test_unmutated_pages_yield_articles():
    """The fuzzing starts from pages that do extract: a mutation, not the seed, causes what it finds."""
    failing = [file for url, file, site in corpus_articles()
               if not any(i["type"] == "article" for i in chain_items(url, site, page_bytes(file)))]
    assert failing == []


# --- what the fuzzing found: regression tests -----------------------------
def etoday_fixture() -> bytes:
    return page_bytes(ETODAY[1])


def test_control_character_beside_a_dropped_element():
    body = etoday_fixture().replace(b'itemprop="articleBody">\n', b'itemprop="articleBody">\x0b', 1)
    article = next(i for i in run_page(ETODAY[0], body, "etoday") if i["type"] == "article")
    assert article["title"].startswith("북한, 러시아 동맹국")


def test_xml_safe_replaces_every_character_lxml_refuses_and_nothing_else():
    page = "<p>가나 \t\n\r\x7f\x85\ufffd</p>"
    assert xml_safe(page) is page
    refused = [chr(c) for c in (*range(0x09), 0x0b, 0x0c, *range(0x0e, 0x20))] + ["\ufffe", "\uffff"]
    for char in refused:
        assert xml_safe(page + char + "끝") == page + " 끝", repr(char)


def test_a_page_is_truncated_only_without_a_closing_body_or_html_tag_in_any_case():
    page = "<html><body>" + "가" * 10_000
    assert looks_truncated(page) and looks_truncated(page + "</bod") and looks_truncated(page + "</span>")
    for end in ("</body>", "</html>", "</BODY>", "</Html>\n", "</body>" + "x" * 5000, "</HTML>" + "x" * 5000):
        assert not looks_truncated(page + end), end


def test_document_nested_inside_an_element_is_a_counted_parse_error():
    body = etoday_fixture()
    cut = body.index(b'itemprop="articleBody"') + len(b'itemprop="articleBody"')
    for item in chain_items_strict(ETODAY[0], "etoday", body[:cut] + body[:cut] + body[cut:]):
        assert item["type"] != "article" or (item["title"] and item["body"] and item["published_at"])


def test_page_cut_inside_a_character_is_truncated_not_undecodable():
    body = etoday_fixture()
    cut = body.index("러시아".encode()) + 1  # inside 러
    html, codec = decode_html(body[:cut], "utf-8")
    assert codec == "utf-8"
    with pytest.raises(ExtractionError, match="truncated"):
        extract_html(ETODAY[0], html, "etoday")


def test_caption_outside_its_photo_box_is_no_body_text():
    body = etoday_fixture().replace(b'class="img_box_C"', b'class="img_box_X"')
    article = next(i for i in run_page(ETODAY[0], body, "etoday") if i["type"] == "article")
    assert not any("▲" in line or "평양/AP뉴시스" in line for line in article["paragraphs"])


def chain_items_strict(url: str, site: str, body: bytes) -> list[dict]:
    try:
        return run_page(url, body, site)
    except (ExtractionError, UndecodableError):
        return []
