"""Run history: every run of a command that crawls or checks (crawl, crawlall, and later reextract,
checklayouts) appends its per-site report to the ``runs`` table of NEWSCRAWL_DATABASE, which is what
``scrapy dashboard`` draws. A run that cannot be recorded says so in one line; its exit code is unchanged."""

from __future__ import annotations

import sys
from typing import Any

from newscrawl.clock import now_kst


def record_run(database: str, command: str, started_at: str, exit_code: int,
               sites: list[dict[str, Any]], finished_at: str | None = None) -> int | None:
    """Append one run (its command, start and end as ISO 8601, exit code and per-site reports as built by
    newscrawl.report.site_report) to the history; returns the run's id, or None when it could not be stored."""
    from newscrawl.storage import open_storage  # storage imports this package's siblings: import late

    try:
        storage = open_storage(database)
        try:
            return storage.add_run(command, started_at, finished_at or now_kst(), exit_code, sites)
        finally:
            storage.close()
    except Exception as error:  # the run is over; losing its history must not crash it
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        print(f"newscrawl: run not recorded in the history: {reason}", file=sys.stderr)
        return None
