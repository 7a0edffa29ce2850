"""파이낸셜뉴스 (fnnews.com), read by the generic extractor. Articles ``/news/<18 digits>`` on www. and m. (links in
public repositories); discovery: the all-news RSS ``/rss/r20/fn_realnews_all.xml``. Not checked live."""

from newscrawl.outlets import outlet

SITE = outlet("fnnews", "파이낸셜뉴스", "https://www.fnnews.com", discovery=("/rss/r20/fn_realnews_all.xml",),
              article=r"/news/(\d{18})\b", aliases=("m.fnnews.com",))
