"""Rendering in two worker processes writes the same files, byte for byte, as one process."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import tree_snapshot
from wijkdata.core.config import load_region
from wijkdata.pipeline.build import BuildOptions, build


def test_two_render_workers_match_serial(project: Path) -> None:
    region = load_region("demo", project)
    seen: list[str] = []
    serial = build(region, BuildOptions(out_dir=project / "reports" / "serial",
                                        formats=("html", "csv"), jobs=1), seen.append)
    parallel = build(region, BuildOptions(out_dir=project / "reports" / "parallel",
                                          formats=("html", "csv"), jobs=2), seen.append)
    assert parallel.profiles == serial.profiles
    assert len(serial.profiles) == 31
    # Same files in the same order (the order the build reports and the manifest lists).
    assert [f.name for f in parallel.files] == [f.name for f in serial.files]
    assert [f.name for f in serial.files][:4] == [
        f"{serial.profiles[0]}.html", f"{serial.profiles[0]}.csv",
        f"{serial.profiles[1]}.html", f"{serial.profiles[1]}.csv"]
    one = tree_snapshot(project / "reports" / "serial")
    two = tree_snapshot(project / "reports" / "parallel")
    assert sorted(one) == sorted(two)
    assert len([n for n in one if n.endswith(".html")]) == 32  # 31 profiles + index.html
    for name in one:
        assert one[name] == two[name], name
    assert "rendered 31/31 profiles" in seen
