"""Printing on two browsers in two processes gives the same bytes, in the same order, as one."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader

from wijkdata.report.pdf import PrintJob, find_browser, print_all

CREATED = datetime(2026, 11, 23, tzinfo=UTC)


@pytest.fixture
def jobs(tmp_path: Path) -> list[PrintJob]:
    if find_browser() is None:
        pytest.skip("no Chromium on this machine")
    out = []
    for i, name in enumerate(["Aalten", "Bredevoort", "Dinxperlo", "Lichtenvoorde"]):
        page = tmp_path / f"p{i}.html"
        page.write_text(f"<!doctype html><html lang='nl'><body style='font-family: DejaVu Sans'>"
                        f"<h1>Wijk {name}</h1><p>{'tekst ' * (20 * (i + 1))}</p></body></html>",
                        encoding="utf-8")
        out.append(PrintJob(page, f"Wijkgezondheidsprofiel {name}", "Proscoop",
                            f"{name} (WK0{i}), Achterhoek", CREATED))
    return out


def test_two_workers_match_one_printer(jobs: list[PrintJob]) -> None:
    serial = list(print_all(jobs, workers=1))
    parallel = list(print_all(jobs, workers=2))
    assert len(parallel) == 4
    assert parallel == serial
    titles = [PdfReader(io.BytesIO(pdf)).metadata.title for pdf in parallel]
    assert titles == ["Wijkgezondheidsprofiel Aalten", "Wijkgezondheidsprofiel Bredevoort",
                      "Wijkgezondheidsprofiel Dinxperlo", "Wijkgezondheidsprofiel Lichtenvoorde"]
    first_lines = [PdfReader(io.BytesIO(pdf)).pages[0].extract_text() for pdf in parallel]
    for text, name in zip(first_lines, ["Aalten", "Bredevoort", "Dinxperlo", "Lichtenvoorde"],
                          strict=True):
        assert f"Wijk {name}" in text
