"""동아일보: discovery from the 전체기사 RSS feed and the news list pages (legacy news.donga.com/List and
today's www.donga.com/news list); article URLs of both eras."""

import re

from newscrawl.spider import NewsSpider

# Legacy: news.donga.com/List/3/all/20160918/80317115/1 (the first segment names the route: List, BestClick,
# Main, East, ...); today: www.donga.com/news/Society/article/all/20240101/123456789/1
ARTICLE = re.compile(r"/(?:\w+/3|news/\w+/article)/all/(\d{8})/(\d+)/\d+(?:\?|$)")


def article_id(url: str) -> str | None:
    """The article id: the same story reached through different list routes is fetched once."""
    found = ARTICLE.search(url)
    return found.group(2) if found else None


class DongaSpider(NewsSpider):
    name = "donga"
    site_name = "donga"
    default_base_url = "https://www.donga.com"
    discovery_paths = (
        "https://rss.donga.com/total.xml",
        "https://www.donga.com/news/List",
        "http://news.donga.com/List",  # legacy 전체기사 list
    )
    article_url = ARTICLE

    def article_key(self, url: str) -> str | None:
        return article_id(url)
