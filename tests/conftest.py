"""Shared fixtures: a throw-away project copy per test, the real data folder, a CLI runner, a
built demo and a headless Chromium."""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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


@contextlib.contextmanager
def demo_build(factory: pytest.TempPathFactory, name: str) -> Iterator[Path]:
    """The demo region built (HTML and CSV) in a private project copy; inside the block the
    environment and cwd point at that copy."""
    from wijkdata.cli import app

    with pytest.MonkeyPatch.context() as mp:
        proj = make_project(factory.mktemp(name), mp)
        result = CliRunner().invoke(app, ["build", "--regio", "demo", "--format", "html,csv"])
        assert result.exit_code == 0, result.output
        yield proj


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Chromium (the machine's, as the PDFs use) per test module."""
    from playwright.sync_api import sync_playwright

    from wijkdata.report.pdf import CHROMIUM_ARGS, find_browser

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(find_browser()), args=CHROMIUM_ARGS,
                               headless=True)
        yield b
        b.close()


def open_page(browser: Any, url: str, width: int = 1200) -> tuple[Any, Any, dict[str, list]]:
    """A page with the network refused; records every request, failure and console error."""
    context = browser.new_context(viewport={"width": width, "height": 900}, offline=True)
    seen: dict[str, list] = {"requests": [], "failed": [], "errors": []}
    page = context.new_page()
    page.on("request", lambda r: seen["requests"].append(r.url))
    page.on("requestfailed", lambda r: seen["failed"].append(r.url))
    page.on("console", lambda m: seen["errors"].append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: seen["errors"].append(str(e)))
    page.goto(url, wait_until="load")
    return context, page, seen


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
