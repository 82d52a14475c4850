import ast
import contextlib
import json

from django import template

from core.money import format_yuan
from core.roles import can
from core.timefmt import local_date, local_time, local_times_in

register = template.Library()


@register.filter
def yuan(value):
    return format_yuan(value)


@register.filter
def short_hash(value: str, n: int = 16) -> str:
    return f"{value[:n]}…" if value and len(value) > n else (value or "")


@register.filter
def local(value, style: str = "") -> str:
    """A time as a person reads it, local and the Chinese way (core.timefmt): `{{ t|local }}` "2026-12-02 10:00",
    `{{ t|local:"seconds" }}` with seconds, `{{ t|local:"date" }}` the day. ISO 8601 text is read as a time."""
    if style == "date":
        return local_date(value)
    return local_time(value, seconds=style == "seconds")


@register.filter
def recorded(value):
    """A field value from the audit trail as a person reads it: times local (core.timefmt), a structure as JSON.
    The trail gives a structure (a JSON field, an event's data) as its Python text; read back literally, never run."""
    if isinstance(value, str) and value[:1] in "{[" and value[-1:] in "}]":
        with contextlib.suppress(ValueError, SyntaxError, MemoryError, RecursionError):
            value = ast.literal_eval(value)
    value = local_times_in(value)
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return value


@register.simple_tag
def unread_notifications(user) -> int:
    """The nav's count of the person's unread notifications (one indexed count per page)."""
    from trading.selectors import unread_count

    return unread_count(user)


@register.simple_tag
def complainant(complaint, user) -> str:
    """Who filed an objection or complaint, as `user` may see it (trading.selectors.complainant_label)."""
    from trading.selectors import complainant_label

    return complainant_label(complaint, user)


@register.filter
def may(user, capability: str) -> bool:
    """`{% if user|may:"signing_key.hold" %}`: core.roles.can in a template."""
    return can(user, capability)
