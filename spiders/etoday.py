"""이투데이: discovery from the all-news RSS feed, section feeds and the news sitemap."""

import re

from newscrawl.spider import NewsSpider


class EtodaySpider(NewsSpider):
    name = "etoday"
    site_name = "etoday"
    default_base_url = "https://www.etoday.co.kr"
    discovery_paths = (
        "https://rss.etoday.co.kr/eto/etoday_news_all.xml",
        "/rss/news_sitemap",
    )
    article_url = re.compile(r"/news/view/\d+")
