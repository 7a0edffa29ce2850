"""YTN (ytn.co.kr), read by the generic extractor. Articles ``/_ln/<4-digit section>_<18 digits>``; discovery:
the section RSS ``/_ln/rss/0101.xml`` (public RSS lists). Not checked live."""

from newscrawl.outlets import outlet

SITE = outlet("ytn", "YTN", "https://www.ytn.co.kr", discovery=("/_ln/rss/0101.xml",),
              article=r"/_ln/(\d{4}_\d{18})\b")
