"""Times as a person reads them: in the platform's zone (TIME_ZONE, Asia/Shanghai) and one Chinese way,
"2026-12-02 10:00". One function for pages (the `local` template filter) and for messages built in services;
the API, proofs and exports keep ISO 8601 with the offset."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime

MINUTES = "%Y-%m-%d %H:%M"
SECONDS = "%Y-%m-%d %H:%M:%S"
DATE = "%Y-%m-%d"


def local_time(value: Any, *, seconds: bool = False) -> str:
    """An aware time (or its ISO 8601 text) in the platform's zone: "2026-12-02 10:00" ("…10:00:05" with
    seconds). A date is printed as a date; None as ""; text that is no time is returned unchanged."""
    if value is None or value == "":
        return ""
    moment = _moment(value)
    if moment is None:
        return value.strftime(DATE) if isinstance(value, dt.date) else str(value)
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return moment.strftime(SECONDS if seconds else MINUTES)


def local_date(value: Any) -> str:
    """The day, in the platform's zone, of a time, or a date itself: "2026-12-02"."""
    if value is None or value == "":
        return ""
    moment = _moment(value)
    if moment is None:
        return value.strftime(DATE) if isinstance(value, dt.date) else str(value)
    return (timezone.localtime(moment) if timezone.is_aware(moment) else moment).strftime(DATE)


def _moment(value: Any) -> dt.datetime | None:
    """The time in a value: a datetime, or text holding an ISO 8601 time of day (a bare date is no moment)."""
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and ":" in value:
        try:
            return parse_datetime(value.strip())
        except ValueError:
            return None
    return None


def local_times_in(value: Any, *, seconds: bool = True) -> Any:
    """A recorded value with every time in it written as local_time: for the field values the audit trail shows
    (a JSON field such as a recording's analysis flags holds ISO 8601 times)."""
    if isinstance(value, dict):
        return {k: local_times_in(v, seconds=seconds) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [local_times_in(v, seconds=seconds) for v in value]
    if isinstance(value, dt.datetime) or isinstance(value, str) and _moment(value) is not None:
        return local_time(value, seconds=seconds)
    return value
