"""The PostgreSQL backend: same semantics as SQLite, same stored items for the same crawl, hostile strings,
and a server restarted in the middle of writing."""

from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import asdict, replace
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest
from scrapy.statscollectors import StatsCollector
from scrapy.utils.test import get_crawler

from newscrawl.items import ArticleItem, TickerItem
from newscrawl.report import site_report
from newscrawl.storage import ConfigError, open_storage, storage_for
from newscrawl.storage.postgres import MIGRATIONS, PostgresStorage
from newscrawl.storage.sqlite import SQLiteStorage
from tests import pg, test_etoday
from tests.crawling import crawl
from tests.pg import PostgresServer

pg_server, pg_dsn, etoday_portal = pg.pg_server, pg.pg_dsn, test_etoday.etoday_portal  # fixtures used here


def article(n: int, **changes: object) -> ArticleItem:
    item = ArticleItem(
        url=f"https://www.etoday.co.kr/news/view/{n}", site="etoday", publisher="이투데이", title=f"제목 {n}",
        paragraphs=[f"본문 {n}"], body=f"본문 {n}", published_at="2024-07-25T10:55:00+09:00",
        canonical_url=f"https://www.etoday.co.kr/news/view/{n}", fetched_at="2024-07-25T11:00:00+09:00",
        content_hash=f"hash-{n}", images=[{"url": None, "caption": "사진"}], tags=["북한"])
    return replace(item, **changes)


def ticker(name: str, price: object, **changes: object) -> TickerItem:
    return replace(TickerItem(site="etoday", market="crypto", name=name, price=price, currency="KRW",
                              change_pct=Decimal("-1.06"), fetched_at="2024-07-25T11:00:00+09:00"), **changes)


def exercise(storage) -> list[object]:
    """The same sequence of writes and reads on any backend; everything observable, in order."""
    seen: list[object] = [storage.upsert_article(article(1)), storage.upsert_article(article(2))]
    seen.append(storage.upsert_article(article(1, fetched_at="2024-07-26T09:00:00+09:00")))  # unchanged
    seen.append(storage.upsert_article(article(2, title="고친 제목", content_hash="hash-2b")))  # updated
    storage.commit()
    seen.append(storage.upsert_article(article(2, fetched_at="2024-07-27T09:00:00+09:00", content_hash="hash-2b")))
    seen.append(storage.upsert_article(article(2, content_hash="hash-2c")))
    naver = {"site": "naver", "syndicated": True, "url": "https://n.news.naver.com/mnews/article/1/1"}
    seen.append(storage.upsert_article(article(2, content_hash="hash-copy", **naver)))  # a copy: nothing changes
    seen.append(storage.upsert_article(article(4, content_hash="hash-copy-4", **naver)))  # first seen as a copy
    seen.append(storage.upsert_article(article(4, content_hash="hash-4")))  # the publisher's page replaces it
    storage.mark_done(article(2, url="https://www.etoday.co.kr/news/view/2?ref=rss", published_at="2024-07-24"))
    storage.mark_done(article(2, published_at="2024-07-26T00:00:00+09:00"))
    storage.add_ticker(ticker("비트코인", 132845000))
    storage.add_ticker(ticker("비트코인", 132845000, fetched_at="later"))  # the same quote again: kept once
    storage.commit_if_due()
    storage.add_ticker(ticker("트론", Decimal("28.86"), change=Decimal("0.000000000000000000001")))
    storage.save_raw("https://www.etoday.co.kr/news/view/1", b"<html>1</html>", site="etoday",
                     fetched_at="2024-07-25T11:00:00+09:00", status=200, encoding="utf-8")
    storage.save_raw("https://www.etoday.co.kr/news/view/3", b"<html>3</html>", site="etoday",
                     fetched_at="2024-07-25T11:00:00+09:00", status=200)
    storage.mark_parse_error("https://www.etoday.co.kr/news/view/3", "missing_fields: body")
    storage.commit()
    storage.mark_parse_error("https://www.etoday.co.kr/news/view/1", "missing_fields: title")
    storage.save_raw("https://www.etoday.co.kr/news/view/1", b"<html>1 again</html>", site="etoday",
                     fetched_at="2024-07-26T11:00:00+09:00", status=200)  # a new fetch clears the error
    seen += [storage.articles(), storage.tickers(), storage.done_urls(), storage.raw_page("https://www.etoday.co.kr/news/view/1"),
             storage.raw_page("https://www.etoday.co.kr/news/view/9"), storage.failed_pages()]
    return seen


