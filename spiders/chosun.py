"""조선일보: discovery from today's Arc XP outbound feeds (RSS, news sitemap) and the legacy news.chosun.com
전체기사 RSS feed and article list; article URLs of both eras."""

import re

from newscrawl.spider import NewsSpider

# Arc: /national/incident/2023/04/05/RNGKBEZYJJBWVLQZFEK4M6FMZQ/ ; legacy: /site/data/html_dir/2016/09/17/2016091700921.html
ARC_ARTICLE = re.compile(r"/\d{4}/\d{2}/\d{2}/([A-Z0-9]{26})/?(?:\?|$)")
LEGACY_ARTICLE = re.compile(r"/site/data/html_dir/\d{4}/\d{2}/\d{2}/(\d{13})\.html(?:\?|$)")


def story_id(url: str) -> str | None:
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

    def article_key(self, url: str) -> str | None:
        return story_id(url)

    def resolve(self, url: str, base: str | None = None) -> str:
        """Legacy article URLs lose their ``?related_all``-style query: one URL per story."""
        resolved = super().resolve(url, base)
        return resolved.split("?")[0] if LEGACY_ARTICLE.search(resolved) else resolved
