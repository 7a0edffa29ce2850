"""한국일보's Next.js pages: the flight scripts taken out of the bytes before libxml2 parses them.

Their rows are read by ``newscrawl.extractors.embedded.FlightRows`` (parsed when read; ``find_object`` parses
only the rows whose text can hold the keys it looks for).
"""

from __future__ import annotations

_PUSH = b"self.__next_f.push("
_PUSH_SCRIPT_TAG = b"<script>"
_SCRIPT_END = b"</script>"


def without_flight_scripts(page: bytes, texts: bool = True) -> tuple[bytes, list[str], bool]:
    """(the page with the text of its ``<script>self.__next_f.push(...)</script>`` scripts taken out, those texts in
    page order (none when not ``texts``), whether every ``self.__next_f.push(`` of the page was in one). A script
    text without ``<`` (the payload writes ``\\u003c``) or CR is, for any HTML parser, the bytes up to ``</script>``:
    the parser need not read it (libxml2 spends ~0.5 ms on the 60 kB of them on a 2026 article page, the rest of the
    page costs a third)."""
    parts: list[bytes] = []
    found: list[str] = []
    every = True
    carriage = b"\r" in page  # one memchr over the page; the scripts are searched for CR only if it has one
    pos = kept = 0
    while (push := page.find(_PUSH, pos)) >= 0:
        end = page.find(b"<", push)  # the script's first '<': its end tag when the text has none
        if end < 0:
            every = False
            break
        if not page.startswith(_SCRIPT_END, end):
            every = False
            pos = page.find(_SCRIPT_END, end)
            if pos < 0:
                break
            continue
        if page[push - len(_PUSH_SCRIPT_TAG):push] != _PUSH_SCRIPT_TAG or (carriage and page.find(b"\r", push, end) >= 0):
            every = False
        else:
            if texts:
                found.append(page[push:end].decode("utf-8"))
            parts.append(page[kept:push])
            kept = end
        pos = end
    parts.append(page[kept:])
    return b"".join(parts), found, every
