"""report.context.ContextBuilder on the built demo: one area's report, figures checked by hand.

BU99010000 "Oude Kern" has 2350 inhabitants of whom 670 are 65 or older in the demo KWB 2023
(data/demo/kwb_2023_demo.csv): 670 / 2350 = 28,51%; the 95% Wilson interval is
26,72% to 30,37% (p = 0,28511, n = 2350, z = 1,96).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb

from wijkdata.core.config import load_region
from wijkdata.core.db import current_areas
from wijkdata.pipeline.build import BuildOptions, build
from wijkdata.report import render
from wijkdata.report.area_selection import profile_codes
from wijkdata.report.context import ContextBuilder
from wijkdata.report.inputs import built_profile_count, load_indicators


def test_one_buurt_report_from_the_built_demo(project: Path) -> None:
    region = load_region("demo", project)
    assert built_profile_count(region) is None  # never built
    result = build(region, BuildOptions(formats=("html",)), lambda _: None)
    con = duckdb.connect(str(result.db_path), read_only=True)
    try:
        builder = ContextBuilder(con, region, load_indicators(region), "", date(2026, 11, 23))
        current = current_areas(con)
    finally:
        con.close()
    report = builder.report("BU99010000")
    assert (report.name, report.level, report.gemeente_code, report.gemeente_name) == (
        "Oude Kern", "buurt", "GM9901", "Vreedebeek")
    assert report.generated == "23 november 2026"
    rows = {r.indicator.id: r for t in report.themes for r in t.rows}
    old = rows["leeftijd_65plus"]
    assert (old.year, old.value.text, old.value.value) == (2023, "28,5%", 670 / 2350 * 100)
    assert old.interval == "26,7% – 30,4%"
    latest = builder.latest("leeftijd_65plus", "BU99010000")
    assert latest is not None and latest.value == 670 / 2350 * 100
    # The builder's own view of which areas get a profile agrees with the build and the CLI.
    assert profile_codes(region, builder.area, current=current) == result.profiles
    assert built_profile_count(region) == len(result.profiles)
    # The position spine's legend names its benchmark line: the gemeente for a buurt, and for
    # a gemeente (never compared with itself) Nederland; a count has no line, and says why.
    env = render.environment(project / "templates")
    for code, line, parts in (("BU99010000", "gemeente", "buurten"),
                              ("GM9901", "Nederland", "wijken")):
        page = render.profile(env, builder.report(code)).replace("\u00ad", "")
        assert f"donkergrijs = middelste helft, streep = {line}, rondje = " in page
        assert ("Bij een aantal (zoals het aantal inwoners) staat in ‘Positie in de regio’ geen "
                f"streep: het aantal van {'Nederland' if line == 'Nederland' else 'de gemeente'}"
                f" is een optelsom van vele {parts} en valt ver buiten hun spreiding.") in page
