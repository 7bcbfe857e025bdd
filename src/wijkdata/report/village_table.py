"""The "Buurten in dit dorp" table: a village's key figures next to those of its buurten.

It is the one place in a report where parts and their total stand side by side, so it is where
disclosure control matters most: every cell comes from ``ind_value`` after disclosure control
(``disclosure.apply``), and a suppressed cell carries its mark ("afgeschermd (privacy)"), never a
number. Nothing is computed here; values are only looked up and formatted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from wijkdata.core.tables import ValueRow
from wijkdata.indicators.definitions import Indicator

from .labels import reason_text
from .report_types import Cell, figure_cell

MAX_COLUMNS = 5
NOTE = ("Een {noun} is de som van zijn buurten: aantallen worden opgeteld. Is een cijfer uit een "
        "niet-openbare bron afgeschermd, dan is ook minstens één andere buurt afgeschermd, "
        "zodat het niet uit het totaal kan worden teruggerekend.")


@dataclass(frozen=True)
class VillageTable:
    columns: list[str]
    rows: list[tuple[str, list[Cell]]]  # (name, one cell per column); the village last
    note: str = NOTE
    noun: str = "dorp"


def _cell(row: ValueRow | None, fmt: str) -> Cell:
    return figure_cell(row.value if row else None, row.status if row else None, fmt,
                       reason_text(row) if row else "")


def build(values: Mapping[tuple[str, str], list[ValueRow]], names: Mapping[str, str],
          indicators: Sequence[Indicator], code: str, village_name: str,
          members: Sequence[str], noun: str = "dorp") -> VillageTable | None:
    """Key indicators (``key: true``) of the village and each member buurt, same year."""
    if not members:
        return None
    chosen: list[tuple[Indicator, int]] = []
    for ind in indicators:
        series = values.get((ind.id, code))
        if ind.key and not ind.stat.size_dependent and series and len(chosen) < MAX_COLUMNS:
            chosen.append((ind, series[-1].year))
    if not chosen:
        return None

    def at(ind_id: str, area: str, year: int) -> ValueRow | None:
        return next((r for r in values.get((ind_id, area), []) if r.year == year), None)

    columns = [f"{ind.label} ({year})" for ind, year in chosen]
    rows = [(names.get(b, b), [_cell(at(ind.id, b, y), ind.format) for ind, y in chosen])
            for b in members]
    rows.append((f"{village_name} (totaal)",
                 [_cell(at(ind.id, code, y), ind.format) for ind, y in chosen]))
    return VillageTable(columns, rows, NOTE.format(noun=noun), noun)
