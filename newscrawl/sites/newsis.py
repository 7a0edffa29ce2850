"""뉴시스 (newsis.com), read by the generic extractor. Articles ``/view/?id=NISX<date>_<10 digits>`` (also
``/view/NISX…``; ``cID``/``pID`` name the listing section); discovery: the 속보 RSS ``/RSS/sokbo.xml``.
Not checked live."""

from newscrawl.outlets import outlet

SITE = outlet("newsis", "뉴시스", "https://www.newsis.com", discovery=("/RSS/sokbo.xml",),
              article=r"/view/(?:\?id=)?(NISX\d{8}_\d{10})", drop=("cID", "pID"))
