"""People named in JSON-LD (``author``, ``publisher``): every shape the schema allows, read one way."""

from __future__ import annotations

from typing import Any

from newscrawl.text import clean


def json_ld_people(value: Any, *, strings: bool = True) -> list[str]:
    """Names in a JSON-LD author/publisher value: an object with ``name``, a list of them, or (when
    ``strings``) a bare string; empty names are left out."""
    names = []
    for entry in value if isinstance(value, list) else [value]:
        name = entry.get("name") if isinstance(entry, dict) else (entry if strings else None)
        if isinstance(name, str) and clean(name):
            names.append(clean(name))
    return names
