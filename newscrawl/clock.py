from datetime import datetime

from newscrawl.dates import KST


def now_kst() -> str:
    return datetime.now(KST).isoformat(timespec="seconds")
