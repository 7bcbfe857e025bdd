"""Two builds of one region: the second stops at once naming the first's pid; stale locks go.

Real subprocesses: the first build pauses in the middle of ingest (``WIJKDATA_TEST_PAUSE``)
while it holds ``data/processed/demo.lock``.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.buildproc import kill, run_build, start_paused, wait_paused
from tests.conftest import tree_snapshot
from wijkdata.cli import app


@pytest.mark.slow  # two real builds in subprocesses
def test_second_build_stops_while_first_runs_then_stale_lock_is_taken_over(
        project: Path) -> None:
    first = start_paused(project, "ingest")
    try:
        wait_paused(first, "ingest")
        lock = project / "data" / "processed" / "demo.lock"
        assert lock.read_text() == str(first.pid)
        before = tree_snapshot(project / "data" / "processed")

        second = run_build(project)

        assert second.returncode == 1
        assert second.stderr.splitlines() == [
            f"error: another build of region 'demo' is running (pid {first.pid}, lock {lock})",
            "  hint: wait for it to finish; remove the lock file only if that process is gone",
        ]
        assert tree_snapshot(project / "data" / "processed") == before
        assert not (project / "reports").exists()
    finally:
        kill(first)

    assert lock.read_text() == str(first.pid)  # SIGKILL left a stale lock behind
    third = run_build(project)
    assert third.returncode == 0, third.stderr
    assert (project / "reports" / "demo" / "index.html").is_file()
    assert not lock.exists()


def _dead_pid() -> int:
    done = subprocess.Popen(["true"])
    done.wait()
    return done.pid


def test_stale_lock_of_a_dead_process_is_taken_over(project: Path, runner: CliRunner) -> None:
    lock = project / "data" / "processed" / "demo.lock"
    lock.parent.mkdir(parents=True)
    lock.write_text(str(_dead_pid()))
    result = runner.invoke(app, ["build", "--regio", "demo", "--format", "html",
                                 "--area", "BU99010000"])
    assert result.exit_code == 0, result.stderr
    assert (project / "reports" / "demo" / "BU99010000.html").is_file()
    assert not lock.exists()


def test_lock_held_by_a_running_process_stops_the_build(project: Path,
                                                         runner: CliRunner) -> None:
    lock = project / "data" / "processed" / "demo.lock"
    lock.parent.mkdir(parents=True)
    # A holder that really holds the OS lock, as a running build does.
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(lock.parent), "30"],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "got\n"
        result = runner.invoke(app, ["build", "--regio", "demo", "--format", "html"])
    finally:
        holder.kill()
        holder.wait()
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"error: another build of region 'demo' is running (pid {holder.pid}, lock {lock})",
        "  hint: wait for it to finish; remove the lock file only if that process is gone",
    ]
    assert lock.read_text() == str(holder.pid)  # not ours: left alone
    assert not (project / "reports").exists()


def test_live_pid_without_the_os_lock_is_stale(project: Path, runner: CliRunner) -> None:
    """A reused pid (some other live process) in a left-over lock file does not block builds."""
    lock = project / "data" / "processed" / "demo.lock"
    lock.parent.mkdir(parents=True)
    lock.write_text("1")  # init: alive, and certainly not a wijkdata build
    result = runner.invoke(app, ["build", "--regio", "demo", "--format", "html",
                                 "--area", "BU99010000"])
    assert result.exit_code == 0, result.stderr
    assert not lock.exists()


# Wait for a common start time, try the region lock, hold it for a while if we got it.
HOLD = """
import sys, time
from pathlib import Path
from wijkdata.core.atomic import region_lock
from wijkdata.core.errors import LockedError
if len(sys.argv) > 3:
    time.sleep(max(0.0, float(sys.argv[3]) - time.time()))
try:
    with region_lock(Path(sys.argv[1]), "demo"):
        print("got", flush=True)
        time.sleep(float(sys.argv[2]))
except LockedError as exc:
    print("locked", exc.message, flush=True)
"""


def test_racing_takeovers_of_a_stale_lock_have_one_winner(tmp_path: Path) -> None:
    lock = tmp_path / "demo.lock"
    lock.write_text(str(_dead_pid()))  # left by a killed build
    start = time.time() + 1.5  # all eight interpreters are up by then
    procs = [subprocess.Popen([sys.executable, "-c", HOLD, str(tmp_path), "2", str(start)],
                              stdout=subprocess.PIPE, text=True) for _ in range(8)]
    outputs = [p.communicate(timeout=60)[0] for p in procs]
    winners = [p.pid for p, out in zip(procs, outputs, strict=True) if out == "got\n"]
    assert len(winners) == 1
    losers = sorted(out for out in outputs if out != "got\n")
    assert losers == [f"locked another build of region 'demo' is running (pid {winners[0]}, "
                      f"lock {lock})\n"] * 7
    assert not lock.exists()
