"""연합뉴스: the declared discovery (newscrawl/sites/yna.py) plus section list pages with
``-a sections=international/asia-australia,politics/all``."""

from __future__ import annotations

from typing import Any

from newscrawl.sites import get_site
from newscrawl.spider import spider_for


class YnaSpider(spider_for(get_site("yna"), __name__)):
    def __init__(self, *args: Any, sections: str | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if sections:
            self.discovery_paths += tuple("/" + s.strip().strip("/") for s in sections.split(",") if s.strip())
