"""``wijkdata session``: the kit for one area's meeting (handout, 16:9 deck, network, agenda)."""

from __future__ import annotations

import contextlib
import time
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from wijkdata.cli.app import Regio, app, handled, say
from wijkdata.core.config import load_region
from wijkdata.core.errors import ConfigError


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"--date: expected a date like 2026-11-23, got '{value}'") from None


session_app = typer.Typer(no_args_is_help=False)
app.add_typer(session_app, name="session")


@session_app.callback(invoke_without_command=True)
@handled
def session(
    ctx: typer.Context,
    regio: Annotated[str | None, typer.Option(
        "--regio", "-r", help="Region name: configs/<regio>.yml.")] = None,
    area: Annotated[str | None, typer.Option(
        "--area", "-a", help="Area code, e.g. DORP_ESVELD.")] = None,
    day: Annotated[str | None, typer.Option("--date", help="Date of the meeting, YYYY-MM-DD.")
                   ] = None,
    out: Annotated[Path | None, typer.Option(
        help="Output folder of the region (default reports/<regio>).")] = None,
) -> None:
    """Make the session kit for one area: handout, presentation, network map and agenda.

    Uses the processed data of the last 'wijkdata build'. Writes
    reports/<regio>/sessies/<date>-<area>/ with handout.pdf (A4, with the dialogue questions),
    presentatie.pdf (16:9), netwerkkaart.pdf, agenda.pdf and verslag-sjabloon.yml.

    Example:

      wijkdata session --regio demo --area DORP_ESVELD --date 2026-11-23

    After the meeting, 'wijkdata session record' turns the counted votes into speerpunten.
    """
    if ctx.invoked_subcommand is not None:
        return
    from wijkdata.dialogue.kit import build_kit

    if regio is None or area is None or day is None:
        missing = [n for n, v in (("--regio", regio), ("--area", area), ("--date", day))
                   if v is None]
        raise ConfigError(f"missing option {', '.join(missing)}",
                          hint="wijkdata session --regio demo --area DORP_ESVELD "
                               "--date 2026-11-23")
    when = _day(day)
    region = load_region(regio)
    t0 = time.perf_counter()
    folder = build_kit(region, area.strip(), when, out, say)
    rel = folder
    with contextlib.suppress(ValueError):
        rel = folder.relative_to(Path.cwd())
    say(f"session kit for {area} in {time.perf_counter() - t0:.1f} s -> {rel}/")


@session_app.command("record")
@handled
def record(
    regio: Regio,
    area: Annotated[str, typer.Option("--area", "-a", help="Area code, e.g. DORP_ESVELD.")],
    day: Annotated[str, typer.Option("--date", help="Date of the meeting, YYYY-MM-DD.")],
    votes: Annotated[Path, typer.Option(
        "--votes", help="The counted dots: CSV with columns onderwerp;stippen.")],
    top: Annotated[int, typer.Option(
        min=1, max=10, help="How many best-voted lines become speerpunten (ties included).")
                   ] = 3,
) -> None:
    """Turn the voting sheet's tally into the session record's speerpunten.

    Writes configs/<regio>/sessies/<AREA>-<date>.yml: every line of the sheet with its dots
    (votes:) and the best-voted lines as speerpunten (priorities:, ranked, with their dots).
    The next 'wijkdata build' shows them in the profile.

    Example:

      wijkdata session record --regio demo --area DORP_ESVELD --date 2026-12-03 --votes stemmen.csv
    """
    from wijkdata.dialogue.record_votes import record_votes

    when = _day(day)
    region = load_region(regio)
    path = record_votes(region, area.strip(), when, votes, top, say)
    rel = path
    with contextlib.suppress(ValueError):
        rel = path.relative_to(Path.cwd())
    say(f"session record -> {rel}")
