"""CBS region codes: normalise, classify and derive the buurt → wijk → gemeente hierarchy.

Codes stay codes: ``GM0197``, ``WK019701``, ``BU01970101``. StatLine pads them with spaces to a
fixed width and RIVM calls the country ``NL01`` where KWB says ``NL00``; both are normalised here
and nowhere else.
"""

from __future__ import annotations

import re

import polars as pl

LAND = "NL00"
REGIO = "REGIO"
LEVELS = ("land", "regio", "gemeente", "wijk", "buurt", "custom")

# The one home of every area-code pattern (config, readers, recipients files use these).
# Amsterdam codes its wijken and buurten with letters since 2022 (WK0363AA, BU0363AA01).
_GEMEENTE = r"GM\d{4}"
_WIJK = r"WK\d{4}[0-9A-Z]{2}"
_BUURT = r"BU\d{4}[0-9A-Z]{4}"
_CUSTOM = r"[A-Z][A-Z0-9_]{1,39}"  # a config's own areas: dorpen, clusters (DORP_ESVELD)
GEMEENTE_RE = re.compile(f"^{_GEMEENTE}$")
WIJK_RE = re.compile(f"^{_WIJK}$")
BUURT_RE = re.compile(f"^{_BUURT}$")
CUSTOM_RE = re.compile(f"^{_CUSTOM}$")
# A GGD-regio (GG1413) or another grouping of gemeenten in CBS "Gebieden in Nederland".
REGIO_CODE_RE = re.compile(r"^[A-Z]{2}\d{2,4}$")
CODE_RE = re.compile(f"^(NL0[01]|{_GEMEENTE}|{_WIJK}|{_BUURT})$")  # a CBS area code
PROFILE_CODE_RE = re.compile(f"^({_GEMEENTE}|{_WIJK}|{_BUURT}|{_CUSTOM})$")  # any profiled area
_PREFIX_LEVEL = {"NL": "land", "GM": "gemeente", "WK": "wijk", "BU": "buurt"}


def normalise(code: str) -> str:
    code = code.strip().upper()
    return LAND if code in ("NL01", "NL00", "NL") else code


def level_of(code: str) -> str | None:
    return _PREFIX_LEVEL.get(code[:2]) if CODE_RE.match(code) else None


def gemeente_of(code: str) -> str | None:
    if code[:2] in ("WK", "BU") and CODE_RE.match(code):
        return "GM" + code[2:6]
    return code if code.startswith("GM") else None


def wijk_of(code: str) -> str | None:
    return "WK" + code[2:8] if code.startswith("BU") and CODE_RE.match(code) else None


def gemeente_expr(col: str) -> pl.Expr:
    """Vectorised :func:`gemeente_of` (by prefix; the readers have checked the codes)."""
    code = pl.col(col)
    pre = code.str.slice(0, 2)
    return (pl.when(pre.is_in(["BU", "WK"])).then(pl.lit("GM") + code.str.slice(2, 4))
            .when(pre == "GM").then(code).otherwise(None))


def normalise_expr(col: str) -> pl.Expr:
    """Vectorised :func:`normalise` for a polars string column."""
    s = pl.col(col).cast(pl.String).str.strip_chars().str.to_uppercase()
    return pl.when(s.is_in(["NL01", "NL"])).then(pl.lit(LAND)).otherwise(s)


def in_gemeenten_expr(code: pl.Expr, gemeenten: list[str]) -> pl.Expr:
    """Whether ``code`` (a normalised code) is Nederland or an area of one of ``gemeenten``."""
    gm = pl.when(code.str.starts_with("GM")).then(code).otherwise(
        pl.lit("GM") + code.str.slice(2, 4))
    return (code == LAND) | gm.is_in(gemeenten)


def hierarchy(codes: pl.Series) -> pl.DataFrame:
    """code, level, parent_code, gemeente_code for every valid code in ``codes``."""
    df = pl.DataFrame({"code": codes.unique().sort()})
    pre = pl.col("code").str.slice(0, 2)
    return df.with_columns(
        level=pre.replace_strict(_PREFIX_LEVEL, default=None),
        parent_code=pl.when(pre == "BU")
        .then(pl.lit("WK") + pl.col("code").str.slice(2, 6))
        .when(pre == "WK")
        .then(pl.lit("GM") + pl.col("code").str.slice(2, 4))
        .when(pre == "GM")
        .then(pl.lit(LAND))
        .otherwise(None),
        gemeente_code=gemeente_expr("code"),
    )
