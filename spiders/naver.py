"""네이버 뉴스: the declared discovery (newscrawl/sites/naver.py) plus ``-a sections=100,102``."""

from __future__ import annotations

from typing import Any

from newscrawl.sites import get_site
from newscrawl.sites.naver import section_pages
from newscrawl.spider import spider_for


class NaverSpider(spider_for(get_site("naver"), __name__)):
    def __init__(self, *args: Any, sections: str | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if sections:
            self.discovery_paths = section_pages(tuple(s.strip() for s in sections.split(",") if s.strip()))
