"""다음 뉴스: the declared discovery (newscrawl/sites/daum.py) plus ``-a sections=society,politics`` and
``-a pages=N`` (also ``?page=2`` … of each section list)."""

from __future__ import annotations

from typing import Any

from newscrawl.sites import get_site
from newscrawl.sites.daum import SECTIONS, section_pages
from newscrawl.spider import spider_for


class DaumSpider(spider_for(get_site("daum"), __name__)):
    def __init__(self, *args: Any, sections: str | None = None, pages: str | int = 1, **kwargs: Any):
        super().__init__(*args, **kwargs)
        chosen = tuple(s.strip() for s in sections.split(",") if s.strip()) if sections else SECTIONS
        self.discovery_paths = section_pages(chosen, max(int(pages), 1))
