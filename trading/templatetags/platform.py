from django import template

from core.money import format_yuan

register = template.Library()


@register.filter
def yuan(value):
    return format_yuan(value)


@register.filter
def short_hash(value: str, n: int = 16) -> str:
    return f"{value[:n]}…" if value and len(value) > n else (value or "")
