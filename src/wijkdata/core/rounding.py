"""One rounding rule for every figure: half away from zero, as CBS rounds (6,25 -> 6,3).

Python's ``round`` and babel round half to even (6,25 -> 6,2), so a profile would print a
different last digit than the CBS table next to it. Everything that rounds a figure for a
reader (display formatting, aggregates rounded to the source's precision) goes through here.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

import numpy as np


def to_decimals(value: float, decimals: int) -> Decimal:
    """``value`` rounded half away from zero to ``decimals`` places, as an exact Decimal.

    The float's shortest repr is the number a reader saw (6.25, not 6.2499999...), so the
    Decimal is made from ``str(value)``; ROUND_HALF_UP in :mod:`decimal` is away from zero.
    """
    return Decimal(str(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def half_away(value: float, decimals: int = 0) -> float:
    """:func:`to_decimals` as a float (NaN and infinities unchanged)."""
    if not math.isfinite(value):
        return value
    return float(to_decimals(value, decimals))


def to_step(values: np.ndarray, step: float) -> np.ndarray:
    """Round every value to a multiple of ``step`` (e.g. 100 euro), half away from zero.

    Used for aggregates of published figures: a village's mean income from its buurten is
    rounded to the hundreds CBS publishes, not shown to the euro (false precision).
    """
    out = np.asarray(values, dtype=np.float64).copy()
    finite = np.isfinite(out)
    out[finite] = [float(to_decimals(v / step, 0)) * step for v in out[finite]]
    return out
