"""What a figure's status means, in one place: the code stored in ``ind_value`` and its mark.

Two questions are kept apart (issue 16):

* **Reliability** (every source): is the figure based on enough people to be stable? A figure
  with a small base is still shown, with its interval, and marked ``klein aantal: onzeker``
  (:attr:`Status.SMALL`); nothing is called significant on its basis.
* **Disclosure** (only sources declared ``disclosure: strict``): may the figure be published at
  all? Small cells and the extra cells that protect them are not shown
  (:attr:`Status.SUPPRESSED`, ``afgeschermd (privacy)``). Primary and complementary cells get
  the same mark on purpose: telling them apart would point at the small ones.

What the source itself keeps secret (``.`` in CBS/RIVM files) is :attr:`Status.WITHHELD`,
``geheim (bron)``. Every output (HTML, PDF, CSV, overview, session kit) takes its words from
:data:`MARK`, and the CSV's ``status`` column carries them next to an empty value.
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    OK = "ok"
    SMALL = "small"                    # shown, marked: small base, uncertain
    WITHHELD = "withheld"              # the source published '.', not a number
    SUPPRESSED = "suppressed"          # disclosure control of a strict source
    MISSING = "missing"
    NOT_APPLICABLE = "not_applicable"  # e.g. a percentage of zero households
    INCOMPLETE = "incomplete"          # a custom area or regio missing a part


# Statuses whose value is printed.
SHOWN = frozenset({Status.OK, Status.SMALL})

# The words a reader sees, in reports and in the CSV's status column.
MARK: dict[str, str] = {
    Status.OK: "",
    Status.SMALL: "klein aantal: onzeker",
    Status.WITHHELD: "geheim (bron)",
    Status.SUPPRESSED: "afgeschermd (privacy)",
    Status.MISSING: "geen gegevens",
    Status.NOT_APPLICABLE: "niet van toepassing",
    Status.INCOMPLETE: "onvolledig (buurt ontbreekt)",
}

# Why a cell was suppressed (kept in ind_value for audits; never printed, see above).
PRIMARY = "primary"
COMPLEMENTARY = "complementary"


def mark(status: str | None) -> str:
    """The reader's words for a status; an unknown or empty status reads as missing."""
    return MARK.get(status or Status.MISSING, MARK[Status.MISSING])


def shown(status: str | None) -> bool:
    return status in SHOWN
