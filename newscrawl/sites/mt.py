"""머니투데이 (mt.co.kr), read by the generic extractor. Articles ``www.mt.co.kr/<section>/YYYY/MM/DD/<19 digits>``
and the older ``news.mt.co.kr/mtview.php?no=<19 digits>`` (the same id); discovery: ``rss.mt.co.kr/mt_news.xml``
(public RSS lists). Not checked live."""

from newscrawl.outlets import outlet

SITE = outlet("mt", "머니투데이", "https://www.mt.co.kr", discovery=("https://rss.mt.co.kr/mt_news.xml",),
              article=r"(?:/mtview\.php\?no=|/[a-z]+/\d{4}/\d{2}/\d{2}/)(\d{19})")