def revisions(db, placeholder_free_sql: str) -> list[tuple]:
    return [tuple(row) for row in db.execute(placeholder_free_sql).fetchall()]


def test_same_semantics_as_sqlite(pg_dsn, tmp_path):
    sqlite_storage = SQLiteStorage(tmp_path / "db.sqlite3")
    postgres = PostgresStorage(pg_dsn, batch=3)
    expected, got = exercise(sqlite_storage), exercise(postgres)
    assert got[:9] == ["new", "new", "unchanged", "updated", "unchanged", "updated", "copy", "new", "updated"]
    assert [a["site"] for a in got[9]] == ["etoday", "etoday", "etoday"]
    for quote in got[10] + expected[10]:
        del quote["id"]  # PostgreSQL sequences skip the numbers of ignored duplicates
    assert got == expected
    assert len(got[10]) == 2 and got[10][1]["change"] == "1E-21"  # NUMERIC keeps every digit, shown as SQLite's
    assert got[11]["https://www.etoday.co.kr/news/view/2"] == "2024-07-26T00:00:00+09:00"
    assert len(got[11]) == 2
    query = "SELECT canonical_url, revision, content_hash FROM article_revisions ORDER BY canonical_url, revision"
    assert revisions(postgres.conn, query) == revisions(sqlite_storage.db, query)
    touched = "SELECT fetched_at FROM articles WHERE canonical_url = 'https://www.etoday.co.kr/news/view/1'"
    assert postgres.conn.execute(touched).fetchone()[0] == "2024-07-26T09:00:00+09:00"
    sqlite_storage.close()
    postgres.close()


def sink_protocol(storage) -> list[object]:
    """What newscrawl/sinks.py relies on: repeated quotes reported, feed sizes committed, rollback forgets."""
    seen: list[object] = [storage.feed_size("host:/data/articles.jsonl"),
                          storage.add_ticker(ticker("비트코인", 1)), storage.add_ticker(ticker("비트코인", 1))]
    storage.record_feed("host:/data/articles.jsonl", 10)
    storage.commit()
    seen += [storage.add_ticker(ticker("비트코인", 1)), storage.add_ticker(ticker("비트코인", Decimal("1.50"))),
             storage.add_ticker(ticker("이더리움", 2, code=None))]
    storage.upsert_article(article(7))
    storage.record_feed("host:/data/articles.jsonl", 99)
    storage.rollback()  # a sink failed: none of this transaction is kept
    seen += [storage.feed_size("host:/data/articles.jsonl"), [t["price"] for t in storage.tickers()],
             storage.articles(), storage.add_ticker(ticker("이더리움", 2, code=None))]
    storage.commit()
    return seen


def test_sink_protocol_is_the_same_on_both_backends(pg_dsn, tmp_path):
    sqlite_storage, postgres = SQLiteStorage(tmp_path / "db.sqlite3"), PostgresStorage(pg_dsn, batch=3)
    postgres.conn.execute("TRUNCATE tickers, articles, feed_state")
    postgres.conn.commit()
    expected, got = sink_protocol(sqlite_storage), sink_protocol(postgres)
    assert got == expected == [None, True, False, False, True, True, 10, ["1"], [], True]
    sqlite_storage.abort()
    postgres.abort()


def test_migrations_are_versioned_and_run_once(pg_dsn):
    results: list[object] = []

    def open_one() -> None:
        try:
            PostgresStorage(pg_dsn).close()
            results.append("ok")
        except Exception as error:  # the assertion below shows it
            results.append(error)

    threads = [threading.Thread(target=open_one) for _ in range(3)]  # concurrent workers starting up
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == ["ok"] * 3
    storage = PostgresStorage(pg_dsn)
    rows = storage.conn.execute("SELECT version FROM schema_migrations ORDER BY version").fetchall()
    assert [r[0] for r in rows] == list(range(1, len(MIGRATIONS) + 1))
    assert storage.schema_version() == len(MIGRATIONS)
    storage.close()


def test_open_storage_selects_the_backend_from_the_dsn(pg_dsn, tmp_path):
    for database in (f"sqlite:///{tmp_path}/a.sqlite3", str(tmp_path / "b.sqlite3")):
        storage = open_storage(database)
        assert isinstance(storage, SQLiteStorage)
        storage.close()
    storage = open_storage(pg_dsn)
    assert isinstance(storage, PostgresStorage)
    storage.close()
    with pytest.raises(ConfigError, match="use sqlite:///PATH or postgresql://") as refused:
        open_storage("mysql://db/news")
    assert "mysql" in str(refused.value)
    with pytest.raises(ConfigError, match=r"postgresql://newscrawl:\*\*\*@127\.0\.0\.1:1/news") as refused:
        open_storage("postgresql://newscrawl:s3cret@127.0.0.1:1/news")  # nothing listens on port 1
    assert "s3cret" not in str(refused.value)


