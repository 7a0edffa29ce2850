"""Quote widgets (crypto tables, top movers) as rows of cells, whether read from the DOM or from rendered text."""

from __future__ import annotations

import re
from decimal import InvalidOperation

from newscrawl.items import TickerItem, parse_number
from newscrawl.text import clean

_PRICE = re.compile(r"^[+-]?\d{1,3}(,\d{3})*(\.\d+)?$|^[+-]?\d+(\.\d+)?$")
_PCT = re.compile(r"^[+\-−]?\d+(\.\d+)?%$")
HEADER_CELLS = frozenset({"종목", "종목명", "현재가", "현재가(원)", "변동률", "등락률", "전일대비", "시세"})
BASIS_NOTES = {"24시간 변동률 기준": "24h", "24시간 기준": "24h", "장종료": "close", "장마감": "close"}
CURRENCY_NOTES = {"(원)": "KRW", "(달러)": "USD", "($)": "USD"}


def basis_from(lines: list[str]) -> str | None:
    for line in lines:
        for note, basis in BASIS_NOTES.items():
            if note in line:
                return basis
    return None


def currency_from(lines: list[str]) -> str | None:
    for line in lines:
        for note, currency in CURRENCY_NOTES.items():
            if note in line:
                return currency
    return None


def quote_rows(cells: list[str]) -> list[tuple[str, str, str]]:
    """(name, price, change%) triples from a flat run of widget cells; headers and notes are skipped."""
    cells = [clean(c).lstrip("•◦▪ ").strip() for c in cells]
    cells = [c for c in cells if c and c not in HEADER_CELLS]
    rows = []
    i = 0
    while i + 2 < len(cells):
        name, price, pct = cells[i], cells[i + 1], cells[i + 2]
        if not _PRICE.match(name) and _PRICE.match(price) and _PCT.match(pct):
            rows.append((name, price, pct))
            i += 3
        else:
            i += 1
    return rows


def tickers_from_cells(cells: list[str], *, site: str, market: str, url: str,
                       default_currency: str | None = None) -> list[TickerItem]:
    """TickerItems for a quote widget rendered as cells (heading, header cells, rows, footnote)."""
    currency = currency_from(cells) or default_currency
    basis = basis_from(cells)
    items = []
    for name, price, pct in quote_rows(cells):
        try:
            items.append(TickerItem(site=site, market=market, name=name, price=parse_number(price),
                                    currency=currency, change_pct=parse_number(pct.rstrip("%")),
                                    change_basis=basis, source_url=url))
        except InvalidOperation:
            continue
    return items
