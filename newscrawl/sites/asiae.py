"""아시아경제 (asiae.co.kr), read by the generic extractor. Articles ``/article/<19 digits>`` on www. and view.
(links in public repositories); discovery: the all-news RSS ``/rss/all.htm``. Not checked live."""

from newscrawl.outlets import outlet

SITE = outlet("asiae", "아시아경제", "https://www.asiae.co.kr", discovery=("/rss/all.htm",),
              article=r"/article/(\d{19})\b")
