"""Articles and tickers out of the database for analysts: CSV, JSON lines or Parquet, filtered by site and
published date, streamed in batches so that millions of rows take the memory of one batch.

Parquet columns are typed: dates are timestamps with the +09:00 offset, prices exact decimals
(``decimal128(38, 18)``), lists and images nested lists. CSV holds the same rows, lists as JSON text.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import IO, Any

import pyarrow as pa
import pyarrow.parquet as pq

from newscrawl.exporters import ExactNumberEncoder

KINDS = ("article", "ticker")
FORMATS = ("csv", "jsonl", "parquet")
BATCH = 5000
TZ = "+09:00"
TIMESTAMP = pa.timestamp("us", tz=TZ)
PRICE = pa.decimal128(38, 18)
STRINGS = pa.list_(pa.string())

ARTICLE_SCHEMA = pa.schema([
    ("canonical_url", pa.string()), ("url", pa.string()), ("site", pa.string()), ("publisher", pa.string()),
    ("title", pa.string()), ("subtitles", STRINGS), ("authors", STRINGS), ("section", pa.string()),
    ("published_at", TIMESTAMP), ("modified_at", TIMESTAMP), ("lang", pa.string()), ("body", pa.string()),
    ("images", pa.list_(pa.struct([("url", pa.string()), ("caption", pa.string())]))), ("tags", STRINGS),
    ("other_urls", STRINGS), ("original_url", pa.string()), ("syndicated", pa.bool_()),
    ("revision", pa.int32()), ("fetched_at", TIMESTAMP), ("content_hash", pa.string()),
])
TICKER_SCHEMA = pa.schema([
    ("site", pa.string()), ("market", pa.string()), ("code", pa.string()), ("name", pa.string()),
    ("currency", pa.string()), ("price", PRICE), ("change", PRICE), ("change_pct", PRICE),
    ("change_basis", pa.string()), ("as_of", TIMESTAMP), ("source_url", pa.string()), ("observed_at", TIMESTAMP),
])
SCHEMAS = {"article": ARTICLE_SCHEMA, "ticker": TICKER_SCHEMA}


class ExportError(ValueError):
    """A filter or value that cannot be exported; the message is one sentence for the user."""


def day_bounds(since: str | None, until: str | None) -> tuple[str, str]:
    """``--since``/``--until`` (YYYY-MM-DD, both days included) as ISO bounds [low, high) on KST dates."""
    def parse(value: str, name: str) -> date:
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise ExportError(f"--{name} {value!r} is not a date (YYYY-MM-DD)") from None

    low = parse(since, "since").isoformat() if since else ""
    high = (parse(until, "until") + timedelta(days=1)).isoformat() if until else "9999"
    if low and high <= low:
        raise ExportError(f"--until {until} is before --since {since}")
    return low, high


def _query(kind: str, site: str | None, postgres: bool) -> str:
    """The SELECT for one kind; the date is published_at for articles, as_of (else the fetch time) for tickers."""
    mark = "%s" if postgres else "?"
    if kind == "article":
        columns, table, when = ("item, revision" if postgres else "item_json, revision"), "articles", "published_at"
    else:
        columns = ("site, market, code, name, currency, price::text, change::text, change_pct::text, change_basis,"
                   " as_of, source_url, observed_at") if postgres else (
                   "site, market, code, name, currency, price, change, change_pct, change_basis, as_of, source_url,"
                   " observed_at")
        table, when = "tickers", "COALESCE(as_of, observed_at)"
    where = f"{when} >= {mark} AND {when} < {mark}" + (f" AND site = {mark}" if site else "")
    order = "published_at, canonical_url" if kind == "article" else "id"
    return f"SELECT {columns} FROM {table} WHERE {where} ORDER BY {order}"


def iter_rows(storage: Any, kind: str, site: str | None = None, since: str | None = None,
              until: str | None = None) -> Iterator[dict[str, Any]]:
    """Rows of ``kind`` as plain dicts (dates and numbers as stored text), one database batch at a time."""
    low, high = day_bounds(since, until)
    params: tuple = (low, high, site) if site else (low, high)
    postgres = hasattr(storage, "dsn")
    if postgres:
        storage.commit()
        with storage.conn.cursor(name=f"newscrawl_export_{kind}") as cursor:
            cursor.itersize = BATCH
            cursor.execute(_query(kind, site, True), params)
            yield from (_row(kind, r) for r in cursor)
        storage.conn.commit()
    else:
        cursor = storage.db.execute(_query(kind, site, False), params)
        while batch := cursor.fetchmany(BATCH):
            yield from (_row(kind, r) for r in batch)


def _row(kind: str, record: tuple) -> dict[str, Any]:
    if kind == "ticker":
        row = dict(zip(TICKER_SCHEMA.names, record, strict=True))
        for name in ("price", "change", "change_pct"):  # exact text in both backends -> Decimal
            row[name] = None if row[name] is None else Decimal(row[name])
        return row
    item = record[0] if isinstance(record[0], dict) else json.loads(record[0])
    item["revision"] = record[1]
    item["images"] = [{"url": i.get("url"), "caption": i.get("caption")} for i in item.get("images") or []]
    return {name: item.get(name) for name in ARTICLE_SCHEMA.names}


# --- typed values ----------------------------------------------------------------------------------
def _timestamp(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise ExportError(f"stored date {value[:40]!r} is not ISO 8601") from None


def _price(value: Any) -> Decimal | None:
    if value is None:
        return None
    number = Decimal(str(value))
    exact = number.quantize(Decimal("1E-18"))
    if exact != number:
        raise ExportError(f"price {value} has more than 18 decimal places")
    return exact


def typed(kind: str, row: dict[str, Any]) -> dict[str, Any]:
    """A row with Python values for Arrow: aware datetimes and Decimals."""
    schema = SCHEMAS[kind]
    out = {}
    for name in schema.names:
        field_type = schema.field(name).type
        value = row.get(name)
        if field_type == TIMESTAMP:
            value = _timestamp(value)
        elif field_type == PRICE:
            value = _price(value)
        out[name] = value
    return out


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# --- writers ---------------------------------------------------------------------------------------
def _batches(rows: Iterator[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def write(rows: Iterator[dict[str, Any]], kind: str, fmt: str, out: IO) -> int:
    """Write ``rows`` to ``out`` (text for csv/jsonl, binary for parquet); returns how many were written."""
    count = 0
    schema = SCHEMAS[kind]
    if fmt == "parquet":
        with pq.ParquetWriter(out, schema, compression="zstd") as writer:
            for batch in _batches(rows):
                writer.write_batch(pa.RecordBatch.from_pylist([typed(kind, r) for r in batch], schema=schema))
                count += len(batch)
        return count
    if fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(schema.names)
        for row in rows:
            writer.writerow([_text(row.get(name)) for name in schema.names])
            count += 1
        return count
    encoder = ExactNumberEncoder(ensure_ascii=False)
    for row in rows:
        out.write(encoder.encode({name: row.get(name) for name in schema.names}) + "\n")
        count += 1
    return count
