"""서울신문 (seoul.co.kr), read by the generic extractor. Articles ``/news/<section>/YYYY/MM/DD/<14 digits>`` and the
older ``/news/newsView.php?id=<14 digits>`` (``wlog_*`` are tracking); discovery: the top-news RSS
``/xml/rss/rss_top_news.xml``. Not checked live."""

from newscrawl.outlets import outlet

SITE = outlet("seoul", "서울신문", "https://www.seoul.co.kr", discovery=("/xml/rss/rss_top_news.xml",),
              article=r"/news/newsView\.php\?id=(\d{14})|/news/[a-zA-Z]+/\d{4}/\d{2}/\d{2}/(\d{14})",
              drop=("wlog_tag1", "wlog_tag3", "wlog_sub"))
