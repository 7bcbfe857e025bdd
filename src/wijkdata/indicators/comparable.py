"""Comparable areas ("vergelijkbare wijken"): groups of structurally similar areas and their values.

As Public Health England's nearest-neighbour groups do for local authorities: every wijk, buurt
and custom area gets the ``k`` most similar areas of its level, measured on structural
characteristics (urbanity, age structure, household composition, income; the config's
``comparable.characteristics``, indicator ids) with :mod:`wijkdata.neighbours`. A village or
cluster is matched with wijken (it is a set of buurten of about a wijk's size), never with a
wijk it overlaps. The candidates are the areas of that level in the loaded data of the newest
CBS indeling: the whole country in the national build, the region's own areas in a regional
build.

Tables written (read by the comparisons and the report):

* ``comparable_area``: area_code, rank (1 = nearest), neighbour_code, distance;
* ``comparable_characteristic``: level, indicator_id, mean, sd, n (the standardisation used);
* ``comparable_value``: area_code, indicator_id, year, members, value — the group's own figure:
  counts pooled (sum of numerators over sum of denominators) for proportions and rates, a
  weighted mean (the indicator's weight, as for villages) for published figures, the mean for
  counts. Only members with a published value count; with fewer than half the group the
  value is left out rather than resting on a few areas.
"""

from __future__ import annotations

import math
from pathlib import Path

import duckdb
import numpy as np
import polars as pl

from wijkdata.core import tables
from wijkdata.core.config import RegionConfig
from wijkdata.core.db import current_areas, frame, write_table
from wijkdata.core.errors import ConfigError

from . import neighbours
from .definitions import Indicator

COMPARATOR = "vergelijkbaar"
GROUP_PREFIX = "VG:"  # comparator_code of an area's group: VG:<area code>
# Subject level -> the level its comparable areas are drawn from.
POOL_LEVEL = {"wijk": "wijk", "buurt": "buurt", "custom": "wijk"}

NEIGHBOUR_SCHEMA = tables.COMPARABLE_AREA
CHARACTERISTIC_SCHEMA = tables.COMPARABLE_CHARACTERISTIC


def characteristics(cfg: RegionConfig, indicators: list[Indicator],
                    config_path: Path | None = None) -> list[str]:
    """The configured characteristics; each must be one of the region's indicators."""
    known = {i.id for i in indicators}
    wanted = list(cfg.comparable.characteristics)
    missing = [c for c in wanted if c not in known]
    if missing:
        where = f"{config_path}: " if config_path else ""
        raise ConfigError(f"{where}comparable.characteristics: '{missing[0]}' is not one of the "
                          "region's indicators",
                          hint="use indicator ids ('wijkdata indicators'); add the indicator "
                               "to 'indicators:' if the config selects a subset")
    return wanted


def latest_wide(con: duckdb.DuckDBPyConnection, chars: list[str]) -> pl.DataFrame:
    """One row per wijk, buurt and custom area: its level and each characteristic's latest value."""
    long = frame(con, """
        SELECT v.area_code, a.level, v.indicator_id, arg_max(v.value, v.year) AS value
        FROM ind_value v JOIN area a ON a.code = v.area_code
        WHERE v.value IS NOT NULL AND a.level IN ('wijk', 'buurt', 'custom')
          AND list_contains(?, v.indicator_id)
        GROUP BY ALL""", [chars])
    if long.height == 0:
        return pl.DataFrame(schema={"area_code": pl.String, "level": pl.String,
                                    **{c: pl.Float64 for c in chars}})
    wide = long.pivot(on="indicator_id", index=["area_code", "level"], values="value")
    for c in chars:
        if c not in wide.columns:
            wide = wide.with_columns(pl.lit(None, pl.Float64).alias(c))
    return wide.select("area_code", "level", *chars).sort("area_code")


