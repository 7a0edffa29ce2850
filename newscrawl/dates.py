"""Dates: everything becomes an aware Asia/Seoul datetime, written as ISO 8601 with seconds and +09:00."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

KST = ZoneInfo("Asia/Seoul")

_ISO = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2}))?(?:[.,]\d+)?)?\s*"
    r"(Z|[+-]\d{2}:?\d{2})?$"
)
# Visible Korean dates: 2024-07-25 10:55 / 2016.09.17 18:59:01 / 2023.09.07. 오후 12:22 / 2016/09/17 11:35
_VISIBLE = re.compile(
    r"(\d{4})\s*[.\-/년]\s*(\d{1,2})\s*[.\-/월]\s*(\d{1,2})\s*[.일]?\s*"
    r"(?:\([^)]*\)\s*)?(오전|오후|AM|PM)?\s*(\d{1,2}):(\d{2})(?::(\d{2}))?"
)
# A news date outside these years is a damaged or hostile value, not a date (0000-01-01, 9999-12-31).
MIN_YEAR, MAX_YEAR = 1900, 2100
MAX_OFFSET = timedelta(hours=14)  # the widest UTC offset in use (Pacific/Kiritimati, +14:00)
VISIBLE_DATE = _VISIBLE  # public name for the rendered-text segmenter (newscrawl/textpage.py)
PUBLISHED_LABELS = ("기사입력", "최초입력", "입력", "등록", "송고시간", "송고", "발행")
MODIFIED_LABELS = ("최종수정", "수정", "업데이트")


def _offset(text: str | None) -> timezone | None:
    """The UTC offset of ``Z``/``+09:00``/``-0500``; ValueError beyond ±14:00 or with minutes over 59."""
    if not text:
        return None
    if text == "Z":
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4])
    offset = timedelta(hours=hours, minutes=minutes)
    if minutes > 59 or offset > MAX_OFFSET:
        raise ValueError(f"UTC offset {text} out of range")
    return timezone(sign * offset)


def _read(text: str) -> datetime | None:
    """The datetime written in ``text`` (naive when it names no offset); ValueError when it is impossible."""
    m = _ISO.match(text)
    if m:
        y, mo, d, h, mi, s, off = m.groups()
        dt = datetime(int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(s or 0))
        tz = _offset(off)
        return dt.replace(tzinfo=tz) if tz is not None else dt
    m = _VISIBLE.search(text)
    if not m:
        return None
    y, mo, d, ampm, h, mi, s = m.groups()
    hour = int(h)
    if ampm in ("오후", "PM") and hour < 12:
        hour += 12
    elif ampm in ("오전", "AM") and hour == 12:
        hour = 0
    return datetime(int(y), int(mo), int(d), hour, int(mi), int(s or 0))


# Recently parsed date strings: a page object checks each date (possible_date) and the dates pipeline converts it.
_PARSED: dict[str, datetime | None] = {}
_PARSED_SIZE, _PARSED_LENGTH = 1024, 64


def parse_datetime(value: str | datetime | None) -> datetime | None:
    """Parse a machine (ISO 8601) or visible Korean date; naive values are KST.

    None when there is no date or it is impossible (2024-02-30, month 13, year 0 or 9999, an offset beyond
    ±14:00, a year outside MIN_YEAR..MAX_YEAR): an impossible date is no date. Never raises.
    """
    if value is None:
        return None
    if isinstance(value, str) and len(value) <= _PARSED_LENGTH:
        if value in _PARSED:
            return _PARSED[value]
        if len(_PARSED) >= _PARSED_SIZE:
            _PARSED.clear()
        _PARSED[value] = parsed = _parse_datetime(value)
        return parsed
    return _parse_datetime(value)


def _parse_datetime(value: str | datetime) -> datetime | None:
    try:
        dt = value if isinstance(value, datetime) else _read(value.strip())
        if dt is None or not MIN_YEAR <= dt.year <= MAX_YEAR:
            return None
        if dt.tzinfo is None:
            dt = dt.replace(tzinfo=KST)
        dt = dt.astimezone(KST).replace(microsecond=0)
    except (ValueError, OverflowError):
        return None
    return dt if MIN_YEAR <= dt.year <= MAX_YEAR else None


def to_kst_iso(value: str | datetime | None) -> str | None:
    """ISO 8601 in KST with seconds (``2024-07-25T10:55:00+09:00``), or None."""
    dt = parse_datetime(value)
    return dt.isoformat(timespec="seconds") if dt else None


def labeled_date(text: str, labels: tuple[str, ...]) -> str | None:
    """The date that follows one of ``labels`` in visible text (``입력 2024-07-25 10:55`` -> that date)."""
    for label in labels:
        start = text.find(label)  # each occurrence, left to right and not overlapping, as re.finditer finds them
        while start >= 0:
            end = start + len(label)
            found = _VISIBLE.match(text[end: end + 40].lstrip(" :：|\u00a0"))  # 입력: …, 송고시간 | …
            if found:
                return found.group(0)
            start = text.find(label, end if label else start + 1)
    return None
