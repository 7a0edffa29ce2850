"""URL canonicalisation: the same article under tracking parameters, a mobile-view switch or a portal's
mobile host is the same URL, so discovery fetches it once."""

from __future__ import annotations

import re
from functools import cache
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

TRACKING = re.compile(r"^(utm_\w+|fbclid|gclid|dclid|igshid|mc_cid|mc_eid|ref|ref_src|from|cmpid|rccode|"
                      r"_ga|ncid|nclick|inflow|trackingcode|ito)$", re.IGNORECASE)
# Switches that only choose the mobile rendering of the same article.
MOBILE_VIEW = re.compile(r"^(mobile|is_?mobile|mobile_?yn|view_?type|device)$", re.IGNORECASE)
MOBILE_VIEW_VALUES = {"", "1", "y", "yes", "true", "m", "mobile", "mo"}
# Mobile hosts of portals without a site module (paths as on the desktop host); declared sites list theirs
# in their own ``mobile_hosts``.
UNDECLARED_MOBILE_HOSTS = {
    "m.hankyung.com": "www.hankyung.com",
    "m.sedaily.com": "www.sedaily.com",
    "m.fnnews.com": "www.fnnews.com",
}
# Article URLs by id on mobile/alternate hosts (after the host mapping): (desktop host, path, id parameter)
# -> the desktop article URL. etoday's m./m1./m2./web2. hosts serve /view.php?idxno=N; Munhwa's mobile site
# /mnews/view.html?no=N.
ARTICLE_ID_URLS = {
    ("www.etoday.co.kr", "/view.php", "idxno"): "https://www.etoday.co.kr/news/view/{id}",
    ("m.munhwa.com", "/mnews/view.html", "no"): "https://www.munhwa.com/news/view.html?no={id}",
}
# Sub-brands on their own host: their own publisher, their own URLs (not mapped to the parent's).
HOST_PUBLISHERS = {
    "enter.etoday.co.kr": "비즈엔터",
}
DEFAULT_PORTS = {"http": 80, "https": 443}


@cache
def mobile_hosts() -> dict[str, str]:
    """Mobile host -> desktop host, for portals whose mobile article paths are the desktop paths (each site's
    ``mobile_hosts``; portals whose mobile paths differ, such as m.donga.com, declare none)."""
    from newscrawl.sites import all_sites  # the site modules import this module

    declared = {mobile: desktop for site in all_sites().values() for mobile, desktop in site.mobile_hosts.items()}
    return {**UNDECLARED_MOBILE_HOSTS, **declared}


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
    host = mobile_hosts().get(host, host)
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
    netloc = _netloc(scheme, parts.netloc)
    for (host, path, name), desktop in ARTICLE_ID_URLS.items():
        if netloc == host and parts.path == path:
            ids = [v for k, v in query if k == name and v.isalnum()]
            if ids:
                return desktop.format(id=ids[0])
    return urlunsplit((scheme, netloc, parts.path, urlencode(query), ""))


def publisher_for(url: str, default: str) -> str:
    """The publisher serving ``url``: a sub-brand's own name on its host (비즈엔터), else ``default``."""
    return HOST_PUBLISHERS.get((urlsplit(url).hostname or "").lower(), default)


canonicalize = strip_tracking
