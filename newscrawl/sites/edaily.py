"""이데일리 (edaily.co.kr), read by the generic extractor. Articles ``/News/Read?newsId=<17 digits>`` (also
spelled ``/news/read``; ``/news/newspath.asp?newsid=`` redirects there; ``OutLnkChk`` says where a link came
from); discovery: the all-news RSS on rss.edaily.co.kr (public RSS lists). Not checked live."""

from newscrawl.outlets import outlet

SITE = outlet("edaily", "이데일리", "https://www.edaily.co.kr", discovery=("http://rss.edaily.co.kr/edaily_news.xml",),
              article=r"(?i)/news/(?:read\?newsId=|newspath\.asp\?newsid=)(\d{17})", aliases=("m.edaily.co.kr",),
              drop=("OutLnkChk",))
