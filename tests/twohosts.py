"""A test spider: etoday pages served by several loopback hosts in one crawl (tests/test_politeness.py).
``-a feeds=URL,URL -a hosts=127.0.0.1,127.0.0.2``; load with ``-s SPIDER_MODULES=tests.twohosts``."""

import re
from typing import Any

from newscrawl.sites import Site, get_site
from newscrawl.spider import NewsSpider


class TwoHostsSpider(NewsSpider):
    name = "twohosts"
    default_base_url = "http://127.0.0.1"
    article_url = re.compile(r"/news/view/\d+")

    @classmethod
    def declaration(cls) -> Site:
        return get_site("etoday")  # etoday's page objects read the pages

    def __init__(self, *args: Any, hosts: str = "127.0.0.1", **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.allowed_domains = [h.strip() for h in hosts.split(",") if h.strip()]
