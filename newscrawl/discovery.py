"""The document of a discovery response (feed, sitemap, list page): gzip sitemaps (``.xml.gz``,
``application/x-gzip``) are gunzipped within DOWNLOAD_MAXSIZE; a response that is neither XML nor an HTML
page raises DiscoveryFailed with the reason it is counted under (``newscrawl/discovery/failed/<reason>``)."""

from __future__ import annotations

import contextlib
import zlib

from lxml import etree
from parsel import Selector
from scrapy.http import Response, TextResponse
from scrapy.utils.gz import gunzip

GZIP_MAGIC = b"\x1f\x8b"
_ENTITY_ERRORS = frozenset({"ERR_ENTITY_LOOP", "ERR_RESOURCE_LIMIT", "ERR_ENTITY_AMPLIFICATION"})


class DiscoveryFailed(Exception):
    def __init__(self, reason: str, detail: str):
        super().__init__(detail)
        self.reason = reason


def is_xml(body: bytes) -> bool:
    head = body[:2048].lstrip().lower()
    return head.startswith(b"<?xml") or b"<rss" in head or b"<urlset" in head or b"<sitemapindex" in head \
        or b"<feed" in head


def discovery_document(response: Response, max_size: int) -> Selector:
    """An XML selector (namespaces removed) for feeds and sitemaps, an HTML one for list pages."""
    body = response.body
    gzipped = body[:2] == GZIP_MAGIC
    if gzipped:
        try:
            body = gunzip(body, max_size=max_size)
        except ValueError as error:  # scrapy's decompression limit
            raise DiscoveryFailed("too_large", f"gunzipped over {max_size} bytes") from error
        except (OSError, EOFError, zlib.error) as error:
            raise DiscoveryFailed("bad_gzip", f"not readable gzip ({error})") from error
    if is_xml(body):
        if b"<!ENTITY" in body[:65536] and (problem := entity_expansion(body)):
            # libxml2 stops at the bomb and recovers (nearly) nothing: a failure, not an empty feed.
            raise DiscoveryFailed("entity_expansion", problem)
        try:
            document = Selector(body=body, type="xml")
        except ValueError as error:
            raise DiscoveryFailed("unparseable", f"XML that does not parse ({error})") from error
        document.remove_namespaces()
        return document
    if isinstance(response, TextResponse) and not gzipped:
        return response.selector
    raise DiscoveryFailed("binary", f"neither XML nor HTML ({response.headers.get(b'Content-Type', b'?').decode('latin-1')})")


def entity_expansion(body: bytes) -> str | None:
    """libxml2's message when an XML document's entities loop or expand past its limits (billion laughs)."""
    parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=True)
    with contextlib.suppress(etree.XMLSyntaxError):
        etree.fromstring(body, parser)
    return next((e.message for e in parser.error_log if e.type_name in _ENTITY_ERRORS), None)
