"""JSON text of plain values, with an encoder's C core made once."""

from __future__ import annotations

import json.encoder
from collections.abc import Callable
from typing import Any


def one_shot(encoder: json.JSONEncoder) -> Callable[[Any], str]:
    """``encoder.encode`` of a dict, with the C encoder made once: JSONEncoder.iterencode makes one per call, a
    third of the cost of a ticker's line. No circular-reference check (items are trees of plain values; the
    check keeps a dict of ids that a failed call could leave behind)."""
    make = json.encoder.c_make_encoder
    if make is None or encoder.indent is not None:
        return encoder.encode
    escape = json.encoder.encode_basestring_ascii if encoder.ensure_ascii else json.encoder.encode_basestring
    encode = make(None, encoder.default, escape, None, encoder.key_separator, encoder.item_separator,
                  encoder.sort_keys, encoder.skipkeys, encoder.allow_nan)
    return lambda value: "".join(encode(value, 0))
