"""The regional comparator: either "all gemeenten of the config" or each gemeente's own regio.

By default the comparator ``regio`` is the config's gemeenten taken together (one area
``REGIO``). A national config instead names a ``region_lookup`` source in ``regio_lookup:``;
then every gemeente belongs to its GGD-regio (``GG1413`` ...), each regio becomes an area of
level ``regio`` and a wijk is compared with the regio of its gemeente. The members live in the
``regio_member`` table so compute aggregates all regios in the same set-based statement.
"""

from __future__ import annotations

import polars as pl

from wijkdata.core import codes, tables
from wijkdata.core.config import Region, RegionConfig
from wijkdata.core.db import sql_text
from wijkdata.core.errors import DataError

MEMBER_SCHEMA = tables.REGIO_MEMBER


def member_table(region: Region, lookups: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """regio_code, regio_name, gemeente_code for every regio that holds a configured gemeente.

    All gemeenten of such a regio are kept, also those outside the config: compute then marks
    that regio's figures 'incomplete' instead of passing a part of a regio off as the whole.
    """
    cfg = region.config
    if cfg.regio_lookup is None:
        return pl.DataFrame(schema=MEMBER_SCHEMA)
    table = lookups[cfg.regio_lookup]
    known = set(table["gemeente_code"].to_list())
    missing = [g for g in cfg.gemeenten if g not in known]
    if missing:
        raise DataError(
            f"{region.path}: gemeente {missing[0]} is not in the regio lookup "
            f"'{cfg.regio_lookup}' ({len(missing)} missing)",
            hint="use a lookup of the same year as the gemeentelijke indeling of the data",
        )
    used = (table.filter(pl.col("gemeente_code").is_in(cfg.gemeenten))["regio_code"]
            .unique().to_list())
    return (table.filter(pl.col("regio_code").is_in(used))
            .select("regio_code", "regio_name", "gemeente_code")
            .sort("regio_code", "gemeente_code"))


def with_regio_areas(region: Region, area: pl.DataFrame, members: pl.DataFrame) -> pl.DataFrame:
    """Replace the single ``REGIO`` area by one area per regio when a lookup is configured."""
    if region.config.regio_lookup is None:
        return area
    regios = (members.unique("regio_code").sort("regio_code")
              .select(pl.col("regio_code").alias("code"), pl.col("regio_name").alias("name"),
                      pl.lit("regio").alias("level"), pl.lit(codes.LAND).alias("parent_code"),
                      pl.lit(None, pl.String).alias("gemeente_code")))
    return pl.concat([area.filter(pl.col("code") != codes.REGIO),
                      regios.select(area.columns).cast(area.schema)])


def groups_sql(cfg: RegionConfig) -> str:
    """SQL rows (group_code, part) that make up the regional comparator(s)."""
    if cfg.regio_lookup is not None:
        return "SELECT regio_code, gemeente_code FROM regio_member"
    # Literal rows, not parameters: this SQL is a part of the statements of compute and
    # disclosure. The codes matched core.codes.GEMEENTE_RE when the config was loaded.
    gm = ", ".join(sql_text(g) for g in cfg.gemeenten)
    return f"SELECT {sql_text(codes.REGIO)}, unnest([{gm}])"
