"""매일경제: discovery from the all-news RSS feed and the Google News sitemap of the latest articles.

Feed shapes: ``https://www.mk.co.kr/rss/<8-digit channel>/`` (30000001 = 전체 뉴스; section channels such as
40300001 or 30100041 have the same shape) and ``https://www.mk.co.kr/sitemap/latest-articles/`` (a news sitemap
with ``news:publication_date``). Articles live at ``/news/<section>/<numeric id>``.
"""

import re

from newscrawl.spider import NewsSpider


class MkSpider(NewsSpider):
    name = "mk"
    site_name = "mk"
    default_base_url = "https://www.mk.co.kr"
    discovery_paths = (
        "https://www.mk.co.kr/rss/30000001/",
        "https://www.mk.co.kr/sitemap/latest-articles/",
    )
    article_url = re.compile(r"/news/[a-z_]+/\d+/?$")
