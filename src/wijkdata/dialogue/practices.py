"""Good practices (goede praktijken): a small curated list of Dutch interventions per theme.

The list lives in ``configs/shared/goede_praktijken.yml`` (not ``configs/*.yml``, where every
file is a region); a region may replace it with ``configs/<regio>/goede_praktijken.yml``. Each
entry names its public source; the profile links to it next to a finding on its indicators.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from wijkdata.core.errors import ConfigError
from wijkdata.core.yamlio import load_yaml, validation_message
from wijkdata.indicators.definitions import THEMES

SHARED_FILE = Path("configs") / "shared" / "goede_praktijken.yml"


class Practice(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    title: str = Field(min_length=1, max_length=120)
    theme: str
    indicators: list[str] = Field(min_length=1)
    summary: str = Field(min_length=1)
    source: str = Field(min_length=1)
    url: str = Field(pattern=r"^https://[^\s\"'<>]+$")


class PracticeList(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    practices: list[Practice]


def practices_file(project: Path, slug: str) -> Path | None:
    for path in (project / "configs" / slug / "goede_praktijken.yml", project / SHARED_FILE):
        if path.is_file():
            return path
    return None


def load_practices(path: Path, indicator_ids: set[str]) -> list[Practice]:
    data, lines = load_yaml(path)
    try:
        items = PracticeList.model_validate(data).practices
    except ValidationError as exc:
        raise ConfigError(validation_message(path, exc, lines)) from None
    for i, p in enumerate(items):
        if p.theme not in THEMES:
            raise ConfigError(f"{path}, line {lines.get(('practices', i, 'theme'), '?')}: "
                              f"practices.{i}.theme: unknown theme '{p.theme}'")
        for j, ind in enumerate(p.indicators):
            # Indicators a region does not use are fine (the list is shared); typos are not.
            if indicator_ids and ind not in indicator_ids:
                line = lines.get(("practices", i, "indicators", j), "?")
                raise ConfigError(f"{path}, line {line}: practices.{i}.indicators: unknown "
                                  f"indicator '{ind}'")
    return items
