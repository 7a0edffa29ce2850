"""Outlets by configuration: a news site with no extraction code of its own, declared in one call.

:func:`outlet` turns an outlet's name, publisher, home page, discovery sources and article URL pattern into a
full :class:`~newscrawl.sites.Site`: a spider (``spiders/portals.py``), discovery, canonicalisation (mobile
hosts, the article id, placement parameters) and a generic page object that names the outlet (``site``,
``publisher``) and says ``extracted_by: generic/1``. When an outlet needs exact captions or tickers, its
module grows a page object and passes it as ``layouts=`` (see docs/adding-a-portal.md).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from newscrawl.pages import ArticlePage
from newscrawl.sites import Site
from newscrawl.sites.generic import GenericArticlePage


class OutletPage(GenericArticlePage):
    """The generic extractor on a declared outlet's page: the article carries the outlet's own site name
    and publisher (not whatever ``og:site_name`` says); ``extracted_by`` stays ``generic/<version>``."""

    def publisher_name(self) -> str:
        return type(self).publisher


def outlet_page(name: str, publisher: str) -> type[OutletPage]:
    return type(f"{name.capitalize()}GenericPage", (OutletPage,),
                {"site": name, "publisher": publisher, "__module__": f"newscrawl.sites.{name}"})


def is_outlet(site: Site) -> bool:
    """Declared by configuration: every layout is the generic extractor."""
    return bool(site.layouts) and all(issubclass(layout, OutletPage) for layout in site.layouts)


def without_params(names: frozenset[str]) -> Callable[[str], str]:
    """A link rewriter dropping placement parameters (``&plink=RSSREADER``, ``&OutUrl=naver``)."""
    lowered = {n.lower() for n in names}

    def rewrite(url: str) -> str:
        parts = urlsplit(url)
        query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k.lower() not in lowered]
        return urlunsplit(parts._replace(query=urlencode(query)))

    return rewrite


def outlet(name: str, publisher: str, home: str, *, discovery: Iterable[str], article: str,
           aliases: Iterable[str] = (), hosts: Iterable[str] = (), drop: Iterable[str] = (),
           layouts: tuple[type[ArticlePage], ...] = ()) -> Site:
    """The declaration of an outlet read by the generic extractor.

    ``home``: the desktop home (base URL; its host minus ``www.`` is the site's host unless ``hosts`` says
    otherwise). ``discovery``: feeds, sitemaps and list pages. ``article``: a regex for article links whose
    groups capture the article id (the first group that matched is the id: two URL shapes, one article).
    ``aliases``: mobile (and other) hosts serving the same paths as ``home``'s host. ``drop``: query parameters
    that only say where a link was placed.
    """
    host = urlsplit(home).hostname or ""
    pattern = re.compile(article)

    def article_id(url: str) -> str | None:
        found = pattern.search(url)
        return next((g for g in found.groups() if g), None) if found else None

    return Site(
        name=name, publisher=publisher, hosts=tuple(hosts) or (host.removeprefix("www."),),
        layouts=layouts or (outlet_page(name, publisher),), base_url=home, discovery=tuple(discovery),
        article_url=pattern, article_id=article_id if pattern.groups else None,
        link=without_params(frozenset(drop)) if drop else None, mobile_hosts={alias: host for alias in aliases},
    )
