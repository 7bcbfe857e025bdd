"""``wijkdata doctor``: check the installation and each region's data; say what to fix."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from wijkdata.cli.app import app, handled
from wijkdata.core.config import project_root


@app.command()
@handled
def doctor(
    regio: Annotated[str | None, typer.Option(
        "--regio", "-r", help="This region's data (default: regions built before).")] = None,
    data_dir: Annotated[Path | None, typer.Option(
        help="Folder with the raw data files (as for build).")] = None,
) -> None:
    """Check Python, packages, the PDF browser, fonts, write access and the data files.

    Data is checked for --regio, or else for the regions built on this machine before (not
    every example config that ships with wijkdata); a missing file names the fetch command.

    Prints one line per check and, under each failure, exactly what to install or fix.
    Exit 0 when everything is in place, 1 when something is missing.

    Examples:

      wijkdata doctor

      wijkdata doctor --regio achterhoek --data-dir ../shared/data
    """
    from wijkdata.pipeline.doctor import run

    checks = run(project_root(), [regio] if regio else None, data_dir)
    for check in checks:
        for line in check.lines():
            typer.echo(line)
    failed = [c for c in checks if not c.ok]
    if failed:
        typer.echo(f"doctor: {len(failed)} problem{'s' if len(failed) > 1 else ''} found",
                   err=True)
        raise typer.Exit(1)
    typer.echo("doctor: everything a build needs is in place", err=True)
