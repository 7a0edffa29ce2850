"""Scrapy's MetaRefreshMiddleware, without decoding every page to find that it has no meta refresh.

Scrapy's looks for ``<meta http-equiv="refresh">`` in the first 4096 characters of ``response.text``: the whole
page decoded (the spider parses the bytes and never asks for it), on every HTML response. A refresh needs the
word ``refresh`` in those characters; in an ASCII-compatible encoding (UTF-8, EUC-KR, ...: at most 4 bytes a
character) it is in the first 16 KiB of bytes, so a page without it there is passed on as it is. A page with
it, or in an encoding that is not ASCII-compatible (UTF-16/32: NUL bytes), goes through Scrapy's check."""

from __future__ import annotations

from scrapy import Request
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware
from scrapy.http import HtmlResponse, Response

_SCANNED_CHARACTERS = 4096  # what scrapy.utils.response.get_meta_refresh reads
_HEAD_BYTES = 4 * _SCANNED_CHARACTERS


def may_refresh(response: Response) -> bool:
    """False when the page cannot have a meta refresh where Scrapy looks for one."""
    if not isinstance(response, HtmlResponse):
        return False  # Scrapy's ignores them too
    head = response.body[:_HEAD_BYTES]
    return b"\x00" in head or b"refresh" in head.lower()  # (6 us on 16 KiB; a case-blind regex took 44)


class QuickMetaRefreshMiddleware(MetaRefreshMiddleware):
    def process_response(self, request: Request, response: Response) -> Request | Response:
        if not may_refresh(response):
            return response
        return super().process_response(request, response)
