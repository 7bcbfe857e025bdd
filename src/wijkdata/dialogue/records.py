"""What a session agreed: remarks per theme, speerpunten with their indicators, actions, owners.

One YAML file per area and session: ``configs/<regio>/sessies/<AREA>-<YYYY-MM-DD>.yml``. The
file name carries area and date so a folder listing reads as a logbook; the ``area:`` and
``date:`` keys inside must agree with it (a copied file with a stale name is a common slip).
An indicator id that does not exist is an error naming it with file and line: a speerpunt that
silently follows nothing would show an empty trend for a year before anyone noticed.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from wijkdata.core.errors import ConfigError
from wijkdata.core.yamlio import load_model
from wijkdata.indicators.definitions import THEMES

NAME_RE = re.compile(r"^(?P<area>[A-Z][A-Z0-9_]{1,39})-(?P<date>\d{4}-\d{2}-\d{2})\.ya?ml$")


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Remark(_Model):
    theme: str
    recognised: bool
    text: str = ""


class Action(_Model):
    what: str = Field(min_length=1)
    owner: str = Field(min_length=1)
    due: date | None = None


class Priority(_Model):
    title: str = Field(min_length=1, max_length=160)
    indicators: list[str] = Field(min_length=1)
    why: str = ""
    actions: list[Action] = Field(default_factory=list)
    votes: int | None = Field(default=None, ge=0)  # dots on the voting sheet (votes.py)


class Vote(_Model):
    """One line of the voting sheet and its dots (written by ``wijkdata session record``)."""

    subject: str  # theme or indicator id
    title: str = ""
    dots: int = Field(ge=0)


class SessionRecord(_Model):
    area: str
    date: date
    participants: list[str] = Field(default_factory=list)
    remarks: list[Remark] = Field(default_factory=list)
    priorities: list[Priority] = Field(default_factory=list)
    votes: list[Vote] = Field(default_factory=list)


def session_files(folder: Path, area: str) -> list[Path]:
    """The area's session files, oldest first (the date is in the name)."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir()
                  if (m := NAME_RE.match(p.name)) and m["area"] == area)


def load_record(path: Path, indicator_ids: set[str]) -> SessionRecord:
    m = NAME_RE.match(path.name)
    if m is None:
        raise ConfigError(f"{path}: a session file is named <AREA>-<YYYY-MM-DD>.yml, "
                          "e.g. DORP_ESVELD-2026-11-23.yml")
    rec, lines = load_model(path, SessionRecord, "area:, date:, priorities:, ...")
    if rec.area != m["area"] or rec.date.isoformat() != m["date"]:
        raise ConfigError(f"{path}, line {lines.get(('area',), '?')}: the file says area "
                          f"{rec.area} on {rec.date.isoformat()} but its name says "
                          f"{m['area']} on {m['date']}; make them agree")
    for i, r in enumerate(rec.remarks):
        if r.theme not in THEMES:
            line = lines.get(("remarks", i, "theme"), "?")
            raise ConfigError(f"{path}, line {line}: remarks.{i}.theme: unknown theme "
                              f"'{r.theme}'; themes: {', '.join(THEMES)}")
    for i, v in enumerate(rec.votes):
        if v.subject not in THEMES and v.subject not in indicator_ids:
            line = lines.get(("votes", i, "subject"), "?")
            raise ConfigError(f"{path}, line {line}: votes.{i}.subject: '{v.subject}' is "
                              "neither a theme nor an indicator id")
    for i, p in enumerate(rec.priorities):
        for j, ind in enumerate(p.indicators):
            if ind not in indicator_ids:
                line = lines.get(("priorities", i, "indicators", j), "?")
                near = sorted(x for x in indicator_ids if x[:4] == ind[:4])[:4]
                hint = f" (similar: {', '.join(near)})" if near else ""
                raise ConfigError(f"{path}, line {line}: priorities.{i}.indicators: unknown "
                                  f"indicator '{ind}'{hint}; 'wijkdata indicators' lists them")
    return rec
