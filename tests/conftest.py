"""Shared fixtures: a throw-away project copy per test, the real data folder, a CLI runner."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = (ROOT.parent / "shared" / "data").resolve()
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def make_project(base: Path, mp: pytest.MonkeyPatch) -> Path:
    """Copy configs/, indicators/, templates/, assets/ and the demo data under ``base``.

    Tests build into it (WIJKDATA_HOME and the cwd point there), so they never touch the real
    reports/ or data/processed/ and can run side by side.
    """
    proj = base / "project"
    proj.mkdir()
    for name in ("configs", "indicators", "templates", "assets"):
        shutil.copytree(ROOT / name, proj / name)
    (proj / "data").mkdir()
    shutil.copytree(ROOT / "data" / "demo", proj / "data" / "demo")
    mp.setenv("WIJKDATA_HOME", str(proj))
    mp.setenv("SOURCE_DATE_EPOCH", "1795392000")  # 23 November 2026, 00:00 UTC
    mp.delenv("WIJKDATA_DATA_DIR", raising=False)
    mp.chdir(proj)
    return proj


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A private copy of the project per test (see :func:`make_project`)."""
    yield make_project(tmp_path, monkeypatch)


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real data folder {SHARED_DATA} is absent (it sits beside the project)")
    return SHARED_DATA


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def page_text(path: Path) -> str:
    """A rendered page without its soft hyphens (hyphenation.py), so tests can look for whole
    words; the hyphenation itself is tested in test_hyphenation.py."""
    return path.read_text(encoding="utf-8").replace("\u00ad", "")


def tree_snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` with its bytes, to prove a failed run changed nothing."""
    if not folder.exists():
        return {}
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


os.environ.setdefault("PYTHONHASHSEED", "0")
