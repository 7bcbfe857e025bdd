"""The demo region: two fictional gemeenten written in the exact formats CBS and RIVM publish.

Deterministic (fixed seed), so the committed files under ``data/demo/`` can be regenerated and
compared byte for byte (``wijkdata demo-data --check``). The figures are invented; the layout
and quirks are real: ``;`` separators, ``.`` for secret values, decimal commas in the distance
columns, StatLine's space-padded codes, counts rounded to multiples of 5.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from .demo_places import EMPTY_BUURT, GEMEENTEN, SPLIT_BUURT, SPLIT_INTO, geojson

SEED = 20261123

TINY_BUURT = "BU99010302"  # 15 inhabitants: CBS publishes '.' for most figures


def _r5(x: float) -> int:
    return int(round(x / 5.0)) * 5


def _fmt(x: float | int | None, comma: bool = False) -> str:
    if x is None:
        return "."
    if isinstance(x, int):
        return str(x)
    text = f"{x:.1f}"
    return text.replace(".", ",") if comma else text


KWB_COLUMNS = [
    "gwb_code_10", "regio", "gm_naam", "recs", "a_inw", "a_man", "a_vrouw", "a_00_14", "a_15_24",
    "a_25_44", "a_45_64", "a_65_oo", "a_ongeh", "a_gehuwd", "a_gesch", "a_verwed", "a_nl_all",
    "a_eur_al", "a_neu_al", "a_hh", "a_1p_hh", "a_hh_z_k", "a_hh_m_k", "g_hhgro", "bev_dich",
    "a_woning", "g_wozbag", "p_koopw", "g_ink_pi", "p_ink_li", "p_hh_li", "a_soz_wb", "a_soz_ao",
    "a_soz_ww", "a_soz_ow", "p_jz_tn", "a_wmo_t", "g_afs_hp", "g_afs_gs", "g_afs_kv", "g_afs_sc",
    "g_pau_hh", "ste_mvs", "ste_oad", "p_wmo_t",
]
COUNT_COLUMNS = ["a_inw", "a_man", "a_vrouw", "a_00_14", "a_15_24", "a_25_44", "a_45_64",
                 "a_65_oo", "a_ongeh", "a_gehuwd", "a_gesch", "a_verwed", "a_nl_all", "a_eur_al",
                 "a_neu_al", "a_hh", "a_1p_hh", "a_hh_z_k", "a_hh_m_k", "a_woning", "a_soz_wb",
                 "a_soz_ao", "a_soz_ww", "a_soz_ow", "a_wmo_t"]
MEAN_COLUMNS = {"g_hhgro": "a_hh", "bev_dich": None, "g_wozbag": "a_woning", "p_koopw": "a_woning",
                "g_ink_pi": "a_inw", "p_ink_li": "a_inw", "p_hh_li": "a_hh", "p_jz_tn": "a_inw",
                "g_afs_hp": "a_inw", "g_afs_gs": "a_inw", "g_afs_kv": "a_inw", "g_afs_sc": "a_inw",
                "g_pau_hh": "a_hh", "ste_mvs": None, "ste_oad": "a_inw"}
COMMA_COLUMNS = {"g_afs_hp", "g_afs_gs", "g_afs_kv", "g_afs_sc", "g_pau_hh"}

GGD_MEASURES = [
    ("ErvarenGezondheidGoedZeerGoed_4", 76.0), ("VoldoetAanBeweegrichtlijn_5", 50.0),
    ("WekelijkseSporters_6", 52.0), ("Overgewicht_9", 50.0), ("ErnstigOvergewicht_10", 15.0),
    ("Roker_11", 17.0), ("ZwareDrinker_14", 8.5), ("EenOfMeerLangdurigeAandoeningen_16", 34.0),
    ("BeperktVanwegeGezondheid_17", 29.0), ("EenOfMeerLichamelijkeBeperkingen_20", 12.0),
    ("MatigHoogRisicoOpAngstOfDepressie_24", 46.0), ("MatigVeelRegieOverEigenLeven_27", 91.0),
    ("Eenzaam_28", 45.0), ("ErnstigZeerErnstigEenzaam_29", 12.0), ("Mantelzorger_32", 14.0),
    ("Vrijwilligerswerk_33", 30.0), ("ErnstigeGeluidhinderDoorBuren_37", 9.0),
    ("MoeiteMetRondkomen_38", 16.0),
]


def _buurt_rows(rng: random.Random, year_shift: float) -> list[dict[str, Any]]:
    rows = []
    for gm, gm_name, wijken in GEMEENTEN:
        for wk, _wk_name, buurten in wijken:
            for bu, bu_name, inw in buurten:
                code = f"BU{gm}{wk}{bu}"
                n = inw * (1 + year_shift)
                old = rng.uniform(0.12, 0.34) + year_shift
                kids = rng.uniform(0.10, 0.22)
                young = rng.uniform(0.09, 0.14)
                mid = rng.uniform(0.20, 0.28)
                hh = n / rng.uniform(1.9, 2.7)
                one = rng.uniform(0.22, 0.50)
                withk = rng.uniform(0.22, 0.38)
                row: dict[str, Any] = {
                    "code": code, "name": bu_name, "gm": gm, "gm_name": gm_name,
                    "a_inw": n, "a_man": n * 0.495, "a_vrouw": n * 0.505, "a_00_14": n * kids,
                    "a_15_24": n * young, "a_25_44": n * mid,
                    "a_45_64": n * (1 - kids - young - mid - old), "a_65_oo": n * old,
                    "a_ongeh": n * 0.45, "a_gehuwd": n * 0.41, "a_gesch": n * 0.07,
                    "a_verwed": n * 0.07, "a_nl_all": n * rng.uniform(0.72, 0.93),
                    "a_eur_al": n * rng.uniform(0.04, 0.09),
                    "a_neu_al": n * rng.uniform(0.02, 0.16), "a_hh": hh, "a_1p_hh": hh * one,
                    "a_hh_z_k": hh * (1 - one - withk), "a_hh_m_k": hh * withk,
                    "a_woning": hh * 1.03, "a_soz_wb": n * rng.uniform(0.005, 0.045),
                    "a_soz_ao": n * rng.uniform(0.03, 0.07),
                    "a_soz_ww": n * rng.uniform(0.005, 0.015),
                    "a_soz_ow": n * old * 0.97, "a_wmo_t": n * rng.uniform(0.04, 0.11),
                    "g_hhgro": n / hh, "bev_dich": rng.uniform(80, 5200),
                    "g_wozbag": rng.uniform(210, 480), "p_koopw": rng.uniform(35, 88),
                    "g_ink_pi": rng.uniform(24, 38), "p_ink_li": rng.uniform(30, 52),
                    "p_hh_li": rng.uniform(28, 50), "p_jz_tn": rng.uniform(6, 14),
                    "g_afs_hp": rng.uniform(0.3, 4.5), "g_afs_gs": rng.uniform(0.3, 4.0),
                    "g_afs_kv": rng.uniform(0.2, 3.0), "g_afs_sc": rng.uniform(0.2, 2.8),
                    "g_pau_hh": rng.uniform(0.8, 1.6), "ste_mvs": rng.randint(2, 5),
                    "ste_oad": rng.uniform(150, 2600),
                }
                for measure, base in GGD_MEASURES:
                    row[measure] = min(97.0, max(1.0, base * rng.uniform(0.8, 1.2)
                                                 * (1 + year_shift)))
                rows.append(row)
    return rows


def _aggregate(rows: list[dict[str, Any]], code: str, name: str, gm_name: str) -> dict:
    out: dict[str, Any] = {"code": code, "name": name, "gm_name": gm_name}
    for col in COUNT_COLUMNS:
        out[col] = sum(float(r[col]) for r in rows)
    for col, weight in MEAN_COLUMNS.items():
        w = [float(r[weight or "a_inw"]) for r in rows]
        out[col] = sum(float(r[col]) * x for r, x in zip(rows, w, strict=True)) / sum(w)
    for measure, _ in GGD_MEASURES:
        w = [float(r["a_inw"]) for r in rows]
        out[measure] = sum(float(r[measure]) * x for r, x in zip(rows, w, strict=True)) / sum(w)
    return out


# Issue 20: one buurt where bijstand is high AND rose clearly between the two KWB years, so the
# demo shows an "ongunstig en verslechterd" flag (Esveld-Dorp, part of village Esveld): from 40
# to 75 per 1,000 inhabitants (2022: shift -0.02, 2023: shift 0). Set after all random draws,
# so every other figure of the demo stays as it was.
WORSENING_BUURT = "BU99010200"


def _worse_and_worsening(buurten: list[dict[str, Any]], year_shift: float) -> None:
    for row in buurten:
        if row["code"] == WORSENING_BUURT:
            row["a_soz_wb"] = float(row["a_inw"]) * (0.075 + 1.75 * year_shift)


def _all_rows(rng: random.Random, year_shift: float) -> list[dict]:
    buurten = _buurt_rows(rng, year_shift)
    _worse_and_worsening(buurten, year_shift)
    out = []
    nl = _aggregate(buurten, "NL00", "Nederland", "Nederland")
    # The country is not the sum of two small gemeenten: give it its own level.
    for col in COUNT_COLUMNS:
        nl[col] = float(nl[col]) * 600
    nl["ErvarenGezondheidGoedZeerGoed_4"] = 78.4 + year_shift * 10
    nl["Eenzaam_28"] = 47.0
    out.append(nl)
    for gm, gm_name, wijken in GEMEENTEN:
        gm_rows = [b for b in buurten if b["gm"] == gm]
        out.append(_aggregate(gm_rows, f"GM{gm}", gm_name, gm_name))
        for wk, wk_name, _ in wijken:
            wk_rows = [b for b in gm_rows if str(b["code"]).startswith(f"BU{gm}{wk}")]
            out.append(_aggregate(wk_rows, f"WK{gm}{wk}", f"Wijk {wk} {wk_name}", gm_name))
            out.extend(wk_rows)
    return out


def kwb_csv(year_shift: float = 0.0) -> str:
    rng = random.Random(SEED)
    lines = [";".join(KWB_COLUMNS)]
    for r in _all_rows(rng, year_shift):
        code = str(r["code"])
        recs = {"NL": "Land", "GM": "Gemeente", "WK": "Wijk", "BU": "Buurt"}[code[:2]]
        secret = code == TINY_BUURT
        cells = []
        for col in KWB_COLUMNS:
            if col == "gwb_code_10":
                # Some CBS exports pad codes; the demo pads the wijk codes to show it is handled.
                cells.append(code.ljust(10) if code.startswith("WK") else code)
            elif col == "regio":
                cells.append(str(r["name"]))
            elif col == "gm_naam":
                cells.append(str(r["gm_name"]))
            elif col == "recs":
                cells.append(recs)
            elif col == "p_wmo_t":
                # CBS computes the published rate from unrounded counts: it differs a little
                # from a_wmo_t / a_inw of the rounded counts in the same file.
                cells.append("." if secret else _fmt(float(r["a_wmo_t"]) / float(r["a_inw"])
                                                     * 1000))
            elif col in COUNT_COLUMNS:
                value = _r5(float(r[col]))
                keep = col in ("a_inw", "a_man", "a_vrouw", "a_hh", "a_woning")
                cells.append("." if secret and not keep else str(value))
            else:
                v = r[col]
                if secret or (code[:2] == "BU" and col in ("g_ink_pi", "p_hh_li")
                              and float(r["a_inw"]) < 500):
                    cells.append(".")
                elif col == "ste_mvs":
                    cells.append(str(round(float(v))))
                else:
                    cells.append(_fmt(float(v), comma=col in COMMA_COLUMNS))
        lines.append(";".join(cells))
    lines = _with_issue13_buurten(lines, year_shift)
    return "\n".join(lines) + "\n"


def _with_issue13_buurten(lines: list[str], year_shift: float) -> list[str]:
    header = lines[0].split(";")
    out = list(lines)
    if year_shift == 0.0:  # the newest year: Oosterveld is split
        i = next(k for k, line in enumerate(out) if line.startswith(SPLIT_BUURT + ";"))
        old = dict(zip(header, out[i].split(";"), strict=True))
        rows = []
        for code, name, share in SPLIT_INTO:
            cells = []
            for col in header:
                v = old[col]
                if col == "gwb_code_10":
                    v = code
                elif col == "regio":
                    v = name
                elif col in COUNT_COLUMNS and v != ".":
                    v = str(_r5(float(v) * share))
                cells.append(v)
            rows.append(";".join(cells))
        out[i:i + 1] = rows
    empty = []
    for col in header:
        if col == "gwb_code_10":
            empty.append(EMPTY_BUURT[0])
        elif col == "regio":
            empty.append(EMPTY_BUURT[1])
        elif col == "gm_naam":
            empty.append(EMPTY_BUURT[2])
        elif col == "recs":
            empty.append("Buurt")
        elif col in ("a_inw", "a_man", "a_vrouw", "a_hh", "a_woning"):
            empty.append("0")
        else:
            empty.append(".")
    # after the last buurt of wijk 03 of Vreedebeek, where CBS would list it
    j = max(k for k, line in enumerate(out) if line.startswith("BU990103"))
    out.insert(j + 1, ";".join(empty))
    return out


# The 65+ table (Leeftijd 80200) of 2020 with two measures: a 65+ figure per buurt that is
# not the 18+ one, so weighting by 65-plussers and by all inhabitants gives different results.
GGD_65PLUS_MEASURES = [("ErvarenGezondheidGoedZeerGoed_4", 68.0), ("Eenzaam_28", 50.0)]
AGE_CODE = {"18+": "20300", "65+": "80200"}


def ggd_csv(year: int, year_shift: float, age: str = "18+") -> str:
    measures = GGD_MEASURES if age == "18+" else GGD_65PLUS_MEASURES
    age_code = AGE_CODE[age]
    rng = random.Random(SEED + year + (0 if age == "18+" else 6500))
    header = ["ID", "Leeftijd", "Marges", "WijkenEnBuurten", "Perioden", "Gemeentenaam_1",
              "SoortRegio_2", "Codering_3"] + [m for m, _ in measures]
    lines = [";".join(header)]
    for i, r in enumerate(_all_rows(rng, year_shift)):
        code = str(r["code"])
        land = code == "NL00"
        stat_code = "NL01" if land else code  # RIVM calls the country NL01
        soort = {"NL": "Land", "GM": "Gemeente", "WK": "Wijk", "BU": "Buurt"}[code[:2]]
        cells = [str(i), age_code, "MW00000", stat_code.ljust(10), f"{year}JJ00",
                 str(r["gm_name"]).ljust(40), soort.ljust(10), stat_code.ljust(20)]
        for measure, _ in measures:
            if code == TINY_BUURT:
                cells.append("       .")
            elif year == 2016 and measure == "BeperktVanwegeGezondheid_17":
                cells.append("")  # not asked that year: empty, not '.'
            else:
                cells.append(f"{float(r[measure]):8.1f}")
        lines.append(";".join(cells))
        if code == "BU99010302":  # the estate without inhabitants: RIVM publishes '.'
            lines.append(";".join([f"{i}b", age_code, "MW00000", EMPTY_BUURT[0].ljust(10),
                                   f"{year}JJ00", EMPTY_BUURT[2].ljust(40), "Buurt".ljust(10),
                                   EMPTY_BUURT[0].ljust(20)]
                                  + ["       ."] * len(measures)))
    return "\n".join(lines) + "\n"


# A partner's non-public registration (issue 16): the demo's one ``disclosure: strict`` source.
# Exact counts (no rounding to 5) per buurt, with wijk and gemeente rows that are their sums,
# as a huisartsenzorggroep would deliver them. Some buurten are small on purpose: Sportpark has
# no patient with diabetes (a zero cell), Holterhoek-Noord 4 and De Venne 1, so the profiles
# show both primary and complementary suppression.
HUISARTS_SMALL = {"BU99010103": 0, "BU99010203": 4, "BU99010302": 1}


def huisarts_csv() -> str:
    """Patients registered with a huisarts and those with diabetes, per buurt, wijk, gemeente."""
    rng = random.Random(SEED + 16)
    counts: dict[str, tuple[int, int]] = {}
    for gm, _gm_name, wijken in GEMEENTEN:
        for wk, _wk_name, buurten in wijken:
            for bu, _bu_name, inw in buurten:
                code = f"BU{gm}{wk}{bu}"
                patients = int(inw * rng.uniform(0.93, 0.99))
                diabetes = HUISARTS_SMALL.get(code, round(patients * rng.uniform(0.05, 0.09)))
                counts[code] = (patients, diabetes)
    for prefix_len, level in ((8, "WK"), (6, "GM")):
        for code, pair in list(counts.items()):
            if not code.startswith("BU"):
                continue
            parent = level + code[2:prefix_len]
            have = counts.get(parent, (0, 0))
            counts[parent] = (have[0] + pair[0], have[1] + pair[1])
    lines = ["gebiedscode;ingeschreven_patienten;patienten_met_diabetes"]
    lines += [f"{code};{p};{d}" for code, (p, d) in sorted(counts.items())]
    return "\n".join(lines) + "\n"


def files() -> dict[str, str]:
    return {
        "kwb_2023_demo.csv": kwb_csv(0.0),
        "kwb_2022_demo.csv": kwb_csv(-0.02),
        "ggd_monitor_2020_demo.csv": ggd_csv(2020, 0.0),
        "ggd_monitor_2016_demo.csv": ggd_csv(2016, -0.03),
        "ggd_monitor_2020_65plus_demo.csv": ggd_csv(2020, 0.0, "65+"),
        "wijken_demo.geojson": geojson("wijk"),
        "buurten_demo.geojson": geojson("buurt"),
        "huisarts_diabetes_2023_demo.csv": huisarts_csv(),
    }


def write(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in files().items():
        path = out / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def differences(out: Path) -> list[str]:
    """Names of committed demo files that differ from what the generator makes."""
    return [n for n, t in files().items()
            if not (out / n).exists() or (out / n).read_text(encoding="utf-8") != t]
