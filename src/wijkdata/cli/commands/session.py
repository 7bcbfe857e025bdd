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


@app.command()
@handled
def session(
    regio: Regio,
    area: Annotated[str, typer.Option("--area", "-a", help="Area code, e.g. DORP_ESVELD.")],
    day: Annotated[str, typer.Option("--date", help="Date of the meeting, YYYY-MM-DD.")],
    out: Annotated[Path | None, typer.Option(
        help="Output folder of the region (default reports/<regio>).")] = None,
) -> None:
    """Make the session kit for one area: handout, presentation, network map and agenda.

    Uses the processed data of the last 'wijkdata build'. Writes
    reports/<regio>/sessies/<date>-<area>/ with handout.pdf (A4, with the dialogue questions),
    presentatie.pdf (16:9), netwerkkaart.pdf, agenda.pdf and verslag-sjabloon.yml.

    Example:

      wijkdata session --regio demo --area DORP_ESVELD --date 2026-11-23
    """
    from wijkdata.dialogue.kit import build_kit

    when = _day(day)
    region = load_region(regio)
    t0 = time.perf_counter()
    folder = build_kit(region, area.strip(), when, out, say)
    rel = folder
    with contextlib.suppress(ValueError):
        rel = folder.relative_to(Path.cwd())
    say(f"session kit for {area} in {time.perf_counter() - t0:.1f} s -> {rel}/")
