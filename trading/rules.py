"""Input rules for projects, written once and called by the form, the API and the admin through the services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.timefmt import local_time
from trading.models.projects import ProjectType

MAX_MONEY = Decimal("99999999999999.99")


def parse_money(value: Any, field: str, errors: dict[str, list[str]], *, required: bool = True) -> Decimal | None:
    if value in (None, ""):
        if required:
            errors.setdefault(field, []).append(_("必填。"))
        return None
    if isinstance(value, float):
        value = repr(value)
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        errors.setdefault(field, []).append(_("“%(v)s”不是有效金额。") % {"v": str(value)[:40]})
        return None
    if not amount.is_finite():
        errors.setdefault(field, []).append(_("金额必须是有限数值。"))
        return None
    if amount < 0:
        errors.setdefault(field, []).append(_("金额不能为负数。"))
    elif amount.as_tuple().exponent < -2:
        errors.setdefault(field, []).append(_("金额最多保留两位小数。"))
    elif amount > MAX_MONEY:
        errors.setdefault(field, []).append(_("金额过大。"))
    return amount


def validate_project(data: dict[str, Any], *, now: dt.datetime) -> dict[str, Any]:
    """Check and normalise a project's fields; raise ValidationError naming each bad field."""
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    ptype = data.get("type")
    if ptype not in ProjectType.values:
        errors["type"] = [_("交易类型须为 %(v)s 之一。") % {"v": ", ".join(ProjectType.values)}]
    title = str(data.get("title") or "").strip()
    if not title:
        errors["title"] = [_("必填。")]
    elif len(title) > 200:
        errors["title"] = [_("不超过200字。")]
    clean["title"] = title
    clean["type"] = ptype
    clean["budget"] = parse_money(data.get("budget"), "budget", errors)
    clean["fixed_price"] = parse_money(data.get("fixed_price"), "fixed_price", errors,
                                       required=ptype == ProjectType.FIXED_PRICE)
    clean["ceiling_price"] = parse_money(data.get("ceiling_price"), "ceiling_price", errors, required=False)
    deadline = data.get("registration_deadline")
    if not isinstance(deadline, dt.datetime):
        errors["registration_deadline"] = [_("须为带时区的 ISO 8601 时间。")]
    elif deadline.tzinfo is None:
        errors["registration_deadline"] = [_("须带时区，例如 2026-12-08T09:00:00+08:00。")]
    else:
        _check_deadline(deadline, now, errors)
    clean["registration_deadline"] = deadline
    if ptype == ProjectType.FIXED_PRICE and "budget" not in errors:
        _check_fixed_price(data, clean, errors)
    if errors:
        raise ValidationError(errors)
    return clean


def _check_deadline(deadline: dt.datetime, now: dt.datetime, errors: dict[str, list[str]]) -> None:
    if deadline <= now:
        errors["registration_deadline"] = [_("报名截止时间已过。")]
        return
    shortest = dt.timedelta(days=settings.REGISTRATION_MIN_DAYS)
    if deadline - now < shortest:  # the period runs from publication, which is now at the earliest
        errors["registration_deadline"] = [
            _("报名期自发布起不少于%(d)d日，截止时间最早为 %(t)s。")
            % {"d": settings.REGISTRATION_MIN_DAYS, "t": local_time(now + shortest)}
        ]


def _check_fixed_price(data: dict[str, Any], clean: dict[str, Any], errors: dict[str, list[str]]) -> None:
    budget, fixed = clean["budget"], clean["fixed_price"]
    if budget is not None and budget > settings.FPS_BUDGET_LIMIT:
        errors.setdefault("budget", []).append(
            _("固定价比选仅适用于%(limit)s元以下（含）的项目，预算%(b)s元超出。")
            % {"limit": f"{settings.FPS_BUDGET_LIMIT:,.2f}", "b": f"{budget:,.2f}"}
        )
    if budget is not None and fixed is not None and "fixed_price" not in errors and fixed > budget:
        errors.setdefault("fixed_price", []).append(_("固定合同价不能高于预算。"))
    if not _truthy(data.get("government_invested", True)):
        errors.setdefault("government_invested", []).append(_("固定价比选仅适用于政府投资项目。"))
    if not _truthy(data.get("construction", True)):
        errors.setdefault("construction", []).append(_("固定价比选仅适用于建设工程。"))
    clean["government_invested"] = True
    clean["construction"] = True


def _truthy(value: Any) -> bool:
    return value not in (False, "false", "False", "0", 0, "off", "")
