"""연합뉴스TV: discovery from the all-news RSS feed (/browse/feed/) and category feeds (-a feeds=…)."""

import re

from newscrawl.spider import NewsSpider


class YonhapnewstvSpider(NewsSpider):
    name = "yonhapnewstv"
    site_name = "yonhapnewstv"
    default_base_url = "https://www.yonhapnewstv.co.kr"
    discovery_paths = ("/browse/feed/",)
    article_url = re.compile(r"/news/MYH\d{17}")

    def __init__(self, *args, feeds: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if feeds:  # e.g. -a feeds=/category/news/economy/feed/
            self.discovery_paths = tuple(f.strip() for f in feeds.split(",") if f.strip())
