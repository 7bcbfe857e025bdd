"""The tidy figures (figures.py) as files: a CSV that Dutch Excel opens as-is, and a workbook.

CSV dialect ("Dutch Excel"): UTF-8 with a byte-order mark (without it Excel on a Dutch Windows
machine reads UTF-8 as Windows-1252: "cliÃ«nten"), ';' between fields, a decimal comma, no
thousands separator, CRLF line ends, numbers unquoted. Text that a spreadsheet would run as a
formula (= + - @ ...) is prefixed with ' (render.safe_cell).

Workbook: XlsxWriter, numbers stored as numbers with a number format (Excel shows them with
the reader's separators: 1.234,5 in Dutch), one sheet per theme plus "Bronnen" and
"Toelichting", a frozen header row and filters on every column.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import xlsxwriter

from .figure_status import FigureStatus
from .figures import Column
from .render import safe_cell
from .report_types import Source

BOM = "\ufeff"
# Columns shown with the indicator's own decimals; the counts as whole numbers.
SAME_DECIMALS_AS_VALUE = {"waarde", "ondergrens", "bovengrens", "trend_verschil"}


def _decimals(col: Column, row: dict[str, Any]) -> int:
    if col.name in SAME_DECIMALS_AS_VALUE or col.name.endswith("_waarde"):
        return int(row["_decimals"])
    return 0


def _csv_number(value: float, places: int) -> str:
    """``1234.5`` -> ``1234,5``: no grouping, so Excel and polars read it as one number."""
    text = f"{value:.{places}f}"
    if set(text.lstrip("-")) <= {"0", "."}:
        text = text.lstrip("-")  # -0,0 is 0,0
    return text.replace(".", ",")


def csv_text(columns: Sequence[Column], rows: Sequence[dict[str, Any]]) -> str:
    """The rows in the Dutch Excel dialect, BOM included (write the str as UTF-8)."""
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    w.writerow([c.name for c in columns])
    for row in rows:
        cells = []
        for c in columns:
            v = row.get(c.name)
            if v is None or v == "":
                cells.append("")
            elif c.kind == "text":
                cells.append(safe_cell(v))
            elif c.kind == "int":
                cells.append(str(int(v)))
            else:
                cells.append(_csv_number(float(v), _decimals(c, row)))
        w.writerow(cells)
    return BOM + buf.getvalue()


def write_csv(path: Path, columns: Sequence[Column], rows: Sequence[dict[str, Any]]) -> None:
    path.write_text(csv_text(columns, rows), encoding="utf-8", newline="")


DIALECT_NOTE = ("De CSV-bestanden zijn UTF-8 met BOM, puntkomma-gescheiden, met een decimale "
                "komma en zonder scheidingsteken voor duizendtallen: Excel opent ze zo.")
STATUS_NOTE = {
    FigureStatus.SHOWN: "het cijfer wordt getoond",
    FigureStatus.SMALL: "getoond, maar gebaseerd op weinig mensen: onzeker (zie het interval)",
    FigureStatus.WITHHELD: "niet getoond: de bron houdt het cijfer geheim",
    FigureStatus.SUPPRESSED: "niet getoond: afgeschermd om kleine aantallen te beschermen",
    FigureStatus.MISSING: "de bron heeft geen cijfer voor dit gebied",
    FigureStatus.NOT_APPLICABLE: "geen cijfer mogelijk (bijvoorbeeld een noemer van nul)",
    FigureStatus.INCOMPLETE: "een buurt of gemeente van het gebied ontbreekt, daarom geen totaal",
}


def write_xlsx(path: Path, columns: Sequence[Column], rows: Sequence[dict[str, Any]],
               tables: Sequence[Source], *, title: str, author: str,
               created: datetime) -> None:
    """One workbook: a sheet per theme (in the order the rows come), Bronnen, Toelichting."""
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True,
                                         "strings_to_formulas": False,
                                         "strings_to_urls": False})
    # A fixed creation date: the same data makes the same file (reproducible builds).
    wb.set_properties({"title": title, "author": author, "created": created})
    head = wb.add_format({"bold": True, "bg_color": "#E8EEF1", "bottom": 1, "text_wrap": True,
                          "valign": "bottom"})
    fmt = {0: wb.add_format({"num_format": "#,##0"}), 1: wb.add_format({"num_format": "#,##0.0"}),
           2: wb.add_format({"num_format": "#,##0.00"})}
    themes: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        themes.setdefault(row["thema"], []).append(row)
    for theme, theme_rows in themes.items():
        ws = wb.add_worksheet(_sheet_name(theme))
        _header(ws, [c.name for c in columns], head)
        _finish(ws, len(theme_rows), len(columns), [_width(c) for c in columns])
        for r, row in enumerate(theme_rows, start=1):
            for k, c in enumerate(columns):
                v = row.get(c.name)
                if v is None or v == "":
                    continue
                if c.kind == "text":
                    # Written as a string, never a formula (strings_to_formulas off).
                    ws.write_string(r, k, str(v))
                else:
                    ws.write_number(r, k, float(v), fmt[min(_decimals(c, row), 2)])
    ws = wb.add_worksheet("Bronnen")
    names = ["uitgever", "titel", "tabel", "jaren", "licentie"]
    _header(ws, names, head)
    _finish(ws, len(tables), len(names), [34, 34, 14, 14, 26])
    for r, s in enumerate(tables, start=1):
        for k, v in enumerate([s.publisher, s.title, s.table_id, s.years or str(s.year or ""),
                               s.licence]):
            ws.write_string(r, k, v)
    ws = wb.add_worksheet("Toelichting")
    _header(ws, ["kolom", "betekenis"], head)
    notes = [(c.name, c.note) for c in columns]
    notes += [(f"status: {s}", STATUS_NOTE[s]) for s in FigureStatus]
    notes += [("CSV", DIALECT_NOTE),
              ("afronding", "Cijfers zijn afgerond zoals in het profiel: half van nul af "
                            "(6,25 wordt 6,3), zoals CBS afrondt.")]
    _finish(ws, len(notes), 2, [24, 100])
    for r, (a, b) in enumerate(notes, start=1):
        ws.write_string(r, 0, a)
        ws.write_string(r, 1, b)
    wb.close()


def _sheet_name(theme: str) -> str:
    # Excel: at most 31 characters, none of []:*?/\ .
    return "".join(ch for ch in theme if ch not in "[]:*?/\\")[:31]


def _header(ws: Any, names: Sequence[str], head: Any) -> None:
    for k, name in enumerate(names):
        ws.write_string(0, k, name, head)


def _finish(ws: Any, n_rows: int, n_cols: int, widths: Sequence[int]) -> None:
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(n_rows, 1), n_cols - 1)
    for k, w in enumerate(widths):
        ws.set_column(k, k, w)


def _width(c: Column) -> int:
    return {"titel": 36, "bron": 40, "gebied": 22, "thema": 26, "status": 14,
            "indicator": 24, "licentie": 22}.get(c.name, 12 if c.kind != "text" else 14)
