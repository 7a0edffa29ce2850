"""URL canonicalisation: the same article under tracking parameters, a mobile-view switch or a portal's
mobile host is the same URL, so discovery fetches it once."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

TRACKING = re.compile(r"^(utm_\w+|fbclid|gclid|dclid|igshid|mc_cid|mc_eid|ref|ref_src|from|cmpid|rccode|"
                      r"_ga|ncid|nclick|inflow|trackingcode|ito)$", re.IGNORECASE)
# Switches that only choose the mobile rendering of the same article.
MOBILE_VIEW = re.compile(r"^(mobile|is_?mobile|mobile_?yn|view_?type|device)$", re.IGNORECASE)
MOBILE_VIEW_VALUES = {"", "1", "y", "yes", "true", "m", "mobile", "mo"}
# Mobile hosts whose article paths are the desktop paths (checked against each portal's URL shapes).
# Portals whose mobile paths differ (m.donga.com, m.news.naver.com, m.news.daum.net) are not listed.
MOBILE_HOSTS = {
    "m.etoday.co.kr": "www.etoday.co.kr",
    "m.mk.co.kr": "www.mk.co.kr",
    "m.yna.co.kr": "www.yna.co.kr",
    "m.hani.co.kr": "www.hani.co.kr",
    "m.khan.co.kr": "www.khan.co.kr",
    "m.hankookilbo.com": "www.hankookilbo.com",
}
DEFAULT_PORTS = {"http": 80, "https": 443}


def _kept(name: str, value: str) -> bool:
    if TRACKING.match(name):
        return False
    return not (MOBILE_VIEW.match(name) and value.strip().lower() in MOBILE_VIEW_VALUES)


def _netloc(scheme: str, netloc: str) -> str:
    """Lower-case host, the desktop host for a known mobile one, no default port."""
    userinfo, _, hostport = netloc.rpartition("@")
    host, colon, port = hostport.rpartition(":") if not hostport.endswith("]") else (hostport, "", "")
    if not colon or not port.isdigit():
        host, port = hostport, ""
    host = host.lower()
    host = MOBILE_HOSTS.get(host, host)
    if port and int(port) == DEFAULT_PORTS.get(scheme):
        port = ""
    return (f"{userinfo}@" if userinfo else "") + host + (f":{port}" if port else "")


def strip_tracking(url: str) -> str:
    """Canonical form of an article URL: no tracking parameters, mobile-view switches or fragment; the
    desktop host for a known mobile host; lower-case host without its default port. Every other
    parameter is kept in order."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if _kept(k, v)]
    scheme = parts.scheme.lower()
    return urlunsplit((scheme, _netloc(scheme, parts.netloc), parts.path, urlencode(query), ""))


canonicalize = strip_tracking
