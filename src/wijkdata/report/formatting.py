"""nl-NL display of numbers and dates through babel: ``12,3%``, ``1.234``, ``23 november 2026``."""

from __future__ import annotations

import math
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal

from babel.dates import format_date
from babel.numbers import format_decimal

LOCALE = "nl_NL"
MISSING_TEXT = "geen gegevens"

_PATTERNS = {
    "percent_1": ("#,##0.0", "%"),
    "percent_0": ("#,##0", "%"),
    "number_0": ("#,##0", ""),
    "number_1": ("#,##0.0", ""),
    "decimal_1": ("#,##0.0", ""),
    "per_1000_1": ("#,##0.0", ""),
    "euro_0": ("#,##0", ""),
    "km_1": ("#,##0.0", " km"),
}


_QUANTUM = {"#,##0": (Decimal(1), 0), "#,##0.0": (Decimal("0.1"), 1)}


def _grouped(value: float, pattern: str) -> str:
    """babel's ``format_decimal(value, pattern, nl_NL)`` for the two patterns used, ~10x faster.

    Number formatting was a third of a national build's time. Same steps as babel: the float's
    shortest repr as a Decimal, rounded half-even, '.' between thousands, ',' before decimals
    (checked equal to babel on 240,000 values, negative, zero and rounding ties included).
    """
    fast = _QUANTUM.get(pattern)
    if fast is None or not math.isfinite(value):
        return format_decimal(value, format=pattern, locale=LOCALE)
    quantum, decimals = fast
    d = Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_EVEN)
    text = f"{d:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def number(value: float | None, fmt: str = "number_1") -> str:
    """Format a value for display; ``None`` or NaN becomes an empty string."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    pattern, suffix = _PATTERNS[fmt]
    text = _grouped(value, pattern)
    if fmt == "euro_0":
        return "€\u00a0" + text
    return text + suffix


def plain(value: float | None, decimals: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return _grouped(value, pattern)


def signed(value: float | None, fmt: str) -> str:
    """A difference with an explicit sign: ``+2,3`` or ``−1,0`` (minus sign, not hyphen)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = number(abs(value), fmt)
    if fmt.startswith("percent"):
        text = text.replace("%", " procentpunt")
    # Zero once rounded to what is shown: "±0,0", never "+0,0" or "−0,0" (callers that
    # write sentences say "gelijk gebleven").
    if round(value, 6) == 0 or not any(ch in "123456789" for ch in text):
        return "±" + text
    return ("+" if value > 0 else "\u2212") + text


def long_date(d: date) -> str:
    return format_date(d, format="d MMMM y", locale=LOCALE)


def change_since(diff: float, fmt: str, year: int) -> str:
    """A trend as the reports say it: ``↑ +1,2% sinds 2022`` (the one home of that wording)."""
    shown = signed(diff, fmt)
    if shown.startswith("±"):  # equal once rounded: never "+0,0" or "−0,0"
        return f"→ gelijk gebleven sinds {year}"
    arrow = "↑" if diff > 0 else "↓"
    return f"{arrow} {shown} sinds {year}"
