"""연합뉴스: discovery from the Korean and English RSS feeds, the 최신기사 list (/news) and, with
``-a sections=international/asia-australia,politics/all``, section list pages."""

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from newscrawl.spider import NewsSpider

# Where a link was placed (?section=…, ?input=…, ?template=…, ?site=…): the same article.
_PLACEMENT_PARAMS = frozenset({"section", "input", "template", "site"})


class YnaSpider(NewsSpider):
    name = "yna"
    site_name = "yna"
    default_base_url = "https://www.yna.co.kr"
    discovery_paths = ("/rss/news.xml", "https://en.yna.co.kr/RSS/news.xml", "/news")
    # www/en: /view/AKR…, /view/AEN…; legacy yonhapnews.co.kr: /bulletin/2016/09/17/0200000000AKR….HTML
    article_url = re.compile(r"/(?:view/(?:AKR|AEN)\d{17}|[a-z]+/\d{4}/\d{2}/\d{2}/\d{10}AKR\d{17}\.HTML)")

    def __init__(self, *args, sections: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if sections:
            self.discovery_paths += tuple("/" + s.strip().strip("/") for s in sections.split(",") if s.strip())

    def resolve(self, url: str, base: str | None = None) -> str:
        parts = urlsplit(super().resolve(url, base))
        query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in _PLACEMENT_PARAMS]
        return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), parts.fragment))
