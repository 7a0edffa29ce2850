"""The site registry: every module in this package that defines ``SITE`` is a supported portal.

Adding a portal touches one module here (its page objects), one spider and one fixture + expected file.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import urlsplit


class UnknownSiteError(LookupError):
    pass


@dataclass(frozen=True)
class Site:
    name: str
    publisher: str
    hosts: tuple[str, ...]  # host names or parent domains this site serves
    page: Callable[[str, str], Any]  # (url, html) -> page object with .extract()
    text_page: Callable[[str, str], Any] | None = None  # (url, rendered text) -> page object

    def serves(self, host: str) -> bool:
        return any(host == h or host.endswith("." + h) for h in self.hosts)


@cache
def all_sites() -> dict[str, Site]:
    sites: dict[str, Site] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        site = getattr(module, "SITE", None)
        if isinstance(site, Site):
            sites[site.name] = site
    return sites


def get_site(name: str) -> Site:
    try:
        return all_sites()[name]
    except KeyError:
        known = ", ".join(sorted(all_sites()))
        raise UnknownSiteError(f"unknown site {name!r}; known sites: {known}") from None


def site_for_url(url: str) -> Site:
    host = (urlsplit(url).hostname or "").lower()
    for site in all_sites().values():
        if site.serves(host):
            return site
    fallback = all_sites().get("generic")
    if fallback is not None:
        return fallback
    raise UnknownSiteError(f"no site serves host {host!r}; pass --site (known: {', '.join(sorted(all_sites()))})")
