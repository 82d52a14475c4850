"""One formatting of money for pages and PDFs: CNY yuan, thousands separators, two places."""

from __future__ import annotations

from decimal import Decimal


def format_yuan(value: Decimal | None, *, unit: bool = False) -> str:
    if value is None:
        return "—"
    text = f"{Decimal(value).quantize(Decimal('0.01')):,.2f}"
    return f"{text} 元" if unit else text
