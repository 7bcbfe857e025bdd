"""Netwerkkaart / sociale kaart: the local partners of one area, from a CSV or YAML file.

One file per area: ``configs/<regio>/netwerk/<AREA>.csv`` (``;`` or ``,`` separated, UTF-8) or
``<AREA>.yml`` (a list under ``partners:``). Analysts keep these lists by hand, so one bad row
must not cost the whole list: a malformed row is skipped with a message naming file, row and
field, and the other rows still load. Duplicates (same organisation, discipline and address)
are reported and the later one skipped; entries not checked for ``network.max_age_days`` are
kept but flagged as stale, because an outdated phone number in a handout is worse than none.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from wijkdata.core.errors import ConfigError, where
from wijkdata.core.mail_settings import ADDRESS_PATTERN
from wijkdata.core.yamlio import load_yaml

DISCIPLINES: dict[str, str] = {
    "huisarts": "Huisarts",
    "poh_ggz": "POH-GGZ",
    "wijkverpleging": "Wijkverpleging",
    "fysiotherapie": "Fysiotherapie",
    "apotheek": "Apotheek",
    "sociaal_wijkteam": "Sociaal wijkteam",
    "welzijn": "Welzijn",
    "ggd": "GGD",
    "gemeente": "Gemeente",
    "bewonersinitiatief": "Bewonersinitiatief",
}
STATUS_LABEL = {"open": "open", "wachtlijst": "wachtlijst", "intakestop": "intakestop"}
FIELDS = ("organisation", "discipline", "address", "area", "contact_person", "phone", "email",
          "working_days", "expertise", "status", "preferred_contact", "last_checked", "lat", "lon")
REQUIRED = ("organisation", "discipline", "last_checked")
PERSONAL = ("contact_person", "phone", "email")
EMAIL_RE = re.compile(ADDRESS_PATTERN)
# Dutch numbers: 0 + 9 digits (landline or 06 mobile), +31/0031 + 9 digits, or 0800/0900 + 4-7.
PHONE_RE = re.compile(r"^(0\d{9}|(\+31|0031)\d{9}|0[89]0\d\d{4,7})$")
# The Netherlands with a margin: catches swapped lat/lon and RD metres typed as degrees.
LAT_RANGE, LON_RANGE = (50.5, 53.8), (3.2, 7.3)


@dataclass(frozen=True)
class Partner:
    organisation: str
    discipline: str
    address: str = ""
    area: str = ""
    contact_person: str = ""
    phone: str = ""
    email: str = ""
    working_days: str = ""
    expertise: str = ""
    status: str = "open"
    preferred_contact: str = ""
    last_checked: date = date(1970, 1, 1)
    lat: float | None = None
    lon: float | None = None
    stale: bool = False
    source: str = ""  # "file, row 3": where to fix it

    @property
    def discipline_label(self) -> str:
        return DISCIPLINES[self.discipline]

    def key(self) -> tuple[str, str, str]:
        return (self.organisation.casefold(), self.discipline, self.address.casefold())

    def published(self, personal: bool) -> Partner:
        """The partner as shown in output: without personal contact fields unless allowed."""
        if personal:
            return self
        return Partner(**{**self.__dict__, "contact_person": "", "phone": "", "email": ""})


@dataclass
class Network:
    path: Path | None
    partners: list[Partner] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def stale(self) -> list[Partner]:
        return [p for p in self.partners if p.stale]

    def grouped(self) -> list[tuple[str, list[Partner]]]:
        """Partners per discipline, in the fixed order of :data:`DISCIPLINES`."""
        return [(label, sorted((p for p in self.partners if p.discipline == d),
                               key=lambda p: p.organisation.casefold()))
                for d, label in DISCIPLINES.items()
                if any(p.discipline == d for p in self.partners)]


def network_file(folder: Path, area: str) -> Path | None:
    """``<folder>/<area>.csv`` or ``.yml``/``.yaml``; both present is ambiguous, so an error."""
    found = [folder / f"{area}{ext}" for ext in (".csv", ".yml", ".yaml")
             if (folder / f"{area}{ext}").is_file()]
    if len(found) > 1:
        raise ConfigError(f"two network files for {area}: {found[0]} and {found[1]}; keep one")
    return found[0] if found else None


def load_network(path: Path, today: date, max_age_days: int) -> Network:
    """Read one partner list; never raises for a bad row, only for an unreadable file."""
    net = Network(path)
    rows = _csv_rows(path) if path.suffix.lower() == ".csv" else _yaml_rows(path)
    seen: dict[tuple[str, str, str], str] = {}
    for loc, raw in rows:
        partner, errors = _partner(raw, loc, today, max_age_days)
        if errors:
            net.problems.extend(errors)
            continue
        assert partner is not None
        first = seen.get(partner.key())
        if first is not None:
            net.problems.append(f"{loc}: duplicate partner '{partner.organisation}' "
                                f"({partner.discipline_label}), already in {_short(first)}; "
                                "this row is skipped")
            continue
        seen[partner.key()] = loc
        if partner.stale:
            net.problems.append(
                f"{loc}: '{partner.organisation}' was last checked on "
                f"{partner.last_checked.isoformat()}, more than {max_age_days} days ago; "
                "check it (shown as 'controleren')")
        net.partners.append(partner)
    return net


def _short(loc: str) -> str:
    return loc.rsplit(", ", 1)[-1] if ", " in loc else loc


def _csv_rows(path: Path) -> list[tuple[str, dict[str, Any]]]:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (byte {exc.start}); "
                          "save it as CSV UTF-8") from None
    header = text.split("\n", 1)[0]
    sep = ";" if header.count(";") >= header.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=sep)
    columns = [c.strip() for c in reader.fieldnames or []]
    unknown = [c for c in columns if c not in FIELDS]
    if unknown:
        raise ConfigError(f"{where(path, 1, unknown[0])}: unknown column; "
                          f"columns are {', '.join(FIELDS)}")
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise ConfigError(f"{where(path, 1)}: required column '{missing[0]}' is missing")
    out = []
    for i, row in enumerate(reader, start=2):  # row 1 is the header, as in a spreadsheet
        if not any((v or "").strip() for v in row.values() if isinstance(v, str)):
            continue
        out.append((where(path, i), {k.strip(): v for k, v in row.items() if k}))
    return out


def _yaml_rows(path: Path) -> list[tuple[str, dict[str, Any]]]:
    data, lines = load_yaml(path)
    if not isinstance(data, dict) or not isinstance(data.get("partners"), list):
        raise ConfigError(f"{path}: expected a key 'partners:' with a list of partners")
    extra = [k for k in data if k != "partners"]
    if extra:
        raise ConfigError(f"{path}, line {lines.get((extra[0],), '?')}: unknown key '{extra[0]}'")
    out = []
    for i, item in enumerate(data["partners"]):
        loc = f"{path}, line {lines.get(('partners', i), '?')} (partner {i + 1})"
        if not isinstance(item, dict):
            out.append((loc, {"__invalid__": item}))
            continue
        out.append((loc, {str(k): v for k, v in item.items()}))
    return out


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _partner(raw: dict[str, Any], loc: str, today: date,
             max_age_days: int) -> tuple[Partner | None, list[str]]:
    if "__invalid__" in raw:
        return None, [f"{loc}: expected a mapping of fields (organisation:, discipline:, ...)"]
    errors: list[str] = []

    def bad(name: str, msg: str) -> None:
        errors.append(f"{loc}, field '{name}': {msg}; this row is skipped")

    for name in raw:
        if name not in FIELDS:
            bad(name, f"unknown field; fields are {', '.join(FIELDS)}")
    vals = {k: _text(raw.get(k)) for k in FIELDS}
    for name in REQUIRED:
        if not vals[name]:
            bad(name, "required, but empty")
    disc = vals["discipline"].lower().replace("-", "_").replace(" ", "_")
    if vals["discipline"] and disc not in DISCIPLINES:
        bad("discipline", f"unknown discipline '{vals['discipline']}'; "
                          f"use one of {', '.join(DISCIPLINES)}")
    email = vals["email"]
    if email and not EMAIL_RE.match(email):
        bad("email", f"expected an e-mail address like naam@praktijk.nl, got '{email}'")
    phone = re.sub(r"[\s\-().]", "", vals["phone"])
    if vals["phone"] and not PHONE_RE.match(phone):
        bad("phone", f"expected a Dutch phone number like 0543-123456, 06-12345678 or "
                     f"+31 543 123456, got '{vals['phone']}'")
    status = (vals["status"] or "open").lower().replace("-", "").replace(" ", "")
    if status not in STATUS_LABEL:
        bad("status", f"expected open, wachtlijst or intakestop, got '{vals['status']}'")
    checked = None
    if vals["last_checked"]:
        try:
            checked = date.fromisoformat(vals["last_checked"])
        except ValueError:
            bad("last_checked", f"expected a date like 2026-03-01, got '{vals['last_checked']}'")
    if checked is not None and checked > today:
        bad("last_checked", f"{checked.isoformat()} lies in the future")
    coords: dict[str, float | None] = {"lat": None, "lon": None}
    for name, (lo, hi) in (("lat", LAT_RANGE), ("lon", LON_RANGE)):
        if not vals[name]:
            continue
        try:
            v = float(vals[name].replace(",", "."))
        except ValueError:
            bad(name, f"expected a number in degrees, got '{vals[name]}'")
            continue
        if not lo <= v <= hi:
            bad(name, f"{vals[name]} is not in the Netherlands (expected {lo} to {hi} degrees)")
        coords[name] = v
    if (coords["lat"] is None) != (coords["lon"] is None):
        bad("lat" if coords["lat"] is None else "lon", "give both lat and lon, or neither")
    if errors:
        return None, errors
    assert checked is not None
    return Partner(
        organisation=vals["organisation"], discipline=disc, address=vals["address"],
        area=vals["area"], contact_person=vals["contact_person"], phone=vals["phone"],
        email=email, working_days=vals["working_days"], expertise=vals["expertise"],
        status=status, preferred_contact=vals["preferred_contact"], last_checked=checked,
        lat=coords["lat"], lon=coords["lon"],
        stale=(today - checked).days > max_age_days, source=loc,
    ), []
