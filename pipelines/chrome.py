"""Strip text-level chrome that survived the site's DOM rules: exact-line rules, caption markers, captions
repeated as body lines, and repeated photos."""

from __future__ import annotations

from typing import Any

from scrapy.crawler import Crawler

from newscrawl.chrome import is_chrome_line, strip_caption_marker
from newscrawl.items import ArticleItem


class StripChromePipeline:
    def __init__(self, crawler: Crawler):
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StripChromePipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, ArticleItem):
            return item
        images, seen = [], set()
        for image in item.images:
            caption = strip_caption_marker(image.get("caption") or "") or None
            key = image.get("url") or caption
            if key in seen:
                continue
            seen.add(key)
            images.append({"url": image.get("url"), "caption": caption})
        captions = {image["caption"] for image in images if image["caption"]}
        kept = []
        for line in item.paragraphs:
            if is_chrome_line(line) or (captions and strip_caption_marker(line) in captions):
                self.stats.inc_value("newscrawl/chrome/lines_removed")
            else:
                kept.append(line)
        item.paragraphs = kept
        item.subtitles = [line for line in item.subtitles if not is_chrome_line(line)]
        item.images = images
        return item
