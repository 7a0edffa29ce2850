"""세계일보 (segye.com), read by the generic extractor. Articles ``/newsView/<14 digits>`` (``OutUrl=naver`` says
where the link came from); discovery: the recent-news RSS ``/Articles/RSSList/segye_recent.xml``.
Not checked live."""

from newscrawl.outlets import outlet

SITE = outlet("segye", "세계일보", "https://www.segye.com", discovery=("/Articles/RSSList/segye_recent.xml",),
              article=r"/newsView/(\d{14})\b", drop=("OutUrl",))
