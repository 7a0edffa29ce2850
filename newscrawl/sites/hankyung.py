"""한국경제 (hankyung.com), read by the generic extractor. Articles ``/article/<id>`` (13 digits, or 12 and a
letter) and the older ``/<section>/article/<id>``; discovery: the all-news RSS ``/feed/all-news`` (public RSS
lists). Not checked live."""

from newscrawl.outlets import outlet

SITE = outlet("hankyung", "한국경제", "https://www.hankyung.com", discovery=("/feed/all-news",),
              article=r"/article/(\d{12}[0-9a-z])\b", aliases=("m.hankyung.com",))
