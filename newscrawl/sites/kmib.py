"""국민일보 (kmib.co.kr), read by the generic extractor. Articles ``/article/view.asp?arcid=<10 digits>`` on www.
and news. (``code``/``cp``/``sid1`` name the listing); discovery: the all-news RSS ``/rss/data/kmibRssAll.xml``.
Not checked live."""

from newscrawl.outlets import outlet

SITE = outlet("kmib", "국민일보", "https://www.kmib.co.kr", discovery=("/rss/data/kmibRssAll.xml",),
              article=r"/article/view\.asp\?arcid=(\d{10})", drop=("cp", "sid1"))
