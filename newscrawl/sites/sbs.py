"""SBS 뉴스 (news.sbs.co.kr), read by the generic extractor. Articles ``/news/endPage.do?news_id=N<10 digits>``
(``plink``/``cooper`` name the referrer); discovery: the 속보 RSS ``/news/newsflashRssFeed.do`` (public RSS
lists). Not checked live."""

from newscrawl.outlets import outlet

SITE = outlet("sbs", "SBS", "https://news.sbs.co.kr", discovery=("/news/newsflashRssFeed.do?plink=RSSREADER",),
              article=r"/news/endPage\.do\?news_id=(N\d{10})", drop=("plink", "cooper"))
