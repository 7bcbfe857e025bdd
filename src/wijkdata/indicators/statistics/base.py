"""What every statistic provides: the interface the compute, comparison and trend steps call.

A statistic (proportion, rate, mean, ...) is one class in its own module of this package,
registered by name (``statistics/__init__.py``). The steps never ask for a statistic's name;
they ask the class: how its rows are gathered (``counted``), its value and interval
(``figures``), which base is too small (``small_base``), how an area compares with a benchmark
(``comparison_sql``, the one home of that rule: see ``verdict.py``) and whether the change
between two years is more than chance (``change_significant``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

import numpy as np
import numpy.typing as npt
import polars as pl

from . import verdict

if TYPE_CHECKING:  # definitions.py imports this package: no import back at run time
    from wijkdata.core.config import RegionConfig
    from wijkdata.indicators.definitions import Indicator

Arr = npt.NDArray[np.float64]
Mask = npt.NDArray[np.bool_]


@dataclass
class Gathered:
    """One indicator's gathered rows (compute.py's SQL) as arrays, one element per row."""

    raw: pl.DataFrame  # the rows themselves, for messages that name an area and year
    num: Arr  # numerator (counted) or NaN
    den: Arr  # denominator, or the weight of a published figure
    ok: Mask  # the row has a figure (status 'ok')
    grouped: Mask  # an aggregate of parts (custom area, regio) rather than a published area
    parts: Arr  # how many parts were summed (1 for a published area)
    pub_value: Arr  # the published figure ('published:' of a counted statistic, or 'value:')
    pub_lower: Arr
    pub_upper: Arr

    @classmethod
    def of(cls, raw: pl.DataFrame) -> Gathered:
        def col(name: str) -> Arr:
            return raw[name].to_numpy().astype(np.float64)

        # Statuses stay a polars column; numpy only sees boolean masks (object arrays of
        # strings cost a third of the compute step nationally).
        return cls(raw, col("num"), col("den"),
                   (raw["status"] == "ok").fill_null(False).to_numpy(),
                   raw["grouped"].fill_null(False).to_numpy(), col("parts"),
                   col("pub_value"), col("pub_lower"), col("pub_upper"))


@dataclass
class Figures:
    """What a statistic makes of its gathered rows (NaN where there is no figure)."""

    value: Arr
    lower: Arr
    upper: Arr
    num: Arr  # the numerator as used (a proportion caps rounding overshoot)
    ok: Mask  # the row keeps a figure
    zero: Mask  # a rate or share of nothing (denominator 0): 'not applicable'
    recomputed: Mask  # a published figure recomputed here from rounded counts


class Statistic:
    """Base class: override what differs. Class attributes describe; methods compute."""

    name: ClassVar[str]
    order: ClassVar[int] = 100  # where it is listed in messages and docs
    # Gathered from counts (numerator, denominator: summed over parts) or a published figure
    # (value, weighted over parts: weights.py).
    counted: ClassVar[bool]
    needs_denominator: ClassVar[bool] = False
    # May carry 'published:' (the figure as CBS publishes it, shown for single areas).
    publishable: ClassVar[bool] = False
    # A group whose parts are not all published still gets a figure when the parts with one
    # hold ``areas.coverage_min`` of the denominator (never for a plain count: too low).
    partial_groups: ClassVar[bool] = True
    # The region's small_numbers minima apply unless the definition sets its own.
    region_small_numbers: ClassVar[bool] = False
    # Disclosure control (disclosure.py) protects the people without the property as a cell
    # of their own (denominator − numerator), as for a proportion.
    complement_is_a_cell: ClassVar[bool] = False
    # The value grows with the area's size (a count): not set side by side with other areas
    # in the villages table.
    size_dependent: ClassVar[bool] = False
    # ind_trend.test for a tested change; None: changes of this statistic are not tested.
    trend_test: ClassVar[str | None] = None
    # The definition in words, for the report ("{num} / {den} × 100") and docs/indicators.md.
    method_text: ClassVar[str]
    docs_label: ClassVar[str]

    # --- the definition ---------------------------------------------------------------------

    def check(self, ind: Indicator) -> None:
        """Raise ValueError for a definition this statistic cannot compute."""
        counted = self.counted
        if counted and not ind.numerator:
            raise ValueError(f"statistic '{self.name}' needs 'numerator'")
        if self.needs_denominator and not ind.denominator:
            raise ValueError(f"statistic '{self.name}' needs 'denominator'")
        if not counted and not ind.value:
            raise ValueError(f"statistic '{self.name}' needs 'value' (the published figure)")
        self.check_options(ind)

    def check_options(self, ind: Indicator) -> None:
        """The statistic's own rules (interval, multiplier); after the fields it needs."""

    def definition_text(self, ind: Indicator) -> str:
        return self.method_text.format(num=ind.numerator, den=ind.denominator, val=ind.value)

    def docs_definition(self, ind: Indicator) -> str:
        """The "definitie" cell of docs/indicators.md (Markdown); default: a published figure."""
        weight = (f", gewogen met de {ind.age_group}-bevolking van hetzelfde jaar"
                  if ind.age_group else f", gewogen met `{ind.weight}`" if ind.weight else "")
        mult = f" × {ind.multiplier:g}" if ind.multiplier != 1 else ""
        return f"`{ind.value}`{mult}{weight}"

    # --- value and interval -----------------------------------------------------------------

    def figures(self, ind: Indicator, g: Gathered) -> Figures:
        """Value and interval of every gathered row (vectorised)."""
        raise NotImplementedError

    def small_base(self, ind: Indicator, cfg: RegionConfig, fig: Figures, den: Arr) -> Mask:
        """Rows shown but marked 'klein aantal: onzeker' (reliability, not disclosure)."""
        min_num = ind.small_numbers.min_numerator
        min_den = ind.small_numbers.min_denominator
        if self.region_small_numbers:
            min_num = cfg.small_numbers.min_numerator if min_num is None else min_num
            min_den = cfg.small_numbers.min_denominator if min_den is None else min_den
        small = np.zeros(len(fig.num), dtype=bool)
        if min_num is not None:
            small |= fig.ok & (fig.num < min_num)
        if min_den is not None and self.has_base():
            small |= fig.ok & (np.nan_to_num(den, nan=0.0) < min_den)
        return small

    def has_base(self) -> bool:
        """Whether the rows carry a denominator (or weight) a minimum can apply to."""
        return True

    # --- comparison with a benchmark --------------------------------------------------------

    def compared(self, ind: Indicator) -> bool:
        """Whether the indicator's areas are compared at all; by default only with an
        interval (the interval rule has nothing to go on without one)."""
        return ind.interval != "none"

    def comparison_sql(self, value: str, lower: str, upper: str, bench: str) -> str:
        """SQL: 'higher' / 'lower' / 'similar' / 'not_tested' for an area against a benchmark.

        The default is the interval rule (``verdict.interval_rule``); a statistic with another
        rule overrides this, and compute, the tests and ``stats.compare`` all use it from here.
        """
        return verdict.interval_rule(value, lower, upper, bench)

    # --- the group of comparable areas ------------------------------------------------------

    def group_value(self, ind: Indicator, num: Arr, den: Arr, val: Arr, present: Mask) -> Arr:
        """The value of a group of comparable areas (rows: groups, columns: members).

        Default: a published figure weighted with the indicator's weight.
        """
        with np.errstate(divide="ignore", invalid="ignore"):
            d = np.where(present, den, 0.0).sum(axis=1)
            out: Arr = np.where(d > 0, np.where(present, val * den, 0.0).sum(axis=1) / d,
                                np.nan)
        return out

    # --- trend ------------------------------------------------------------------------------

    def change_significant(self, k1: Arr, n1: Arr, k2: Arr, n2: Arr) -> Mask:
        """Whether each change from (k1, n1) to (k2, n2) is more than chance."""
        raise NotImplementedError(f"statistic '{self.name}' has no trend test")
