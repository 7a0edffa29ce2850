"""지디넷코리아 (zdnet.co.kr), read by the generic extractor. Articles ``/view/?no=<14 digits>``; discovery: the feed
``/feed`` (public RSS lists). Not checked live."""

from newscrawl.outlets import outlet

SITE = outlet("zdnet", "지디넷코리아", "https://zdnet.co.kr", discovery=("/feed",),
              article=r"/view/\?no=(\d{14})", aliases=("m.zdnet.co.kr", "www.zdnet.co.kr"))
