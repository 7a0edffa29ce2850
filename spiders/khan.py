"""경향신문: discovery from the all-news RSS feed and the 최신기사 list (news.khan.co.kr/kh_recent/)."""

import re

from newscrawl.spider import NewsSpider


class KhanSpider(NewsSpider):
    name = "khan"
    site_name = "khan"
    default_base_url = "http://news.khan.co.kr"
    discovery_paths = ("http://www.khan.co.kr/rss/rssdata/total_news.xml", "/kh_recent/")
    # news.khan.co.kr/kh_news/khan_art_view.html?artid=… and biz.khan.co.kr/khan_art_view.html?artid=…
    article_url = re.compile(r"/khan_art_view\.html\?artid=\d{15}")
