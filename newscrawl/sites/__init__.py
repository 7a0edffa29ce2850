"""The site registry: every module in this package that defines ``SITE`` is a supported portal.

A portal is one declaration (:class:`Site`) in one module here: its names and hosts, how its articles are
discovered (feeds, sitemaps, list pages, which links are articles, what makes two links one article), how a
rendered page is read, and its layouts (page objects). ``spiders/portals.py`` turns every declaration with
discovery sources into a spider; a module ``spiders/<name>.py`` exists only where a portal needs spider
behaviour of its own (extra ``-a`` arguments). See docs/adding-a-portal.md.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from urllib.parse import urlsplit

from newscrawl.pages import ArticlePage, choose_layout
from newscrawl.rendering.config import RenderProfile


class UnknownSiteError(LookupError):
    pass


@dataclass(frozen=True)
class Site:
    name: str  # also the spider's name
    publisher: str
    hosts: tuple[str, ...]  # host names or parent domains this site serves
    layouts: tuple[type[ArticlePage], ...]  # HTML page objects, tried in order (choose_layout)
    text_layouts: tuple[type[ArticlePage], ...] = ()  # rendered-text page objects
    # --- discovery: the spider generated from this declaration --------------------------------------
    base_url: str = ""  # the site's home; discovery paths and -a base_url rebasing are relative to it
    discovery: tuple[str, ...] = ()  # feeds, sitemaps and list pages (absolute, or relative to base_url)
    article_url: re.Pattern[str] | None = None  # which discovered links are article pages
    article_id: Callable[[str], str | None] | None = None  # what makes two links one article (fetched once)
    link: Callable[[str], str] | None = None  # a discovered absolute link -> the URL to fetch (same or other)
    mobile_hosts: Mapping[str, str] = field(default_factory=dict, hash=False)  # m. host -> desktop host, same paths
    render: RenderProfile | None = None  # how a rendered page is read (rendering is opt-in)

    def serves(self, host: str) -> bool:
        return any(host == h or host.endswith("." + h) for h in self.hosts)

    def page(self, url: str, html: str) -> ArticlePage:
        """The page object for this HTML page (ExtractionError when no layout matches)."""
        return choose_layout(self.layouts, url, html, self.name)

    def text_page(self, url: str, text: str) -> ArticlePage:
        """The page object for this rendered text: the site's text layout, else the generic segmenter
        (newscrawl/textpage.py) under the site's name and publisher."""
        if not self.text_layouts:
            from newscrawl.textpage import RenderedTextPage  # textpage needs the registry (urls)

            return RenderedTextPage(url, text, site=self.name, publisher=self.publisher)
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
