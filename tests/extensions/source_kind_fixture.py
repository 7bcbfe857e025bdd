"""A source kind that is not part of wijkdata: one file, registered as a plugin.

A partner's counts per area as JSON, ``{"BU99010200": {"mz_steunpunt": 31}, ...}``. Everything
the kind needs is here: its options (the keys a config may give a source of this kind), its
reader and the registration. The tests load it with ``WIJKDATA_PLUGINS`` (core/plugins.py),
exactly as the README's "Add a source kind" recipe tells a user to.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

import polars as pl
from pydantic import Field

from wijkdata.core.errors import DataError
from wijkdata.core.source_kinds import SourceKind, SourceOptions, register
from wijkdata.ingest.sources.common import AREA_SCHEMA, OBS_SCHEMA, OK, Loaded


class Options(SourceOptions):
    kind: Literal["json_counts"]
    year: int = Field(ge=1990, le=2100)  # required here: the file does not say
    variables: list[str] = Field(min_length=1)  # the keys read from every area's object


def read(source: Options, path: Path) -> Loaded:
    data = json.loads(path.read_text(encoding="utf-8"))
    rows = []
    for code, figures in sorted(data.items()):
        for variable in source.variables:
            if not isinstance(figures.get(variable), int | float):
                raise DataError(f"{path}, area {code}: '{variable}' is not a number",
                                hint=f"every area needs {', '.join(source.variables)}")
            rows.append((code, source.year, variable, float(figures[variable]), OK))
    areas = pl.DataFrame({"code": sorted(data), "name": [None] * len(data)}, schema=AREA_SCHEMA)
    return Loaded(observations=pl.DataFrame(rows, schema=OBS_SCHEMA, orient="row"),
                  areas=areas, raw=areas.select("code"))


KIND = register(SourceKind(Options, read, publisher="Steunpunt Mantelzorg (test)",
                           licence="niet openbaar", title="Ingeschreven mantelzorgers"))
