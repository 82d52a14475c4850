"""Input rules for projects, written once and called by the form, the API and the admin through the services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.parsing import collect_money, int_value, text_value
from core.timefmt import local_time
from trading.models.organisations import Certificate, Organisation
from trading.models.projects import DrawProtocol, ProjectType


def validate_project(data: dict[str, Any], *, now: dt.datetime) -> dict[str, Any]:
    """Check and normalise a project's fields; raise ValidationError naming each bad field."""
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    ptype = data.get("type")
    if not isinstance(ptype, str) or ptype not in ProjectType.values:
        errors["type"] = [_("交易类型须为 %(v)s 之一。") % {"v": ", ".join(ProjectType.values)}]
    clean["title"] = _collect(errors, lambda: text_value(data.get("title"), "title", required=True,
                                                         max_length=200).strip())
    clean["type"] = ptype
    clean["budget"] = collect_money(data.get("budget"), "budget", errors)
    clean["fixed_price"] = collect_money(data.get("fixed_price"), "fixed_price", errors,
                                         required=ptype == ProjectType.FIXED_PRICE)
    clean["ceiling_price"] = collect_money(data.get("ceiling_price"), "ceiling_price", errors, required=False)
    clean.update(_optional_fields(data, errors))
    clean.update(_draw_mode(data, ptype, errors))
    if data.get("tenderer") not in (None, ""):
        clean["tenderer"] = _tenderer(data["tenderer"], errors)
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


# optional fields and their longest text (the model's column); a field left out keeps the model's default
# the 须知 is the centre's versioned text (trading.notices), never the agency's own
_TEXTS = {"announcement": None, "external_input_source": 200}


def _optional_fields(data: dict[str, Any], errors: dict[str, list[str]]) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    for field, longest in _TEXTS.items():
        if data.get(field) not in (None, ""):
            clean[field] = _collect(errors, lambda f=field, n=longest: text_value(data[f], f, max_length=n))
    kind = data.get("qualification_kind")
    if kind not in (None, ""):
        if not isinstance(kind, str) or kind not in Certificate.Kind.values:
            errors["qualification_kind"] = [_("须为 %(v)s 之一。") % {"v": ", ".join(Certificate.Kind.values)}]
        clean["qualification_kind"] = kind
    grade = data.get("qualification_grade")
    if grade not in (None, ""):
        number = _collect(errors, lambda: int_value(grade, "qualification_grade"))
        if number is not None and number not in Certificate.Grade.values:
            errors["qualification_grade"] = [_("须为 %(v)s 之一。") % {
                "v": ", ".join(str(v) for v in Certificate.Grade.values)}]
        clean["qualification_grade"] = number
    return clean


def _tenderer(code: Any, errors: dict[str, list[str]]) -> Organisation | None:
    """The 招标人 (the owner of the project the agency acts for), named by its unified social credit code."""
    found = Organisation.objects.filter(uscc=str(code).strip().upper(), kind=Organisation.Kind.TENDERER,
                                        is_active=True).first() if isinstance(code, str) else None
    if found is None:
        errors["tenderer"] = [_("须为已登记的招标人的统一社会信用代码。")]
    return found


DRAW_SOURCES_MAX = 16  # the RFC's reference code reads at most 16 sources
DRAW_SOURCE_LENGTH = 200


def _draw_mode(data: dict[str, Any], ptype: Any, errors: dict[str, list[str]]) -> dict[str, Any]:
    """The draw protocol and, for RFC 3797, the public sources the announcement names (one per line or a list),
    fixed before anyone can know their values: the values are entered after the close (lottery.services)."""
    protocol = data.get("draw_protocol")
    if protocol in (None, "", DrawProtocol.FPS):
        return {"draw_protocol": None, "draw_sources": None} if "draw_protocol" in data else {}
    if not isinstance(protocol, str) or protocol not in DrawProtocol.values:
        errors["draw_protocol"] = [_("须为 %(v)s 之一。") % {"v": ", ".join(DrawProtocol.values)}]
        return {}
    if ptype != ProjectType.FIXED_PRICE:
        errors["draw_protocol"] = [_("只有固定价比选项目采用随机抽取。")]
        return {}
    sources = data.get("draw_sources")
    if isinstance(sources, str):
        sources = [line for line in sources.splitlines() if line.strip()]
    if not isinstance(sources, list) or not sources:
        errors["draw_sources"] = [_("RFC 3797 抽取须在公告中指定至少一个公开数值来源，每行一个。")]
        return {}
    if len(sources) > DRAW_SOURCES_MAX:
        errors["draw_sources"] = [_("最多%(n)d个公开数值来源。") % {"n": DRAW_SOURCES_MAX}]
        return {}
    names = [_collect(errors, lambda s=s, n=n: text_value(s, f"draw_sources.{n}", required=True,
                                                          max_length=DRAW_SOURCE_LENGTH).strip())
             for n, s in enumerate(sources, start=1)]
    if len(set(names)) != len(names):
        errors["draw_sources"] = [_("公开数值来源不能重复。")]
    return {"draw_protocol": protocol, "draw_sources": names}


def _collect(errors: dict[str, list[str]], parse: Any) -> Any:
    """A parser's answer, or None with its error added to `errors` (every bad field is reported at once)."""
    try:
        return parse()
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            errors.setdefault(name, []).extend(messages)
        return None


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
