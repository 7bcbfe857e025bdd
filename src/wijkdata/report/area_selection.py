"""Area selection: which areas a build profiles, and for one area what it is compared with and
what it is made of."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from wijkdata.core.config import Region, RegionConfig
from wijkdata.core.tables import AreaRow
from wijkdata.indicators.definitions import Indicator


def profile_codes(region: Region, area: Mapping[str, AreaRow], levels: list[str] | None = None,
                  current: set[str] | None = None) -> list[str]:
    """The areas a build profiles: configured levels inside the region (limited to the newest
    CBS indeling when ``current`` is given), then the custom areas."""
    cfg = region.config
    want = levels or list(cfg.areas.levels)
    out = [c for c, a in sorted(area.items())
           if a.level in want and a.gemeente_code in cfg.gemeenten
           and (current is None or c in current)]
    out += [c.code for c in cfg.areas.custom]
    return out


def comparators_for(cfg: RegionConfig, level: str) -> list[str]:
    """The config's comparators, without the gemeente for a gemeente itself."""
    return [c for c in cfg.comparators if not (c == "gemeente" and level == "gemeente")]


def shown_indicators(indicators: Sequence[Indicator], level: str) -> list[Indicator]:
    """The indicators defined for the area's level (custom areas have their own level)."""
    return [ind for ind in indicators if level in ind.levels]


def part_word(parts: Mapping[str, list[str]], code: str, level: str) -> str:
    """What a grouped area is made of, in a sentence: buurten, wijken or gemeenten."""
    if level in ("regio", "gemeente", "land"):
        return "gemeenten" if level == "regio" else "buurten"
    made_of = parts.get(code, [])
    return "wijken" if made_of and all(p.startswith("WK") for p in made_of) else "buurten"


def spread_level(level: str) -> str:
    """Whose range a figure's position is shown in: the region's buurten for a buurt, else its
    wijken."""
    return level if level in ("wijk", "buurt") else "wijk"
