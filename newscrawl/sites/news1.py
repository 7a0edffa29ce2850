"""뉴스1 (news1.kr), read by the generic extractor. Articles ``/<section>/<subsection>/<7 digits>`` and the older
``/articles/?<7 digits>`` (the same id); discovery: the 최신 list page ``/latest``. Not checked live."""

from newscrawl.outlets import outlet

SITE = outlet("news1", "뉴스1", "https://www.news1.kr", discovery=("/latest",),
              article=r"/articles/\?(\d{6,})|^https?://[^/]+/[a-z-]+/[a-z-]+/(\d{6,})$")
