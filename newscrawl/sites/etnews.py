"""전자신문 (etnews.com), read by the generic extractor. Articles ``/<14 digits>`` (``mc=`` names the referrer);
discovery: the section RSS ``rss.etnews.com/Section901.xml`` (public RSS lists). Not checked live."""

from newscrawl.outlets import outlet

SITE = outlet("etnews", "전자신문", "https://www.etnews.com", discovery=("https://rss.etnews.com/Section901.xml",),
              article=r"^https?://[^/]+/(\d{14})(?:\?|$)", drop=("mc",))
