"""Priority voting: the ballot of the voting sheet, the tally file and the speerpunten it makes.

At the session every participant places three dots on the voting sheet (``stemformulier.pdf``)
over the area's themes and its flagged indicators. Someone counts the dots per line into
``stemmen.csv`` (the kit writes it with every line at 0): columns ``onderwerp`` (the code printed
on the sheet: a theme or an indicator id) and ``stippen`` (the number of dots). ``wijkdata
session record --votes stemmen.csv`` then writes the session record's ``votes:`` and turns the
best-voted lines into ``priorities:`` (ranked by dots, then by their place on the sheet).

The file is typed by hand, so every problem names the file, the row and the column.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from wijkdata.core import csv_rows
from wijkdata.core.errors import DataError, where
from wijkdata.report.report_types import Report

DOTS_PER_PARTICIPANT = 3
MAX_INDICATORS = 10  # lines for indicators on one A4 sheet, after the themes
MAX_BYTES = 200_000
# Comparator key -> how the voting sheet names it ("ongunstiger dan de gemeente").
LABELS = {"gemeente": "de gemeente", "regio": "de regio", "land": "Nederland",
          "vergelijkbaar": "vergelijkbare wijken"}
COLUMNS = {"onderwerp": "subject", "code": "subject", "stippen": "dots", "stemmen": "dots"}
LAYOUT = csv_rows.Layout(COLUMNS, (("subject", "onderwerp"), ("dots", "stippen")),
                         example="onderwerp;stippen", hint="the header is onderwerp;stippen")


@dataclass(frozen=True)
class BallotItem:
    code: str  # theme id or indicator id, printed on the sheet
    title: str
    kind: str  # "thema" or "indicator"
    note: str  # why it is on the sheet ("ongunstig en verslechterd", "ongunstiger dan ...")
    indicators: tuple[str, ...]  # what a speerpunt on this line follows


def _worse_against(row: object) -> list[str]:
    comps = getattr(row, "comparisons", {})
    return [c for c, cell in comps.items() if cell.judgement == "worse"]


def ballot(report: Report, labels: dict[str, str]) -> list[BallotItem]:
    """The sheet's lines: every theme of the profile, then its flagged indicators.

    Flagged = "ongunstig en verslechterd" first, then significantly worse than a comparator;
    within each class in the profile's order. ``labels``: comparator key -> Dutch name.
    """
    items: list[BallotItem] = []
    flagged: list[tuple[int, BallotItem]] = []
    for theme in report.themes:
        worse = [r.indicator.id for r in theme.rows if r.flag or _worse_against(r)]
        shown = [r.indicator.id for r in theme.rows if r.value.value is not None]
        note = {0: "geen ongunstige cijfers", 1: "1 ongunstig cijfer"}.get(
            len(worse), f"{len(worse)} ongunstige cijfers")
        items.append(BallotItem(theme.id, theme.title, "thema", note,
                                tuple(worse or shown[:5] or [r.indicator.id for r in theme.rows])))
        for r in theme.rows:
            against = _worse_against(r)
            if r.flag:
                flagged.append((0, BallotItem(r.indicator.id, r.indicator.title, "indicator",
                                              r.flag, (r.indicator.id,))))
            elif against:
                names = " en ".join(labels.get(c, c) for c in against)
                flagged.append((1, BallotItem(r.indicator.id, r.indicator.title, "indicator",
                                              f"ongunstiger dan {names}", (r.indicator.id,))))
    flagged.sort(key=lambda x: x[0])  # stable: the profile's order within a class
    return items + [item for _, item in flagged[:MAX_INDICATORS]]


def read_votes(path: Path, items: list[BallotItem]) -> dict[str, int]:
    """Dots per ballot code from the tally file; every line of the sheet may be absent (0)."""
    if not path.is_file():
        raise DataError(f"votes file not found: {path}",
                        hint="the session kit writes stemmen.csv next to stemformulier.pdf")
    csv_rows.check_size(path, MAX_BYTES)
    known = {i.code: i for i in items}
    dots: dict[str, int] = {}
    seen: dict[str, int] = {}
    for line in csv_rows.read_rows(path, LAYOUT):
        row = line.row
        values = {key: cell.strip() for key, cell in line.values.items()}
        code = values["subject"]
        if code not in known:
            raise DataError(f"{where(path, row, 'onderwerp')}: '{code}' is not a line of the "
                            "voting sheet",
                            hint="codes on the sheet: " + ", ".join(known))
        if code in seen:
            raise DataError(f"{where(path, row, 'onderwerp')}: '{code}' is counted twice "
                            f"(also on row {seen[code]})", hint="one row per line of the sheet")
        seen[code] = row
        raw = values["dots"] or "0"
        if not raw.isdigit():
            raise DataError(f"{where(path, row, 'stippen')}: expected a whole number of dots "
                            f"(0 or more), got '{raw}'")
        dots[code] = int(raw)
    return dots


def check_total(path: Path, dots: dict[str, int], participants: int) -> None:
    """With a known number of participants, more dots than three each is a counting error."""
    total = sum(dots.values())
    if participants and total > DOTS_PER_PARTICIPANT * participants:
        raise DataError(f"{where(path, None, 'stippen')}: {total} dots in all, but "
                        f"{participants} participants place at most "
                        f"{DOTS_PER_PARTICIPANT * participants}",
                        hint="recount the sheet, or complete 'participants:' in the record")


def ranked(items: list[BallotItem], dots: dict[str, int]) -> list[tuple[BallotItem, int]]:
    """Lines with at least one dot, most dots first; equal counts keep the sheet's order."""
    order = {i.code: n for n, i in enumerate(items)}
    voted = [(i, dots[i.code]) for i in items if dots.get(i.code, 0) > 0]
    return sorted(voted, key=lambda x: (-x[1], order[x[0].code]))


def chosen(tally: list[tuple[BallotItem, int]], top: int) -> list[tuple[BallotItem, int]]:
    """The speerpunten: the ``top`` best-voted lines, plus any tied with the last of them."""
    if len(tally) <= top:
        return tally
    floor = tally[top - 1][1]
    return [t for t in tally if t[1] >= floor]


def blank_csv(items: list[BallotItem]) -> str:
    """``stemmen.csv`` for the kit: every line of the sheet with 0 dots, to be filled in."""
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";", lineterminator="\n")
    w.writerow(["onderwerp", "stippen", "titel"])
    w.writerows([i.code, 0, i.title] for i in items)
    return buf.getvalue()
