"""An article made ready for a backend's write away from the connection that writes it.

``scrapy reextract`` extracts in worker processes and writes in one: a worker calls its storage's
``prepare_article`` / ``prepare_tickers`` (identity, item JSON, the backend's rows: pure work, no query) and
sends the result, tuples of strings that pickle cheaply; the writing process hands it to
``upsert_prepared`` / ``add_prepared_tickers``, which only decide (new, updated, unchanged, copy; quote
held or not) and write. ``upsert_article(item)`` is the same two steps in one process.
"""

from __future__ import annotations

from typing import Any, NamedTuple


class PreparedArticle(NamedTuple):
    key: str  # newscrawl.identity.article_identity
    site: str
    syndicated: bool
    content_hash: str
    extracted_by: str | None
    fetched_at: str | None
    row: tuple[Any, ...]  # the backend's article columns, without the revision (decided when written)
    payload: str  # the item as JSON, as the backend stores it
    done: tuple[tuple[Any, ...], ...]  # crawl-state rows (url, canonical URL, published_at, fetched_at)
    scrubbed: int = 0  # NUL characters the backend removed (PostgreSQL)
