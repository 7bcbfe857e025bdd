"""What a profile calls its area: one home for the kind labels of title, headings, PDF, index, CSV.

A custom area's ``kind`` (config) decides: a dorp gets a Dorpsprofiel, a focusgebied or cluster
a Gebiedsprofiel; CBS areas get a Wijkprofiel or Buurtprofiel. A focus area is never a village.
"""

from __future__ import annotations

from wijkdata.core.config import RegionConfig
from wijkdata.core.status import Status, mark, shown
from wijkdata.core.tables import ValueRow

from .formatting import plain

# kind -> (noun in a sentence, profile title word)
KINDS: dict[str, tuple[str, str]] = {
    "gemeente": ("gemeente", "Gezondheidsprofiel"),
    "wijk": ("wijk", "Wijkprofiel"),
    "buurt": ("buurt", "Buurtprofiel"),
    "dorp": ("dorp", "Dorpsprofiel"),
    "focusgebied": ("focusgebied", "Gebiedsprofiel"),
    "cluster": ("cluster", "Gebiedsprofiel"),
}
# Index filter: level or custom kind -> plural.
PLURAL = {"gemeente": "gemeenten", "wijk": "wijken", "buurt": "buurten", "dorp": "dorpen",
          "focusgebied": "focusgebieden", "cluster": "clusters"}


def kind_of(cfg: RegionConfig, code: str, level: str) -> str:
    """``dorp``/``focusgebied``/``cluster`` for a custom area, else the CBS level."""
    if level != "custom":
        return level
    return next((c.kind for c in cfg.areas.custom if c.code == code), "dorp")


def noun(kind: str) -> str:
    return KINDS.get(kind, (kind, ""))[0]


def profile_word(kind: str) -> str:
    return KINDS.get(kind, ("", "Wijkprofiel"))[1]


def title(kind: str, name: str) -> str:
    return f"{profile_word(kind)} {name}"


def _pct(share: float) -> str:
    # Never "100%" for a share just below it, never "0%" for one just above.
    p = share * 100
    return plain(min(max(p, 1.0), 99.0) if 0 < p < 100 and round(p) in (0, 100) else p, 0) + "%"


def reason_text(row: ValueRow) -> str:
    """Why a figure is not shown, in the words of the reason (``core.status.MARK``); an
    incomplete grouped figure says how much of its population it would rest on."""
    cov = row.coverage
    if row.status == Status.INCOMPLETE and cov is not None:
        return f"onvolledig ({_pct(cov)} van de {row.coverage_of})"
    return mark(row.status)


def basis_text(row: ValueRow, parts: str) -> str:
    """What a shown figure rests on, when that is not simply the published figure."""
    if not shown(row.status):
        return ""
    if row.recomputed:
        return "berekend uit afgeronde aantallen"
    cov = row.coverage
    if cov is not None and cov < 0.995:
        return f"op basis van {parts} met {_pct(cov)} van de {row.coverage_of}"
    return ""
