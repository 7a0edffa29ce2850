"""한겨레: discovery from the all-news RSS feed and the 전체기사 list page (/arti/list.html)."""

import re

from newscrawl.spider import NewsSpider
from newscrawl.urls import strip_tracking

# ?_fr=st3 / mt2 mark which page module a link came from: the same article.
_FROM_PARAM = re.compile(r"([?&])_fr=[^&]*&?")


class HaniSpider(NewsSpider):
    name = "hani"
    site_name = "hani"
    default_base_url = "https://www.hani.co.kr"
    discovery_paths = ("/rss/", "/arti/list.html")
    article_url = re.compile(r"/arti/(?:[a-z_]+/)+\d+\.html")


    def resolve(self, url: str, base: str | None = None) -> str:
        return strip_tracking(_FROM_PARAM.sub(r"\1", super().resolve(url, base)))
