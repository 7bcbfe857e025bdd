"""pipeline.render_pool: one profile rendered serially and the same profiles in a worker process.

Both must write exactly the pages a build publishes; the worker's pages come back in the order
of the codes asked for.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from tests.conftest import demo_build
from wijkdata.core.clock import build_date
from wijkdata.core.config import load_region
from wijkdata.pipeline import render_pool
from wijkdata.report import render
from wijkdata.report.context import ContextBuilder
from wijkdata.report.inputs import db_path_for, load_indicators, logo_svg

ESVELD = ("DORP_ESVELD", "Dorpsprofiel Esveld", "Stichting Gezond in de Wijk (demo)",
          "Esveld (DORP_ESVELD), Vreedebeek en Lindenoord (demo)")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    with demo_build(tmp_path_factory, "pool") as proj:
        yield proj


def test_render_one_writes_the_published_page_and_csv(built: Path, tmp_path: Path) -> None:
    region = load_region("demo", built)
    con = duckdb.connect(str(db_path_for(region)), read_only=True)
    try:
        builder = ContextBuilder(con, region, load_indicators(region), logo_svg(region),
                                 build_date())
    finally:
        con.close()
    env = render.environment(built / "templates")
    got = render_pool.render_one(region, builder, env, "DORP_ESVELD", tmp_path, ("html", "csv"))
    assert (got.code, got.title, got.author, got.subject) == ESVELD
    assert got.files == ("DORP_ESVELD.html", "DORP_ESVELD.csv")
    published = built / "reports" / "demo"
    for name in ("DORP_ESVELD.html", "DORP_ESVELD.csv"):
        assert (tmp_path / name).read_bytes() == (published / name).read_bytes(), name
    assert sorted(p.name for p in tmp_path.iterdir()) == ["DORP_ESVELD.csv", "DORP_ESVELD.html"]


def test_a_worker_renders_in_the_order_asked(built: Path, tmp_path: Path) -> None:
    region = load_region("demo", built)
    counts: list[int] = []
    got = list(render_pool.render_parallel(
        region, db_path_for(region), logo_svg(region), ["WK990101", "DORP_ESVELD"], tmp_path,
        ("html",), workers=1, chunk=1, done=counts.append))
    assert [r.code for r in got] == ["WK990101", "DORP_ESVELD"]
    assert (got[1].code, got[1].title, got[1].author, got[1].subject) == ESVELD
    assert counts == [1, 2]  # one chunk of one code at a time
    published = built / "reports" / "demo"
    for name in ("WK990101.html", "DORP_ESVELD.html"):
        assert (tmp_path / name).read_bytes() == (published / name).read_bytes(), name


def test_a_chunk_outside_a_started_worker_says_so() -> None:
    with pytest.raises(AssertionError, match="render worker started without its context"):
        render_pool._chunk((["WK990101"], Path("."), ("html",)))
