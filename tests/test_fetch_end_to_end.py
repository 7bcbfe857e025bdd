"""Issue 15, "done when": a fresh clone in an empty folder — no ../shared beside it — is
installed, fetches the Achterhoek from the publishers (the local CBS/RIVM/PDOK stand-in of
tests/publishers.py, rebuilt from the real files) and builds it, with exactly the figures of the
build from the shared files.

The clone is the committed HEAD of this repository. Its dependencies come from the running test
environment (a .pth file) so the test does not spend minutes downloading them; wijkdata itself is
built and installed from the clone by pip.
"""

from __future__ import annotations

import filecmp
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import duckdb
import pytest

from tests.publishers import point_at, serve

ROOT = Path(__file__).resolve().parents[1]


def _run(cmd: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=1800,
                          check=False)


@pytest.mark.slow
def test_fresh_clone_fetches_and_builds_the_achterhoek_like_the_shared_files(
        tmp_path: Path, shared_data: Path) -> None:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("needs git and this project as a git repository to clone")
    empty = tmp_path / "empty"
    empty.mkdir()
    clone = empty / "wijkdata"
    done = _run(["git", "clone", "--quiet", str(ROOT), str(clone)], tmp_path, dict(os.environ))
    assert done.returncode == 0, done.stderr
    assert not (empty / "shared").exists()
    assert [p.name for p in (clone / "data" / "raw").iterdir()] == ["README.md"]

    venv = tmp_path / "venv"
    assert _run([sys.executable, "-m", "venv", str(venv)], tmp_path,
                dict(os.environ)).returncode == 0
    site = Path(_run([str(venv / "bin" / "python"), "-c",
                      "import sysconfig; print(sysconfig.get_paths()['purelib'])"], tmp_path,
                     dict(os.environ)).stdout.strip())
    (site / "_wijkdata_test_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n",
                                                 encoding="utf-8")
    done = _run([str(venv / "bin" / "pip"), "install", "--quiet", "--no-deps", str(clone)],
                tmp_path, dict(os.environ))
    assert done.returncode == 0, done.stderr
    wijkdata = str(venv / "bin" / "wijkdata")

    env = {k: v for k, v in os.environ.items() if not k.startswith("WIJKDATA_")}
    env["SOURCE_DATE_EPOCH"] = "1795392000"
    for state in serve(shared_data):
        point_at(state, env)
        fetched = _run([wijkdata, "fetch", "--regio", "achterhoek"], clone, env)
    assert fetched.returncode == 0, fetched.stderr
    lines = fetched.stdout.splitlines()
    for sid in ("kwb_2020", "kwb_2023", "ggd_2020", "ggd_2020_65plus", "ggd_2016",
                "ggd_2016_65plus", "wijken"):
        assert any(ln.startswith(f"{sid:<20} downloaded ") for ln in lines), fetched.stdout
    # What the stand-in does not hold (newest releases, buurt layer) is optional: reported only.
    for sid in ("kwb_2025", "ggd_2022", "buurten"):
        assert any(ln.startswith(f"{sid:<20} not fetched (optional) ") for ln in lines)
    assert (clone / "data" / "raw" / "cbs" / "85618NED" / "achterhoek" / "kwb_2023" /
            "provenance.json").is_file()

    built = _run([wijkdata, "build", "--regio", "achterhoek", "--format", "csv"], clone, env)
    assert built.returncode == 0, built.stderr
    from_fetch = tmp_path / "from_fetch"
    shutil.copytree(clone / "reports" / "achterhoek", from_fetch)
    db = clone / "data" / "processed" / "achterhoek.duckdb"
    fetched_values = _values(db)
    reference = _run([wijkdata, "build", "--regio", "achterhoek", "--format", "csv",
                      "--data-dir", str(shared_data)], clone, env)
    assert reference.returncode == 0, reference.stderr
    assert _values(db) == fetched_values  # every figure of every area, indicator and year
    assert len(fetched_values) > 40_000
    # Every written file (a CSV per profile, the overview) is the same; only the build
    # manifest differs, as it records the input files it read.
    assert (from_fetch / "cijfers-achterhoek.csv").is_file()  # the region file
    assert len([p for p in from_fetch.glob("*.csv")
                if not p.name.startswith("cijfers-")]) == 46  # 41 wijken + 5 villages
    assert _different(from_fetch, clone / "reports" / "achterhoek") == [
        ".wijkdata-manifest.json"]


def _values(db: Path) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT * FROM ind_value ORDER BY ALL").fetchall()
    finally:
        con.close()


def _different(a: Path, b: Path) -> list[str]:
    cmp = filecmp.dircmp(a, b)
    return sorted(cmp.diff_files + cmp.left_only + cmp.right_only)