def find_groups(wide: pl.DataFrame, chars: list[str], k: int, current: set[str] | None,
                members: dict[str, list[str]], levels: tuple[str, ...] = ("wijk", "buurt")
                ) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The neighbour rows and the standardisation per pool level (see the module docstring).

    ``levels``: the levels that are profiled (custom areas always draw from the wijken); a
    national wijk build never pays for the 14,000 x 14,000 buurt distances.
    """
    rows: list[tuple[str, int, str, float]] = []
    stats: list[tuple[str, str, float, float, int]] = []
    for level in ("wijk", "buurt"):
        if level not in levels and not (level == "wijk" and members):
            continue
        pool = wide.filter((pl.col("level") == level) & (
            pl.col("area_code").is_in(list(current)) if current is not None else pl.lit(True)))
        subjects = pool.vstack(wide.filter(pl.col("level") == "custom")) if level == "wijk" \
            else pool
        if pool.height < 2:
            continue
        x_pool = pool.select(chars).to_numpy().astype(np.float64)
        mean, sd = neighbours.standardise(x_pool)
        used = [c for c, s in zip(chars, sd, strict=True) if not np.isnan(s)]
        if not used:
            continue
        for c, m, s in zip(chars, mean, sd, strict=True):
            if not np.isnan(s):
                n = int(pool[c].is_not_null().sum())
                stats.append((level, c, float(m), float(s), n))
        z_pool = neighbours.zscores(x_pool, mean, sd)
        z_subj = neighbours.zscores(subjects.select(chars).to_numpy().astype(np.float64),
                                    mean, sd)
        codes = pool["area_code"].to_list()
        index = {c: i for i, c in enumerate(codes)}
        exclude = []
        for code in subjects["area_code"].to_list():
            skip = [index[code]] if code in index else []
            # A village is never compared with a wijk that holds one of its buurten.
            skip += [index[w] for w in {"WK" + b[2:8] for b in members.get(code, [])}
                     if w in index]
            exclude.append(skip)
        found = neighbours.nearest(z_subj, z_pool, k, math.ceil(len(used) / 2), exclude)
        for code, group in zip(subjects["area_code"].to_list(), found, strict=True):
            rows += [(code, r, codes[i], d) for r, (i, d) in enumerate(group, start=1)]
    area, rank, neighbour, dist = zip(*rows, strict=True) if rows else ((), (), (), ())
    groups = pl.DataFrame({"area_code": area, "rank": rank, "neighbour_code": neighbour,
                           "distance": dist}, schema=NEIGHBOUR_SCHEMA)
    lv, ind, mn, sds, ns = zip(*stats, strict=True) if stats else ((), (), (), (), ())
    standard = pl.DataFrame({"level": lv, "indicator_id": ind, "mean": mn, "sd": sds, "n": ns},
                            schema=CHARACTERISTIC_SCHEMA)
    return groups, standard


VALUE_SCHEMA = tables.COMPARABLE_VALUE


def group_values(con: duckdb.DuckDBPyConnection, indicators: list[Indicator],
                 groups: pl.DataFrame, k: int) -> pl.DataFrame:
    """``comparable_value``: every area's group figure per indicator and year (numpy).

    The members' figures are gathered into (areas x k) arrays and summed along the rows, in
    rank order, so the sums are the same bits every run. (The same as one SQL statement with
    ordered list sums took 13 s nationally; this takes well under a second.)
    """
    if groups.height == 0 or not indicators:
        return pl.DataFrame(schema=VALUE_SCHEMA)
    con.register("_wd_groups", groups.to_arrow())
    try:
        vals = frame(con, "SELECT indicator_id, area_code, year, numerator, denominator, value "
                     "FROM ind_value WHERE status = 'ok' AND value IS NOT NULL AND area_code IN "
                     "(SELECT neighbour_code FROM _wd_groups)")
    finally:
        con.unregister("_wd_groups")
    subjects = sorted(set(groups["area_code"].to_list()))
    members = sorted(set(groups["neighbour_code"].to_list()))
    row = {c: i for i, c in enumerate(subjects)}
    col = {c: i for i, c in enumerate(members)}
    width = int(groups["rank"].cast(pl.Int64).max() or 0)  # type: ignore[arg-type]
    # idx[i, r]: the member at rank r + 1 of subject i; len(members) points at a NaN sentinel.
    idx = np.full((len(subjects), width), len(members), dtype=np.int64)
    for a, r, n in groups.select("area_code", "rank", "neighbour_code").iter_rows():
        idx[row[a], r - 1] = col[n]
    size = (idx < len(members)).sum(axis=1)
    need = np.minimum(size, k)
    spec = {i.id: i for i in indicators}
    out = []
    for (ind_id, year), part in vals.partition_by("indicator_id", "year", as_dict=True).items():
        ind = spec.get(str(ind_id))
        if ind is None:
            continue
        at = np.array([col[c] for c in part["area_code"].to_list()], dtype=np.int64)
        arrays = []
        for name in ("numerator", "denominator", "value"):
            a = np.full(len(members) + 1, np.nan)
            a[at] = part[name].to_numpy().astype(np.float64)
            arrays.append(a[idx])
        num, den, val = arrays
        stat = ind.stat
        present = ~np.isnan(val) & (not stat.has_base() or ~np.isnan(den))
        n = present.sum(axis=1)
        # Pooled counts for proportions and rates, weighted published figures, mean counts:
        # each statistic's group_value (statistics/).
        value = stat.group_value(ind, num, den, val, present)
        # Fewer than half the group with a figure: no group value (it would rest on a few).
        value = np.where(n * 2 < need, np.nan, value)
        keep = n > 0
        out.append(pl.DataFrame({
            "area_code": np.array(subjects, dtype=object)[keep].tolist(),
            "indicator_id": str(ind_id), "year": int(str(year)), "members": n[keep],
            "value": value[keep]}, schema=VALUE_SCHEMA))
    if not out:
        return pl.DataFrame(schema=VALUE_SCHEMA)
    return (pl.concat(out).with_columns(pl.col("value").fill_nan(None))
            .sort("area_code", "indicator_id", "year"))


def write(con: duckdb.DuckDBPyConnection, indicators: list[Indicator],
          cfg: RegionConfig, levels: tuple[str, ...] | None = None) -> None:
    """Write the three tables; empty ones when the config does not use the comparator.
    Groups are found for the wijken and buurten among ``levels`` (default: the config's)."""
    chars = characteristics(cfg, indicators) if COMPARATOR in cfg.comparators else []
    if chars:
        members: dict[str, list[str]] = {}
        for custom, buurt in con.execute(
                "SELECT custom_code, buurt_code FROM custom_area_member").fetchall():
            members.setdefault(custom, []).append(buurt)
        groups, standard = find_groups(latest_wide(con, chars), chars, cfg.comparable.k,
                                       current_areas(con), members,
                                       levels or tuple(cfg.areas.levels))
    else:
        groups = pl.DataFrame(schema=NEIGHBOUR_SCHEMA)
        standard = pl.DataFrame(schema=CHARACTERISTIC_SCHEMA)
    write_table(con, "comparable_area", groups)
    write_table(con, "comparable_characteristic", standard)
    write_table(con, "comparable_value", group_values(con, indicators, groups,
                                                      cfg.comparable.k))
