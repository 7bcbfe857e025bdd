"""The recipients file: who gets which areas' profiles.

CSV (``;`` or ``,`` separated, UTF-8) with the columns ``naam``/``name``, ``email``,
``gebieden``/``areas`` (area codes separated by spaces, ``;`` or ``,``) and optionally
``organisatie``/``organisation``; or YAML: a list of mappings with the same keys.

Every problem names the file, the row and the column, because this file is typed by hand.
A name with a line break is refused rather than cleaned: it is either a typo or an attempt to
smuggle a header into the message, and in both cases a person should look at it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wijkdata.core import csv_rows
from wijkdata.core.codes import PROFILE_CODE_RE
from wijkdata.core.errors import DataError, where
from wijkdata.core.mail_settings import ADDRESS_PATTERN

ADDRESS_RE = re.compile(ADDRESS_PATTERN)
AREA_CODE_RE = PROFILE_CODE_RE
COLUMNS = {
    "naam": "name", "name": "name",
    "email": "email", "e-mail": "email", "emailadres": "email",
    "gebieden": "areas", "areas": "areas", "gebied": "areas",
    "organisatie": "organisation", "organisation": "organisation",
}
REQUIRED = ("name", "email", "areas")
LAYOUT = csv_rows.Layout(COLUMNS, tuple((key, key) for key in REQUIRED),
                         example="naam;email;gebieden",
                         hint="the header needs naam, email and gebieden (organisatie optional)")
MAX_BYTES = 2_000_000


@dataclass(frozen=True)
class Recipient:
    name: str
    email: str
    areas: tuple[str, ...]
    organisation: str
    row: int  # where it stands in the file, for messages


def load(path: Path) -> list[Recipient]:
    if not path.is_file():
        raise DataError(f"recipients file not found: {path}",
                        hint="mail.recipients in the region config names it, relative to the "
                        "project folder")
    csv_rows.check_size(path, MAX_BYTES)
    if path.suffix.lower() in (".yml", ".yaml"):
        rows = _yaml_rows(path)
    elif path.suffix.lower() == ".csv":
        rows = _csv_rows(path)
    else:
        raise DataError(f"{path}: recipients must be a .csv or .yml file")
    recipients = [_recipient(path, row, values) for row, values in rows]
    if not recipients:
        raise DataError(f"{path}: no recipients in the file")
    first_row: dict[str, int] = {}
    for r in recipients:
        key = r.email.lower()
        if key in first_row:
            raise DataError(f"{where(path, r.row, 'email')}: {r.email} is listed twice "
                            f"(also on row {first_row[key]})",
                            hint="put all areas of one person on one row: gebieden WK990101 "
                            "WK990102")
        first_row[key] = r.row
    return recipients


def _csv_rows(path: Path) -> list[tuple[int, dict[str, Any]]]:
    return [(r.row, dict(r.values)) for r in csv_rows.read_rows(path, LAYOUT)]


def _yaml_rows(path: Path) -> list[tuple[int, dict[str, Any]]]:
    from wijkdata.core.yamlio import load_yaml

    data, lines = load_yaml(path)
    if not isinstance(data, list):
        raise DataError(f"{path}: expected a list of recipients (- naam: ..., email: ...)")
    rows = []
    for i, item in enumerate(data):
        line = lines.get((i,), i + 1)
        if not isinstance(item, dict):
            raise DataError(f"{path}, line {line}: expected a mapping with naam, email, gebieden")
        values: dict[str, Any] = {}
        for key, value in item.items():
            norm = COLUMNS.get(str(key).strip().lower())
            if norm is None:
                raise DataError(f"{path}, line {line}: unknown key '{key}'",
                                hint="use naam, email, gebieden and organisatie")
            values[norm] = " ".join(map(str, value)) if isinstance(value, list) else value
        rows.append((line, values))
    return rows


def _recipient(path: Path, row: int, values: dict[str, Any]) -> Recipient:
    def text(key: str) -> str:
        value = values.get(key)
        value = "" if value is None else str(value)
        if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
            raise DataError(f"{where(path, row, key)}: contains a line break or control character",
                            hint="keep each value on one line")
        return value.strip()

    name, email, organisation = text("name"), text("email"), text("organisation")
    if not name:
        raise DataError(f"{where(path, row, 'name')}: the name is empty")
    if not ADDRESS_RE.match(email):
        raise DataError(f"{where(path, row, 'email')}: '{email}' is not an e-mail address",
                        hint="expected something like naam@organisatie.nl")
    areas = tuple(a for a in re.split(r"[\s;,]+", text("areas")) if a)
    if not areas:
        raise DataError(f"{where(path, row, 'areas')}: no area codes",
                        hint="list codes like WK990101 or DORP_ESVELD")
    bad = [a for a in areas if not AREA_CODE_RE.match(a)]
    if bad:
        raise DataError(f"{where(path, row, 'areas')}: '{bad[0]}' is not an area code",
                        hint="codes look like WK990101, BU99010200 or DORP_ESVELD")
    return Recipient(name, email, tuple(dict.fromkeys(areas)), organisation, row)
