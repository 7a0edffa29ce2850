"""연합뉴스TV: discovery from the all-news RSS feed (/browse/feed/) and category feeds (-a feeds=…)."""

import re

from newscrawl.spider import NewsSpider


class YonhapnewstvSpider(NewsSpider):
    name = "yonhapnewstv"
    site_name = "yonhapnewstv"
    default_base_url = "https://www.yonhapnewstv.co.kr"
    discovery_paths = ("/browse/feed/",)
    article_url = re.compile(r"/news/MYH\d{17}")
