"""Reproducible output: the same inputs, version and SOURCE_DATE_EPOCH give identical bytes."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from wijkdata.cli import app
from wijkdata.core.atomic import generations_dir


def hashes(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def build_twice(project: Path, runner: CliRunner, args: list[str]) -> tuple[dict[str, str],
                                                                             dict[str, str]]:
    """Build, keep the hashes, throw away outputs *and* database, build again from scratch."""
    out = project / "reports" / "demo"
    result = runner.invoke(app, ["build", "--regio", "demo", *args])
    assert result.exit_code == 0, result.output
    first = hashes(out)
    # reports/demo is a link to a generation folder (atomic.publish_generation): drop both.
    out.unlink()
    shutil.rmtree(generations_dir(out))
    shutil.rmtree(project / "data" / "processed")
    result = runner.invoke(app, ["build", "--regio", "demo", *args])
    assert result.exit_code == 0, result.output
    return first, hashes(out)


def test_two_html_builds_are_byte_identical(project: Path, runner: CliRunner) -> None:
    first, second = build_twice(project, runner, ["--format", "html,csv"])
    # html + csv per profile; index.html, the region's CSV and workbook, the build manifest
    assert len(first) == 31 * 2 + 4
    assert first == second
    index = (project / "reports" / "demo" / "index.html").read_text(encoding="utf-8")
    assert "23 november 2026" in index  # the build date comes from SOURCE_DATE_EPOCH


@pytest.mark.slow
def test_two_pdf_builds_are_byte_identical(project: Path, runner: CliRunner) -> None:
    args = ["--format", "pdf,html", "--area", "DORP_ESVELD", "--area", "WK990101"]
    first, second = build_twice(project, runner, args)
    assert sorted(first) == [".wijkdata-manifest.json", "DORP_ESVELD.html", "DORP_ESVELD.pdf",
                             "WK990101.html", "WK990101.pdf", "index.html"]
    assert first == second
    reader = PdfReader(project / "reports" / "demo" / "DORP_ESVELD.pdf")
    # Chromium writes no random /ID here; if a future version does, this says where to look.
    assert "/ID" not in reader.trailer
    meta = reader.metadata
    assert meta is not None
    assert meta["/CreationDate"] == "D:20261123000000+00'00'"
    assert meta["/ModDate"] == "D:20261123000000+00'00'"
