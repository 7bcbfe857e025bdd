""""Ongunstig en verslechterd": significantly unfavourable AND significantly worse over time.

An indicator row is flagged when (1) at least one comparator judges the latest figure
significantly worse (``judgement == 'worse'``: the interval lies wholly on the unfavourable side)
and (2) the trend test of the two years shown calls the change significant and the change goes
the unfavourable way for the indicator's polarity. Neutral indicators are never flagged (they
have no unfavourable side), nor untested trends (model estimates carry no counts). The finding
it yields leads page 1 (``findings.rank`` puts the class first).
"""

from __future__ import annotations

from dataclasses import dataclass

from wijkdata.core.tables import TrendRow
from wijkdata.indicators.definitions import Indicator

from .findings import COMPARATOR_PHRASE, Finding
from .formatting import number, versus
from .report_types import Cell

FLAG_TEXT = "ongunstig en verslechterd"
JUDGEMENT = "worse_worsening"  # the findings class; ranked above every other
# Which comparator a finding names when several judge the figure worse: the nearest first.
ORDER = ("gemeente", "vergelijkbaar", "regio", "land")


@dataclass(frozen=True)
class Worsening:
    comparator: str
    prev_year: int
    prev_value: float


def worsened(ind: Indicator, change: float | None, verdict: str | None) -> bool:
    """Is the tested change significant and in the unfavourable direction?"""
    if verdict != "significant" or change is None or change == 0:
        return False
    if ind.polarity == "lower_is_better":
        return change > 0
    if ind.polarity == "higher_is_better":
        return change < 0
    return False


def flag(ind: Indicator, comparisons: dict[str, Cell], trend: TrendRow | None,
         shown: tuple[int, int] | None) -> Worsening | None:
    """The flag for one row: ``trend`` is its ``ind_trend`` row, ``shown`` the two years the
    row's trend text compares (the flag only speaks of the change the reader sees)."""
    if trend is None or shown is None or (trend.prev_year, trend.year) != shown:
        return None
    if not worsened(ind, trend.change, trend.verdict):
        return None
    worse = [c for c in ORDER if c in comparisons and comparisons[c].judgement == "worse"]
    if not worse:
        return None
    return Worsening(worse[0], int(trend.prev_year), float(trend.prev_value or 0.0))


def finding(ind: Indicator, area: str, value: float, bench: float, comparator: str,
            comparator_name: str, w: Worsening) -> Finding:
    """"Ongunstig en verslechterd: ‘Bijstandsuitkeringen’ is in Esveld hoger dan gemiddeld in
    de gemeente Vreedebeek (21,2 tegen 20,5 per 1.000 inwoners) en gestegen sinds 2022 (toen
    19,0)."""
    direction = "hoger" if value > bench else "lager"
    moved = "gestegen" if value > w.prev_value else "gedaald"
    where = COMPARATOR_PHRASE[comparator].format(name=comparator_name)
    text = (f"Ongunstig en verslechterd: ‘{ind.label}’ is in {area} {direction} dan gemiddeld "
            f"in {where} ({versus(value, bench, ind.format, ind.unit)}) en "
            f"{moved} sinds {w.prev_year} (toen {number(w.prev_value, ind.format)}).")
    return Finding(ind.id, ind.theme, text, JUDGEMENT, abs(value - bench) / (abs(bench) or 1),
                   comparator, "higher" if value > bench else "lower")
