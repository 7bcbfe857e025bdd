"""Killed, interrupted and terminated builds: no process left behind, one honest line, and a
publish that is all or nothing (issue 14, items 4 and 5).

Real ``wijkdata build`` subprocesses, stopped at known points (``WIJKDATA_TEST_PAUSE``); the
process tree is read from /proc before the kill, and every process in it must be gone within
10 seconds after it.
"""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

import pytest

from tests.buildproc import WIJKDATA, env_for, kill, run_build, wait_paused
from tests.conftest import tree_snapshot
from tests.procs import descendants, wait_gone
from wijkdata.core.atomic import unpublished_generations
from wijkdata.report.pdf import find_browser

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(find_browser() is None, reason="no Chromium to print with")]
PDF_BUILD = ["build", "--regio", "demo", "--format", "html,pdf"]


def _start(project: Path, stage: str, args: list[str] = PDF_BUILD,
           one_cpu: bool = False) -> subprocess.Popen[str]:
    # Its own session, as a shell gives a job its own process group: SIGINT reaches the group.
    # On one CPU the build prints in its own process (no worker pool), as on a 1-core runner.
    return subprocess.Popen([str(WIJKDATA), *args], cwd=project, env=env_for(project, stage),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            start_new_session=True,
                            preexec_fn=_first_cpu_only if one_cpu else None)


def _first_cpu_only() -> None:
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})


def _survivors(tree: dict[int, str]) -> dict[int, str]:
    left = wait_gone(tree, 10)
    for pid in left:  # do not leave them to the next test, whatever the outcome
        os.kill(pid, signal.SIGKILL)
    return left


@pytest.mark.parametrize("stage", ["ingest", "render", "pdf", "publish"])
def test_kill_9_leaves_no_worker_driver_or_browser(project: Path, stage: str) -> None:
    proc = _start(project, stage)
    wait_paused(proc, stage)
    tree = descendants(proc.pid)
    if stage == "pdf":  # two PDF workers, each with a Playwright driver and a Chromium
        assert sum("chromium" in c for c in tree.values()) >= 2, tree
        assert sum("run-driver" in c for c in tree.values()) == 2, tree
    kill(proc)
    assert _survivors(tree) == {}


@pytest.mark.parametrize("one_cpu", [False, True], ids=["printer-workers", "printer-in-build"])
def test_sigint_while_printing_one_line_and_nothing_published(project: Path,
                                                              one_cpu: bool) -> None:
    first = run_build(project)
    assert first.returncode == 0, first.stderr
    reports = tree_snapshot(project / "reports" / "demo")
    proc = _start(project, "pdf", one_cpu=one_cpu)
    wait_paused(proc, "pdf")
    tree = descendants(proc.pid)
    # The build's own node driver when it prints itself, one per worker otherwise.
    assert sum("run-driver" in c for c in tree.values()) == (1 if one_cpu else 2), tree
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
    assert proc.stderr is not None
    rest = proc.stderr.read().splitlines()
    assert proc.wait(timeout=60) == 130
    # The database was reused (nothing changed since the first build), the reports not touched.
    # Only the build's line: not asyncio's "Future exception was never retrieved" for the
    # Playwright driver that the same Ctrl-C stopped.
    assert rest == ["interrupted by SIGINT (Ctrl-C); nothing was replaced"]
    assert _survivors(tree) == {}
    assert tree_snapshot(project / "reports" / "demo") == reports
    assert unpublished_generations(project / "reports" / "demo") == []


def test_sigterm_after_ingest_says_the_database_was_replaced(project: Path) -> None:
    proc = _start(project, "render", ["build", "--regio", "demo", "--format", "html"])
    wait_paused(proc, "render")
    proc.terminate()
    assert proc.stderr is not None
    rest = proc.stderr.read().splitlines()
    assert proc.wait(timeout=60) == 143
    db = project / "data" / "processed" / "demo.duckdb"
    assert rest == [f"interrupted by SIGTERM after {db} had been replaced; nothing else was "
                    "replaced"]
    assert not (project / "reports" / "demo").exists()


def test_interrupted_publish_is_detected_and_redone(project: Path) -> None:
    """Same inputs, publish killed: --if-changed must redo it, not say "up to date"."""
    first = run_build(project)
    assert first.returncode == 0, first.stderr
    out = project / "reports" / "demo"
    before = tree_snapshot(out)
    proc = _start(project, "publish", ["build", "--regio", "demo", "--format", "html"])
    wait_paused(proc, "publish")
    kill(proc)
    assert tree_snapshot(out) == before  # readers still see the whole previous set
    assert len(unpublished_generations(out)) == 1
    again = subprocess.run([str(WIJKDATA), "build", "--regio", "demo", "--format", "html",
                            "--if-changed"], cwd=project, env=env_for(project),
                           capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    lines = again.stderr.splitlines()
    assert "an earlier build or publish of this folder was interrupted; redoing it" in lines
    assert not any(line.startswith("up to date") for line in lines)
    assert unpublished_generations(out) == []
    assert tree_snapshot(out) == before  # same inputs, same bytes
