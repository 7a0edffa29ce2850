"""KBS 뉴스 (news.kbs.co.kr), read by the generic extractor. Articles ``/news/pc/view/view.do?ncd=<7 digits>`` and the
older ``/news/view.do?ncd=``; discovery: the 최신 list page ``/news/pc/category/recentNews.do``. Not checked
live."""

from newscrawl.outlets import outlet

SITE = outlet("kbs", "KBS", "https://news.kbs.co.kr", discovery=("/news/pc/category/recentNews.do",),
              article=r"/news/(?:pc/view/)?view\.do\?ncd=(\d{6,8})", drop=("ref",))
