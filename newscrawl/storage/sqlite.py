"""SQLite, the embedded default database: articles upserted by canonical URL with revisions, tickers
appended with their observation time, raw pages kept compressed for re-extraction."""

from __future__ import annotations

import functools
import json
import sqlite3
import time
from collections.abc import Callable, Sequence
from dataclasses import fields
from pathlib import Path
from typing import Any

from newscrawl.identity import article_identity
from newscrawl.items import ArticleItem, TickerItem
from newscrawl.jsonencode import one_shot
from newscrawl.storage.packing import pack, unpack
from newscrawl.storage.prepared import PreparedArticle

# Versioned migrations: index + 1 is the schema version. Never edit one that has shipped; append.
MIGRATIONS = [
    """
    CREATE TABLE articles (
        canonical_url TEXT PRIMARY KEY,
        url TEXT NOT NULL,
        site TEXT NOT NULL,
        publisher TEXT,
        title TEXT NOT NULL,
        published_at TEXT,
        modified_at TEXT,
        section TEXT,
        lang TEXT,
        body TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        revision INTEGER NOT NULL,
        first_seen_at TEXT,
        fetched_at TEXT,
        item_json TEXT NOT NULL
    );
    CREATE TABLE article_revisions (
        canonical_url TEXT NOT NULL,
        revision INTEGER NOT NULL,
        content_hash TEXT NOT NULL,
        fetched_at TEXT,
        item_json TEXT NOT NULL,
        PRIMARY KEY (canonical_url, revision)
    );
    CREATE TABLE tickers (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        site TEXT NOT NULL,
        market TEXT NOT NULL,
        code TEXT,
        name TEXT NOT NULL,
        currency TEXT,
        price TEXT NOT NULL,
        change TEXT,
        change_pct TEXT,
        change_basis TEXT,
        as_of TEXT,
        source_url TEXT,
        observed_at TEXT
    );
    CREATE TABLE raw_pages (
        url TEXT PRIMARY KEY,
        site TEXT,
        fetched_at TEXT,
        status INTEGER,
        encoding TEXT,
        parse_error TEXT,
        body_gz BLOB NOT NULL
    );
    """,
    """
    CREATE TABLE crawl_state (
        url TEXT PRIMARY KEY,
        canonical_url TEXT NOT NULL,
        published_at TEXT,
        last_fetched_at TEXT
    );
    CREATE UNIQUE INDEX tickers_observation ON tickers (site, market, COALESCE(code, name), price,
        COALESCE(change_pct, ''), COALESCE(as_of, ''), COALESCE(source_url, ''));
    """,
    # 3: the committed size of each feed (a run cuts a feed back to it).
    """
    CREATE TABLE feed_state (
        feed TEXT PRIMARY KEY,
        size INTEGER NOT NULL
    );
    """,
    # 4: the operator's run history (newscrawl/runs.py).
    """
    CREATE TABLE runs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        command TEXT NOT NULL,
        started_at TEXT NOT NULL,
        finished_at TEXT NOT NULL,
        exit_code INTEGER NOT NULL,
        sites TEXT NOT NULL,
        flags TEXT NOT NULL
    );
    CREATE INDEX runs_started_at ON runs (started_at);
    """,
    # 5: which page object and version read each article and raw page (ArticleItem.extracted_by).
    """
    ALTER TABLE articles ADD COLUMN extracted_by TEXT;
    ALTER TABLE raw_pages ADD COLUMN extracted_by TEXT;
    """,
    # 6: a raw page's extraction state in a table of its own. Marking a page in raw_pages re-wrote its whole
    # compressed row (SQLite rewrites a record and its overflow pages on any change of length: ~40 kB a real
    # page, once more per page crawled), and listing the pages read every byte of them (extracted_by lies after
    # body_gz). raw_pages.parse_error and raw_pages.extracted_by are no longer read or written: dropping them
    # would rewrite every stored page in one transaction. The view raw_page_index reads a page with its state.
    """
    CREATE TABLE raw_page_state (
        url TEXT PRIMARY KEY,
        parse_error TEXT,
        extracted_by TEXT
    ) WITHOUT ROWID;
    INSERT INTO raw_page_state (url, parse_error, extracted_by)
        SELECT url, parse_error, extracted_by FROM raw_pages WHERE parse_error IS NOT NULL OR extracted_by IS NOT NULL;
    CREATE VIEW raw_page_index AS
        SELECT r.url, r.site, r.fetched_at, r.status, r.encoding, s.parse_error, s.extracted_by
        FROM raw_pages r LEFT JOIN raw_page_state s ON s.url = r.url;
    """,
    # 7: raw pages are packed with zstd, no longer gzip (newscrawl/storage/packing.py reads both).
    """
    ALTER TABLE raw_pages RENAME COLUMN body_gz TO body_compressed;
    """,
    # 8: an article's JSON is stored once. The current revision's row holds '' (never valid JSON) in place of
    # the JSON that articles.item_json holds; a revision that is superseded gets its JSON back from the article
    # (upsert_prepared). The view article_revisions reads as the table did: every revision with its JSON. Rows
    # written before keep their copy (nothing is rewritten). A new article: ~7 kB less to write, ~45 µs less
    # CPU a real page (BENCHMARKS.md, reextract).
    """
    ALTER TABLE article_revisions RENAME TO article_revision_rows;
    CREATE VIEW article_revisions AS
        SELECT r.canonical_url, r.revision, r.content_hash, r.fetched_at,
            COALESCE(NULLIF(r.item_json, ''),
                     (SELECT a.item_json FROM articles a WHERE a.canonical_url = r.canonical_url)) AS item_json
        FROM article_revision_rows r;
    """,
]


