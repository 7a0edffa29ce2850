"""PostgreSQL, for several crawlers (distributed workers) writing to one database: the same interface and
semantics as SQLiteStorage. Articles upserted by canonical URL with revisions, tickers appended once per
observation with exact NUMERIC prices, raw pages kept compressed (zstd), item JSON as jsonb, the crawl state
(which URLs are done) beside them.

Writes are buffered and sent with ``executemany`` when a read needs them or at commit; as in SQLite they
become durable only at commit(), commit_if_due() (``batch`` writes pending) and close(). A dropped connection
(server restart, network cut) or a deadlock is retried with a fresh transaction for up to ``retry_for``
seconds: the whole uncommitted transaction is replayed (every statement is an idempotent upsert), so nothing
accepted is lost. ``retries`` counts the attempts that were repeated. PostgreSQL refuses NUL characters in
text and jsonb: they are removed (counted in ``nul_stripped``); lone surrogates, not UTF-8, become U+FFFD.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

import psycopg
from psycopg.rows import dict_row

from newscrawl.identity import article_identity
from newscrawl.items import ArticleItem, TickerItem
from newscrawl.storage.packing import pack, unpack
from newscrawl.storage.prepared import PreparedArticle
from newscrawl.storage.sqlite import run_flags

logger = logging.getLogger(__name__)
T = TypeVar("T")
LONE_SURROGATE = re.compile("[\ud800-\udfff]")

MIGRATION_LOCK = 7_246_510_301  # pg_advisory_xact_lock key: one migrating process at a time

# Versioned migrations: index + 1 is the version recorded in schema_migrations. Never edit one that has
# shipped; append. URLs are unique through md5() indexes because a btree entry cannot exceed ~2.7 kB.
MIGRATIONS = [
    """
    CREATE TABLE articles (
        canonical_url TEXT NOT NULL,
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
        item JSONB NOT NULL
    );
    CREATE UNIQUE INDEX articles_canonical_url ON articles (md5(canonical_url));
    CREATE INDEX articles_site_published ON articles (site, published_at);
    CREATE TABLE article_revisions (
        canonical_url TEXT NOT NULL,
        revision INTEGER NOT NULL,
        content_hash TEXT NOT NULL,
        fetched_at TEXT,
        item JSONB NOT NULL
    );
    CREATE UNIQUE INDEX article_revisions_key ON article_revisions (md5(canonical_url), revision);
    CREATE TABLE tickers (
        id BIGSERIAL PRIMARY KEY,
        site TEXT NOT NULL,
        market TEXT NOT NULL,
        code TEXT,
        name TEXT NOT NULL,
        currency TEXT,
        price NUMERIC NOT NULL,
        change NUMERIC,
        change_pct NUMERIC,
        change_basis TEXT,
        as_of TEXT,
        source_url TEXT,
        observed_at TEXT
    );
    CREATE TABLE raw_pages (
        url TEXT NOT NULL,
        site TEXT,
        fetched_at TEXT,
        status INTEGER,
        encoding TEXT,
        parse_error TEXT,
        body_gz BYTEA NOT NULL
    );
    CREATE UNIQUE INDEX raw_pages_url ON raw_pages (md5(url));
    """,
    """
    CREATE TABLE crawl_state (
        url TEXT NOT NULL,
        canonical_url TEXT NOT NULL,
        published_at TEXT,
        last_fetched_at TEXT
    );
    CREATE UNIQUE INDEX crawl_state_url ON crawl_state (md5(url));
    CREATE UNIQUE INDEX tickers_observation ON tickers (md5(site || chr(31) || market || chr(31)
        || COALESCE(code, name) || chr(31) || price::text || chr(31) || COALESCE(change_pct::text, '')
        || chr(31) || COALESCE(as_of, '') || chr(31) || COALESCE(source_url, '')));
    """,
    # 3: the committed size of each feed (a run cuts a feed back to it).
    """
    CREATE TABLE feed_state (
        feed TEXT PRIMARY KEY,
        size BIGINT NOT NULL
    );
    """,
    # 4: the operator's run history (newscrawl/runs.py).
    """
    CREATE TABLE runs (
        id BIGSERIAL PRIMARY KEY,
        command TEXT NOT NULL,
        started_at TEXT NOT NULL,
        finished_at TEXT NOT NULL,
        exit_code INTEGER NOT NULL,
        sites JSONB NOT NULL,
        flags JSONB NOT NULL
    );
    CREATE INDEX runs_started_at ON runs (started_at);
    """,
    # 5: which page object and version read each article and raw page (ArticleItem.extracted_by).
    """
    ALTER TABLE articles ADD COLUMN extracted_by TEXT;
    ALTER TABLE raw_pages ADD COLUMN extracted_by TEXT;
    """,
    # 6: raw pages are packed with zstd, no longer gzip (newscrawl/storage/packing.py reads both).
    """
    ALTER TABLE raw_pages RENAME COLUMN body_gz TO body_compressed;
    """,
]

ARTICLE_COLUMNS = ("canonical_url", "url", "site", "publisher", "title", "published_at", "modified_at", "section",
                   "lang", "body", "content_hash", "revision", "first_seen_at", "fetched_at", "extracted_by", "item")
FETCHED_AT = ARTICLE_COLUMNS.index("fetched_at")
REVISION = ARTICLE_COLUMNS.index("revision")
UPSERT_ARTICLE = f"""
    INSERT INTO articles ({", ".join(ARTICLE_COLUMNS)})
    VALUES ({", ".join(["%s"] * (len(ARTICLE_COLUMNS) - 1))}, %s::jsonb)
    ON CONFLICT ((md5(canonical_url))) DO UPDATE SET url = EXCLUDED.url, title = EXCLUDED.title,
        published_at = EXCLUDED.published_at, modified_at = EXCLUDED.modified_at, section = EXCLUDED.section,
        body = EXCLUDED.body, site = EXCLUDED.site, publisher = EXCLUDED.publisher, content_hash = EXCLUDED.content_hash, revision = EXCLUDED.revision,
        fetched_at = EXCLUDED.fetched_at, extracted_by = EXCLUDED.extracted_by, item = EXCLUDED.item
    WHERE articles.revision < EXCLUDED.revision"""
INSERT_REVISION = """
    INSERT INTO article_revisions (canonical_url, revision, content_hash, fetched_at, item)
    VALUES (%s, %s, %s, %s, %s::jsonb) ON CONFLICT DO NOTHING"""
TOUCH_ARTICLE = "UPDATE articles SET fetched_at = %s WHERE md5(canonical_url) = md5(%s) AND canonical_url = %s"
STORED_STATE = "SELECT content_hash, revision, site, extracted_by FROM articles WHERE md5(canonical_url) = md5(%s) AND canonical_url = %s"
UPSERT_CRAWL_STATE = """
    INSERT INTO crawl_state (url, canonical_url, published_at, last_fetched_at) VALUES (%s, %s, %s, %s)
    ON CONFLICT ((md5(url))) DO UPDATE SET last_fetched_at = EXCLUDED.last_fetched_at,
        published_at = EXCLUDED.published_at"""
INSERT_TICKER = """
    INSERT INTO tickers (site, market, code, name, currency, price, change, change_pct, change_basis, as_of,
        source_url, observed_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING"""
TICKER_SEEN = """
    SELECT 1 FROM tickers WHERE md5(site || chr(31) || market || chr(31) || COALESCE(code, name) || chr(31)
        || price::text || chr(31) || COALESCE(change_pct::text, '') || chr(31) || COALESCE(as_of, '') || chr(31)
        || COALESCE(source_url, ''))
    = md5(%s::text || chr(31) || %s::text || chr(31) || COALESCE(%s::text, %s::text) || chr(31)
        || %s::numeric::text || chr(31) || COALESCE(%s::numeric::text, '') || chr(31) || COALESCE(%s::text, '')
        || chr(31) || COALESCE(%s::text, ''))"""
TICKERS_SEEN = """
    SELECT v.i FROM (VALUES {rows}) AS v(i, site, market, code, name, price, change_pct, as_of, source_url)
    WHERE EXISTS (SELECT 1 FROM tickers t WHERE md5(t.site || chr(31) || t.market || chr(31) || COALESCE(t.code, t.name)
        || chr(31) || t.price::text || chr(31) || COALESCE(t.change_pct::text, '') || chr(31) || COALESCE(t.as_of, '')
        || chr(31) || COALESCE(t.source_url, ''))
    = md5(v.site || chr(31) || v.market || chr(31) || COALESCE(v.code, v.name) || chr(31) || v.price::numeric::text
        || chr(31) || COALESCE(v.change_pct::numeric::text, '') || chr(31) || COALESCE(v.as_of, '') || chr(31)
        || COALESCE(v.source_url, '')))"""
TICKERS_SEEN_ROW = "(%s::int, %s::text, %s::text, %s::text, %s::text, %s::text, %s::text, %s::text, %s::text)"
UPSERT_FEED = "INSERT INTO feed_state (feed, size) VALUES (%s, %s) ON CONFLICT (feed) DO UPDATE SET size = EXCLUDED.size"
SELECT_TICKERS = """
    SELECT id, site, market, code, name, currency, price::text AS price, change::text AS change,
        change_pct::text AS change_pct, change_basis, as_of, source_url, observed_at FROM tickers ORDER BY id"""
UPSERT_RAW = """
    INSERT INTO raw_pages (url, site, fetched_at, status, encoding, parse_error, body_compressed)
    VALUES (%s, %s, %s, %s, %s, %s, %s)
    ON CONFLICT ((md5(url))) DO UPDATE SET fetched_at = EXCLUDED.fetched_at, status = EXCLUDED.status,
        encoding = EXCLUDED.encoding, parse_error = EXCLUDED.parse_error, body_compressed = EXCLUDED.body_compressed"""
MARK_PARSE_ERROR = "UPDATE raw_pages SET parse_error = %s WHERE md5(url) = md5(%s) AND url = %s"
MARK_EXTRACTED = "UPDATE raw_pages SET extracted_by = %s, parse_error = NULL WHERE md5(url) = md5(%s) AND url = %s"


def exact_number(value: Any) -> str | None:
    """The number as exact text for NUMERIC; ValueError (at once, not at commit) when it is not a number."""
    if value is None:
        return None
    text = str(value)
    try:
        Decimal(text)
    except InvalidOperation:
        raise ValueError(f"not a number: {text[:80]!r}") from None
    return text


@dataclass
class Writes:
    """Buffered writes, merged by key (the last write wins, as the upserts would decide), sent in an order
    that keeps their meaning: raw pages before their parse errors, articles before their revisions."""

    raw_pages: dict[str, list[Any]] = field(default_factory=dict)  # url -> row
    parse_errors: dict[str, str] = field(default_factory=dict)  # url -> reason, for raw pages stored earlier
    extracted: dict[str, str] = field(default_factory=dict)  # url -> the page object that read the raw page
    articles: dict[str, list[Any]] = field(default_factory=dict)  # canonical URL -> row
    revisions: list[tuple] = field(default_factory=list)
    touches: dict[str, str | None] = field(default_factory=dict)  # canonical URL -> fetched_at (unchanged)
    crawl_state: dict[str, list[Any]] = field(default_factory=dict)  # url -> row
    tickers: list[tuple] = field(default_factory=list)
    feeds: dict[str, int] = field(default_factory=dict)  # feed -> size (newscrawl/sinks.py)

    def __bool__(self) -> bool:
        return any((self.raw_pages, self.parse_errors, self.extracted, self.articles, self.revisions, self.touches,
                    self.crawl_state, self.tickers, self.feeds))

    def send(self, cursor: psycopg.Cursor) -> None:
        def rows(by_key: dict[str, Any]) -> list[Any]:  # key order: concurrent writers lock rows alike
            return [by_key[key] for key in sorted(by_key)]

        statements = [
            (UPSERT_RAW, rows(self.raw_pages)),
            (MARK_PARSE_ERROR, [(r, u, u) for u, r in sorted(self.parse_errors.items())]),
            (MARK_EXTRACTED, [(e, u, u) for u, e in sorted(self.extracted.items())]),
            (UPSERT_ARTICLE, rows(self.articles)),
            (INSERT_REVISION, self.revisions),
            (TOUCH_ARTICLE, [(f, k, k) for k, f in sorted(self.touches.items())]),
            (UPSERT_CRAWL_STATE, rows(self.crawl_state)),
            (INSERT_TICKER, self.tickers),
            (UPSERT_FEED, sorted(self.feeds.items())),
        ]
        for sql, params in statements:
            if params:
                cursor.executemany(sql, params)


class PostgresStorage:
    def __init__(self, dsn: str, batch: int = 100, retry_for: float = 60.0):
        self.dsn = dsn
        self.batch = batch
        self.retry_for = retry_for
        self.retries = 0
        self.nul_stripped = 0
        self.on_retry: Callable[[], None] | None = None  # e.g. a crawl stats counter
        self.conn: psycopg.Connection | None = None
        self._forget_transaction()
        self._connection()  # fail fast on a wrong DSN or a server that is not there: no retry on the first
        self._retrying(self.migrate)

    # --- connection, transaction and retries ---------------------------------------------------
    def _connection(self) -> psycopg.Connection:
        if self.conn is None or self.conn.closed:
            self.conn = psycopg.connect(self.dsn, connect_timeout=10, application_name="newscrawl")
            self.sent = 0  # a new connection has no open transaction: everything uncommitted is sent again
        return self.conn

    def _forget_transaction(self) -> None:
        """After a commit: nothing pending."""
        self.pending = 0
        self.writes = Writes()  # not yet sent
        self.transaction: list[Writes] = []  # this transaction's writes, sent or not, kept for a replay
        self.sent = 0  # how many of them were sent on the current connection
        # canonical URL -> (hash, revision, site, extracted_by)
        self.article_states: dict[str, tuple[str, int, str, str | None]] = {}
        self.ticker_keys: set[tuple] = set()  # observations added in this transaction

    def _retrying(self, operation: Callable[[], T]) -> T:
        """Run ``operation``; on a lost connection or a deadlock, replay the transaction and run it again."""
        deadline = time.monotonic() + self.retry_for
        delay = 0.1
        while True:
            try:
                self._connection()
                return operation()
            except psycopg.OperationalError as error:
                lost = self.conn is None or self.conn.closed or self.conn.broken
                if not (lost or isinstance(error, psycopg.errors.TransactionRollbackError)):
                    raise
                if time.monotonic() + delay > deadline:
                    raise
                self.retries += 1
                if self.on_retry:
                    self.on_retry()
                logger.warning("PostgreSQL %s (%s); retrying in %.1f s", "connection lost" if lost else "conflict",
                               str(error).strip().splitlines()[0], delay)
                if lost and self.conn is not None:
                    self.conn.close()
                elif self.conn is not None:
                    self.conn.rollback()
                    self.sent = 0
                time.sleep(delay)
                delay = min(delay * 2, 2.0)

    def _send(self) -> psycopg.Connection:
        """Send the pending writes into the open transaction (replaying it on a new connection)."""
        if self.writes:
            self.transaction.append(self.writes)
            self.writes = Writes()
        conn = self._connection()
        with conn.cursor() as cursor:
            while self.sent < len(self.transaction):
                self.transaction[self.sent].send(cursor)
                self.sent += 1
        return conn

    def _query(self, sql: str, params: tuple = (), *, send: bool = True, **options: Any) -> list[Any]:
        """Rows of a read that sees this storage's own uncommitted writes, as SQLite's single connection does
        (``send=False``: only what is already sent; for reads whose caller knows the pending state)."""
        def run() -> list[Any]:
            conn = self._send() if send else self._connection()
            with conn.cursor(**options) as cursor:
                return cursor.execute(sql, params).fetchall()

        return self._retrying(run)

    def migrate(self) -> None:
        conn = self._connection()
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
            conn.execute("""CREATE TABLE IF NOT EXISTS schema_migrations (
                version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())""")
            applied = {row[0] for row in conn.execute("SELECT version FROM schema_migrations")}
            for number, script in enumerate(MIGRATIONS, start=1):
                if number not in applied:
                    conn.execute(script)
                    conn.execute("INSERT INTO schema_migrations (version) VALUES (%s)", (number,))

    def schema_version(self) -> int:
        return self._query("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")[0][0]

    def _wrote(self) -> None:
        self.pending += 1

    def commit_if_due(self) -> None:
        """Commit once ``batch`` writes are pending (callers choose when it is safe to commit)."""
        if self.pending >= self.batch:
            self.commit()

    def commit(self) -> None:
        self._retrying(lambda: self._send().commit())
        self._forget_transaction()

    def rollback(self) -> None:
        """Forget the writes since the last commit (a sink failed: they may not be in every sink)."""
        try:
            if self.conn is not None and not self.conn.closed:
                self.conn.rollback()
        finally:
            self._forget_transaction()

    def close(self) -> None:
        try:
            self.commit()
        finally:
            if self.conn is not None:
                self.conn.close()

    def abort(self) -> None:
        """Close without committing."""
        try:
            self.rollback()
        finally:
            if self.conn is not None:
                self.conn.close()

    # --- feeds -----------------------------------------------------------------------------------
    def record_feed(self, feed: str, size: int) -> None:
        """The feed's size holding exactly the items of this transaction and earlier ones (newscrawl/sinks.py)."""
        self.writes.feeds[feed] = size
        self._wrote()

    def feed_size(self, feed: str) -> int | None:
        rows = self._query("SELECT size FROM feed_state WHERE feed = %s", (feed,), send=False)
        return rows[0][0] if rows else None

    # --- text PostgreSQL accepts -----------------------------------------------------------------
    def _scrub(self, value: Any) -> Any:
        if isinstance(value, str):
            if "\x00" in value:
                self.nul_stripped += 1
                value = value.replace("\x00", "")
            if not value.isascii():
                try:
                    value.encode("utf-8")
                except UnicodeEncodeError:
                    value = LONE_SURROGATE.sub("\ufffd", value)
            return value
        if isinstance(value, dict):
            return {self._scrub(k): self._scrub(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self._scrub(v) for v in value]
        return value

    # --- articles --------------------------------------------------------------------------------
    def _stored_state(self, key: str) -> tuple[str, int, str, str | None] | None:
        rows = self._query(STORED_STATE, (key, key), send=False)  # pending ones are in article_states
        return (rows[0][0], rows[0][1], rows[0][2], rows[0][3]) if rows else None

    def prepare_article(self, item: ArticleItem) -> PreparedArticle:
        """What upsert_prepared() writes, made without a query (in a reextract worker: newscrawl/storage/prepared.py)."""
        before = self.nul_stripped
        data = self._scrub(asdict(item))
        scrubbed, self.nul_stripped = self.nul_stripped - before, before  # counted when written
        key = article_identity(data)
        payload = json.dumps(data, ensure_ascii=False, default=str, sort_keys=True)
        row = {**data, "canonical_url": key, "revision": None, "first_seen_at": data["fetched_at"], "item": payload}
        done = tuple((url, data["canonical_url"] or data["url"], data["published_at"], data["fetched_at"])
                     for url in dict.fromkeys(u for u in (data["url"], data["canonical_url"]) if u))
        return PreparedArticle(key, data["site"], bool(item.syndicated), data["content_hash"], data["extracted_by"],
                               data["fetched_at"], tuple(row[column] for column in ARTICLE_COLUMNS), payload, done,
                               scrubbed)

    def upsert_article(self, item: ArticleItem) -> str:
        """Store an article; returns 'new', 'updated' (a new revision: the text changed, or another page object
        or version read it), 'unchanged', or 'copy' (a portal's copy of an article already stored from another
        site: nothing changes)."""
        return self.upsert_prepared(self.prepare_article(item))

    def upsert_prepared(self, article: PreparedArticle, *, mark_done: bool = False) -> str:
        """upsert_article() of a prepared article; with ``mark_done``, mark_done() of it as well."""
        self.nul_stripped += article.scrubbed
        if mark_done:
            self._mark_done(article.done)
        key = article.key
        state = self.article_states.get(key) or self._stored_state(key)
        if state and article.syndicated and state[2] != article.site:
            return "copy"
        if state and state[0] == article.content_hash and state[3] == article.extracted_by:
            if key in self.writes.articles:
                self.writes.articles[key][FETCHED_AT] = article.fetched_at
            else:
                self.writes.touches[key] = article.fetched_at
            self._wrote()
            return "unchanged"
        revision = state[1] + 1 if state else 1
        row = list(article.row)
        row[REVISION] = revision
        self.writes.articles[key] = row
        self.writes.touches.pop(key, None)
        self.writes.revisions.append((key, revision, article.content_hash, article.fetched_at, article.payload))
        self.article_states[key] = (article.content_hash, revision, article.site, article.extracted_by)
        self._wrote()
        return "new" if revision == 1 else "updated"

    def mark_done(self, item: ArticleItem) -> None:
        """Remember that this article's URLs were fetched and stored (the incremental crawl state)."""
        url, canonical_url, published_at, fetched_at = self._scrub(
            [item.url, item.canonical_url, item.published_at, item.fetched_at])
        self._mark_done([(done, canonical_url or url, published_at, fetched_at)
                         for done in dict.fromkeys(u for u in (url, canonical_url) if u)])

    def _mark_done(self, rows: Iterable[tuple[Any, ...]]) -> None:
        for done, canonical_url, published_at, fetched_at in rows:
            if done in self.writes.crawl_state:
                self.writes.crawl_state[done][2:] = [published_at, fetched_at]
            else:
                self.writes.crawl_state[done] = [done, canonical_url, published_at, fetched_at]

    def done_urls(self) -> dict[str, str | None]:
        """URL -> published_at of every article already stored."""
        return dict(self._query("SELECT url, published_at FROM crawl_state"))

    def done_url(self, url: str) -> tuple[bool, str | None]:
        """(stored?, published_at) of one URL, as SQLiteStorage.done_url. Pending writes are not sent for it:
        this run's own URLs are the dupefilter's business."""
        rows = self._query("SELECT published_at FROM crawl_state WHERE md5(url) = md5(%s) AND url = %s",
                           (url, url), send=False)  # md5(url): the unique index (see crawl_state_url)
        return (True, rows[0][0]) if rows else (False, None)

    def articles(self) -> list[dict]:
        return [row[0] for row in self._query('SELECT item FROM articles ORDER BY canonical_url COLLATE "C"')]

    # --- tickers ---------------------------------------------------------------------------------
    def _ticker(self, item: TickerItem) -> tuple[tuple, tuple, tuple]:
        """(key as TICKER_SEEN takes it, observation as the tickers_observation index sees it, row to insert)."""
        data = self._scrub(asdict(item))
        price, change_pct = exact_number(item.price), exact_number(item.change_pct)
        key = (data["site"], data["market"], data["code"], data["name"], price, change_pct, data["as_of"],
               data["source_url"])
        row = (data["site"], data["market"], data["code"], data["name"], data["currency"], price,
               exact_number(item.change), change_pct, data["change_basis"], data["as_of"], data["source_url"],
               data["fetched_at"])
        return key, (key[:2], key[2] or key[3], *key[4:]), row

    def _add(self, observation: tuple, row: tuple) -> None:
        self.ticker_keys.add(observation)
        self.writes.tickers.append(row)
        self._wrote()

    def add_ticker(self, item: TickerItem) -> bool:
        """Append one observation; the same quote from the same page again (a re-fetch) is kept once (False)."""
        key, observation, row = self._ticker(item)
        if observation in self.ticker_keys or self._query(TICKER_SEEN, key, send=False):
            return False
        self._add(observation, row)
        return True

    def add_tickers(self, items: list[TickerItem]) -> list[bool]:
        """add_ticker() for each item, with one query for all of them."""
        return self.add_prepared_tickers(self.prepare_tickers(items))

    def prepare_tickers(self, items: list[TickerItem]) -> tuple[list[tuple[tuple, tuple, tuple]], int]:
        """What add_prepared_tickers() writes ((key, observation, row) of each, NULs removed), made without a
        query (newscrawl/storage/prepared.py)."""
        before = self.nul_stripped
        tickers = [self._ticker(item) for item in items]
        scrubbed, self.nul_stripped = self.nul_stripped - before, before  # counted when written
        return tickers, scrubbed

    def add_prepared_tickers(self, prepared: tuple[list[tuple[tuple, tuple, tuple]], int]) -> list[bool]:
        """add_tickers() of prepared quotes."""
        tickers, scrubbed = prepared
        self.nul_stripped += scrubbed
        asked = [(i, *key) for i, (key, observation, _) in enumerate(tickers) if observation not in self.ticker_keys]
        stored: set[int] = set()
        if asked:
            sql = TICKERS_SEEN.format(rows=", ".join([TICKERS_SEEN_ROW] * len(asked)))
            stored = {row[0] for row in self._query(sql, tuple(v for a in asked for v in a), send=False)}
        added = []
        for index, (_, observation, row) in enumerate(tickers):
            added.append(index not in stored and observation not in self.ticker_keys)  # or earlier in this list
            if added[-1]:
                self._add(observation, row)
        return added

    def tickers(self) -> list[dict]:
        rows = self._query(SELECT_TICKERS, row_factory=dict_row)
        for row in rows:  # the text SQLite keeps, str(Decimal): 28.86, 132845000, 1E-21
            for column in ("price", "change", "change_pct"):
                if row[column] is not None:
                    row[column] = str(Decimal(row[column]))
        return rows

    # --- raw pages -------------------------------------------------------------------------------
    def save_raw(self, url: str, body: bytes, *, site: str | None, fetched_at: str, status: int,
                 encoding: str | None = None) -> None:
        url, site, fetched_at, encoding = self._scrub([url, site, fetched_at, encoding])
        self.writes.raw_pages[url] = [url, site, fetched_at, status, encoding, None, pack(body)]
        self.writes.parse_errors.pop(url, None)
        self._wrote()

    def mark_parse_error(self, url: str, reason: str) -> None:
        url, reason = self._scrub([url, reason])
        if url in self.writes.raw_pages:
            self.writes.raw_pages[url][5] = reason
        else:
            self.writes.parse_errors[url] = reason
        self._wrote()

    def mark_extracted(self, url: str, extracted_by: str) -> None:
        url, extracted_by = self._scrub([url, extracted_by])
        self.writes.parse_errors.pop(url, None)
        if url in self.writes.raw_pages:
            self.writes.raw_pages[url][5] = None
        self.writes.extracted[url] = extracted_by
        self._wrote()

    def raw_page(self, url: str) -> bytes | None:
        url = self._scrub(url)
        rows = self._query("SELECT body_compressed FROM raw_pages WHERE md5(url) = md5(%s) AND url = %s", (url, url))
        return unpack(rows[0][0]) if rows else None

    def raw_pages(self, urls: Sequence[str]) -> dict[str, bytes]:
        """The stored bytes of each URL that is stored, packed (``packing.unpack`` reads them: a damaged page
        fails alone), in one query (a reextract worker's chunk)."""
        asked = {self._scrub(url): url for url in urls}  # stored as scrubbed (save_raw), answered as asked
        wanted = list(asked)
        rows = self._query("SELECT url, body_compressed FROM raw_pages WHERE md5(url) = ANY(SELECT md5(u) FROM unnest(%s::text[])"
                           " AS u) AND url = ANY(%s::text[])", (wanted, wanted))
        return {asked[url]: body for url, body in rows}

    def failed_pages(self) -> list[tuple[str, str]]:
        return self._query('SELECT url, parse_error FROM raw_pages WHERE parse_error IS NOT NULL ORDER BY url COLLATE "C"')

    def raw_page_index(self) -> list[tuple[str, str | None, str | None, str | None, str | None, str | None]]:
        return [tuple(row) for row in self._query(
            'SELECT url, site, fetched_at, encoding, parse_error, extracted_by FROM raw_pages ORDER BY url COLLATE "C"')]
    # --- run history -----------------------------------------------------------------------------
    def add_run(self, command: str, started_at: str, finished_at: str, exit_code: int,
                sites: list[dict[str, Any]]) -> int:
        """Append one run's report (see newscrawl.runs.record_run) and commit; returns its id."""
        sites = self._scrub(json.loads(json.dumps(sites, default=str)))
        params = (command, started_at, finished_at, exit_code, json.dumps(sites, ensure_ascii=False),
                  json.dumps(run_flags(sites), ensure_ascii=False))

        def insert() -> int:
            conn = self._send()
            row = conn.execute("INSERT INTO runs (command, started_at, finished_at, exit_code, sites, flags)"
                               " VALUES (%s, %s, %s, %s, %s::jsonb, %s::jsonb) RETURNING id", params).fetchone()
            conn.commit()
            return int(row[0])

        run_id = self._retrying(insert)
        self._forget_transaction()
        return run_id

    def runs(self, since: str | None = None) -> list[dict[str, Any]]:
        """Runs started at or after ``since`` (ISO 8601), oldest first."""
        return self._query("SELECT id, command, started_at, finished_at, exit_code, sites, flags FROM runs"
                           " WHERE started_at >= %s ORDER BY started_at COLLATE \"C\", id", (since or "",), row_factory=dict_row)
