"""The site registry: every module in this package that defines ``SITE`` is a supported portal.

Adding a portal touches one module here (its page objects), one spider and one fixture + expected file.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass
from functools import cache
from urllib.parse import urlsplit

from newscrawl.pages import ArticlePage, ExtractionError, choose_layout


class UnknownSiteError(LookupError):
    pass


@dataclass(frozen=True)
class Site:
    name: str
    publisher: str
    hosts: tuple[str, ...]  # host names or parent domains this site serves
    layouts: tuple[type[ArticlePage], ...]  # HTML page objects, tried in order (choose_layout)
    text_layouts: tuple[type[ArticlePage], ...] = ()  # rendered-text page objects

    def serves(self, host: str) -> bool:
        return any(host == h or host.endswith("." + h) for h in self.hosts)

    def page(self, url: str, html: str) -> ArticlePage:
        """The page object for this HTML page (ExtractionError when no layout matches)."""
        return choose_layout(self.layouts, url, html, self.name)

    def text_page(self, url: str, text: str) -> ArticlePage:
        if not self.text_layouts:
            raise ExtractionError("no_text_parser", f"site {self.name} has no rendered-text parser")
        return choose_layout(self.text_layouts, url, text, self.name)


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
