"""Indicator definitions: one YAML file per indicator under ``indicators/<theme>/<id>.yml``.

A definition states what is counted (numerator, denominator or value), how it is shown (unit,
format), which direction is good (polarity), how uncertainty is expressed (interval) and when
a figure's base is too small to be stable (small_numbers) — the Fingertips metadata habit.

Reliability rule (every definition inherits it): a proportion or rate whose numerator is below
``small_numbers.min_numerator`` (default 5) or denominator below
``small_numbers.min_denominator`` (default 50) of the region config is shown with its interval
and marked "klein aantal: onzeker"; an indicator's own ``small_numbers:`` overrides those
minima. Nothing a source publishes is hidden for being small; only figures from a source
declared ``disclosure: strict`` are suppressed (``disclosure.py``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from wijkdata.core.errors import ConfigError
from wijkdata.core.themes import THEMES, Theme
from wijkdata.core.yamlio import load_model

from . import statistics
from .statistics import Statistic

Polarity = Literal["higher_is_better", "lower_is_better", "neutral"]
Interval = Literal["wilson", "byar", "published", "none"]
FormatCode = Literal["percent_1", "percent_0", "number_0", "number_1", "decimal_1", "per_1000_1",
                     "euro_0", "km_1"]


Level = Literal["gemeente", "wijk", "buurt", "custom"]


def _all_levels() -> list[Level]:
    return ["gemeente", "wijk", "buurt", "custom"]


class SmallNumbers(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    min_numerator: int | None = Field(default=None, ge=0)
    min_denominator: int | None = Field(default=None, ge=0)


class FindingText(BaseModel):
    """How "opvallende punten" word a difference, e.g. ``wonen naar verhouding meer 65-plussers``.

    The phrase follows "In <gebied>" and precedes "dan gemiddeld in ...", so it carries the
    verb and the direction; without it the generic "ligt '<titel>' hoger/lager" is used.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")
    higher: str = Field(min_length=3, max_length=120)
    lower: str = Field(min_length=3, max_length=120)


class Indicator(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=r"^[a-z][a-z0-9_]{1,60}$")
    title: str = Field(min_length=1, max_length=120)
    short_title: str | None = Field(default=None, max_length=60)
    description: str = Field(min_length=1)
    theme: Theme
    statistic: str  # a registered statistic (statistics/): proportion, rate, mean, ...
    numerator: str | None = None
    denominator: str | None = None
    value: str | None = None
    weight: str | None = None
    # RIVM/GGD monitor figures: the age group the figure is about (checked against the
    # sources, and the weight of custom areas: the population of that group, weights.py).
    age_group: Literal["18+", "65+", "18-64"] | None = None
    # A rate or proportion CBS also publishes itself (e.g. p_wmo_t): shown as published for a
    # single area; custom areas and the regio recompute it from the (rounded) counts.
    published: str | None = None
    multiplier: float = 1.0
    unit: str = ""
    format: FormatCode = "number_1"
    polarity: Polarity
    interval: Interval = "none"
    small_numbers: SmallNumbers = SmallNumbers()
    sources: list[str] = Field(min_length=1)
    caveats: str = ""
    key: bool = False
    denominator_label: str | None = None
    finding: FindingText | None = None
    # Years the open sources publish the figure for (documentation; a build uses what it has).
    available_years: list[int] = Field(default_factory=list)
    levels: list[Level] = Field(default_factory=_all_levels)
    # The step the source rounds the published figure to, in shown units (CBS: mean income
    # per inwoner to 100 euro). Aggregates of parts (villages, regio) are rounded to the same
    # step, half away from zero, so they claim no more precision than the source has.
    source_step: float | None = Field(default=None, gt=0)

    @field_validator("statistic")
    @classmethod
    def _known(cls, name: str) -> str:
        try:
            statistics.get(name)
        except KeyError as exc:
            raise ValueError(exc.args[0]) from None
        return name

    @model_validator(mode="after")
    def _shape(self) -> Indicator:
        self.stat.check(self)  # numerator/denominator/value, interval and multiplier
        if self.age_group is not None and self.weight is not None:
            raise ValueError("'age_group' sets the weight (the population of that age group); "
                             "leave out 'weight'")
        if self.published is not None and not self.stat.publishable:
            raise ValueError("'published' is the CBS figure of a proportion or rate")
        if any(y < 1990 or y > 2100 for y in self.available_years):
            raise ValueError("available_years: years between 1990 and 2100 expected")
        return self

    @property
    def stat(self) -> Statistic:
        """The registered class that computes, compares and tests this indicator."""
        return statistics.get(self.statistic)

    @property
    def label(self) -> str:
        return self.short_title or self.title

    def finding_phrase(self, comparison: str) -> str | None:
        """The YAML phrase for 'higher' or 'lower', or None for the generic sentence."""
        if self.finding is None:
            return None
        return self.finding.higher if comparison == "higher" else self.finding.lower

    @property
    def variables(self) -> list[str]:
        return [
            v for v in (self.numerator, self.denominator, self.value, self.weight,
                        self.published) if v
        ]


def load_indicator(path: Path) -> Indicator:
    ind, _lines = load_model(path, Indicator, "id:, title:, statistic:, ...")
    if ind.id != path.stem:
        raise ConfigError(f"{path}: id '{ind.id}' must equal the file name '{path.stem}'")
    if ind.theme != path.parent.name:
        raise ConfigError(f"{path}: theme '{ind.theme}' must equal its folder '{path.parent.name}'")
    return ind


def load_all(folder: Path) -> list[Indicator]:
    if not folder.is_dir():
        raise ConfigError(f"indicator folder not found: {folder}")
    out = [load_indicator(p) for p in sorted(folder.glob("*/*.yml"))]
    ids = [i.id for i in out]
    dup = sorted({i for i in ids if ids.count(i) > 1})
    if dup:
        raise ConfigError(f"{folder}: indicator id defined twice: {', '.join(dup)}")
    order = list(THEMES)
    return sorted(out, key=lambda i: (order.index(i.theme), i.id))


def select(all_indicators: list[Indicator], wanted: list[str], source: Path) -> list[Indicator]:
    """Resolve a config's ``indicators:`` list (``all``, theme names or ids)."""
    if wanted == ["all"] or "all" in wanted:
        return all_indicators
    by_id = {i.id: i for i in all_indicators}
    chosen: dict[str, Indicator] = {}
    for name in wanted:
        if name in THEMES:
            chosen.update({i.id: i for i in all_indicators if i.theme == name})
        elif name in by_id:
            chosen[name] = by_id[name]
        else:
            raise ConfigError(
                f"{source}: indicators: unknown indicator or theme '{name}'",
                hint="'wijkdata indicators' lists the ids; themes are " + ", ".join(THEMES),
            )
    return [i for i in all_indicators if i.id in chosen]