HOSTILE = [
    "Robert'); DROP TABLE articles; --",
    'quote " and \' and \\ backslash and %s and %(name)s and $1 and ?',
    "NUL\x00inside\x00text",
    "이모지 🇰🇷 and combining 가\u0301",
]


def hostile_article() -> ArticleItem:
    return article(7, title=HOSTILE[0] + "\x00" + "가" * 1_000_000, subtitles=HOSTILE, authors=HOSTILE[1:3],
                   paragraphs=HOSTILE, body="\n".join(HOSTILE) + "x" * 1_000_000, section=HOSTILE[2],
                   tags=HOSTILE, images=[{"url": HOSTILE[1], "caption": HOSTILE[2]}],
                   canonical_url="https://www.etoday.co.kr/news/view/7?q=" + "'%\x00" * 5000)


def without_nul(value: object) -> object:
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, dict):
        return {k: without_nul(v) for k, v in value.items()}
    if isinstance(value, list):
        return [without_nul(v) for v in value]
    return value


def test_hostile_strings_round_trip(pg_dsn, tmp_path):
    item = hostile_article()
    postgres = PostgresStorage(pg_dsn)
    assert postgres.upsert_article(item) == "new"
    postgres.add_ticker(ticker(HOSTILE[0], 10**40, code=HOSTILE[2]))
    postgres.save_raw(HOSTILE[2], HOSTILE[3].encode() + b"\x00", site="etoday", fetched_at="now", status=200)
    postgres.mark_parse_error(HOSTILE[2], HOSTILE[0])
    postgres.close()

    postgres = PostgresStorage(pg_dsn)  # a new connection reads what the first wrote
    [stored] = postgres.articles()
    assert stored == without_nul(json.loads(json.dumps(asdict(item))))  # NUL removed, all else exact
    assert len(stored["title"]) == len(HOSTILE[0]) + 1_000_000
    assert postgres.nul_stripped == 0 and postgres.upsert_article(item) == "unchanged"
    [quote] = postgres.tickers()
    assert (quote["name"], quote["price"], quote["code"]) == (HOSTILE[0], str(10**40), "NULinsidetext")
    assert postgres.raw_page(HOSTILE[2]) == HOSTILE[3].encode() + b"\x00"  # bytes are bytes: NUL kept
    assert postgres.failed_pages() == [("NULinsidetext", HOSTILE[0])]
    tables = postgres.conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()[0]
    assert tables == 8  # nothing dropped: 7 tables (feed_state since migration 3, runs since 4) and schema_migrations
    with pytest.raises(ValueError, match="not a number"):
        postgres.add_ticker(ticker("bad", "12'); DROP TABLE tickers; --"))  # refused now, not at commit
    postgres.close()

    sqlite_storage = SQLiteStorage(tmp_path / "db.sqlite3")  # the same article in SQLite keeps its NULs
    sqlite_storage.upsert_article(item)
    assert without_nul(sqlite_storage.articles()[0]) == stored
    sqlite_storage.close()


def test_lone_surrogates_become_replacement_characters(pg_dsn):
    postgres = PostgresStorage(pg_dsn)
    postgres.upsert_article(article(8, title="broken \ud800 pair"))
    assert postgres.articles()[0]["title"] == "broken \ufffd pair"
    postgres.close()


def test_server_restart_mid_write_is_retried_and_loses_nothing(pg_server: PostgresServer, pg_dsn):
    storage = PostgresStorage(pg_dsn, batch=25, retry_for=30)
    restarted = threading.Event()

    def restart() -> None:
        pg_server.stop("fast")  # terminates the storage's connection, refuses new ones until started
        threading.Event().wait(0.5)
        pg_server.start()
        restarted.set()

    written, after_restart, restarter = 0, 0, threading.Thread(target=restart)
    while written < 100 or not restarted.is_set() or written < after_restart + 100:
        assert storage.upsert_article(article(written)) == "new"
        storage.mark_done(article(written))
        storage.add_ticker(ticker(f"t{written}", written))
        storage.commit_if_due()
        written += 1
        if written == 100:
            restarter.start()
        if not restarted.is_set():
            after_restart = written
    restarter.join()
    storage.close()
    assert storage.retries >= 1

    with psycopg.connect(pg_dsn) as conn:
        assert conn.execute("SELECT count(*), max(revision) FROM articles").fetchone() == (written, 1)
        assert conn.execute("SELECT count(*) FROM article_revisions").fetchone()[0] == written
        assert conn.execute("SELECT count(DISTINCT name), count(*) FROM tickers").fetchone() == (written, written)
        assert conn.execute("SELECT count(*) FROM crawl_state").fetchone()[0] == written


