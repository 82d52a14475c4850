"""Money: the one parser of amounts and the one formatting of them for pages and PDFs.

An amount is CNY yuan, a `Decimal` with two places, never a float. It is exact on both databases: PostgreSQL
stores `numeric(16, 2)` exactly, but SQLite keeps a decimal as a double, exact to 15 significant digits only
(Django reads it back rounded to 15), so 98765432109876.53 would come back as .50 and 99999999999999.99 would
not read back at all. The honest bound is therefore 15 digits, 13 before the point: MAX_AMOUNT. No amount the
platform handles comes near it (the largest budget in the seed is in the tens of millions).

Pure (no Django), so that the pure cores (evaluation.auction_rules) use the same rule; request values are read
through core.parsing.money_value, which words the errors for people and names the field."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("9999999999999.99")  # 15 significant digits: what a double, so SQLite, holds exactly
# the forms the API schema documents: plain, or grouped by thousands the way pages show amounts ("2,000,001.00");
# the parser also reads ints and exponents
AMOUNT_PATTERN = r"^([0-9]{1,13}|[0-9]{1,3}(,[0-9]{3}){1,4})(\.[0-9]{1,2})?$"
# ASCII digits only: Python's Decimal also reads "１２３", "١٢٣" and "1_000", which are not amounts
_AMOUNT = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?", re.ASCII)
# thousands separators as format_yuan writes them: a comma between every three digits of the whole part, nothing else
_GROUPED = re.compile(r"[+-]?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]*)?", re.ASCII)
_NOT_FINITE = re.compile(r"[+-]?(?:s?nan[0-9]*|inf|infinity)", re.ASCII | re.IGNORECASE)


class MoneyError(ValueError):
    """Why a value is not an amount: `problem` names the rule (one of REASONS, or "type"), the text says it in
    English for the pure cores' errors."""

    REASONS = {
        "syntax": "is not a number",
        "grouping": "has a comma that does not separate groups of three digits",
        "finite": "is not a finite number",
        "negative": "is negative",
        "places": "has more than 2 decimal places",
        "large": f"is more than {MAX_AMOUNT}",
    }

    def __init__(self, problem: str, raw: Any) -> None:
        self.problem, self.raw = problem, raw
        super().__init__(self.REASONS.get(problem) or f"must be given as a decimal string, not a {type(raw).__name__}")


def _ungrouped(text: str, raw: Any) -> str:
    """ "2,000,001.00" as "2000001.00": amounts are copied from pages that show them grouped (format_yuan). A comma
    anywhere else ("1,00", "1,0000", ",100", "1,000e3") may be a decimal comma or a typo: refused, never guessed."""
    if not _GROUPED.fullmatch(text):
        raise MoneyError("grouping", raw)
    return text.replace(",", "")


def to_amount(raw: Any, *, negative: bool = False) -> Decimal:
    """An amount from a Decimal, an int or a decimal string (ASCII digits, grouped by thousands with commas or with
    an optional exponent), quantized to two places; -0 is 0. Floats are refused (a float is not an exact amount), and so are a sign where no
    negative amount makes sense (`-0` too), a third decimal place and anything past MAX_AMOUNT."""
    if isinstance(raw, bool | float) or not isinstance(raw, Decimal | int | str):
        raise MoneyError("type" if isinstance(raw, bool | float) else "syntax", raw)
    if isinstance(raw, str):
        text = raw.strip()
        if _NOT_FINITE.fullmatch(text):
            raise MoneyError("finite", raw)
        if "," in text:
            text = _ungrouped(text, raw)
        if not _AMOUNT.fullmatch(text):
            raise MoneyError("syntax", raw)
        raw = text
    value = Decimal(raw)
    if not value.is_finite():
        raise MoneyError("finite", raw)
    if value.is_signed() and not negative:
        raise MoneyError("negative", raw)
    if abs(value) > MAX_AMOUNT:
        raise MoneyError("large", raw)
    amount = value.quantize(CENT)
    if amount != value:
        raise MoneyError("places", raw)
    return amount.copy_abs() if amount.is_zero() else amount


def format_yuan(value: Decimal | None, *, unit: bool = False) -> str:
    if value is None:
        return "—"
    text = f"{Decimal(value).quantize(CENT):,.2f}"
    return f"{text} 元" if unit else text
