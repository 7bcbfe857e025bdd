"""The status of a published figure, in the words a reader sees (CSV, workbook, profile).

One closed set, so a spreadsheet filter on ``status`` has five fixed choices:

* ``getoond`` — the figure is published;
* ``klein aantal`` — hidden by our small-numbers rule (or complementary suppression);
* ``geheim (bron)`` — the source itself kept it secret (CBS ``.``);
* ``geen gegevens`` — the source has no figure (or a zero denominator);
* ``onvolledig`` — a village or regio misses a part, so no total is given.

The database keeps short internal codes (``ok``, ``suppressed`` ...); :func:`label` maps them.
"""

from __future__ import annotations

from enum import StrEnum


class FigureStatus(StrEnum):
    SHOWN = "getoond"
    SMALL = "klein aantal"
    WITHHELD = "geheim (bron)"
    MISSING = "geen gegevens"
    INCOMPLETE = "onvolledig"


# Internal ind_value codes -> status. "secret" / "suppressed_by_source" are the codes for a
# figure the source withheld (sources/common.py SUPPRESSED); unknown codes read as missing.
_FROM_CODE = {
    "ok": FigureStatus.SHOWN,
    "suppressed": FigureStatus.SMALL,
    "suppressed_by_source": FigureStatus.WITHHELD,
    "secret": FigureStatus.WITHHELD,
    "missing": FigureStatus.MISSING,
    "not_applicable": FigureStatus.MISSING,
    "incomplete": FigureStatus.INCOMPLETE,
}


def label(code: str | None, value: float | None = None) -> FigureStatus:
    """The reader's status of an ``ind_value`` row (a row without a value is never 'shown')."""
    status = _FROM_CODE.get(code or "", FigureStatus.MISSING)
    if status is FigureStatus.SHOWN and value is None:
        return FigureStatus.MISSING
    return status
