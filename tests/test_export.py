"""``scrapy export``: a database round-trips to Parquet, CSV and JSON lines with the same rows, typed Parquet
columns, filters on site and published day, constant memory, and one-line failures."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import tracemalloc
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from newscrawl import export
from newscrawl.items import ArticleItem, TickerItem
from newscrawl.storage import open_storage
from newscrawl.storage.sqlite import SQLiteStorage
from tests import pg
from tests.shared import REPO

pg_server, pg_dsn = pg.pg_server, pg.pg_dsn  # fixtures used here
KST = timezone(timedelta(hours=9))

# Three sites, published on three days; the dates are what the filters are checked against.
SEED = [("etoday", 1, "2026-11-01T09:30:00+09:00"), ("etoday", 2, "2026-11-02T23:59:00+09:00"),
        ("mk", 3, "2026-11-02T00:00:00+09:00"), ("mk", 4, "2026-11-03T08:00:00+09:00"),
        ("yna", 5, "2026-11-03T12:00:00+09:00")]


def article(site: str, n: int, published_at: str) -> ArticleItem:
    url = f"https://{site}.example/news/{n}"
    return ArticleItem(url=url, canonical_url=url, site=site, publisher=site, title=f"제목 {n}, \"따옴표\"",
                       paragraphs=[f"첫 문단 {n}", "둘째 문단"], body=f"첫 문단 {n}\n\n둘째 문단",
                       authors=[f"기자 {n}"], published_at=published_at, fetched_at="2026-11-04T10:00:00+09:00",
                       content_hash=f"h{n}", images=[{"url": f"{url}.jpg", "caption": "사진, 설명"}], tags=["경제"])


TICKERS = [TickerItem(site="etoday", market="crypto", name="비트코인", code="BTC", price=Decimal("132845000"),
                      change_pct=Decimal("-1.06"), currency="KRW", as_of="2026-11-02T10:00:00+09:00",
                      fetched_at="2026-11-02T10:01:00+09:00"),
           TickerItem(site="etoday", market="crypto", name="트론", code="TRX", price=Decimal("28.86"),
                      change=Decimal("0.000000000000000001"), currency="KRW", fetched_at="2026-11-03T10:01:00+09:00"),
           TickerItem(site="mk", market="index", name="코스피", price=Decimal("2500.12"), change=Decimal("-3.5"),
                      change_pct=Decimal("-0.14"), as_of="2026-11-03T15:30:00+09:00",
                      fetched_at="2026-11-03T16:00:00+09:00")]


def seed(storage) -> None:
    for site, n, published in SEED:
        storage.upsert_article(article(site, n, published))
    storage.upsert_article(replace(article("etoday", 1, SEED[0][2]), title="고친 제목", content_hash="h1b"))
    for ticker in TICKERS:
        storage.add_ticker(ticker)
    storage.commit()


def scrapy(database: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "NEWSCRAWL_DATABASE": database}
    return subprocess.run([sys.executable, "-m", "scrapy", "export", *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def database(tmp_path: Path) -> str:
    storage = SQLiteStorage(tmp_path / "news.sqlite3")
    seed(storage)
    storage.close()
    return f"sqlite:///{tmp_path / 'news.sqlite3'}"


def as_text(value: object) -> str:
    """A Parquet value written the way the CSV writes it."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value.normalize()) if value == value.to_integral() else format(value.normalize(), "f")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def csv_text(value: str) -> str:
    """CSV prices as the same canonical text (the database keeps str(Decimal), e.g. 132845000 or 1E-18)."""
    try:
        number = Decimal(value)
    except ArithmeticError:
        return value
    return as_text(number) if value and not value.isalpha() else value


def parquet_rows(path: Path) -> list[dict]:
    return pq.read_table(path).to_pylist()


