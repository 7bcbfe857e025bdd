"""``wijkdata bench``: measure a national build stage by stage (see bench.py); ``make bench``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from wijkdata.cli.app import app, handled, say
from wijkdata.core.config import project_root
from wijkdata.core.errors import ConfigError

PEER_SCRIPT = Path(__file__).resolve().parents[5] / "shared" / "peer" / "run_peer.sh"


@app.command("bench")
@handled
def bench(
    regio: Annotated[str, typer.Option("--regio", "-r", help="Region to build.")] = "nederland",
    data_dir: Annotated[Path | None, typer.Option("--data-dir",
                                                  help="Folder with the raw data.")] = None,
    out: Annotated[Path, typer.Option("--out", help="Where bench.json goes.")] = Path(
        "reports/bench.json"),
    docs: Annotated[Path | None, typer.Option(
        "--docs", help="Markdown table for the README (default docs/bench.md; '-' for none).")
    ] = None,
    peer: Annotated[int, typer.Option("--peer", help="Wijken for the peer run (0 = skip).")] = 20,
    pdf: Annotated[int, typer.Option("--pdf", help="Profiles to print for the PDF figure.")] = 20,
    workers: Annotated[int, typer.Option("--workers", help="Browsers printing side by side.")
                       ] = 2,
    peer_script: Annotated[Path, typer.Option("--peer-script")] = PEER_SCRIPT,
    shards: Annotated[int, typer.Option(
        "--shards", help="Shards to render one after another and assemble (prepare / "
        "build --shard / assemble).")] = 4,
) -> None:
    """Time prepare (ingest, indicators), HTML, PDF, a no-change rebuild, each shard and the
    assembly, floors and the peer; project the national wall time for 1, 4 and 16 runners.

    Examples:

      wijkdata bench --data-dir ../shared/data

      wijkdata bench --regio demo --peer 0 --pdf 4 --out /tmp/bench.json --docs -
    """
    # Imported here: the harness pulls in the whole build (Altair, DuckDB, pypdf), which would
    # otherwise slow down every `wijkdata` command by a second or two.
    from wijkdata.pipeline import bench as harness

    if pdf < 2:
        raise ConfigError(f"--pdf must be at least 2 (a warm-up page and one timed), got {pdf}")
    if peer < 0 or peer > len(harness.PEER_WIJKEN):
        raise ConfigError(f"--peer must be between 0 and {len(harness.PEER_WIJKEN)}, got {peer}")
    if workers < 1:
        raise ConfigError(f"--workers must be 1 or more, got {workers}")
    if shards < 1:
        raise ConfigError(f"--shards must be 1 or more, got {shards}")
    project = project_root()
    docs_path = None if docs == Path("-") else (docs or project / "docs" / "bench.md")
    result = harness.run(project, data_dir, regio, peer_n=peer, pdf_n=pdf, workers=workers,
                         peer_script=peer_script, progress=say, shards=shards)
    out_path = out if out.is_absolute() else project / out
    harness.write(result, out_path, docs_path)
    typer.echo(harness.markdown(result))
    say(f"wrote {out_path}" + (f" and {docs_path}" if docs_path else ""))