def _exact(value: Any) -> str | None:
    return None if value is None else str(value)


INSERT_TICKER = """INSERT OR IGNORE INTO tickers (site, market, code, name, currency, price, change, change_pct,
    change_basis, as_of, source_url, observed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"""


UPSERT_ARTICLE = """INSERT INTO articles (canonical_url, url, site, publisher, title, published_at, modified_at,
        section, lang, body, content_hash, first_seen_at, fetched_at, extracted_by, item_json, revision)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT(canonical_url) DO UPDATE SET url = excluded.url, title = excluded.title,
        published_at = excluded.published_at, modified_at = excluded.modified_at,
        section = excluded.section, body = excluded.body, site = excluded.site,
        publisher = excluded.publisher, content_hash = excluded.content_hash,
        revision = excluded.revision, fetched_at = excluded.fetched_at,
        extracted_by = excluded.extracted_by, item_json = excluded.item_json"""
# The current revision's JSON is the article's (migration 8): '' in its row.
INSERT_REVISION = """INSERT INTO article_revision_rows (canonical_url, revision, content_hash, fetched_at, item_json)
    VALUES (?, ?, ?, ?, '')"""
KEEP_SUPERSEDED_JSON = """UPDATE article_revision_rows SET item_json = (SELECT item_json FROM articles WHERE canonical_url = ?)
    WHERE canonical_url = ? AND item_json = ''"""
UPSERT_CRAWL_STATE = """INSERT INTO crawl_state (url, canonical_url, published_at, last_fetched_at) VALUES (?, ?, ?, ?)
    ON CONFLICT(url) DO UPDATE SET last_fetched_at = excluded.last_fetched_at, published_at = excluded.published_at"""


# A raw page's state (migration 6): set only for a page that is stored (the SELECT finds no row otherwise).
MARK_PARSE_ERROR = """INSERT INTO raw_page_state (url, parse_error) SELECT url, ? FROM raw_pages WHERE url = ?
    ON CONFLICT(url) DO UPDATE SET parse_error = excluded.parse_error"""
MARK_EXTRACTED = """INSERT INTO raw_page_state (url, extracted_by) SELECT url, ? FROM raw_pages WHERE url = ?
    ON CONFLICT(url) DO UPDATE SET extracted_by = excluded.extracted_by, parse_error = NULL"""

TICKERS_PER_STATEMENT = 200  # 12 parameters each: far below SQLite's 32,766


@functools.cache
def _insert_tickers(count: int) -> str:
    """INSERT_TICKER of ``count`` rows in one statement: a page's quotes in one step of the VM (a third faster
    than executemany, which runs the statement once per row)."""
    head, values = INSERT_TICKER.split("VALUES ")
    return f"{head}VALUES {', '.join([values] * count)}"


# The tickers_observation index's key of the last N quotes added, and of a row as INSERT_TICKER takes it.
LAST_TICKER_KEYS = """SELECT site, market, COALESCE(code, name), price, COALESCE(change_pct, ''), COALESCE(as_of, ''),
    COALESCE(source_url, '') FROM tickers ORDER BY id DESC LIMIT ?"""