def test_crawl_stores_the_same_items_in_postgres_as_in_sqlite(etoday_portal, pg_dsn, tmp_path):
    with_sqlite = crawl("etoday", etoday_portal.base_url, tmp_path / "sqlite")
    with_postgres = crawl("etoday", etoday_portal.base_url, tmp_path / "pg", settings={"NEWSCRAWL_DATABASE": pg_dsn})
    assert with_sqlite.returncode == 0, with_sqlite.log[-3000:]
    assert with_postgres.returncode == 0, with_postgres.log[-3000:]
    assert with_postgres.stats["newscrawl/articles/new"] == 1
    assert not (tmp_path / "pg" / "newscrawl.sqlite3").exists()

    sqlite_storage = SQLiteStorage(Path(tmp_path / "sqlite" / "newscrawl.sqlite3"))
    postgres = PostgresStorage(pg_dsn)
    ignore = ("fetched_at",)
    expected = [{k: v for k, v in a.items() if k not in ignore} for a in sqlite_storage.articles()]
    assert [{k: v for k, v in a.items() if k not in ignore} for a in postgres.articles()] == expected
    assert expected and expected[0]["paragraphs"]
    ignore = ("observed_at", "source_url")
    expected = [{k: v for k, v in t.items() if k not in ignore} for t in sqlite_storage.tickers()]
    assert [{k: v for k, v in t.items() if k not in ignore} for t in postgres.tickers()] == expected
    assert len(expected) > 5 and all(t["price"] for t in expected)
    url = f"{etoday_portal.base_url}/news/view/2384652"
    assert postgres.raw_page(url) == sqlite_storage.raw_page(url) != None  # noqa: E711
    sqlite_storage.close()
    postgres.close()


def test_sqlite_connection_is_not_touched_by_the_postgres_backend(tmp_path):
    """open_storage keeps the SQLite file behaviour: WAL journal and the user_version migrations."""
    storage = open_storage(f"sqlite:///{tmp_path}/x/db.sqlite3")
    storage.close()
    db = sqlite3.connect(tmp_path / "x" / "db.sqlite3")
    assert db.execute("PRAGMA user_version").fetchone()[0] >= 1
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_crawl_counts_the_retries_in_its_stats(pg_dsn):
    crawler = get_crawler(settings_dict={"NEWSCRAWL_DATABASE": pg_dsn})
    crawler.stats = StatsCollector(crawler)
    storage = storage_for(crawler)
    assert isinstance(storage, PostgresStorage)
    pid = storage.conn.info.backend_pid
    with psycopg.connect(pg_dsn, autocommit=True) as admin:  # the server drops the storage's connection
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
    assert storage.articles() == []
    assert storage.retries == 1 and crawler.stats.get_value("newscrawl/storage/retries") == 1
    assert site_report("etoday", crawler.stats.get_stats(), 0.2)["storage_retries"] == 1  # the run report says so
    storage.close()


def test_both_backends_record_which_page_object_read_an_article_and_its_raw_page(pg_dsn, tmp_path):
    made_by = "etoday.EtodayArticlePage/1"
    for storage, db in ((sqlite := SQLiteStorage(tmp_path / "db.sqlite3"), sqlite.db),
                        (postgres := PostgresStorage(pg_dsn, batch=2), postgres.conn)):
        item = article(901, extracted_by=made_by)
        storage.save_raw(item.url, b"<html>901</html>", site="etoday", fetched_at="2024-07-25T11:00:00+09:00",
                         status=200)
        storage.mark_parse_error(item.url, "missing_fields: body")  # an older parser failed on it
        storage.mark_extracted(item.url, made_by)  # today's read it
        assert storage.upsert_article(item) in ("new", "updated")
        storage.commit()
        assert db.execute(f"SELECT extracted_by FROM articles WHERE url = '{item.url}'").fetchone()[0] == made_by
        assert [(by, error) for url, _, _, _, error, by in storage.raw_page_index() if url == item.url] == [
            (made_by, None)]
        assert made_by in {a["extracted_by"] for a in storage.articles()}  # in the item JSON too
        storage.close()