def test_articles_round_trip_to_parquet_and_csv_with_the_same_rows(database, tmp_path):
    for fmt in ("parquet", "csv", "jsonl"):
        done = scrapy(database, "--kind", "article", "--out", str(tmp_path / f"a.{fmt}"))
        assert done.returncode == 0, done.stderr
        assert f"{len(SEED)} articles written" in done.stderr
    table = pq.read_table(tmp_path / "a.parquet")
    assert table.schema.field("published_at").type == pa.timestamp("us", tz="+09:00")
    assert table.schema.field("images").type == pa.list_(pa.struct([("url", pa.string()), ("caption", pa.string())]))
    parquet = table.to_pylist()
    with open(tmp_path / "a.csv", encoding="utf-8", newline="") as f:
        csv_rows = list(csv.DictReader(f))
    jsonl = [json.loads(line) for line in (tmp_path / "a.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [[as_text(v) for v in row.values()] for row in parquet] == [list(row.values()) for row in csv_rows]
    assert [row["canonical_url"] for row in jsonl] == [row["canonical_url"] for row in parquet]
    # the database's own view of the same articles
    stored = {a["canonical_url"]: a for a in open_storage(database).articles()}
    assert len(parquet) == len(stored)
    for row in parquet:
        item = stored[row["canonical_url"]]
        assert row["title"] == item["title"] and row["images"] == item["images"]
        assert row["published_at"] == datetime.fromisoformat(item["published_at"])
        assert row["published_at"].utcoffset() == timedelta(hours=9)
    first = next(r for r in parquet if r["canonical_url"].endswith("/news/1"))
    assert first["title"] == "고친 제목" and first["revision"] == 2


def test_tickers_round_trip_with_exact_decimal_prices(database, tmp_path):
    for fmt in ("parquet", "csv"):
        assert scrapy(database, "--kind", "ticker", "--out", str(tmp_path / f"t.{fmt}")).returncode == 0
    table = pq.read_table(tmp_path / "t.parquet")
    assert table.schema.field("price").type == pa.decimal128(38, 18)
    assert table.schema.field("as_of").type == pa.timestamp("us", tz="+09:00")
    parquet = table.to_pylist()
    assert [r["price"] for r in parquet] == [t.price for t in TICKERS]
    assert parquet[1]["change"] == Decimal("0.000000000000000001")
    with open(tmp_path / "t.csv", encoding="utf-8", newline="") as f:
        csv_rows = list(csv.DictReader(f))
    assert [[as_text(v) for v in row.values()] for row in parquet] == \
        [[csv_text(v) for v in row.values()] for row in csv_rows]


@pytest.mark.parametrize(("args", "expected"), [
    (["--site", "mk"], {3, 4}),
    (["--since", "2026-11-02"], {2, 3, 4, 5}),
    (["--until", "2026-11-02"], {1, 2, 3}),
    (["--since", "2026-11-02", "--until", "2026-11-02"], {2, 3}),
    (["--site", "etoday", "--since", "2026-11-03"], set()),
])
def test_filters_on_site_and_published_day(database, args, expected):
    done = scrapy(database, "--format", "jsonl", *args)
    assert done.returncode == 0, done.stderr
    numbers = {int(json.loads(line)["url"].rsplit("/", 1)[1]) for line in done.stdout.splitlines()}
    assert numbers == expected


def test_tickers_filter_on_their_quote_time_else_the_fetch_time(database):
    done = scrapy(database, "--kind", "ticker", "--format", "jsonl", "--since", "2026-11-03")
    assert [json.loads(line)["name"] for line in done.stdout.splitlines()] == ["트론", "코스피"]


def test_postgres_exports_the_same_rows_as_sqlite(database, pg_dsn, tmp_path):
    storage = open_storage(pg_dsn)
    seed(storage)
    storage.close()
    for kind in export.KINDS:
        for fmt in ("csv", "parquet"):
            from_sqlite, from_pg = tmp_path / f"s-{kind}.{fmt}", tmp_path / f"p-{kind}.{fmt}"
            assert scrapy(database, "--kind", kind, "--out", str(from_sqlite)).returncode == 0
            done = scrapy(pg_dsn, "--kind", kind, "--out", str(from_pg))
            assert done.returncode == 0, done.stderr
            if fmt == "csv":
                assert from_pg.read_text(encoding="utf-8") == from_sqlite.read_text(encoding="utf-8")
            else:
                assert parquet_rows(from_pg) == parquet_rows(from_sqlite)


def test_memory_stays_flat_as_rows_grow(tmp_path):
    start = datetime(2026, 11, 1, tzinfo=KST)

    def peak(rows: int) -> int:
        storage = SQLiteStorage(tmp_path / f"m{rows}.sqlite3", batch=10_000)
        for n in range(rows):
            storage.add_ticker(replace(TICKERS[0], price=Decimal(n + 1), fetched_at=(start + timedelta(seconds=n)).isoformat()))
        storage.commit()
        tracemalloc.start()
        with open(tmp_path / f"m{rows}.parquet", "wb") as out:
            written = export.write(export.iter_rows(storage, "ticker"), "ticker", "parquet", out)
        used = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        storage.close()
        assert written == rows
        return used

    small, large = peak(2 * export.BATCH), peak(8 * export.BATCH)
    assert large < small * 1.5, (small, large)


def test_failures_are_one_line_and_a_closed_pipe_is_quiet(database, tmp_path):
    missing = scrapy(f"sqlite:///{tmp_path / 'none.sqlite3'}", "--out", str(tmp_path / "x.csv"))
    assert missing.returncode == 1 and missing.stderr.strip().count("\n") == 0
    assert "no database at" in missing.stderr and not (tmp_path / "none.sqlite3").exists()
    unreachable = scrapy(f"postgresql://nobody@127.0.0.1:{pg.free_port()}/none", "--format", "csv")
    assert unreachable.returncode == 1 and "Traceback" not in unreachable.stderr
    assert unreachable.stderr.startswith("scrapy export: cannot use NEWSCRAWL_DATABASE")
    bad_day = scrapy(database, "--since", "yesterday")
    assert bad_day.returncode == 2 and bad_day.stderr.strip() == \
        "scrapy export: --since 'yesterday' is not a date (YYYY-MM-DD)"
    assert scrapy(database, "--format", "parquet").returncode == 2
    big = SQLiteStorage(tmp_path / "big.sqlite3")
    for n in range(2000):  # ~1 MB of CSV: far more than a pipe holds, so the writer meets the closed pipe
        big.upsert_article(replace(article("etoday", n, SEED[0][2]), body="본문 " * 100))
    big.close()
    piped = subprocess.run(f"{sys.executable} -m scrapy export --kind article --format csv | head -1",
                           shell=True, cwd=REPO, env={**os.environ, "NEWSCRAWL_DATABASE": f"sqlite:///{tmp_path / 'big.sqlite3'}"},
                           capture_output=True, text=True, timeout=120)
    assert piped.stdout.startswith("canonical_url,url,site") and piped.stderr == ""
    assert "scrapy export --kind ticker --format csv | head" in scrapy(database, "--help").stdout
