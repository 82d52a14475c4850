"""Working days (工作日) for the statutory time limits counted in them (政府采购法 arts. 52-56, 招标投标法实施条例
art. 61): Monday to Friday in the platform's zone. Statutory holidays and their make-up working days are not
modelled: a limit counted here can end a holiday early, never late for the person it protects only by the
holidays it skips (the centre extends by hand where a holiday falls). Pure: no Django."""

from __future__ import annotations

import datetime as dt


def add_workdays(day: dt.date, n: int) -> dt.date:
    """The n-th working day after `day` (the day itself not counted, as 期间 are counted in Chinese law)."""
    while n > 0:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            n -= 1
    return day


def end_of_workdays(moment: dt.datetime, n: int) -> dt.datetime:
    """The end (exclusive: the next day's 00:00) of the n-th working day after the local day of the aware `moment`,
    in the same zone."""
    last = add_workdays(moment.date(), n)
    return dt.datetime.combine(last + dt.timedelta(days=1), dt.time(0), tzinfo=moment.tzinfo)