def _ticker_key(row: tuple) -> tuple:
    site, market, code, name, _, price, _, change_pct, _, as_of, source_url, _ = row
    return (site, market, name if code is None else code, price, "" if change_pct is None else change_pct,
            "" if as_of is None else as_of, "" if source_url is None else source_url)


def _ticker_row(item: TickerItem) -> tuple:
    return (item.site, item.market, item.code, item.name, item.currency, _exact(item.price), _exact(item.change),
            _exact(item.change_pct), item.change_basis, item.as_of, item.source_url, item.fetched_at)


_ITEM_JSON = one_shot(json.JSONEncoder(ensure_ascii=False, default=str, sort_keys=True))


def item_json(item: Any) -> str:
    # The fields as they are (what asdict gives, without its deep copy: items hold no nested dataclasses); a
    # dataclass's __dict__ is them when it holds nothing else.
    names = fields(item)
    values = vars(item)
    return _ITEM_JSON(values if len(values) == len(names) else {f.name: getattr(item, f.name) for f in names})


class SQLiteStorage:
    """One connection; writes accumulate in a transaction until commit()/commit_if_due() and on close.
    ``check`` runs ``PRAGMA quick_check`` first: a damaged file raises sqlite3.DatabaseError, never crawled into."""

    def __init__(self, path: str | Path, batch: int = 100, *, check: bool = False):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.path, timeout=30)  # another process migrating or committing: wait
        if check:
            problems = [row[0] for row in self.db.execute("PRAGMA quick_check(3)")]
            if problems != ["ok"]:
                self.db.close()
                raise sqlite3.DatabaseError(f"PRAGMA quick_check failed: {'; '.join(problems)}")
        self._wal()
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.batch = batch
        self.pending = 0
        self.on_retry: Callable[[], None] | None = None  # never called: a local file has no connection to drop
        self.nul_stripped = 0  # SQLite keeps NUL characters as they are
        self.migrate()

    def _wal(self, wait: float = 30.0) -> None:
        """Switch to WAL. The switch needs the file to itself, and SQLite may answer "database is locked" at once
        (without its busy handler) while another process opens or migrates the same fresh file: try again."""
        deadline = time.monotonic() + wait
        while True:
            try:
                self.db.execute("PRAGMA journal_mode=WAL")
                return
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def migrate(self) -> None:
        """Apply the missing migrations under an exclusive lock: a second process starting on the same fresh
        file waits, then reads the version the first one left."""
        self.db.execute("BEGIN EXCLUSIVE")
        try:
            version = self.db.execute("PRAGMA user_version").fetchone()[0]
            for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
                for statement in script.split(";"):  # executescript would commit the open transaction
                    if statement.strip():
                        self.db.execute(statement)
                self.db.execute(f"PRAGMA user_version = {int(number)}")
        except BaseException:
            self.db.rollback()
            raise
        self.db.commit()

    def _wrote(self) -> None:
        self.pending += 1

    def commit_if_due(self) -> None:
        """Commit once ``batch`` writes are pending (callers choose when it is safe to commit)."""
        if self.pending >= self.batch:
            self.commit()

    def commit(self) -> None:
        self.db.commit()
        self.pending = 0

    def rollback(self) -> None:
        """Forget the writes since the last commit (a sink failed: they may not be in every sink)."""
        self.db.rollback()
        self.pending = 0

    def close(self) -> None:
        self.commit()
        self.db.close()

    def abort(self) -> None:
        """Close without committing."""
        self.rollback()
        self.db.close()

    # --- feeds ---------------------------------------------------------------------------------
    def record_feed(self, feed: str, size: int) -> None:
        """The feed's size holding exactly the items of this transaction and earlier ones (see newscrawl/sinks.py)."""
        self.db.execute("INSERT INTO feed_state (feed, size) VALUES (?, ?) ON CONFLICT(feed) DO UPDATE SET"
                        " size = excluded.size", (feed, size))

    def feed_size(self, feed: str) -> int | None:
        row = self.db.execute("SELECT size FROM feed_state WHERE feed = ?", (feed,)).fetchone()
        return row[0] if row else None

    # --- articles --------------------------------------------------------------------------------
    def prepare_article(self, item: ArticleItem) -> PreparedArticle:
        """What upsert_prepared() writes, made without a query (in a reextract worker: newscrawl/storage/prepared.py)."""
        key = article_identity(item)
        payload = item_json(item)
        row = (key, item.url, item.site, item.publisher, item.title, item.published_at, item.modified_at,
               item.section, item.lang, item.body, item.content_hash, item.fetched_at, item.fetched_at,
               item.extracted_by, payload)
        done = tuple((url, key, item.published_at, item.fetched_at)
                     for url in dict.fromkeys(u for u in (item.url, item.canonical_url) if u))
        return PreparedArticle(key, item.site, bool(item.syndicated), item.content_hash, item.extracted_by,
                               item.fetched_at, row, payload, done)

    def upsert_article(self, item: ArticleItem) -> str:
        """Store an article; returns 'new', 'updated' (a new revision: the text changed, or another page object
        or version read it), 'unchanged', or 'copy' (a portal's copy of an article already stored from another
        site: nothing changes)."""
        return self.upsert_prepared(self.prepare_article(item))

    def upsert_prepared(self, article: PreparedArticle, *, mark_done: bool = False) -> str:
        """upsert_article() of a prepared article; with ``mark_done``, mark_done() of it as well."""
        if mark_done:
            self.db.executemany(UPSERT_CRAWL_STATE, article.done)
        key = article.key
        row = self.db.execute(
            "SELECT content_hash, revision, site, extracted_by FROM articles WHERE canonical_url = ?", (key,)
        ).fetchone()
        if row and article.syndicated and row[2] != article.site:
            return "copy"
        if row and row[0] == article.content_hash and row[3] == article.extracted_by:
            self.db.execute("UPDATE articles SET fetched_at = ? WHERE canonical_url = ?", (article.fetched_at, key))
            self._wrote()
            return "unchanged"
        revision = row[1] + 1 if row else 1
        if row:  # the revision it supersedes keeps its JSON (migration 8)
            self.db.execute(KEEP_SUPERSEDED_JSON, (key, key))
        self.db.execute(UPSERT_ARTICLE, (*article.row, revision))
        self.db.execute(INSERT_REVISION, (key, revision, article.content_hash, article.fetched_at))
        self._wrote()
        return "new" if revision == 1 else "updated"

    def mark_done(self, item: ArticleItem) -> None:
        """Remember that this article's URLs were fetched and stored (the incremental crawl state)."""
        for url in dict.fromkeys(u for u in (item.url, item.canonical_url) if u):
            self.db.execute(UPSERT_CRAWL_STATE, (url, article_identity(item), item.published_at, item.fetched_at))

    def done_urls(self) -> dict[str, str | None]:
        """URL -> published_at of every article already stored."""
        return dict(self.db.execute("SELECT url, published_at FROM crawl_state").fetchall())

    def done_url(self, url: str) -> tuple[bool, str | None]:
        """(stored?, published_at) of one URL: a crawl asks per request, so its memory does not grow with the
        database (done_urls() of a million-article archive would be hundreds of MB at start-up)."""
        row = self.db.execute("SELECT published_at FROM crawl_state WHERE url = ?", (url,)).fetchone()
        return (True, row[0]) if row else (False, None)

    def articles(self) -> list[dict]:
        rows = self.db.execute("SELECT item_json FROM articles ORDER BY canonical_url").fetchall()
        return [json.loads(r[0]) for r in rows]

    # --- tickers ---------------------------------------------------------------------------------
    def add_ticker(self, item: TickerItem) -> bool:
        """Append one observation; the same quote from the same page again (a re-fetch) is kept once (False)."""
        cursor = self.db.execute(INSERT_TICKER, _ticker_row(item))
        self._wrote()
        return cursor.rowcount > 0

    def add_tickers(self, items: list[TickerItem]) -> list[bool]:
        """add_ticker() for each item, in one statement when all or none are new (a page's quotes: the usual case)."""
        return self.add_prepared_tickers(self.prepare_tickers(items))

    def prepare_tickers(self, items: list[TickerItem]) -> list[tuple]:
        """What add_prepared_tickers() writes (the rows), made without a query (newscrawl/storage/prepared.py)."""
        return [_ticker_row(item) for item in items]

    def add_prepared_tickers(self, rows: list[tuple]) -> list[bool]:
        """add_tickers() of prepared quotes: one statement; when only some are new, the rows it added (the last
        ids: AUTOINCREMENT, and this connection holds the write lock) say which."""
        changes = self.db.total_changes
        for start in range(0, len(rows), TICKERS_PER_STATEMENT):
            part = rows[start:start + TICKERS_PER_STATEMENT]
            self.db.execute(_insert_tickers(len(part)), [value for row in part for value in row])
        added = self.db.total_changes - changes
        self.pending += len(rows)
        if added in (0, len(rows)):
            return [added > 0] * len(rows)
        new = {tuple(row) for row in self.db.execute(LAST_TICKER_KEYS, (added,))}
        answers = []
        for row in rows:
            key = _ticker_key(row)
            answers.append(key in new)
            new.discard(key)  # the same quote again later in the list: held by then
        return answers

    def tickers(self) -> list[dict]:
        cursor = self.db.execute("SELECT * FROM tickers ORDER BY id")
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    # --- raw pages -------------------------------------------------------------------------------
    def save_raw(self, url: str, body: bytes, *, site: str | None, fetched_at: str, status: int,
                 encoding: str | None = None) -> None:
        self.db.execute(
            """INSERT INTO raw_pages (url, site, fetched_at, status, encoding, body_compressed) VALUES (?, ?, ?, ?, ?, ?)
               ON CONFLICT(url) DO UPDATE SET fetched_at = excluded.fetched_at, status = excluded.status,
                   encoding = excluded.encoding, body_compressed = excluded.body_compressed""",
            (url, site, fetched_at, status, encoding, pack(body)),
        )
        # A page fetched again is not failing until read again (its extracted_by stays: what read it last).
        self.db.execute("UPDATE raw_page_state SET parse_error = NULL WHERE url = ? AND parse_error IS NOT NULL",
                        (url,))
        self._wrote()

    def mark_parse_error(self, url: str, reason: str) -> None:
        self.db.execute(MARK_PARSE_ERROR, (reason, url))
        self._wrote()

    def mark_extracted(self, url: str, extracted_by: str) -> None:
        self.db.execute(MARK_EXTRACTED, (extracted_by, url))
        self._wrote()

    def raw_page(self, url: str) -> bytes | None:
        row = self.db.execute("SELECT body_compressed FROM raw_pages WHERE url = ?", (url,)).fetchone()
        return unpack(row[0]) if row else None

    def raw_pages(self, urls: Sequence[str]) -> dict[str, bytes]:
        """The stored bytes of each URL that is stored, packed (``packing.unpack`` reads them: a damaged page
        fails alone), in one query (a reextract worker's chunk)."""
        found: dict[str, bytes] = {}
        for start in range(0, len(urls), 500):
            part = urls[start:start + 500]
            found.update(self.db.execute(
                f"SELECT url, body_compressed FROM raw_pages WHERE url IN ({', '.join('?' * len(part))})", part))
        return found

    def failed_pages(self) -> list[tuple[str, str]]:
        return self.db.execute(
            "SELECT url, parse_error FROM raw_page_state WHERE parse_error IS NOT NULL ORDER BY url"
        ).fetchall()

    def raw_page_index(self) -> list[tuple[str, str | None, str | None, str | None, str | None, str | None]]:
        """(url, site, fetched_at, encoding, parse_error, extracted_by) of every raw page, by URL, without bytes."""
        return self.db.execute(
            "SELECT url, site, fetched_at, encoding, parse_error, extracted_by FROM raw_page_index ORDER BY url"
        ).fetchall()

    # --- run history -----------------------------------------------------------------------------
    def add_run(self, command: str, started_at: str, finished_at: str, exit_code: int,
                sites: list[dict[str, Any]]) -> int:
        """Append one run's report (see newscrawl.runs.record_run) and commit; returns its id."""
        cursor = self.db.execute(
            "INSERT INTO runs (command, started_at, finished_at, exit_code, sites, flags) VALUES (?, ?, ?, ?, ?, ?)",
            (command, started_at, finished_at, exit_code, json.dumps(sites, ensure_ascii=False, default=str),
             json.dumps(run_flags(sites), ensure_ascii=False)))
        self.commit()
        return int(cursor.lastrowid or 0)

    def runs(self, since: str | None = None) -> list[dict[str, Any]]:
        """Runs started at or after ``since`` (ISO 8601), oldest first."""
        cursor = self.db.execute(
            "SELECT id, command, started_at, finished_at, exit_code, sites, flags FROM runs"
            " WHERE started_at >= ? ORDER BY started_at, id", (since or "",))
        return [{"id": r[0], "command": r[1], "started_at": r[2], "finished_at": r[3], "exit_code": r[4],
                 "sites": json.loads(r[5]), "flags": json.loads(r[6])} for r in cursor]


def run_flags(sites: list[dict[str, Any]]) -> list[str]:
    """A run's flags in plain words, each naming its site."""
    return [f"{site.get('site')}: {flag}" for site in sites for flag in site.get("flags", [])]
