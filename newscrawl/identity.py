"""What makes two items the same item, written once: used by the dedup pipeline and both databases (whose
unique keys are built from the same fields: ``articles.canonical_url``, the ``tickers_observation`` index); the
JSONL feeds write what the database took as new (newscrawl/sinks.py).

- An article is one canonical URL (the page's own URL when it has none).
- A ticker observation is one quote of one instrument on one page: site, market, instrument (code, else
  name), price, change %, as-of time and the page it was read from (``source_url``). The same quote read
  from two pages is two observations, as the databases have always stored it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import is_dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from itemadapter import ItemAdapter


def _fields(item: Any) -> Any:
    """Something with ``.get(name)``: the item itself (a dict), its attributes (a dataclass: the crawl's hot path,
    without an ItemAdapter per item), or an ItemAdapter (any other item type)."""
    if isinstance(item, Mapping):
        return item
    if is_dataclass(item):
        return _Attributes(item)
    return ItemAdapter(item)


class _Attributes:
    __slots__ = ("item",)

    def __init__(self, item: Any):
        self.item = item

    def get(self, name: str) -> Any:
        return getattr(self.item, name, None)


def _number(value: Any) -> str:
    """One spelling per number, whether it comes from an item (Decimal, int) or a JSON line (float, int)."""
    if value is None or value == "":
        return ""
    if type(value) is int:  # most prices: the same spelling without a Decimal
        return str(value)
    try:
        return format(Decimal(str(value)).normalize(), "f")
    except InvalidOperation:
        return str(value)


def article_identity(item: Any) -> str:
    fields = _fields(item)
    return fields.get("canonical_url") or fields.get("url") or ""


def ticker_identity(item: Any) -> tuple[str, ...]:
    fields = _fields(item)
    return (fields.get("site") or "", fields.get("market") or "", fields.get("code") or fields.get("name") or "",
            _number(fields.get("price")), _number(fields.get("change_pct")), fields.get("as_of") or "",
            fields.get("source_url") or "")
