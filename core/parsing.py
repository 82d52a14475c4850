"""Parsing request values into typed ones with errors that name the field."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _


def aware_datetime(value: Any, field: str) -> dt.datetime:
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value
    try:
        parsed = parse_datetime(str(value or "").strip()) if not isinstance(value, dt.datetime) else value
    except ValueError:
        parsed = None
    if parsed is None:
        raise ValidationError({field: [_("“%(v)s”不是 ISO 8601 时间。") % {"v": str(value)[:40]}]})
    if parsed.tzinfo is None:
        raise ValidationError({field: [_("须带时区，例如 2026-12-08T09:00:00+08:00。")]})
    return parsed


def date_value(value: Any, field: str, *, required: bool = True) -> dt.date | None:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    text = str(value or "").strip()
    if not text:
        if required:
            raise ValidationError({field: [_("必填。")]})
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValidationError({field: [_("“%(v)s”不是日期（YYYY-MM-DD）。") % {"v": text[:40]}]}) from None


def int_value(value: Any, field: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValidationError({field: [_("“%(v)s”不是整数。") % {"v": str(value)[:40]}]}) from None
