"""Real ``wijkdata build`` subprocesses for the crash and concurrency tests.

A build started with ``pause=<stage>`` stops at that point (``WIJKDATA_TEST_PAUSE``, see
``wijkdata.testhooks``) and says so on stderr; :func:`wait_paused` blocks until it does, so a
SIGKILL or a second build lands at a known moment instead of a timed guess.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

WIJKDATA = Path(sys.executable).with_name("wijkdata")
BUILD = ["build", "--regio", "demo", "--format", "html"]


def env_for(project: Path, pause: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WIJKDATA_")}
    env.update(WIJKDATA_HOME=str(project), SOURCE_DATE_EPOCH="1795392000")
    if pause:
        env.update(WIJKDATA_TEST_PAUSE=pause, WIJKDATA_TEST_PAUSE_SECONDS="120")
    return env


def run_build(project: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(WIJKDATA), *BUILD], cwd=project, env=env_for(project),
                          capture_output=True, text=True, timeout=300)


def start_paused(project: Path, stage: str) -> subprocess.Popen[str]:
    return subprocess.Popen([str(WIJKDATA), *BUILD], cwd=project,
                            env=env_for(project, stage), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)


def wait_paused(proc: subprocess.Popen[str], stage: str) -> list[str]:
    """Read the build's stderr until it announces the pause; return what it printed."""
    assert proc.stderr is not None
    seen: list[str] = []
    for line in proc.stderr:
        seen.append(line.rstrip("\n"))
        if line.startswith(f"paused at {stage} (pid {proc.pid})"):
            return seen
    raise AssertionError(f"the build ended without pausing at {stage}: {seen}")


def kill(proc: subprocess.Popen[str]) -> None:
    proc.kill()  # SIGKILL: no cleanup handlers, no finally blocks
    proc.wait(timeout=30)
    assert proc.returncode == -9
    if proc.stderr is not None:
        proc.stderr.close()
