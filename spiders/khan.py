"""경향신문: discovery from the all-news RSS feed and the 최신기사 list (news.khan.co.kr/kh_recent/); article
URLs of both eras (today's www.khan.co.kr/article/<15 digits>: the URL shape of public pages, not checked live)."""

import re

from newscrawl.spider import NewsSpider


class KhanSpider(NewsSpider):
    name = "khan"
    site_name = "khan"
    default_base_url = "http://news.khan.co.kr"
    # The feed as public crawlers of 2025-26 list it (https), not checked live.
    discovery_paths = ("https://www.khan.co.kr/rss/rssdata/total_news.xml", "/kh_recent/")
    # news.khan.co.kr/kh_news/khan_art_view.html?artid=…, biz.khan.co.kr/khan_art_view.html?artid=…, and
    # www.khan.co.kr/article/202312272031025 (as linked by khan.co.kr's own pages, 2023+)
    article_url = re.compile(r"/(?:khan_art_view\.html\?artid=\d{15}|article/\d{15}(?:/|$|\?))")
