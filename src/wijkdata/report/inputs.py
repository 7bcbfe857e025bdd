"""What every renderer of a region loads besides the report context: database, indicators, logo.

The build, the session kit, the render workers and ``wijkdata mail`` all need these, so they
live below all of them (they used to sit in ``build.py``, which made the kit, the mailer and the
render pool import the build).
"""

from __future__ import annotations

from pathlib import Path

from wijkdata.core.config import Region
from wijkdata.core.db import frame
from wijkdata.core.errors import ConfigError, DataError
from wijkdata.indicators import comparable
from wijkdata.indicators.definitions import Indicator, load_all, select
from wijkdata.report.logo import embed as embed_logo


def db_path_for(region: Region) -> Path:
    return region.project / "data" / "processed" / f"{region.slug}.duckdb"


def load_indicators(region: Region) -> list[Indicator]:
    chosen = select(load_all(region.project / "indicators"), list(region.config.indicators),
                    region.path)
    if comparable.COMPARATOR in region.config.comparators:
        # Checked before ingest, so a typo costs no time and names the config file.
        comparable.characteristics(region.config, chosen, region.path)
    ids = {i.id for i in chosen}
    cfg = region.config
    for key, wanted in (("key_figures", cfg.key_figures or []),
                        ("map_indicator", [cfg.map_indicator] if cfg.map_indicator else [])):
        unknown = [i for i in wanted if i not in ids]
        if unknown:
            raise ConfigError(f"{region.path}: {key}: '{unknown[0]}' is not one of the "
                              "region's indicators",
                              hint="'wijkdata indicators' lists the ids")
    return chosen


def logo_svg(region: Region) -> str:
    """The logo as an ``<img>`` with a data URL (see logo.py: never inline markup)."""
    path = region.logo_path()
    return "" if path is None else embed_logo(path, region.path)


def built_profile_count(region: Region) -> int | None:
    """Profiles in the region's last build; None when it was never built."""
    import duckdb

    from wijkdata.core.db import current_areas
    from wijkdata.core.tables import AreaRow, typed_rows

    from .area_selection import profile_codes

    path = db_path_for(region)
    if not path.exists():
        return None
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as exc:
        raise DataError(f"{path}: cannot open the database: {exc}") from None
    try:
        area = {r.code: r for r in typed_rows(frame(con, "SELECT * FROM area"), AreaRow)}
        current = current_areas(con)
    finally:
        con.close()
    return len(profile_codes(region, area, current=current))
