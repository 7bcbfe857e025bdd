"""A test-only statistic: the odds of a property, numerator / (denominator − numerator).

Registered on import (``WIJKDATA_PLUGINS=tests.extensions.odds``). It has a comparison rule and
a trend test of its own, so a test can see that every step asked this class and not a built-in:

* comparison: 'higher' / 'lower' when the value is more than 2% above / below the benchmark;
* trend: 'significant' when the odds moved by more than 1% of the earlier odds.
"""

from __future__ import annotations

import numpy as np

from wijkdata.indicators import statistics
from wijkdata.indicators.definitions import Indicator
from wijkdata.indicators.statistics.base import Arr, Figures, Gathered, Mask, Statistic

COMPARE_TOLERANCE = 0.02
TREND_TOLERANCE = 0.01


@statistics.register
class Odds(Statistic):
    name = "odds"
    counted = True
    needs_denominator = True
    trend_test = "odds_moved_1pct"
    method_text = "{num} / ({den} − {num})"
    docs_label = "odds: teller / (noemer − teller)"

    def figures(self, ind: Indicator, g: Gathered) -> Figures:
        rest = g.den - g.num
        zero = g.ok & (rest <= 0)
        ok = g.ok & ~zero
        with np.errstate(divide="ignore", invalid="ignore"):
            value = np.where(ok, g.num / rest * ind.multiplier, np.nan)
        nan = np.full(len(value), np.nan)
        none = np.zeros(len(value), dtype=bool)
        return Figures(value, nan, nan.copy(), g.num, ok, zero, none)

    def compared(self, ind: Indicator) -> bool:
        return True  # by tolerance: needs no interval

    def comparison_sql(self, value: str, lower: str, upper: str, bench: str) -> str:
        return (f"CASE WHEN {value} IS NULL OR {bench} IS NULL OR isnan({bench}) "
                f"THEN 'not_tested' "
                f"WHEN {value} > {1 + COMPARE_TOLERANCE} * {bench} THEN 'higher' "
                f"WHEN {value} < {1 - COMPARE_TOLERANCE} * {bench} THEN 'lower' "
                f"ELSE 'similar' END")

    def group_value(self, ind: Indicator, num: Arr, den: Arr, val: Arr, present: Mask) -> Arr:
        k = np.where(present, num, 0.0).sum(axis=1)
        n = np.where(present, den, 0.0).sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            out: Arr = np.where(n > k, k / (n - k) * ind.multiplier, np.nan)
        return out

    def change_significant(self, k1: Arr, n1: Arr, k2: Arr, n2: Arr) -> Mask:
        with np.errstate(divide="ignore", invalid="ignore"):
            before, after = k1 / (n1 - k1), k2 / (n2 - k2)
            return np.abs(after - before) > TREND_TOLERANCE * before
