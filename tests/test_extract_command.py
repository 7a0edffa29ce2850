"""`scrapy extract`: items on stdout, one clear line on stderr for each kind of bad input."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys

import pytest

from tests.shared import FIXTURES, REPO

PAGE = FIXTURES / "etoday" / "news_view_2384652.html"
URL = "https://www.etoday.co.kr/news/view/2384652"


def extract(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "scrapy", "extract", *args], cwd=REPO, capture_output=True,
                          text=True, timeout=60, env={**os.environ, **(env or {})})


def test_site_comes_from_the_url_and_nothing_is_logged_or_stored(tmp_path):
    done = extract(str(PAGE), "--url", URL, env={"NEWSCRAWL_DATA_DIR": str(tmp_path)})
    assert done.returncode == 0 and done.stderr == ""
    items = [json.loads(line) for line in done.stdout.splitlines()]
    assert items[0]["type"] == "article" and items[0]["site"] == "etoday" and len(items) == 13
    assert not any(tmp_path.iterdir())


def test_store_writes_the_items_to_the_database(tmp_path):
    done = extract(str(PAGE), "--url", URL, "--store", env={"NEWSCRAWL_DATABASE": f"sqlite:///{tmp_path}/x.db"})
    assert done.returncode == 0, done.stderr
    with sqlite3.connect(tmp_path / "x.db") as db:
        assert db.execute("SELECT canonical_url FROM articles").fetchall() == [(URL,)]
        assert db.execute("SELECT COUNT(*) FROM tickers").fetchone() == (12,)


@pytest.mark.parametrize(("args", "message"), [
    (["/nonexistent/page.html", "--url", URL], "scrapy extract: no such file: /nonexistent/page.html"),
    ([str(PAGE), "--url", URL, "--site", "nosuch"], "scrapy extract: unknown site 'nosuch'; known sites: "),
    ([str(FIXTURES / "badinput" / "soft_404.html"), "--url", URL], "soft_404: a 'not found' page served as 200"),
])
def test_bad_input_is_one_clear_line(args, message):
    done = extract(*args)
    assert done.returncode == 1 and done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1 and message in done.stderr


def test_undecodable_bytes_are_one_clear_line(tmp_path):
    page = tmp_path / "bad.html"
    page.write_bytes(b"<html><body>\xff\xfe\xff broken</body></html>")
    done = extract(str(page), "--url", URL)
    assert done.returncode == 1
    assert done.stderr.strip() == "scrapy extract: bytes are neither UTF-8 nor the declared charset nor CP949"


def test_store_keeps_no_quote_of_a_dropped_article(tmp_path):
    """As a crawl (issue #11): the article of a page whose body is only toolbar lines is dropped by validation, and
    `scrapy extract --store` stores none of the page's quotes either; it says why on stderr and exits 1."""
    from tests.test_bad_input import chrome_only_body

    page_file = tmp_path / "page.html"
    page_file.write_bytes(chrome_only_body(3001))
    done = extract(str(page_file), "--url", "https://www.etoday.co.kr/news/view/3001", "--store",
                   env={"NEWSCRAWL_DATABASE": f"sqlite:///{tmp_path}/x.db"})
    assert done.returncode == 1 and done.stdout == ""
    assert "dropped:" in done.stderr and "ticker of a dropped article" in done.stderr
    with sqlite3.connect(tmp_path / "x.db") as db:
        assert db.execute("SELECT COUNT(*) FROM articles").fetchone() == (0,)
        assert db.execute("SELECT COUNT(*) FROM tickers").fetchone() == (0,)
