"""JSON lines with exact numbers: Decimals are written as JSON numbers, not strings or rounded floats."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from itemadapter import ItemAdapter
from scrapy.exporters import JsonLinesItemExporter
from scrapy.utils.serialize import ScrapyJSONEncoder


class ExactNumberEncoder(ScrapyJSONEncoder):
    def default(self, o: Any) -> Any:
        if isinstance(o, Decimal):
            # float(Decimal) prints the same shortest digits for up to 15 significant digits.
            return float(o) if len(o.as_tuple().digits) <= 15 else str(o)
        return super().default(o)


def dumps(item: Any) -> str:
    """One item as a JSON line (the same encoding as the feeds)."""
    return ExactNumberEncoder(ensure_ascii=False).encode(ItemAdapter(item).asdict())


class JsonLinesExporter(JsonLinesItemExporter):
    def __init__(self, file: Any, **kwargs: Any):
        super().__init__(file, **kwargs)
        self.encoder = ExactNumberEncoder(**self._kwargs)
