"""The names components agree on: request meta keys and stats keys.

Writers (spider, middlewares, pipelines), readers (run report, progress line) and tests use these builders,
so a key is spelled once. Stats keys are ``newscrawl/<area>/<what>[/<detail>]``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# --- request meta --------------------------------------------------------------------------------------
ARTICLE_META = "newscrawl_article"  # True on article-page requests: raw page kept, rendered when asked
SITE_META = "newscrawl_site"  # the site name whose page objects read the response
RENDER_META = "newscrawl_render"  # per request: True renders it, False never does
RENDERED_TEXT_META = "newscrawl_rendered_text"  # the browser's innerText of a rendered article page

# --- stats keys ----------------------------------------------------------------------------------------
PREFIX = "newscrawl/"
PARSE_ERROR = "newscrawl/parse_error/"  # + reason (all sites) or + site/reason
FETCH_FAILED = "newscrawl/fetch_failed/"  # any request given up on (downloader), + reason
ARTICLE_FETCH_FAILED = "newscrawl/articles/fetch_failed"  # article requests given up on (spider errback)
ARTICLE_PAGES = "newscrawl/articles/pages"  # article responses handed to a page object
RAW_PAGES_SAVED = "newscrawl/raw_pages/saved"
SCRAPED = "newscrawl/scraped/"  # + item type
DROPPED = "newscrawl/dropped/"  # + item type/reason
LEAKS = "newscrawl/leaks/"  # + chrome marker found in stored text
ARTICLE_OUTCOMES = ("new", "updated", "unchanged", "copy")
FALLBACK = "newscrawl/fallback/"  # + site: article pages its layouts failed on, read by the generic extractor
SKIPPED_SEEN = "newscrawl/incremental/skipped_seen"
RECHECKED = "newscrawl/incremental/rechecked"
STORAGE_RETRIES = "newscrawl/storage/retries"
DECODE_REPLACED = "newscrawl/decode/replaced"  # pages decoded with U+FFFD in place of a few bad bytes
DECODE_REPLACED_BYTES = "newscrawl/decode/replaced_bytes"
IMPOSSIBLE_DATE = "newscrawl/dates/impossible/"  # + field (published_at, modified_at)
SINK_FAILED = "newscrawl/sink_failed"
JOBDIR_QUEUES_DISCARDED = "newscrawl/jobdir/queues_discarded"  # a killed run's request queues (newscrawl/scheduler.py)
ROBOTS = "newscrawl/robots/"  # + forbidden/<kind>, forbidden_host/<host>, unavailable/<host>, crawl_delay/…


def parse_error(reason: str, site: str | None = None) -> str:
    return f"{PARSE_ERROR}{site}/{reason}" if site else f"{PARSE_ERROR}{reason}"


def fetch_failed(reason: str) -> str:
    return f"{FETCH_FAILED}{reason}"


def article_fetch_failed(reason: str | None = None) -> str:
    return f"{ARTICLE_FETCH_FAILED}/{reason}" if reason else ARTICLE_FETCH_FAILED


def impossible_date(field: str) -> str:
    return f"{IMPOSSIBLE_DATE}{field}"


def canonical(reason: str) -> str:
    """A page's canonical URL not trusted (foreign_host, canonical_conflict)."""
    return f"newscrawl/canonical/{reason}"


def fallback(site: str) -> str:
    return f"{FALLBACK}{site}"


def scraped(item_type: str) -> str:
    return f"{SCRAPED}{item_type}"


def dropped(item_type: str, reason: str) -> str:
    return f"{DROPPED}{item_type}/{reason}"


def missing(item_type: str, field: str) -> str:
    return dropped(item_type, f"missing_{field}")


def leak(marker: str) -> str:
    return f"{LEAKS}{marker}"


def article_outcome(outcome: str) -> str:
    return f"newscrawl/articles/{outcome}"


def duplicate(item_type: str) -> str:
    return f"newscrawl/duplicates/{item_type}"


def render(event: str) -> str:
    return f"newscrawl/render/{event}"


def retry(event: str) -> str:
    return f"newscrawl/retry/{event}"


def discovery(event: str) -> str:
    return f"newscrawl/discovery/{event}"


def group(stats: Mapping[str, Any], prefix: str) -> dict[str, int]:
    """The counters one level below ``prefix`` (``group(stats, PARSE_ERROR)``: reason -> count over all
    sites, without the per-site ``site/reason`` keys)."""
    if not prefix.endswith("/"):
        prefix += "/"
    return {k[len(prefix):]: v for k, v in sorted(stats.items())
            if k.startswith(prefix) and "/" not in k[len(prefix):]}


def below(stats: Mapping[str, Any], prefix: str) -> dict[str, int]:
    """Every counter under ``prefix``, keyed by the rest of its name (``below(stats, DROPPED)``)."""
    return {k[len(prefix):]: v for k, v in stats.items() if k.startswith(prefix)}
