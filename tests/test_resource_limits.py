"""A build that runs out of room (file-size limit, RLIMIT_FSIZE in a real subprocess) stops
with exit 1 naming the file, and replaces nothing (issue 14, item 8)."""

from __future__ import annotations

import resource
import subprocess
from pathlib import Path

import pytest

from tests.buildproc import BUILD, WIJKDATA, env_for, run_build
from tests.conftest import tree_snapshot
from wijkdata.core.atomic import unpublished_generations

pytestmark = pytest.mark.slow
KWB = Path("data/demo/kwb_2023_demo.csv")


def _limited_build(project: Path, limit: int) -> subprocess.CompletedProcess[str]:
    def limit_files() -> None:  # runs in the child only
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return subprocess.run([str(WIJKDATA), *BUILD], cwd=project, env=env_for(project),
                          capture_output=True, text=True, timeout=300, preexec_fn=limit_files)


def test_file_size_limit_during_ingest_is_exit_1_with_the_path(project: Path) -> None:
    first = run_build(project)
    assert first.returncode == 0, first.stderr
    reports = tree_snapshot(project / "reports" / "demo")
    db = project / "data" / "processed" / "demo.duckdb"
    old_db = db.read_bytes()
    text = (project / KWB).read_text(encoding="utf-8")
    (project / KWB).write_text(text.replace(";1885;115;260;920;225;", ";1885;115;260;920;230;"),
                               encoding="utf-8")

    done = _limited_build(project, 1_000_000)  # the database needs a few MB

    assert done.returncode == 1, done.stderr
    last = done.stderr.splitlines()[-1]
    tmp = project / "data" / "processed" / ".demo.duckdb.tmp-"
    assert last.startswith(f"error: {tmp}"), last
    assert last.endswith(": the file-size limit was reached; nothing was replaced"), last
    assert "Traceback" not in done.stderr
    assert db.read_bytes() == old_db
    assert tree_snapshot(project / "reports" / "demo") == reports
    assert sorted(p.name for p in db.parent.iterdir()) == ["demo.duckdb", "demo.hashes.json"]
    assert unpublished_generations(project / "reports" / "demo") == []
