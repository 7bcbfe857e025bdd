"""Proportion: numerator / denominator (× 100 for a percentage), Wilson score interval."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from wijkdata.core.errors import DataError
from wijkdata.indicators import stats

from .base import Arr, Figures, Gathered, Mask, Statistic
from .rate import counted_figures

if TYPE_CHECKING:
    from wijkdata.indicators.definitions import Indicator

ROUNDING = 5.0  # CBS rounds wijk and buurt counts to multiples of 5


class Proportion(Statistic):
    name = "proportion"
    order = 10
    counted = True
    needs_denominator = True
    publishable = True
    region_small_numbers = True
    complement_is_a_cell = True
    trend_test = "two_proportion_z"
    method_text = "{num} / {den} × 100"
    docs_label = "aandeel: teller / noemer"

    def check_options(self, ind: Indicator) -> None:
        if ind.interval not in ("wilson", "none"):
            raise ValueError("a proportion's interval is 'wilson' (or 'none')")
        if ind.unit == "%" and ind.multiplier != 100:
            raise ValueError("a proportion shown in '%' needs 'multiplier: 100'")

    def docs_definition(self, ind: Indicator) -> str:
        return f"`{ind.numerator}` / `{ind.denominator}` × {ind.multiplier:g}"

    def figures(self, ind: Indicator, g: Gathered) -> Figures:
        num, den = g.num, g.den
        ok = g.ok & ~(g.ok & (den == 0))
        # CBS rounds every wijk/buurt count to a multiple of 5 on its own, so a rounded
        # numerator may exceed its rounded denominator by up to 5 per summed part; such a
        # figure is capped at 100%. Anything beyond that is a data error.
        slack = ROUNDING * g.parts
        num = np.where(ok & (num > den) & (num - den <= slack), den, num)
        over = ok & (num > den)
        if over.any():
            # The first by area and year: DuckDB returns the gathered rows in no fixed
            # order, and the message must not change from one run to the next.
            raw = g.raw
            hit = raw.with_row_index("_i").filter(pl.Series(over)).sort("area_code", "year")
            i = int(hit["_i"][0])
            raise DataError(
                f"indicator '{ind.id}': numerator {ind.numerator} = {num[i]:g} is larger "
                f"than denominator {ind.denominator} = {den[i]:g} for "
                f"{raw['area_code'][i]} ({raw['year'][i]})"
            )
        fig = counted_figures(ind, g, num)
        if ind.interval == "wilson":
            lo, hi = stats.wilson(num, den)
            fig.lower, fig.upper = lo * ind.multiplier, hi * ind.multiplier
        return fig

    def group_value(self, ind: Indicator, num: Arr, den: Arr, val: Arr, present: Mask) -> Arr:
        """Pooled: the members' numerators over their denominators."""
        return pooled(ind, num, den, present)

    def change_significant(self, k1: Arr, n1: Arr, k2: Arr, n2: Arr) -> Mask:
        with np.errstate(divide="ignore", invalid="ignore"):
            return stats.change_significant(k1 / n1, n1, k2 / n2, n2)


def pooled(ind: Indicator, num: Arr, den: Arr, present: Mask) -> Arr:
    with np.errstate(divide="ignore", invalid="ignore"):
        d = np.where(present, den, 0.0).sum(axis=1)
        value: Arr = np.where(d > 0, np.where(present, num, 0.0).sum(axis=1) / d, np.nan)
    return value * ind.multiplier
