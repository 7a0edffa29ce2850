"""서울경제 (sedaily.com), read by the generic extractor. Articles ``/NewsView/<10 letters and digits>`` on www.
and m. (links in public repositories, ``NewsVIew`` spellings too); discovery: the economy RSS ``/RSS/Economy``
(public RSS lists). Not checked live."""

from newscrawl.outlets import outlet

SITE = outlet("sedaily", "서울경제", "https://www.sedaily.com", discovery=("/RSS/Economy",),
              article=r"(?i)/NewsView/([0-9A-Z]{10})\b", aliases=("m.sedaily.com",))
