"""The fast nl-NL number formatting (a national-build hot spot) equals babel's, value for value,
with babel set to round half away from zero as CBS does (rounding.py)."""

from __future__ import annotations

import decimal

import numpy as np
from babel.numbers import format_decimal
from hypothesis import given
from hypothesis import strategies as st

from wijkdata.core.rounding import half_away, to_step
from wijkdata.report.formatting import number, plain

FINITE = st.floats(min_value=-1e12, max_value=1e12, allow_nan=False, allow_infinity=False)


def _babel(value: float, pattern: str) -> str:
    with decimal.localcontext() as ctx:
        ctx.rounding = decimal.ROUND_HALF_UP  # decimal's HALF_UP is half away from zero
        text = format_decimal(value, format=pattern, locale="nl_NL")
    # babel keeps the sign of a negative value that rounds to zero ("-0,0"); we print "0,0".
    return text[1:] if text.startswith("-") and set(text[1:]) <= set("0,") else text


@given(FINITE | st.integers(min_value=-10**9, max_value=10**9))
def test_number_and_plain_equal_babel(value: float) -> None:
    one = _babel(value, "#,##0.0")
    zero = _babel(value, "#,##0")
    assert number(value, "percent_1") == one + "%"
    assert number(value, "km_1") == one + " km"
    assert number(value, "number_0") == zero
    assert number(value, "euro_0") == "€\u00a0" + zero
    assert plain(value, 0) == zero
    assert plain(value, 1) == one


def test_hand_checked_values() -> None:
    # Half away from zero on the decimal repr, like CBS: 6,25 -> 6,3, 0,25 -> 0,3 and
    # -6,25 -> -6,3 (not half-even's 6,2 / 0,2), thousands with '.', decimals with ','.
    assert number(6.25, "number_1") == "6,3"
    assert number(-6.25, "number_1") == "-6,3"
    assert number(0.25, "percent_1") == "0,3%"
    assert number(0.35, "percent_1") == "0,4%"
    assert number(2.5, "number_0") == "3"
    assert number(1234567.891, "number_1") == "1.234.567,9"
    assert number(-1234.5, "number_0") == "-1.235"
    assert number(-0.04, "number_1") == "0,0"
    assert plain(3.14159, 2) == "3,14"
    assert plain(2.675, 2) == "2,68"  # the binary float is 2.67499..., the figure is 2,675
    assert number(float("inf"), "number_1") == "∞"


def test_one_rounding_rule_for_values_and_steps() -> None:
    assert half_away(6.25, 1) == 6.3
    assert half_away(-6.25, 1) == -6.3
    assert half_away(30374.0, -2) == 30400.0
    # Aggregates to the source's step: 30.350 euro -> 30.400, 30.349 -> 30.300, gaps stay gaps.
    out = to_step(np.array([30350.0, 30349.0, -150.0, np.nan]), 100.0)
    assert out[:3].tolist() == [30400.0, 30300.0, -200.0]
    assert np.isnan(out[3])
