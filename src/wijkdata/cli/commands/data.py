"""Data commands: ``wijkdata fetch`` (download), ``wijkdata check`` (validate), ``wijkdata
sources`` (provenance). They share ``--regio`` and ``--data-dir`` with ``build``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from wijkdata.cli.app import Regio, app, handled, say
from wijkdata.core.config import load_region

DataDir = Annotated[Path | None, typer.Option(help="Folder with the raw data files.")]


@app.command()
@handled
def fetch(
    regio: Regio,
    year: Annotated[int | None, typer.Option(help="Only the sources of this year.")] = None,
    data_dir: DataDir = None,
    timeout: Annotated[float, typer.Option(min=0.1, help="Seconds to wait for an answer.")]
    = 30.0,
    retries: Annotated[int, typer.Option(min=0, max=10,
                                         help="Retries per request (with back-off).")] = 3,
    max_mb: Annotated[float, typer.Option(min=0.001, help="Largest answer accepted, in MB.")]
    = 200.0,
) -> None:
    """Download what the region's config needs into its data folder (cached).

    Every source with a 'fetch:' block is downloaded from its publisher (CBS and RIVM through
    the OData API, boundaries from PDOK), filtered to the region's gemeenten, into
    <data_dir>/<publisher>/<table>/<regio>/<source>/ with a provenance.json. Base URLs: the
    public endpoints, or 'cbs_api:', 'rivm_api:', 'pdok_api:' in the config, or
    $WIJKDATA_CBS_API, $WIJKDATA_RIVM_API, $WIJKDATA_PDOK_API. A copy is reused unless the server
    says it changed; a broken download never replaces a good copy. --timeout is the deadline for
    one whole request (headers and body).

    Examples:

      wijkdata fetch --regio achterhoek

      WIJKDATA_CBS_API=http://mirror.local/odata wijkdata fetch --regio achterhoek --year 2020
    """
    from wijkdata.ingest.fetch import FetchFailed, fetch_region
    from wijkdata.ingest.fetch_http import Http

    region = load_region(regio)
    folder = region.data_dir(data_dir)
    http = Http(timeout=timeout, retries=retries, max_bytes=int(max_mb * 1e6))
    try:
        results = fetch_region(region, folder, year=year, http=http, progress=say)
    except FetchFailed as exc:
        _print_results(exc.results)
        raise
    _print_results(results)


def _print_results(results: list) -> None:
    for r in results:
        pages = f"{r.pages} page{'s' if r.pages != 1 else ''}"
        extra = f" ({pages}, {r.size} bytes)" if r.status == "downloaded" else ""
        note = f" — {'; '.join(r.notes)}" if r.notes else ""
        typer.echo(f"{r.source_id:<20} {r.status:<15} {r.target}{extra}{note}")


@app.command()
@handled
def check(
    regio: Regio,
    data_dir: DataDir = None,
    as_json: Annotated[bool, typer.Option(
        "--json", help="Print one JSON document; every error as a record "
        "(code, file, row, column, value, message, hint).")] = False,
) -> None:
    """Read every source and report rows, areas, missing values and every problem.

    Lists all bad cells and codes of a source, not only the first; exit 1 if any source has
    an error (a build would stop at it).

    Examples:

      wijkdata check --regio achterhoek --data-dir ../shared/data

      wijkdata check --regio demo --json
    """
    from wijkdata.ingest.check import as_json as to_json
    from wijkdata.ingest.check import report, run_check

    region = load_region(regio)
    checks, changes = run_check(region, region.data_dir(data_dir))
    if as_json:
        typer.echo(json.dumps(to_json(region, checks, changes), ensure_ascii=False, indent=2))
    else:
        for line in report(checks, changes):
            typer.echo(line)
    if any(c.errors for c in checks):
        raise typer.Exit(1)


@app.command()
@handled
def sources(regio: Regio, data_dir: DataDir = None) -> None:
    """List where the region's figures come from: file, sha256, publisher, table, year, licence.

    Reads the provenance recorded by the last build; before a build it lists the configured
    files and hashes them now.

    Example:

      wijkdata sources --regio demo
    """
    from wijkdata.ingest import provenance
    from wijkdata.ingest.datapaths import fetch_record
    from wijkdata.report.inputs import db_path_for

    region = load_region(regio)
    db = db_path_for(region)
    if db.exists():
        rows = provenance.recorded(db)
        say(f"provenance recorded in {db.name}")
    else:
        rows = provenance.planned(region, region.data_dir(data_dir))
        say("not built yet: listing the configured files")
    folder = region.data_dir(data_dir)
    fetched = {s.id: fetch_record(region, s, folder) for s in region.config.sources}
    for r in rows:
        typer.echo(f"{r['source_id']}: {r['path']}")
        typer.echo(f"  {r['publisher']}, {r['table_id'] or '-'} {r['year'] or ''}".rstrip()
                   + f"; licence {r['licence']}")
        typer.echo(f"  sha256 {r['sha256']}; loaded {r['loaded_at']}")
        got = fetched.get(r["source_id"])
        if got:  # what `wijkdata fetch` recorded next to the data
            typer.echo(f"  fetched {got.get('retrieved_at')} from {got.get('url')} "
                       f"({str(got.get('publisher', '')).upper()} {got.get('table_id')}, "
                       f"licence {got.get('licence')})")
