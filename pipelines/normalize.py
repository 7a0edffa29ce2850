"""Normalise text: NFC, single spaces, deck bullets removed, empty lines dropped; body and content hash built."""

from __future__ import annotations

import hashlib
from typing import Any

from newscrawl.chrome import strip_bullet
from newscrawl.items import ArticleItem, TickerItem
from newscrawl.text import clean, clean_lines


def content_hash(item: ArticleItem) -> str:
    """Hash of what a reader sees; a change here is a new revision."""
    parts = [item.title, *item.subtitles, *item.paragraphs, *(i.get("caption") or "" for i in item.images)]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


class NormalizeTextPipeline:
    def process_item(self, item: Any) -> Any:
        if isinstance(item, ArticleItem):
            item.title = clean(item.title)
            item.subtitles = [s for s in (strip_bullet(line) for line in item.subtitles) if s]
            item.paragraphs = clean_lines(item.paragraphs)
            item.authors = list(dict.fromkeys(clean_lines(item.authors)))
            item.tags = list(dict.fromkeys(clean_lines(item.tags)))
            item.section = clean(item.section) or None
            item.images = [{"url": i.get("url"), "caption": clean(i.get("caption")) or None} for i in item.images]
            item.body = "\n\n".join(item.paragraphs)
            item.content_hash = content_hash(item)
        elif isinstance(item, TickerItem):
            item.name = clean(item.name)
        return item
