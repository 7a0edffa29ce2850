"""한국일보: discovery from the all-articles RSS feed and the Google News sitemap of the latest articles.

Assumed shapes (not verifiable offline; override with ``-a feeds=``): RSS ``https://www.hankookilbo.com/rss/all``
and the news sitemap ``https://www.hankookilbo.com/sitemap/latest-articles`` (daily sitemaps:
``/sitemap/daily-articles/<yyyymmdd>``). Articles live at ``/news/article/<id>`` (Next.js templates) and, in
older links, ``/News/Read/<id>`` (jQuery template); ids are a letter and 19 digits (``A2026071220290000630``).
"""

import re

from newscrawl.spider import NewsSpider


class HankookilboSpider(NewsSpider):
    name = "hankookilbo"
    site_name = "hankookilbo"
    default_base_url = "https://www.hankookilbo.com"
    discovery_paths = (
        "https://www.hankookilbo.com/rss/all",
        "https://www.hankookilbo.com/sitemap/latest-articles",
    )
    article_url = re.compile(r"/(?:news/article|News/Read)/[A-Z]\d{19}/?$", re.IGNORECASE)
