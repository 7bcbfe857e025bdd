"""A build killed with SIGKILL in the middle of ingest or of rendering changes nothing visible.

Each test makes a good build, changes an input so the next build would write different files,
kills that build at a known point (``WIJKDATA_TEST_PAUSE``), and checks that the previous
reports and database are byte-identical; then a normal build succeeds, takes over the dead
build's lock and clears what it left behind (temporary database, staging folder).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.buildproc import kill, run_build, start_paused, wait_paused
from tests.conftest import page_text, tree_snapshot
from wijkdata.core.atomic import unpublished_generations

# Each test runs three real builds (about 20 s on the shared machine): CI runs them with -m slow.
pytestmark = pytest.mark.slow

KWB = Path("data/demo/kwb_2023_demo.csv")
# Oude Kern (BU99010000), KWB 2023 demo: a_1p_hh 225 of a_hh 920 = 24,5%; 230 of 920 = 25,0%.
OLD, NEW = ";1885;115;260;920;225;", ";1885;115;260;920;230;"  # ..., a_hh, a_1p_hh
# The row of the chart's data table (the map now shows another indicator).
ROW = '<tr><th scope="row">Eenpersoonshuishoudens</th><td class="num">{}</td>'


def _first_build(project: Path) -> tuple[dict[str, bytes], bytes]:
    done = run_build(project)
    assert done.returncode == 0, done.stderr
    html = page_text(project / "reports" / "demo" / "BU99010000.html")
    assert ROW.format("24,5%") in html
    return tree_snapshot(project / "reports" / "demo"), _db(project).read_bytes()


def _db(project: Path) -> Path:
    return project / "data" / "processed" / "demo.duckdb"


def _leftovers(project: Path) -> list[str]:
    """Temporary files, locks and generation folders that are not the published one."""
    names = [p.name for p in (project / "data" / "processed").iterdir()]
    names += [p.name for p in (project / "reports").iterdir() if p.name != ".demo.generations"]
    names += [p.name for p in unpublished_generations(project / "reports" / "demo")]
    return sorted(n for n in names if n.startswith((".", "g-")) or n.endswith(".lock"))


def test_kill_during_ingest_keeps_previous_reports_and_database(project: Path) -> None:
    reports, db = _first_build(project)
    text = (project / KWB).read_text(encoding="utf-8")
    assert text.count(OLD) == 1
    (project / KWB).write_text(text.replace(OLD, NEW), encoding="utf-8")

    proc = start_paused(project, "ingest")
    wait_paused(proc, "ingest")
    # Paused after the first stage was written to the temporary database.
    assert f".demo.duckdb.tmp-{proc.pid}" in _leftovers(project)
    kill(proc)

    assert _db(project).read_bytes() == db
    assert tree_snapshot(project / "reports" / "demo") == reports
    tmp = f".demo.duckdb.tmp-{proc.pid}"
    assert _leftovers(project) == sorted(["demo.lock", tmp, tmp + ".wal"])

    again = run_build(project)
    assert again.returncode == 0, again.stderr
    html = page_text(project / "reports" / "demo" / "BU99010000.html")
    assert ROW.format("25,0%") in html
    assert _leftovers(project) == []


def test_kill_during_render_keeps_previous_reports_and_database(project: Path) -> None:
    reports, db = _first_build(project)
    # A template change: the database stays valid, every page would change.
    template = project / "templates" / "profile.html.j2"
    template.write_text(template.read_text(encoding="utf-8") + "<!-- crash test -->\n",
                        encoding="utf-8")

    proc = start_paused(project, "render")
    wait_paused(proc, "render")
    [staging] = unpublished_generations(project / "reports" / "demo")
    assert staging.name.startswith(f"g-{proc.pid}-")
    assert len(list(staging.glob("*.html"))) == 1  # the first profile is half of the job
    kill(proc)

    assert tree_snapshot(project / "reports" / "demo") == reports
    assert _db(project).read_bytes() == db
    assert _leftovers(project) == sorted(["demo.lock", staging.name])

    again = run_build(project)
    assert again.returncode == 0, again.stderr
    html = (project / "reports" / "demo" / "BU99010000.html").read_text(encoding="utf-8")
    assert html.endswith("<!-- crash test -->\n")
    assert _leftovers(project) == []
