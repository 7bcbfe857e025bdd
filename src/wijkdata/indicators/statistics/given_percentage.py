"""Given percentage: a percentage as the source publishes it (RIVM/GGD model estimates),
weighted by the population of its age group for groups; never recomputed from counts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .base import Figures, Gathered, Statistic
from .mean import published_figures

if TYPE_CHECKING:
    from wijkdata.indicators.definitions import Indicator


class GivenPercentage(Statistic):
    name = "given_percentage"
    order = 50
    counted = False
    method_text = "gepubliceerd percentage {val}"
    docs_label = "gepubliceerd percentage"

    def figures(self, ind: Indicator, g: Gathered) -> Figures:
        return published_figures(ind, g)
