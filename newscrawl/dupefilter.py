"""Request de-duplication for one run only.

Scrapy's JOBDIR dupefilter remembers every request it has *scheduled*; after a SIGKILL, requests that were
in flight are remembered but were never stored, and a resumed run would skip them for good. newscrawl keeps
"already done" in the database instead (written in the same transaction as the item, see
pipelines/store.py and newscrawl/downloadermiddlewares/incremental.py), so the dupefilter need not outlive the process.
"""

from __future__ import annotations

from scrapy.crawler import Crawler
from scrapy.dupefilters import RFPDupeFilter


class RunDupeFilter(RFPDupeFilter):
    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunDupeFilter:
        return cls(path=None, debug=crawler.settings.getbool("DUPEFILTER_DEBUG"),
                   fingerprinter=crawler.request_fingerprinter)
