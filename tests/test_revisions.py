"""SQLite keeps an article's JSON once (migration 8): the current revision's row holds '' and the view
article_revisions reads every revision with its JSON, as the table did; a superseded revision gets its JSON back."""

from __future__ import annotations

import contextlib
import json
import sqlite3

from newscrawl.storage.sqlite import MIGRATIONS, SQLiteStorage, item_json
from tests.test_postgres import article, exercise

VIEW = "SELECT canonical_url, revision, content_hash, item_json FROM article_revisions ORDER BY canonical_url, revision"


def assert_each_revision_reads_its_own_json(db: sqlite3.Connection) -> None:
    for url, revision, content_hash, text in db.execute(VIEW):
        item = json.loads(text)
        assert (item["canonical_url"], item["content_hash"]) == (url, content_hash), (url, revision)


def test_every_revision_reads_its_json_and_only_the_current_one_is_held_once(tmp_path):
    storage = SQLiteStorage(tmp_path / "db.sqlite3")
    try:
        exercise(storage)  # new, unchanged, updated twice, copies (tests/test_postgres.py)
        storage.upsert_article(article(2, title="세 번째", content_hash="hash-2d"))
        storage.commit()
        db = storage.db
        assert_each_revision_reads_its_own_json(db)
        hashes = [row[:3] for row in db.execute(VIEW)]
        assert [r for r in hashes if r[0].endswith("/2")] == [
            ("https://www.etoday.co.kr/news/view/2", n, h) for n, h in
            enumerate(["hash-2", "hash-2b", "hash-2c", "hash-2d"], start=1)]
        held = db.execute("SELECT canonical_url, revision FROM article_revision_rows WHERE item_json = ''").fetchall()
        assert sorted(held) == sorted(db.execute("SELECT canonical_url, revision FROM articles").fetchall())
        current = db.execute("SELECT item_json FROM articles WHERE canonical_url LIKE '%/2'").fetchone()[0]
        assert json.loads(current)["title"] == "세 번째"
    finally:
        storage.close()


def test_a_database_written_before_migration_8_reads_the_same_and_goes_on(tmp_path):
    path = tmp_path / "db.sqlite3"
    first, second = article(1), article(1, title="고친 제목", content_hash="hash-1b")
    with contextlib.closing(sqlite3.connect(path)) as db:
        for script in MIGRATIONS[:7]:
            for statement in script.split(";"):
                if statement.strip():
                    db.execute(statement)
        db.execute("PRAGMA user_version = 7")
        db.execute("INSERT INTO articles (canonical_url, url, site, title, body, content_hash, revision, item_json)"
                   " VALUES (?, ?, 'etoday', ?, ?, ?, 2, ?)", (second.canonical_url, second.url, second.title,
                                                              second.body, second.content_hash, item_json(second)))
        db.executemany("INSERT INTO article_revisions (canonical_url, revision, content_hash, item_json)"
                       " VALUES (?, ?, ?, ?)", [(first.canonical_url, 1, first.content_hash, item_json(first)),
                                                (second.canonical_url, 2, second.content_hash, item_json(second))])
        db.commit()
        before = db.execute(VIEW).fetchall()
    storage = SQLiteStorage(path)
    try:
        assert storage.db.execute(VIEW).fetchall() == before  # nothing rewritten, the same reading
        third = article(1, title="세 번째", content_hash="hash-1c")
        assert storage.upsert_article(third) == "updated"
        storage.commit()
        rows = storage.db.execute(VIEW).fetchall()
        assert rows[:2] == before and [r[:3] for r in rows[2:]] == [(third.canonical_url, 3, "hash-1c")]
        assert_each_revision_reads_its_own_json(storage.db)
    finally:
        storage.close()
