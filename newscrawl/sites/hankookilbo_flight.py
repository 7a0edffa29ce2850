"""한국일보's Next.js pages: the flight scripts taken out of the bytes before libxml2 parses them.

Their rows are read by ``newscrawl.extractors.embedded.FlightRows`` (parsed when read; ``find_object`` parses
only the rows whose text can hold the keys it looks for).
"""

from __future__ import annotations

_PUSH = b"self.__next_f.push("
_PUSH_SCRIPT_TAG = b"<script>"
_SCRIPT_END = b"</script>"


def without_flight_scripts(page: bytes) -> tuple[bytes, list[str], bool]:
    """(the page with the text of its ``<script>self.__next_f.push(...)</script>`` scripts taken out, those texts in
    page order, whether every ``self.__next_f.push(`` of the page was in one). A script text without ``<`` (the
    payload writes ``\\u003c``) or CR is, for any HTML parser, the bytes up to ``</script>``: the parser need not read
    it (libxml2 spends ~0.5 ms on the 60 kB of them on a 2026 article page, the rest of the page costs a third)."""
    parts: list[bytes] = []
    texts: list[str] = []
    every = True
    pos = kept = 0
    while (push := page.find(_PUSH, pos)) >= 0:
        end = page.find(_SCRIPT_END, push)
        if end < 0:
            every = False
            break
        if page[push - len(_PUSH_SCRIPT_TAG):push] != _PUSH_SCRIPT_TAG or page.find(b"<", push, end) >= 0 \
                or page.find(b"\r", push, end) >= 0:
            every = False
        else:
            texts.append(page[push:end].decode("utf-8"))
            parts.append(page[kept:push])
            kept = end
        pos = end
    parts.append(page[kept:])
    return b"".join(parts), texts, every
