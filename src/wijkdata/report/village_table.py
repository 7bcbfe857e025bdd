"""The "Buurten in dit dorp" table: a village's key figures next to those of its buurten.

It is the one place in a report where parts and their total stand side by side, so it is where
disclosure control matters most: every cell comes from ``ind_value`` after complementary
suppression (``disclosure.apply``), and a suppressed cell reads "te weinig waarnemingen", never a
number. Nothing is computed here; values are only looked up and formatted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from wijkdata.core.tables import ValueRow
from wijkdata.indicators.definitions import Indicator

from .formatting import MISSING_TEXT, SUPPRESSED_TEXT, number

MAX_COLUMNS = 5
NOTE = ("Een dorp is de som van zijn buurten. Is het cijfer van één buurt te klein om te tonen, "
        "dan wordt ook een tweede buurt verborgen, zodat het verborgen cijfer niet uit het "
        "dorpstotaal kan worden teruggerekend.")


@dataclass(frozen=True)
class VillageTable:
    columns: list[str]
    rows: list[tuple[str, list[str]]]  # (name, one text per column); the village last
    note: str = NOTE


def _cell(row: ValueRow | None, fmt: str) -> str:
    if row is None:
        return MISSING_TEXT
    if row["status"] == "suppressed":
        return SUPPRESSED_TEXT
    if row["status"] != "ok" or row["value"] is None:
        return MISSING_TEXT
    return number(row["value"], fmt)


def build(values: Mapping[tuple[str, str], list[ValueRow]], names: Mapping[str, str],
          indicators: Sequence[Indicator], code: str, village_name: str,
          members: Sequence[str]) -> VillageTable | None:
    """Key indicators (``key: true``) of the village and each member buurt, same year."""
    if not members:
        return None
    chosen: list[tuple[Indicator, int]] = []
    for ind in indicators:
        series = values.get((ind.id, code))
        if ind.key and ind.statistic != "count" and series and len(chosen) < MAX_COLUMNS:
            chosen.append((ind, series[-1]["year"]))
    if not chosen:
        return None

    def at(ind_id: str, area: str, year: int) -> ValueRow | None:
        return next((r for r in values.get((ind_id, area), []) if r["year"] == year), None)

    columns = [f"{ind.label} ({year})" for ind, year in chosen]
    rows = [(names.get(b, b), [_cell(at(ind.id, b, y), ind.format) for ind, y in chosen])
            for b in members]
    rows.append((f"{village_name} (totaal)",
                 [_cell(at(ind.id, code, y), ind.format) for ind, y in chosen]))
    return VillageTable(columns, rows)
