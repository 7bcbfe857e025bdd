"""``wijkdata mail``: mail each participant the profiles of their areas before a session.

A dry run is the default, because a wrong mail cannot be recalled: it writes the messages as
.eml files for review. ``--send`` delivers them and records each one in the send log, so a second
run sends nothing twice.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from wijkdata.cli.app import Regio, app, handled, say
from wijkdata.core.config import load_region


def _rel(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


@app.command()
@handled
def mail(
    regio: Regio,
    session: Annotated[str, typer.Option("--session", help="Date of the session, YYYY-MM-DD.")],
    send: Annotated[bool, typer.Option(
        "--send/--dry-run", help="Send for real (default: dry run, .eml files in the outbox).")]
    = False,
    reports: Annotated[Path | None, typer.Option(
        help="Folder with the built PDFs (default: the region's output folder).")] = None,
    outbox: Annotated[Path | None, typer.Option(
        help="Where a dry run writes .eml files (default outbox/<regio>/<session>).")] = None,
) -> None:
    """Mail every recipient the PDF profiles of their areas (one message each).

    Examples:

      wijkdata mail --regio demo --session 2026-12-03

      WIJKDATA_SMTP_PASSWORD=... wijkdata mail --regio demo --session 2026-12-03 --send
    """
    from wijkdata.delivery import run

    region = load_region(regio)
    day = run.parse_session(session)
    report_dir = reports or region.output_dir()
    box = outbox or region.project / "outbox" / region.slug / day.isoformat()
    summary = run.mail(region, day, send=send, reports=report_dir, outbox=box, progress=say)
    if not send:
        say(f"dry run: wrote {len(summary.written)} messages to {_rel(box)} "
            f"({len(summary.skipped)} already sent); nothing was sent, add --send to send")
        return
    for to, reason in summary.failed:
        say(f"  failed: {to}: {reason}")
    say(summary.line())
    run.check_result(summary)
