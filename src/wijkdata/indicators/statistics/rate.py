"""Rate: count / population × 1,000 (or 10,000, 100,000), exact Poisson / Byar interval."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from wijkdata.indicators import stats

from .base import Arr, Figures, Gathered, Mask, Statistic

if TYPE_CHECKING:
    from wijkdata.indicators.definitions import Indicator


class Rate(Statistic):
    name = "rate"
    order = 20
    counted = True
    needs_denominator = True
    publishable = True
    region_small_numbers = True
    trend_test = "poisson"
    method_text = "{num} / {den} × 1.000"
    docs_label = "ratio: teller / noemer × vermenigvuldiger"

    def check_options(self, ind: Indicator) -> None:
        if ind.interval not in ("byar", "none"):
            raise ValueError("a rate's interval is 'byar' (or 'none')")
        if ind.multiplier not in (1000, 10000, 100000):
            raise ValueError("a rate's multiplier is 1000, 10000 or 100000 (per ... inwoners)")

    def docs_definition(self, ind: Indicator) -> str:
        return f"`{ind.numerator}` / `{ind.denominator}` × {ind.multiplier:g}"

    def figures(self, ind: Indicator, g: Gathered) -> Figures:
        fig = counted_figures(ind, g, g.num)
        if ind.interval == "byar":
            fig.lower, fig.upper = stats.rate_interval(g.num, g.den, ind.multiplier)
        return fig

    def group_value(self, ind: Indicator, num: Arr, den: Arr, val: Arr, present: Mask) -> Arr:
        """Pooled: the members' counts over their populations."""
        from .proportion import pooled

        return pooled(ind, num, den, present)

    def change_significant(self, k1: Arr, n1: Arr, k2: Arr, n2: Arr) -> Mask:
        return stats.rate_change_significant(k1, n1, k2, n2)


def counted_figures(ind: Indicator, g: Gathered, num: Arr) -> Figures:
    """numerator / denominator × multiplier; a denominator of 0 is 'not applicable'.

    Shared by proportion and rate (and a statistic of the same shape): the interval is left
    to the caller.
    """
    den, mult = g.den, ind.multiplier
    zero = g.ok & (den == 0)
    ok = g.ok & ~zero
    recomputed = np.zeros(len(num), dtype=bool)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(ok, num / den * mult, np.nan)
    if ind.published:
        # CBS computes its published rate from unrounded counts: for a single area that
        # figure is shown as published; only sums are recomputed from rounded counts.
        use = ok & ~g.grouped & ~np.isnan(g.pub_value)
        value = np.where(use, g.pub_value, value)
        recomputed = ok & ~use
    nan = np.full(len(num), np.nan)
    return Figures(value, nan, nan.copy(), num, ok, zero, recomputed)
