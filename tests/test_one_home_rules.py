"""Rules that used to live in several places now have one home; each home behaves as one rule."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from wijkdata.core import codes
from wijkdata.core.config import RegionConfig
from wijkdata.core.db import sql_text
from wijkdata.core.errors import DataError
from wijkdata.core.mail_settings import MailSettings
from wijkdata.delivery import recipients
from wijkdata.dialogue.network import EMAIL_RE
from wijkdata.report.formatting import change_since

ADDRESSES = {
    "a.b@ggd.nl": True, "o'brien@x.nl": True, "a!b@x.nl": True, "piet@mail.gemeente.nl": True,
    "a@b.c": False, "x@host": False, "a@b.c1": False, "geen adres": False,
}


@pytest.mark.parametrize(("address", "ok"), ADDRESSES.items())
def test_partner_lists_recipients_and_mail_settings_share_one_email_rule(
        tmp_path: Path, address: str, ok: bool) -> None:
    assert bool(EMAIL_RE.match(address)) is ok
    assert bool(recipients.ADDRESS_RE.match(address)) is ok
    try:
        MailSettings(sender=address, recipients="r.csv")
        settings_ok = True
    except ValueError:
        settings_ok = False
    assert settings_ok is ok


def test_amsterdam_letter_codes_pass_config_readers_and_recipients(tmp_path: Path) -> None:
    for code in ("GM0363", "WK0363AA", "BU0363AA01", "NL00"):
        assert codes.CODE_RE.match(code), code
    cfg = RegionConfig.model_validate({
        "name": "Amsterdam", "gemeenten": ["GM0363"],
        "sources": [{"id": "kwb", "kind": "cbs_kwb", "path": "kwb.csv", "year": 2023}],
        "areas": {"custom": [{"code": "CENTRUM_OOST", "name": "Centrum-Oost",
                              "buurten": ["BU0363AA01"], "wijken": ["WK0363AB"]}]}})
    assert cfg.areas.custom[0].buurten == ["BU0363AA01"]
    path = tmp_path / "ontvangers.csv"
    path.write_text("naam;email;gebieden\nPiet;piet@ggd.nl;WK0363AA BU0363AA01 CENTRUM_OOST\n"
                    "Kees;kees@ggd.nl;wk0363aa\n", encoding="utf-8")
    with pytest.raises(DataError) as err:
        recipients.load(path)
    assert str(err.value) == (f"{path}, row 3, column 'areas': 'wk0363aa' is not an area code\n"
                              "  hint: codes look like WK990101, BU99010200 or DORP_ESVELD")


def test_sql_text_round_trips_through_duckdb() -> None:
    con = duckdb.connect()
    for text in ("Vreedebeek", "'s-Hertogenbosch", "a''b", "--; DROP TABLE x"):
        assert con.execute(f"SELECT {sql_text(text)}").fetchone() == (text,)


def test_trend_wording_has_one_home() -> None:
    assert change_since(1.24, "percent_1", 2022) == "↑ +1,2 procentpunt sinds 2022"
    assert change_since(-0.5, "number_1", 2019) == "↓ −0,5 sinds 2019"
    assert change_since(0.0, "percent_1", 2020) == "→ gelijk gebleven sinds 2020"


def test_gemeente_of_a_code_is_one_rule_for_strings_and_frames() -> None:
    import polars as pl

    samples = ["BU01970101", "WK019701", "GM0197", "NL00", "BU0363AA01", "WK0363AA", "PV25"]
    frame = pl.DataFrame({"code": samples}).select(codes.gemeente_expr("code"))
    assert frame.to_series().to_list() == [codes.gemeente_of(c) for c in samples] == [
        "GM0197", "GM0197", "GM0197", None, "GM0363", "GM0363", None]
