"""``wijkdata prepare`` and ``wijkdata assemble``: a build split over machines (shards.py).

    wijkdata prepare  --regio nederland                     # ingest + indicators, once
    wijkdata build    --regio nederland --shard 1/4         # on each of 4 runners
    wijkdata assemble --regio nederland reports/nederland-shard-*
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from wijkdata.cli.app import Regio, _shown, app, checked_levels, handled, say
from wijkdata.core.config import load_region


@app.command()
@handled
def prepare(
    regio: Regio,
    data_dir: Annotated[Path | None, typer.Option(help="Folder with the raw data files.")] = None,
    level: Annotated[list[str] | None, typer.Option(
        "--level", help="The levels the shards will profile (wijk, buurt, gemeente), as "
        "'wijkdata build --shard k/n --level' will be given them.")] = None,
) -> None:
    """Ingest the sources and compute the indicators once, into data/processed/<regio>.duckdb,
    for 'wijkdata build --shard k/n' on several machines. Skips what is unchanged.

    Example:

      wijkdata prepare --regio nederland --data-dir ../shared/data

      wijkdata prepare --regio nederland --level buurt   # buurt shards
    """
    from wijkdata.pipeline.build import BuildOptions
    from wijkdata.pipeline.build import prepare as run_prepare

    region = load_region(regio)
    t0 = time.perf_counter()
    result = run_prepare(region, BuildOptions(data_dir=data_dir, levels=checked_levels(level)),
                         say)
    say(f"prepared {region.slug} in {time.perf_counter() - t0:.1f} s -> "
        f"{_shown(result.db_path)}")


@app.command()
@handled
def assemble(
    regio: Regio,
    shards: Annotated[list[Path], typer.Argument(
        help="The shard folders made by 'wijkdata build --shard k/n'.", show_default=False,
        metavar="SHARD_FOLDER...")],
    out: Annotated[Path | None,
                   typer.Option(help="Output folder (default reports/<regio>).")] = None,
) -> None:
    """Join shard folders into the region's reports: checks that every area is there exactly
    once, writes the overview and publishes everything at once (exit 1 naming the missing or
    duplicate areas otherwise).

    Example:

      wijkdata assemble --regio nederland reports/nederland-shard-*
    """
    from wijkdata.pipeline.build import BuildOptions
    from wijkdata.pipeline.shards import assemble as run_assemble

    region = load_region(regio)
    t0 = time.perf_counter()
    result = run_assemble(region, list(shards), BuildOptions(out_dir=out), say)
    say(f"assembled {len(result.profiles)} profiles from {len(shards)} shards in "
        f"{time.perf_counter() - t0:.1f} s -> {_shown(result.out_dir)}/index.html")
