"""MBC 뉴스 (imnews.imbc.com), read by the generic extractor. Articles
``/news/YYYY/<section>/article/<7 digits>_<5 digits>.html``; discovery: the all-news RSS ``/rss/news/news_00.xml``
(public RSS lists). Not checked live."""

from newscrawl.outlets import outlet

SITE = outlet("mbc", "MBC", "https://imnews.imbc.com", discovery=("/rss/news/news_00.xml",),
              article=r"/news/\d{4}/[a-z]+/article/(\d+_\d+)\.html")
