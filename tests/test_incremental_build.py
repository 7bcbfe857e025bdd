"""Incremental builds: each stage reruns only when its inputs' content hashes changed."""

from __future__ import annotations

import json
import re
from pathlib import Path

from typer.testing import CliRunner

from wijkdata.cli import app
from wijkdata.core.config import load_region
from wijkdata.pipeline.build import BuildOptions, build, db_path_for
from wijkdata.pipeline.manifest import MANIFEST_NAME

# Two profiles keep the test quick; every stage still runs for the whole region.
HTML_CSV = BuildOptions(formats=("html", "csv"), areas=("DORP_ESVELD", "WK990101"))


def run(opts: BuildOptions = HTML_CSV) -> tuple[str, list[str]]:
    messages: list[str] = []
    result = build(load_region("demo"), opts, messages.append)
    return result.ran, messages


def db_identity(project: Path) -> tuple[int, int]:
    st = db_path_for(load_region("demo")).stat()
    return st.st_ino, st.st_mtime_ns


def test_each_change_reruns_only_the_stages_that_depend_on_it(project: Path) -> None:
    assert run()[0] == "ingest"
    db_before = db_identity(project)
    esveld = project / "reports" / "demo" / "DORP_ESVELD.html"
    first_html = esveld.read_bytes()

    ran, messages = run()
    assert ran == "none"
    assert "sources and indicators unchanged: reusing the database" in messages
    assert db_identity(project) == db_before  # the database file was not even rewritten
    assert esveld.read_bytes() == first_html

    # A template change re-renders from the same database.
    tpl = project / "templates" / "profile.html.j2"
    tpl.write_text(tpl.read_text(encoding="utf-8") + "<!-- sjabloon gewijzigd -->\n",
                   encoding="utf-8")
    assert run()[0] == "none"
    assert db_identity(project) == db_before
    assert esveld.read_text(encoding="utf-8").endswith("<!-- sjabloon gewijzigd -->\n")

    # An indicator change recomputes (on a copy of the database) without re-ingesting.
    ind = project / "indicators" / "demografie" / "eenpersoonshuishoudens.yml"
    ind.write_text(re.sub(r"(?m)^title: .*$", "title: Alleenwonende huishoudens",
                          ind.read_text(encoding="utf-8")), encoding="utf-8")
    ran, messages = run()
    assert ran == "compute"
    assert "sources unchanged: skipping ingest, recomputing indicators" in messages
    assert not any(m.startswith("[1/") for m in messages)  # no source was read
    assert db_identity(project) != db_before
    assert "Alleenwonende huishoudens" in esveld.read_text(encoding="utf-8")

    # A changed source file means a new ingest.
    src = project / "data" / "demo" / "kwb_2023_demo.csv"
    src.write_bytes(src.read_bytes() + b"\n")
    ran, messages = run()
    assert ran == "ingest"
    assert any(m.startswith("[1/") and "cbs_kwb 'kwb_2022'" in m for m in messages)


def test_if_changed_stops_early_and_notices_every_kind_of_change(
        project: Path, runner: CliRunner) -> None:
    args = ["build", "--regio", "demo", "--format", "html,csv", "--area", "DORP_ESVELD",
            "--area", "WK990101", "--if-changed"]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    assert first.output.splitlines()[-1].startswith("built 2 profiles")
    out = project / "reports" / "demo"
    manifest = json.loads((out / MANIFEST_NAME).read_text(encoding="utf-8"))
    assert manifest["outputs"] == ["DORP_ESVELD.csv", "DORP_ESVELD.html", "WK990101.csv",
                                   "WK990101.html", "index.html"]
    stamps = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}

    same = runner.invoke(app, args)
    assert same.exit_code == 0
    assert same.output == "up to date: nothing changed since the last build of demo\n"
    assert {p.name: p.stat().st_mtime_ns for p in out.iterdir()} == stamps

    # Each of these must trigger a rebuild; after it, the next run is up to date again.
    cfg = project / "configs" / "demo.yml"
    changes = [
        lambda: cfg.write_text(cfg.read_text(encoding="utf-8").replace(
            "Fictieve gegevens", "Verzonnen gegevens"), encoding="utf-8"),
        lambda: (project / "templates" / "style.css").write_text(
            (project / "templates" / "style.css").read_text(encoding="utf-8") + "\n/* x */\n",
            encoding="utf-8"),
        lambda: (out / "WK990101.html").unlink(),
        lambda: (project / "data" / "demo" / "ggd_monitor_2020_demo.csv").write_bytes(
            (project / "data" / "demo" / "ggd_monitor_2020_demo.csv").read_bytes() + b"\n"),
    ]
    for change in changes:
        change()
        rebuilt = runner.invoke(app, args)
        assert rebuilt.exit_code == 0, rebuilt.output
        assert rebuilt.output.splitlines()[-1].startswith("built 2 profiles")
        assert runner.invoke(app, args).output.startswith("up to date")
    # Other options are another build: asking for html only is not "up to date".
    other = runner.invoke(app, ["build", "--regio", "demo", "--format", "html", "--area",
                                "WK990101", "--if-changed"])
    assert other.output.splitlines()[-1].startswith("built 1 profiles")
