"""URL canonicalisation: the same article under tracking parameters is the same URL."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

TRACKING = re.compile(r"^(utm_\w+|fbclid|gclid|dclid|igshid|mc_cid|mc_eid|ref|ref_src|from|cmpid|rccode|"
                      r"_ga|ncid|nclick|inflow|trackingcode|ito)$", re.IGNORECASE)


def strip_tracking(url: str) -> str:
    """Drop tracking query parameters and the fragment; keep every other parameter in order."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not TRACKING.match(k)]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))
