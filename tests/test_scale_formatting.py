"""The fast nl-NL number formatting (a national-build hot spot) equals babel's, value for value."""

from __future__ import annotations

from babel.numbers import format_decimal
from hypothesis import given
from hypothesis import strategies as st

from wijkdata.report.formatting import number, plain

FINITE = st.floats(min_value=-1e12, max_value=1e12, allow_nan=False, allow_infinity=False)


@given(FINITE | st.integers(min_value=-10**9, max_value=10**9))
def test_number_and_plain_equal_babel(value: float) -> None:
    one = format_decimal(value, format="#,##0.0", locale="nl_NL")
    zero = format_decimal(value, format="#,##0", locale="nl_NL")
    assert number(value, "percent_1") == one + "%"
    assert number(value, "km_1") == one + " km"
    assert number(value, "number_0") == zero
    assert number(value, "euro_0") == "€\u00a0" + zero
    assert plain(value, 0) == zero
    assert plain(value, 1) == one


def test_hand_checked_values() -> None:
    # Half-even on the decimal repr, like babel: 0,25 -> 0,2 and 0,35 -> 0,4 (not the binary
    # float's 0,3), thousands with '.', decimals with ','.
    assert number(0.25, "percent_1") == "0,2%"
    assert number(0.35, "percent_1") == "0,4%"
    assert number(1234567.891, "number_1") == "1.234.567,9"
    assert number(-1234.5, "number_0") == "-1.234"
    assert number(-0.04, "number_1") == "-0,0"
    assert plain(3.14159, 2) == "3,14"  # other precisions still go through babel
    assert number(float("inf"), "number_1") == "∞"
