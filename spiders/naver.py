"""네이버 뉴스: discovery from the section list pages, in the current layout (``news.naver.com/section/<sid>``)
and the legacy one (``news.naver.com/main/main.naver?mode=LSD&mid=shm&sid1=<sid>``).

Section ids: 100 정치, 101 경제, 102 사회, 103 생활/문화, 104 세계, 105 IT/과학. List pages link articles as
``n.news.naver.com/mnews/article/<oid>/<aid>``, ``n.news.naver.com/article/<oid>/<aid>`` and ranking/hotissue
views of the same articles; the latter (and legacy ``main/read.naver?oid=&aid=`` links) are followed as
``/mnews/article/<oid>/<aid>``, without the query (sid, ntype, cid, type only say where the link was).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from scrapy.http import Response

from newscrawl.sites.naver import ARTICLE_PATH, article_ids, canonical_article_url
from newscrawl.spider import NewsSpider

SECTIONS = ("100", "101", "102", "103", "104", "105")
PLAIN_ARTICLE = re.compile(r"^/article/(\d{3})/(\d{10})$")  # the other shape kept as linked


def section_pages(sections: tuple[str, ...]) -> tuple[str, ...]:
    new = tuple(f"/section/{sid}" for sid in sections)
    legacy = tuple(f"/main/main.naver?mode=LSD&mid=shm&sid1={sid}" for sid in sections)
    return new + legacy


def article_link(href: str) -> str | None:
    """The URL to fetch for an article link of any shape, or None when ``href`` is not an article."""
    ids = article_ids(href)
    if ids is None:
        return None
    found = ARTICLE_PATH.search(href)
    if found and PLAIN_ARTICLE.match(found.group(0)):
        return f"https://n.news.naver.com/article/{ids[0]}/{ids[1]}"
    return canonical_article_url(*ids)


class NaverSpider(NewsSpider):
    name = "naver"
    site_name = "naver"
    default_base_url = "https://news.naver.com"
    discovery_paths = section_pages(SECTIONS)
    article_url = re.compile(r"/(?:mnews/)?article/\d{3}/\d{10}$")

    def __init__(self, *args: Any, sections: str | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if sections:  # e.g. -a sections=100,102
            self.discovery_paths = section_pages(tuple(s.strip() for s in sections.split(",") if s.strip()))

    def links(self, response: Response) -> Iterator[tuple[str, datetime | None, bool]]:
        for href, when, is_sitemap in super().links(response):
            yield article_link(response.urljoin(href)) or href, when, is_sitemap
