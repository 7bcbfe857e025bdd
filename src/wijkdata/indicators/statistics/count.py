"""Count: a number of people or things (numerator × multiplier), summed over parts; no interval."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .base import Arr, Figures, Gathered, Mask, Statistic

if TYPE_CHECKING:
    from wijkdata.indicators.definitions import Indicator


class Count(Statistic):
    name = "count"
    order = 40
    counted = True
    partial_groups = False  # a partial sum would simply be too low
    size_dependent = True
    method_text = "aantal {num}"
    docs_label = "aantal"

    def check_options(self, ind: Indicator) -> None:
        if ind.interval == "wilson":
            raise ValueError("a count has no Wilson interval; use 'published' or 'none'")

    def docs_definition(self, ind: Indicator) -> str:
        return f"`{ind.numerator}`"

    def figures(self, ind: Indicator, g: Gathered) -> Figures:
        nan = np.full(len(g.num), np.nan)
        no = np.zeros(len(g.num), dtype=bool)
        return Figures(np.where(g.ok, g.num * ind.multiplier, np.nan), nan, nan.copy(), g.num,
                       g.ok, no, no.copy())

    def has_base(self) -> bool:
        return False  # no denominator: a minimum denominator does not apply

    def group_value(self, ind: Indicator, num: Arr, den: Arr, val: Arr, present: Mask) -> Arr:
        """The members' mean count."""
        with np.errstate(divide="ignore", invalid="ignore"):
            out: Arr = np.where(present, val, 0.0).sum(axis=1) / present.sum(axis=1)
        return out
