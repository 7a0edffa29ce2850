"""The two kinds of item newscrawl emits. Dataclasses, so itemadapter, feeds and pipelines handle them natively."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal


@dataclass
class ArticleItem:
    url: str
    site: str
    publisher: str
    title: str = ""
    subtitles: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    section: str | None = None
    published_at: str | None = None  # raw value from the page until the dates pipeline makes it ISO KST
    modified_at: str | None = None
    lang: str = "ko"
    paragraphs: list[str] = field(default_factory=list)
    body: str = ""
    images: list[dict] = field(default_factory=list)  # {"url": str | None, "caption": str | None}
    tags: list[str] = field(default_factory=list)
    canonical_url: str | None = None
    other_urls: list[str] = field(default_factory=list)  # same article reached by other routes
    original_url: str | None = None  # the publisher's own URL when a portal (Naver, Daum) links it
    # A portal's copy of the publisher's article: canonical_url is then the publisher's URL, the portal's
    # own URL is in other_urls, and a stored original is never replaced by the copy.
    syndicated: bool = False
    fetched_at: str | None = None
    content_hash: str | None = None
    # The page object and version that made it: "hani.HaniLegacyArticlePage/1", "generic/1",
    # "generic/1 fallback from hani" (the site's layout failed; the generic extractor read the page).
    extracted_by: str = ""
    type: str = "article"


Number = int | Decimal


@dataclass
class TickerItem:
    site: str
    market: str  # crypto, kospi, kosdaq, index, fx, ...
    name: str
    price: Number
    currency: str | None = None
    code: str | None = None
    change: Number | None = None
    change_pct: Number | None = None
    change_basis: str | None = None  # 24h, close, ...
    as_of: str | None = None
    source_url: str | None = None
    fetched_at: str | None = None
    type: str = "ticker"


def parse_number(text: str) -> Number:
    """An exact number from page text: ``132,845,000`` -> 132845000, ``-1.06%`` -> Decimal('-1.06')."""
    cleaned = text.strip().replace(",", "").replace("%", "").replace("+", "").replace("−", "-").strip()
    value = Decimal(cleaned)
    return int(value) if "." not in cleaned else value
