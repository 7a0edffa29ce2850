"""Scrapy's scheduler, whose JOBDIR disk queues are read again only after a clean stop.

queuelib's disk queues buffer their writes and record how many requests they hold when they are closed, so a
SIGKILL leaves queue files that are empty (the 4-byte header never flushed: every later push to that priority
raised ``struct.error``, a Twisted traceback, and the request was lost), hold a stale count, or end inside a
request. The pages pending at a kill need no queue: the database records what is done and every run discovers
again (newscrawl/dupefilter.py). So a run marks the queue folder while it is open, and a run that finds the
mark (or queue files without the ``active.json`` a clean stop writes) discards them, logged and counted in
``newscrawl/jobdir/queues_discarded``. A clean stop (finished, sink_failed, Ctrl-C) keeps its queues as Scrapy
does.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

from scrapy import Spider
from scrapy.core.scheduler import Scheduler
from twisted.internet.defer import Deferred

from newscrawl.keys import JOBDIR_QUEUES_DISCARDED

logger = logging.getLogger(__name__)

OPEN_MARK = "run.open"  # in JOBDIR/requests.queue while a run has the queues open
CLEAN_STATE = "active.json"  # written by Scrapy's scheduler on a clean stop


def interrupted(queues: Path) -> bool:
    """The queue folder was left by a run that did not close it."""
    if (queues / OPEN_MARK).exists():
        return True
    return not (queues / CLEAN_STATE).exists() and any(queues.iterdir())


class ResumableScheduler(Scheduler):
    def open(self, spider: Spider) -> Deferred[None] | None:
        if self.dqdir:
            queues = Path(self.dqdir)
            if interrupted(queues):
                logger.info("%s was left by a run that did not stop cleanly (killed?): its request queues are "
                            "discarded; discovery schedules the pages not yet stored again", queues)
                assert self.stats is not None
                self.stats.inc_value(JOBDIR_QUEUES_DISCARDED)
                shutil.rmtree(queues)
                queues.mkdir()
            (queues / OPEN_MARK).touch()
        return super().open(spider)

    def close(self, reason: str) -> Deferred[None] | None:
        result = super().close(reason)
        if self.dqdir:
            (Path(self.dqdir) / OPEN_MARK).unlink(missing_ok=True)
        return result
