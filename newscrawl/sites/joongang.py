"""중앙일보 (joongang.co.kr), read by the generic extractor. Articles ``/article/<8 digits>`` on www. and m.
(links in public repositories); discovery: the 실시간 list page ``/just-in``. Not checked live."""

from newscrawl.outlets import outlet

SITE = outlet("joongang", "중앙일보", "https://www.joongang.co.kr", discovery=("/just-in",),
              article=r"/article/(\d{6,9})\b", aliases=("m.joongang.co.kr",))
