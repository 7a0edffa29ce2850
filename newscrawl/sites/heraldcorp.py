"""헤럴드경제 (heraldcorp.com), read by the generic extractor. Articles ``biz.heraldcorp.com/article/<id>`` and the
older ``news.heraldcorp.com/view.php?ud=<14 digits>``; discovery: the all-news feed ``/rss/google/newsAll``
(a public RSS table). Not checked live."""

from newscrawl.outlets import outlet

SITE = outlet("heraldcorp", "헤럴드경제", "https://biz.heraldcorp.com", discovery=("/rss/google/newsAll",),
              article=r"/article/(\d{6,})\b|/view\.php\?ud=(\d{14})", hosts=("heraldcorp.com",))
