"""Hostile values inside pages and files (issue #11), at the level where each is decided: the date parser, the
decoder, text normalisation, JSON-LD, the page objects' date fallback and `scrapy extract`. The same cases
through the real engine are in tests/test_faults.py (the fault portal)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime

import pytest
from scrapy.utils.test import get_crawler

from newscrawl.dates import parse_datetime, to_kst_iso
from newscrawl.discovery import entity_expansion
from newscrawl.extract import UndecodableError, decode_page, extract_html
from newscrawl.items import ArticleItem
from newscrawl.pages import HtmlArticlePage
from newscrawl.spider import feed_date
from newscrawl.text import clean
from pipelines.dates import KstDatesPipeline
from tests.faults import BILLION_LAUGHS, NESTED_JSON_LD
from tests.shared import FIXTURES, REPO, article_of, assert_article_matches, run_page

HANBIT = FIXTURES / "generic" / "hanbit_jsonld_article.html"
HANBIT_EXPECTED = json.loads((FIXTURES / "generic" / "hanbit_jsonld_article.expected.json")
                             .read_text(encoding="utf-8"))["article"]
ETODAY = FIXTURES / "etoday" / "news_view_2384652.html"
ETODAY_URL = "https://www.etoday.co.kr/news/view/2384652"
IMPOSSIBLE = ["2024-02-30T10:00:00+09:00", "9999-12-31T23:00:00-05:00", "2024-07-25T10:00:00+99:00",
              "0000-01-01T00:00:00", "2024-13-45", "2024-07-25T10:00:00-14:30", "2024-07-25T24:00:00",
              "1899-12-31T12:00:00+09:00", "입력 2024.02.30 10:55", "2024-07-25T10:00:00+09:60"]


# --- dates ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("value", IMPOSSIBLE)
def test_an_impossible_date_is_no_date(value):
    assert parse_datetime(value) is None and to_kst_iso(value) is None


def test_possible_extremes_are_still_dates():
    assert to_kst_iso("2024-07-25T10:00:00+14:00") == "2024-07-25T05:00:00+09:00"  # Kiritimati, the widest
    assert to_kst_iso("2024-07-25T10:00:00-12:00") == "2024-07-26T07:00:00+09:00"
    assert to_kst_iso(datetime(9999, 12, 31, 23, tzinfo=UTC)) is None  # past datetime's range in KST


@pytest.mark.parametrize(("value", "iso"), [
    ("Thu, 25 Jul 2024 01:55:00 GMT", "2024-07-25T10:55:00+09:00"),
    ("2024-07-25T10:55:00+09:00", "2024-07-25T10:55:00+09:00"),
    ("Fri, 30 Feb 2024 10:00:00 +0900", None),
    ("Fri, 31 Dec 9999 23:00:00 -0500", None),
    ("2024-13-45", None),
])
def test_feed_dates(value, iso):
    when = feed_date(value)
    assert (when.isoformat() if when else None) == iso


def test_dates_pipeline_clears_an_impossible_modified_time_and_keeps_the_article():
    crawler = get_crawler(settings_dict={})
    crawler.stats.open_spider()
    item = ArticleItem(url="u", site="s", publisher="p", published_at="2024-07-25 10:55",
                       modified_at="9999-12-31T23:00:00-05:00")
    out = KstDatesPipeline.from_crawler(crawler).process_item(item)
    assert (out.published_at, out.modified_at) == ("2024-07-25T10:55:00+09:00", None)
    assert crawler.stats.get_value("newscrawl/dates/unparsable/modified_at") == 1


# --- page objects: the next date source --------------------------------------------------------------
def test_impossible_json_ld_dates_fall_back_to_the_visible_lines():
    page = HANBIT.read_text(encoding="utf-8")
    page = page.replace('"datePublished": "2024-03-05T09:30:00+09:00"', '"datePublished": "2024-02-30T09:30:00+09:00"')
    page = page.replace('"dateModified": "2024-03-05T11:02:15+09:00"', '"dateModified": "9999-12-31T23:00:00-05:00"')
    extracted = extract_html(HANBIT_EXPECTED["url"], page)
    assert extracted.impossible_dates == [("published_at", "2024-02-30T09:30:00+09:00"),
                                          ("modified_at", "9999-12-31T23:00:00-05:00")]
    article = article_of(run_page(HANBIT_EXPECTED["url"], page))
    # The page's visible lines: "입력 2024.03.05 09:30" and "수정 2024.03.05 11:02" (minutes only).
    assert article["published_at"] == "2024-03-05T09:30:00+09:00"
    assert article["modified_at"] == "2024-03-05T11:02:00+09:00"


def test_an_impossible_date_everywhere_is_none():
    page = ETODAY.read_text(encoding="utf-8").replace("2024-07-25T10:55:00+09:00", "2024-07-25T10:00:00+99:00")
    page = page.replace("입력 2024-07-25 10:55", "입력 2024-13-25 10:55")
    extracted = extract_html(ETODAY_URL, page)
    assert extracted.article.published_at is None and extracted.tickers
    assert extracted.impossible_dates == [("published_at", "2024-07-25T10:00:00+99:00")]


def test_deeply_nested_json_ld_is_ignored_and_the_page_kept():
    page = HANBIT.read_text(encoding="utf-8").replace("</head>", NESTED_JSON_LD + "</head>", 1)
    assert NESTED_JSON_LD in page
    assert HtmlArticlePage(HANBIT_EXPECTED["url"], page).json_ld()["headline"]  # the good block still read
    article = article_of(run_page(HANBIT_EXPECTED["url"], page))
    assert_article_matches(article, HANBIT_EXPECTED, tuple(HANBIT_EXPECTED))


# --- bytes and text ------------------------------------------------------------------------------------
def test_one_stray_byte_in_euckr_is_replaced_and_counted():
    page = ETODAY.read_text(encoding="utf-8").replace('<meta charset="utf-8">', '<meta charset="euc-kr">')
    body = page.encode("cp949")
    cut = body.index("벨라루스".encode("cp949"))
    decoded = decode_page(body[:cut] + b"\xff" + body[cut:], "euc-kr")
    assert (decoded.encoding, decoded.replaced) == ("cp949", 1)
    assert "\ufffd벨라루스" in decoded.text and "북한" in decoded.text


def test_mostly_undecodable_bytes_are_refused():
    body = b"<html><body>" + bytes(range(0x80, 0x100)) * 40 + b"</body></html>"
    with pytest.raises(UndecodableError):
        decode_page(body)
    assert decode_page("<p>한글</p>".encode()).replaced == 0


@pytest.mark.parametrize("control", ["\u202e", "\u202a", "\u200e", "\u200f", "\u2066", "\u2067", "\u2068",
                                     "\u2069", "\u061c", "\x7f"])
def test_bidi_and_invisible_controls_are_stripped(control):
    assert clean(f"{control}삼성{control}전자 {control}주가") == "삼성전자 주가"


def test_entity_expansion_is_recognised():
    assert "amplification" in entity_expansion(BILLION_LAUGHS)
    assert entity_expansion(b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "&b;"><!ENTITY b "&a;">]>'
                            b"<rss><channel><title>&a;</title></channel></rss>") is not None
    assert entity_expansion(b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "x">]><rss><title>&a;</title></rss>') is None


# --- scrapy extract ------------------------------------------------------------------------------------
def scrapy_extract(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "scrapy", "extract", *args], cwd=REPO, capture_output=True,
                          text=True, timeout=60, **kwargs)


def test_extract_with_an_impossible_json_ld_date_prints_no_traceback(tmp_path):
    page = tmp_path / "page.html"
    page.write_text(HANBIT.read_text(encoding="utf-8").replace("2024-03-05T09:30:00+09:00", "2024-02-30T09:30:00+09:00"),
                    encoding="utf-8")
    done = scrapy_extract(str(page), "--url", HANBIT_EXPECTED["url"])
    assert done.returncode == 0 and "Traceback" not in done.stderr
    assert done.stderr.strip() == "scrapy extract: impossible published_at '2024-02-30T09:30:00+09:00' ignored"
    assert json.loads(done.stdout.splitlines()[0])["published_at"] == "2024-03-05T09:30:00+09:00"


def test_extract_drops_a_page_without_a_possible_date_whole(tmp_path):
    page = tmp_path / "page.html"
    page.write_text(ETODAY.read_text(encoding="utf-8").replace("2024-07-25T10:55:00+09:00", "0000-01-01T00:00:00")
                    .replace("입력 2024-07-25 10:55", "입력"), encoding="utf-8")
    done = scrapy_extract(str(page), "--url", ETODAY_URL)
    assert done.returncode == 1 and done.stdout == "" and "Traceback" not in done.stderr
    assert "scrapy extract: dropped: article without published_at" in done.stderr


@pytest.mark.parametrize(("url", "fails"), [("file:///etc/passwd", True), ("javascript:alert(1)", True),
                                            ("https:///news/view/1", True), (ETODAY_URL, False)])
def test_extract_requires_an_http_url(url, fails):
    done = scrapy_extract(str(ETODAY), "--url", url)
    assert (done.returncode == 1) == fails
    if fails:
        assert done.stderr.strip() == f"scrapy extract: --url must be an http or https URL with a host, not {url!r}"


def test_extract_names_directories_and_fifos(tmp_path):
    done = scrapy_extract(str(tmp_path), "--url", ETODAY_URL)
    assert (done.returncode, done.stderr.strip()) == (1, f"scrapy extract: {tmp_path} is a directory, not a saved page")
    fifo = tmp_path / "pipe.html"
    os.mkfifo(fifo)
    done = scrapy_extract(str(fifo), "--url", ETODAY_URL)  # would block forever if it were opened
    assert (done.returncode, done.stderr.strip()) == (1, f"scrapy extract: {fifo} is a FIFO, not a saved page")


def test_extract_refuses_a_file_over_download_maxsize(tmp_path):
    big = tmp_path / "big.html"
    with big.open("wb") as f:
        f.truncate(64 * 1024 * 1024 + 1)  # sparse: 64 MiB on paper, nothing on disk
    done = scrapy_extract(str(big), "--url", ETODAY_URL, "-s", "DOWNLOAD_MAXSIZE=1048576")
    assert done.returncode == 1
    assert done.stderr.strip() == f"scrapy extract: {big} is larger than DOWNLOAD_MAXSIZE (1048576 bytes)"


def test_extract_piped_into_head_ends_quietly():
    # `head -n 0` closes the pipe before the first line is written: every write meets a closed pipe.
    shell = f"{sys.executable} -m scrapy extract {ETODAY} --url {ETODAY_URL} | head -n 0; exit ${{PIPESTATUS[0]}}"
    done = subprocess.run(["bash", "-c", shell], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert "Traceback" not in done.stderr and "BrokenPipeError" not in done.stderr, done.stderr
    assert done.stderr == "" and done.returncode == 1  # as Python's documentation advises for EPIPE
