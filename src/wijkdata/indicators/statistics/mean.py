"""Mean: a published average (income, WOZ-waarde, ...), weighted by population for groups."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from wijkdata.core import rounding

from .base import Figures, Gathered, Statistic

if TYPE_CHECKING:
    from wijkdata.indicators.definitions import Indicator


class Mean(Statistic):
    name = "mean"
    order = 30
    counted = False
    method_text = "gepubliceerd gemiddelde {val}"
    docs_label = "gepubliceerd gemiddelde"

    def check_options(self, ind: Indicator) -> None:
        if ind.interval == "wilson":
            raise ValueError("a mean has no Wilson interval; use 'published' or 'none'")

    def figures(self, ind: Indicator, g: Gathered) -> Figures:
        return published_figures(ind, g)


def published_figures(ind: Indicator, g: Gathered) -> Figures:
    """A published figure keeps its unit except for the multiplier (CBS gives WOZ-waarde and
    income in x 1000 euro; ``multiplier: 1000`` turns them into euro), rounded to the source's
    step; its interval only as published."""
    mult = ind.multiplier
    value = np.where(g.ok, g.pub_value * mult, np.nan)
    if ind.source_step is not None:
        value = rounding.to_step(value, ind.source_step)
    lower, upper = np.full(len(value), np.nan), np.full(len(value), np.nan)
    if ind.interval == "published":
        lower, upper = g.pub_lower * mult, g.pub_upper * mult
    no = np.zeros(len(value), dtype=bool)
    return Figures(value, lower, upper, g.num, g.ok, no, no.copy())
