"""The status of a published figure in the tidy figures table (CSV, workbook), as a closed set.

The words are those of :data:`wijkdata.core.status.MARK` (the one home of a status's words), so
the tidy table, the profile and the overview say the same thing; only a figure without any
remark, which the profile leaves unmarked, reads ``getoond`` here, so that a spreadsheet filter
on ``status`` has a fixed choice for every row:

* ``getoond`` — the figure is published;
* ``klein aantal: onzeker`` — published, but on a small base (its interval is wide);
* ``geheim (bron)`` — the source itself kept it secret (CBS ``.``);
* ``afgeschermd (privacy)`` — not shown: disclosure control of a strict source;
* ``geen gegevens`` — the source has no figure;
* ``niet van toepassing`` — e.g. a percentage of zero households;
* ``onvolledig (buurt ontbreekt)`` — a village or regio misses a part, so no total is given.

The database keeps the codes of :class:`wijkdata.core.status.Status`; :func:`label` maps them.
"""

from __future__ import annotations

from enum import StrEnum

from wijkdata.core.status import MARK, SHOWN, Status


class FigureStatus(StrEnum):
    SHOWN = "getoond"
    SMALL = MARK[Status.SMALL]
    WITHHELD = MARK[Status.WITHHELD]
    SUPPRESSED = MARK[Status.SUPPRESSED]
    MISSING = MARK[Status.MISSING]
    NOT_APPLICABLE = MARK[Status.NOT_APPLICABLE]
    INCOMPLETE = MARK[Status.INCOMPLETE]


_FROM_STATUS = {
    Status.OK: FigureStatus.SHOWN,
    Status.SMALL: FigureStatus.SMALL,
    Status.WITHHELD: FigureStatus.WITHHELD,
    Status.SUPPRESSED: FigureStatus.SUPPRESSED,
    Status.MISSING: FigureStatus.MISSING,
    Status.NOT_APPLICABLE: FigureStatus.NOT_APPLICABLE,
    Status.INCOMPLETE: FigureStatus.INCOMPLETE,
}


def label(code: str | None, value: float | None = None) -> FigureStatus:
    """The reader's status of an ``ind_value`` row; unknown codes read as missing, and a row
    without a value is never 'shown'."""
    status = _FROM_STATUS.get(code or "", FigureStatus.MISSING)  # type: ignore[call-overload]
    if code in SHOWN and value is None:
        return FigureStatus.MISSING
    return status
