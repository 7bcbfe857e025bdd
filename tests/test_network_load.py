"""Netwerkkaart files: bad rows are reported with file, row and field and the rest still loads."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from wijkdata.core.errors import ConfigError
from wijkdata.dialogue.network import PHONE_RE, load_network, network_file

FIX = Path(__file__).resolve().parent / "fixtures" / "session"
TODAY = date(2026, 11, 23)


def test_csv_bad_rows_are_reported_and_the_rest_loads() -> None:
    path = FIX / "netwerk_fouten.csv"
    net = load_network(path, TODAY, 365)
    # Rows 2 (De Linde), 7 (stale but kept) and 9 (POH-GGZ) are good; 3-6, 8 and 10 are not.
    assert [p.organisation for p in net.partners] == [
        "Huisartsenpraktijk De Linde", "Wijkverpleging Linde", "POH-GGZ Linde"]
    assert net.problems == [
        f"{path}, row 3, field 'email': expected an e-mail address like naam@praktijk.nl, "
        "got 'info@'; this row is skipped",
        f"{path}, row 4, field 'phone': expected a Dutch phone number like 0543-123456, "
        "06-12345678 or +31 543 123456, got '12345'; this row is skipped",
        f"{path}, row 5, field 'organisation': required, but empty; this row is skipped",
        f"{path}, row 6: duplicate partner 'huisartsenpraktijk de linde' (Huisarts), already "
        "in row 2; this row is skipped",
        f"{path}, row 7: 'Wijkverpleging Linde' was last checked on 2024-01-15, more than 365 "
        "days ago; check it (shown as 'controleren')",
        f"{path}, row 8, field 'discipline': unknown discipline 'tandarts'; use one of "
        "huisarts, poh_ggz, wijkverpleging, fysiotherapie, apotheek, sociaal_wijkteam, welzijn, "
        "ggd, gemeente, bewonersinitiatief; this row is skipped",
        f"{path}, row 10, field 'lat': 5.2 is not in the Netherlands (expected 50.5 to 53.8 "
        "degrees); this row is skipped",
        f"{path}, row 10, field 'lon': 52.1 is not in the Netherlands (expected 3.2 to 7.3 "
        "degrees); this row is skipped",
    ]
    linde, wijk, poh = net.partners
    assert (linde.lat, linde.lon, linde.stale) == (52.01, 6.21, False)
    # 2026-11-23 minus 2024-01-15 is 678 days > 365.
    assert wijk.stale and net.stale == [wijk]
    # "POH-GGZ" and "intake-stop" are normalised; the +31 number is kept as written.
    assert (poh.discipline, poh.discipline_label, poh.status, poh.phone) == (
        "poh_ggz", "POH-GGZ", "intakestop", "+31 6 12345678")
    assert [label for label, _ in net.grouped()] == ["Huisarts", "POH-GGZ", "Wijkverpleging"]


def test_yaml_partner_problems_name_the_line() -> None:
    path = FIX / "netwerk_fouten.yml"
    net = load_network(path, TODAY, 365)
    assert [p.organisation for p in net.partners] == ["Dorpsraad Linde"]
    assert net.problems == [
        f"{path}, line 5 (partner 2), field 'email': expected an e-mail address like "
        "naam@praktijk.nl, got 'ggd at linde'; this row is skipped",
        f"{path}, line 9 (partner 3), field 'fax': unknown field; fields are organisation, "
        "discipline, address, area, contact_person, phone, email, working_days, expertise, "
        "status, preferred_contact, last_checked, lat, lon; this row is skipped",
    ]


def test_personal_contact_fields_are_dropped_for_publication() -> None:
    net = load_network(FIX / "netwerk_fouten.csv", TODAY, 365)
    linde = net.partners[0]
    hidden = linde.published(personal=False)
    assert (hidden.contact_person, hidden.phone, hidden.email) == ("", "", "")
    assert (hidden.organisation, hidden.preferred_contact) == ("Huisartsenpraktijk De Linde",
                                                               "telefoon")
    shown = linde.published(personal=True)
    assert (shown.contact_person, shown.phone, shown.email) == (
        "P. de Boer", "0543-123456", "balie@delinde.example")


@pytest.mark.parametrize(("written", "ok"), [
    ("0543-123456", True), ("06-12345678", True), ("+31 6 12345678", True),
    ("0031543123456", True), ("0800-1234", True), ("(0543) 12 34 56", True),
    ("12345", False), ("06-1234567", False), ("+32 2 1234567", False), ("0543-1234567", False),
])
def test_dutch_phone_formats(written: str, ok: bool) -> None:
    normalised = "".join(c for c in written if c not in " -().")
    assert bool(PHONE_RE.match(normalised)) is ok


def test_unknown_csv_column_stops_the_file(tmp_path: Path) -> None:
    path = tmp_path / "DORP_X.csv"
    path.write_text("organisation;discipline;last_checked;telefoon\nA;huisarts;2026-01-01;1\n",
                    encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        load_network(path, TODAY, 365)
    assert exc.value.message == (
        f"{path}, row 1, column 'telefoon': unknown column; columns are organisation, "
        "discipline, address, area, contact_person, phone, email, working_days, expertise, "
        "status, preferred_contact, last_checked, lat, lon")


def test_two_network_files_for_one_area_are_ambiguous(tmp_path: Path) -> None:
    (tmp_path / "DORP_X.csv").write_text("organisation;discipline;last_checked\n",
                                         encoding="utf-8")
    (tmp_path / "DORP_X.yml").write_text("partners: []\n", encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        network_file(tmp_path, "DORP_X")
    assert exc.value.message == (f"two network files for DORP_X: {tmp_path / 'DORP_X.csv'} "
                                 f"and {tmp_path / 'DORP_X.yml'}; keep one")
    assert network_file(tmp_path, "DORP_Y") is None
