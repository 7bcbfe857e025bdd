"""Overview chart: one bar per area for a region, a histogram for a national build."""

from __future__ import annotations

import re
from pathlib import Path

from wijkdata.indicators.definitions import load_all
from wijkdata.report.overview import MAX_BARS, altair_histogram

ROOT = Path(__file__).resolve().parents[1]


def test_histogram_counts_areas_per_bin() -> None:
    ind = next(i for i in load_all(ROOT / "indicators") if i.id == "eenpersoonshuishoudens")
    # 40 areas valued 0, 1, ..., 39: 20 bins of width 1,95, two areas in each.
    svg = altair_histogram([float(v) for v in range(40)], ind, "#00677f")
    assert svg.count('aria-roledescription="bar"') == 20
    labels = re.findall(r'aria-label="Eenpersoonshuishoudens \(%\): [^"]*"', svg)
    assert len(labels) == 20
    assert all(label.endswith('aantal gebieden: 2"') for label in labels)
    assert "Y-axis titled 'aantal gebieden'" in svg
    assert MAX_BARS == 60
