"""다음 뉴스: discovery from the per-section latest-news list pages ``news.daum.net/breakingnews/<section>``
(``ul.list_news2 a.link_txt`` linking ``https://v.daum.net/v/<17-digit id>``; ``?page=N&regDate=YYYYMMDD``
pages back in time), the shape public Daum crawlers use. Older links ``news.v.daum.net/v/<id>`` and
``?f=o``-style queries are followed as ``v.daum.net/v/<id>``. Proven on hand-written fixtures only.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from scrapy.http import Response

from newscrawl.spider import NewsSpider

SECTIONS = ("society", "politics", "economic", "foreign", "culture", "digital")
ARTICLE_ID = re.compile(r"^https?://(?:news\.)?v\.daum\.net/v/(\d{17})(?:[/?#].*)?$")


def article_link(href: str) -> str | None:
    """``https://v.daum.net/v/<id>`` for a Daum article link of either host, else None."""
    found = ARTICLE_ID.match(href)
    return f"https://v.daum.net/v/{found.group(1)}" if found else None


class DaumSpider(NewsSpider):
    name = "daum"
    site_name = "daum"
    default_base_url = "https://news.daum.net"
    discovery_paths = tuple(f"/breakingnews/{section}" for section in SECTIONS)
    article_url = re.compile(r"/v/\d{17}$")

    def __init__(self, *args: Any, sections: str | None = None, pages: str | int = 1, **kwargs: Any):
        super().__init__(*args, **kwargs)
        chosen = tuple(s.strip() for s in sections.split(",") if s.strip()) if sections else SECTIONS
        count = max(int(pages), 1)  # -a pages=3: also ?page=2 and ?page=3 of each section
        self.discovery_paths = tuple(
            f"/breakingnews/{section}" + (f"?page={page}" if page > 1 else "")
            for section in chosen for page in range(1, count + 1)
        )

    def links(self, response: Response) -> Iterator[tuple[str, datetime | None, bool]]:
        for href, when, is_sitemap in super().links(response):
            yield article_link(response.urljoin(href)) or href, when, is_sitemap
