"""Warnings raised inside a render worker reach the parent's ``wijkdata`` logger.

A spawned worker has no handlers of its own; without forwarding, a bad partner row found while
a worker renders a profile would be lost or printed without the CLI's ``warning:`` prefix.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from wijkdata.core.config import load_region
from wijkdata.pipeline.build import BuildOptions, build


def test_worker_warning_is_forwarded_to_the_parent_logger(
        project: Path, caplog: pytest.LogCaptureFixture) -> None:
    net = project / "configs" / "demo" / "netwerk" / "DORP_HOLTERHOEK.yml"
    net.write_text(net.read_text(encoding="utf-8").replace(
        "phone: 0543-333100", "phone: 0543-33310"), encoding="utf-8")
    region = load_region("demo", project)
    with caplog.at_level(logging.WARNING, logger="wijkdata"):
        build(region, BuildOptions(formats=("html",), jobs=2), lambda _: None)
    expected = (f"{net}, line 3 (partner 1), field 'phone': expected a Dutch phone number "
                "like 0543-123456, 06-12345678 or +31 543 123456, got '0543-33310'; "
                "this row is skipped")
    from_workers = [r for r in caplog.records
                    if r.getMessage() == expected and r.processName != "MainProcess"]
    assert len(from_workers) == 1
    assert from_workers[0].name == "wijkdata.dialogue.extras"
    assert from_workers[0].levelno == logging.WARNING
