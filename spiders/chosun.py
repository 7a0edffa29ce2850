"""조선일보: discovery from today's Arc XP outbound feeds (RSS, news sitemap) and the legacy news.chosun.com
전체기사 RSS feed and article list; article URLs of both eras."""

import re
from collections.abc import Iterator

from scrapy.http import Request, Response

from newscrawl.spider import NewsSpider

# Arc: /national/incident/2023/04/05/RNGKBEZYJJBWVLQZFEK4M6FMZQ/ ; legacy: /site/data/html_dir/2016/09/17/2016091700921.html
ARC_ARTICLE = re.compile(r"/\d{4}/\d{2}/\d{2}/([A-Z0-9]{26})/?(?:\?|$)")
LEGACY_ARTICLE = re.compile(r"/site/data/html_dir/\d{4}/\d{2}/\d{2}/(\d{13})\.html(?:\?|$)")


def article_key(url: str) -> str | None:
    """The story id shared by every URL of one article (section moves, ``?related_all`` suffixes)."""
    found = ARC_ARTICLE.search(url) or LEGACY_ARTICLE.search(url)
    return found.group(1) if found else None


class ChosunSpider(NewsSpider):
    name = "chosun"
    site_name = "chosun"
    default_base_url = "https://www.chosun.com"
    discovery_paths = (
        "https://www.chosun.com/arc/outboundfeeds/rss/?outputType=xml",
        "https://www.chosun.com/arc/outboundfeeds/news-sitemap/?outputType=xml",
        "http://www.chosun.com/site/data/rss/rss.xml",  # legacy 전체기사 feed
        "http://news.chosun.com/svc/list_in/list.html",  # legacy 실시간 뉴스 list
    )
    article_url = re.compile(f"{ARC_ARTICLE.pattern}|{LEGACY_ARTICLE.pattern}")

    def __init__(self, *args, feeds: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.seen_articles: set[str] = set()
        if feeds:  # e.g. -a feeds=https://www.chosun.com/arc/outboundfeeds/rss/category/politics/?outputType=xml
            self.discovery_paths = tuple(f.strip() for f in feeds.split(",") if f.strip())

    def parse_discovery(self, response: Response) -> Iterator[Request]:
        """One request per story, without the legacy ``?related_all``-style query."""
        for request in super().parse_discovery(response):
            key = article_key(request.url)
            if key is None:
                yield request
            elif key in self.seen_articles:
                self.scheduled -= 1
                self.crawler.stats.inc_value("newscrawl/discovery/duplicate_article")
            else:
                self.seen_articles.add(key)
                yield request.replace(url=request.url.split("?")[0]) if LEGACY_ARTICLE.search(request.url) else request
