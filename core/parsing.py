"""Parsing request values into typed ones with errors that name the field.

Strict on purpose: Python's own parsers read more than a person means. `int()` and `Decimal()` accept full-width
("１２３"), Arabic-Indic ("١٢٣") and underscored ("1_000") digits, and `str()` turns a dict into a title; none of
these is what a client sent as a number or a text, so each is refused here, once, for every view."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from core.money import MAX_AMOUNT, MoneyError, format_yuan, to_amount

INT64 = 2**63 - 1  # the widest integer column on either database
_INT = re.compile(r"[+-]?[0-9]+", re.ASCII)
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)", re.ASCII)
# NUL cannot be stored by PostgreSQL; a lone surrogate cannot be encoded as UTF-8 by either database
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def unstorable(text: str) -> bool:
    """Whether a text holds a character no database can store: NUL or half of a surrogate pair."""
    return _UNSTORABLE.search(text) is not None


def unstorable_error(field: str) -> ValidationError:
    return ValidationError({field: [_("含有不允许的字符（NUL 或不成对的代理项）。")]})


def text_value(value: Any, field: str, *, required: bool = False, max_length: int | None = None) -> str:
    """A text exactly as sent (callers strip where the rule says so); a number, a list or a dict is not a text."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationError({field: [_("须为文本。")]})
    if unstorable(value):
        raise unstorable_error(field)
    if required and not value.strip():
        raise ValidationError({field: [_("必填。")]})
    if max_length is not None and len(value) > max_length:
        raise ValidationError({field: [_("不超过%(n)d字。") % {"n": max_length}]})
    return value


def int_value(value: Any, field: str, *, minimum: int = -INT64, maximum: int = INT64) -> int:
    """An integer from an int or a string of ASCII digits, within [minimum, maximum] (by default what a 64-bit
    column holds, so that a lookup never overflows the database)."""
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and _INT.fullmatch(value.strip()):
        number = int(value.strip())
    else:
        raise ValidationError({field: [_("“%(v)s”不是整数。") % {"v": str(value)[:40]}]})
    if not minimum <= number <= maximum:
        raise ValidationError({field: [_("须在 %(a)d 至 %(b)d 之间。") % {"a": minimum, "b": maximum}]})
    return number


def decimal_value(value: Any, field: str, *, places: int = 2, minimum: Decimal | None = None,
                  maximum: Decimal | None = None) -> Decimal:
    """A decimal (a score, a weight, a share) from a Decimal, an int, a JSON number (a float, read by its shortest
    repr: the number the client wrote, for up to 15 digits) or a string of ASCII digits, with at most `places`
    decimal places, within the bounds given. Money is stricter, and has its own parser: core.money."""
    if isinstance(value, float):
        value = repr(value)
    if isinstance(value, Decimal) or (isinstance(value, int) and not isinstance(value, bool)):
        number = Decimal(value)
    elif isinstance(value, str) and _DECIMAL.fullmatch(value.strip()):
        number = Decimal(value.strip())
    else:
        raise ValidationError({field: [_("“%(v)s”不是数值。") % {"v": str(value)[:40]}]})
    if not number.is_finite():
        raise ValidationError({field: [_("须为有限数值。")]})
    if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        raise ValidationError({field: [_("须在 %(a)s 至 %(b)s 之间。") % {"a": minimum, "b": maximum}]})
    if number != number.quantize(Decimal(1).scaleb(-places)):
        raise ValidationError({field: [_("最多保留%(n)d位小数。") % {"n": places}]})
    return number


def _money_message(error: MoneyError) -> str:
    shown = str(error.raw)[:40]
    return {
        "syntax": lambda: _("“%(v)s”不是有效金额（半角数字，如 1850000.50）。") % {"v": shown},
        "grouping": lambda: _("“%(v)s”中的逗号位置不对：千位分隔符须每三位一组（如 2,000,001.00），小数点须用“.”。")
        % {"v": shown},
        "type": lambda: _("金额须以字符串给出，如 \"1850000.50\"，不能是 %(t)s。") % {"t": type(error.raw).__name__},
        "finite": lambda: _("金额必须是有限数值。"),
        "negative": lambda: _("金额不能为负数。"),
        "places": lambda: _("金额最多保留两位小数。"),
        "large": lambda: _("金额过大，上限为 %(m)s 元。") % {"m": format_yuan(MAX_AMOUNT)},
    }[error.problem]()


def money_value(raw: Any, field: str, *, required: bool = True, negative: bool = False) -> Decimal | None:
    """An amount by the one money rule (core.money.to_amount); None or "" is missing; an error names the field."""
    if raw is None or raw == "":
        if required:
            raise ValidationError({field: [_("必填。")]})
        return None
    try:
        return to_amount(raw, negative=negative)
    except MoneyError as error:
        raise ValidationError({field: [_money_message(error)]}) from None


def collect_money(raw: Any, field: str, errors: dict[str, list[str]], *, required: bool = True) -> Decimal | None:
    """`money_value` for validators that report every bad field at once: the error goes into `errors`."""
    try:
        return money_value(raw, field, required=required)
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            errors.setdefault(name, []).extend(messages)
        return None


def aware_datetime(value: Any, field: str) -> dt.datetime:
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value
    parsed = None
    if isinstance(value, str) and value.strip().isascii():
        try:
            parsed = parse_datetime(value.strip())
            if parsed is not None and parsed.tzinfo is not None:
                parsed.astimezone(dt.UTC)  # a time at the edge of the calendar has no UTC equivalent
        except (ValueError, OverflowError):
            parsed = None
    if parsed is None:
        raise ValidationError({field: [_("“%(v)s”不是 ISO 8601 时间。") % {"v": str(value)[:40]}]})
    if parsed.tzinfo is None:
        raise ValidationError({field: [_("须带时区，例如 2026-12-08T09:00:00+08:00。")]})
    return parsed


def date_value(value: Any, field: str, *, required: bool = True) -> dt.date | None:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    text = value.strip() if isinstance(value, str) else None
    if value is None or text == "":
        if required:
            raise ValidationError({field: [_("必填。")]})
        return None
    try:
        if text is None or not text.isascii():
            raise ValueError
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValidationError({field: [_("“%(v)s”不是日期（YYYY-MM-DD）。") % {"v": str(value)[:40]}]}) from None
