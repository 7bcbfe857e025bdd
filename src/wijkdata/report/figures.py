"""The figures as data: one tidy row per area × indicator, numbers as numbers.

The CSV and the workbook (figure_files.py) are written from these rows, so both hold the same
figures as the profile: the newest year of every indicator the profile shows, rounded to the
decimals the profile prints (half away from zero), with counts, interval, status, every
comparator's value and verdict, the trend and the source table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from wijkdata.core.rounding import half_away
from wijkdata.core.status import mark
from wijkdata.core.tables import ValueRow
from wijkdata.indicators import trends
from wijkdata.indicators.definitions import THEMES, Indicator

from . import labels
from .charts import JUDGEMENT_SYMBOL
from .context import ContextBuilder
from .figure_status import FigureStatus, label
from .formatting import decimals
from .profile_prose import COMPARATOR_LABEL

# The verdict without its symbol: "gunstiger", "ongunstiger", "gelijk", "verschilt", ...
VERDICT_WORD = {k: v.split(" ", 1)[1] for k, v in JUDGEMENT_SYMBOL.items()}


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # "text" | "int" | "number" (decimals per row: the indicator's format)
    note: str  # explained on the workbook's "Toelichting" sheet and in the README


BASE_COLUMNS = [
    Column("gebiedscode", "text", "CBS-code van het gebied (of de code van het dorp/cluster)"),
    Column("gebied", "text", "naam van het gebied"),
    Column("niveau", "text", "gemeente, wijk, buurt of dorp"),
    Column("profiel", "text", "soort profiel: Dorpsprofiel, Gebiedsprofiel, Wijkprofiel, ..."),
    Column("indicator", "text", "id van de indicator (zie docs/indicators.md)"),
    Column("titel", "text", "titel van de indicator"),
    Column("thema", "text", "thema van het profiel"),
    Column("jaar", "int", "jaar van het cijfer"),
    Column("eenheid", "text", "eenheid van waarde, grenzen en vergelijkingswaarden"),
    Column("waarde", "number", "het cijfer, afgerond zoals in het profiel"),
    Column("ondergrens", "number", "ondergrens van het 95%-betrouwbaarheidsinterval"),
    Column("bovengrens", "number", "bovengrens van het 95%-betrouwbaarheidsinterval"),
    Column("teller", "number", "aantal in de teller (alleen bij getelde indicatoren)"),
    Column("noemer", "number", "aantal in de noemer (alleen bij getelde indicatoren)"),
    Column("status", "text", ", ".join(FigureStatus)),
    Column("toelichting", "text", "waar een samengesteld cijfer op rust ('op basis van buurten "
           "met 97% van de 65-plussers', 'berekend uit afgeronde aantallen'), of precies "
           "waarom het ontbreekt ('onvolledig (85% van de 65-plussers)')"),
]
TAIL_COLUMNS = [
    Column("trend_vanaf", "int", "vorig jaar waarmee de trend vergeleken is"),
    Column("trend_verschil", "number", "verschil met dat jaar"),
    Column("trend_oordeel", "text", "toets van de verandering (leeg: niet getoetst)"),
    Column("bron", "text", "uitgever en titel van de brontabel"),
    Column("tabel", "text", "tabelnummer van de bron (bijv. CBS 85618NED)"),
    Column("licentie", "text", "licentie van de bron"),
]


def comparator_columns(comparators: list[str]) -> list[Column]:
    out = []
    for c in comparators:
        name = COMPARATOR_LABEL[c].lower()
        out += [Column(f"{name}_waarde", "number", f"waarde van {name}"),
                Column(f"{name}_oordeel", "text",
                       f"{name}: gunstiger, ongunstiger, gelijk, verschilt of niet getoetst")]
    return out


def columns(builder: ContextBuilder) -> list[Column]:
    return [*BASE_COLUMNS, *comparator_columns(list(builder.region.config.comparators)),
            *TAIL_COLUMNS]


def _rounded(value: float | None, ind: Indicator) -> float | None:
    return None if value is None else half_away(value, decimals(ind.format))


def _reason(row: ValueRow) -> str:
    """The reason wording when it says more than the status word (coverage of the group)."""
    text = labels.reason_text(row)
    return text if text != mark(row.status) else ""


def area_rows(builder: ContextBuilder, code: str) -> list[dict[str, Any]]:
    """One row per indicator the area's profile shows (newest year), in profile order."""
    a = builder.area[code]
    out = []
    level = a.level
    for ind in sorted(builder.indicators, key=lambda i: list(THEMES).index(i.theme)):
        series = builder.values.get((ind.id, code))
        if level not in ind.levels or not series:
            continue
        last = series[-1]
        counted = ind.stat.counted
        kind = labels.kind_of(builder.region.config, code, a.level)
        level_word = labels.noun(kind)
        row: dict[str, Any] = {
            "gebiedscode": code, "gebied": a.name, "niveau": level_word,
            "profiel": labels.profile_word(kind),
            "indicator": ind.id, "titel": ind.title, "thema": THEMES[ind.theme],
            "jaar": last.year, "eenheid": ind.unit,
            "waarde": _rounded(last.value, ind),
            "ondergrens": _rounded(last.lower, ind),
            "bovengrens": _rounded(last.upper, ind),
            "teller": last.numerator if counted else None,
            "noemer": last.denominator if counted else None,
            "status": str(label(last.status, last.value)),
            # Issue 13's wording: what a grouped figure rests on, or the precise reason.
            "toelichting": (labels.basis_text(last, builder.part_word(code, a.level))
                            if last.value is not None else _reason(last)),
        }
        comps = builder.comps.get((ind.id, code, last.year), {})
        for c in builder.region.config.comparators:
            name = COMPARATOR_LABEL[c].lower()
            r = comps.get(c)
            value = r.comparator_value if r is not None else None
            row[f"{name}_waarde"] = _rounded(value, ind)
            row[f"{name}_oordeel"] = (VERDICT_WORD.get(r.judgement, "")
                                      if r is not None and value is not None else "")
        t = builder.trend.get((ind.id, code))
        if t is not None and t.year == last.year and t.change is not None:
            row["trend_vanaf"] = t.prev_year
            row["trend_verschil"] = _rounded(t.change, ind)
            row["trend_oordeel"] = trends.verdict_text(t.verdict)
        else:
            row.update(trend_vanaf=None, trend_verschil=None, trend_oordeel="")
        tables = builder.source_index.for_figure(ind, last.year)
        row["bron"] = " + ".join(f"{s.publisher} — {s.title}" if s.title else s.publisher
                                 for s in tables)
        row["tabel"] = " + ".join(s.table_id for s in tables if s.table_id)
        row["licentie"] = " + ".join(dict.fromkeys(s.licence for s in tables if s.licence))
        row["_sources"] = tables
        row["_decimals"] = decimals(ind.format)
        row["_format"] = ind.format
        out.append(row)
    return out
