"""Resources (issue 14, item 8), in real subprocesses with limits set by ``resource.setrlimit``:
a 200 MB KWB CSV is read within 2 GB, a memory limit too small for it stops with exit 1 naming
the file and the limit, and a file-size limit (RLIMIT_FSIZE) during a build is exit 1 naming
the file, with nothing replaced.

Memory is capped with RLIMIT_DATA (``ulimit -d``: writable memory). RLIMIT_AS caps address
space, which DuckDB's and polars' thread pools reserve far beyond what they use: even the demo
build (300 MB resident) fails under a 2 GB RLIMIT_AS. The rendering step runs uncapped and is
measured instead, because the Vega-Lite charts run in V8, which reserves gigabytes of address
space at start.
"""

from __future__ import annotations

import email
import email.policy
import resource
import subprocess
import sys
from email.message import EmailMessage
from pathlib import Path

import duckdb
import pytest

from tests.buildproc import BUILD, WIJKDATA, env_for, run_build
from tests.conftest import tree_snapshot
from wijkdata.core.atomic import unpublished_generations

pytestmark = pytest.mark.slow
KWB = Path("data/demo/kwb_2023_demo.csv")
MB = 1 << 20
PREVIOUS_DB = b"previous database bytes\n"


def grow_kwb(path: Path, size: int) -> int:
    """Grow the demo's KWB CSV past ``size`` bytes with made-up gemeenten GM1000, GM1001, ...
    (100 wijken of 100 buurten each, cells copied from the demo's rows), as a national table
    holds other gemeenten than the region's. Returns the number of data rows."""
    lines = path.read_text(encoding="utf-8").splitlines()
    cells = {line.split(";", 1)[0].strip()[:2]: line.split(";", 1)[1] for line in lines[1:]}
    buurten = [line.split(";", 1)[1] for line in lines[1:] if line.startswith("BU")]
    parts = ["\n".join(lines) + "\n"]
    written, rows, gm = len(parts[0]), len(lines) - 1, 1000
    while written < size:
        block = [f"GM{gm};{cells['GM']}"]
        for w in range(100):
            block.append(f"WK{gm}{w:02d};{cells['WK']}")
            block += [f"BU{gm}{w:02d}{b:02d};{buurten[b % len(buurten)]}" for b in range(100)]
        parts.append("\n".join(block) + "\n")
        written, rows, gm = written + len(parts[-1]), rows + len(block), gm + 1
    path.write_text("".join(parts), encoding="utf-8")
    return rows


# Linux keeps a process's peak resident size across exec, and a child forked from this test
# process starts with pytest's own peak (hundreds of MB late in a full run). So a small
# launcher (fresh python) starts wijkdata and reports the peak of its child only.
_LAUNCHER = """
import resource, subprocess, sys
limit, peak_file, *cmd = sys.argv[1:]
if int(limit):
    resource.setrlimit(resource.RLIMIT_DATA, (int(limit), int(limit)))
code = subprocess.run(cmd).returncode
with open(peak_file, "w") as out:
    out.write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024))
sys.exit(code)
"""


def run_measured(project: Path, args: list[str], data_limit: int | None = None
                 ) -> tuple[int, str, int]:
    """Run ``wijkdata <args>`` (under ``data_limit`` bytes of RLIMIT_DATA); return its exit
    code, stderr and its own peak resident bytes (see ``_LAUNCHER``)."""
    err = project.parent / "stderr.txt"
    peak = project.parent / "peak.txt"
    with err.open("w", encoding="utf-8") as sink:
        done = subprocess.run([sys.executable, "-c", _LAUNCHER, str(data_limit or 0), str(peak),
                               str(WIJKDATA), *args], cwd=project, env=env_for(project),
                              stdout=subprocess.DEVNULL, stderr=sink, text=True, check=False)
    return done.returncode, err.read_text(encoding="utf-8"), int(peak.read_text())


def test_a_200_mb_kwb_csv_is_read_under_a_2_gb_memory_limit_and_builds(project: Path) -> None:
    rows = grow_kwb(project / KWB, 200 * MB)

    code, err, peak = run_measured(project, ["prepare", "--regio", "demo"], 2048 * MB)
    assert code == 0, err
    assert peak < 2048 * MB
    code, err, peak = run_measured(project, BUILD)  # renders from the prepared database
    assert code == 0, err
    assert "sources and indicators unchanged: reusing the database" in err
    assert peak < 2048 * MB

    con = duckdb.connect(str(project / "data" / "processed" / "demo.duckdb"), read_only=True)
    try:
        assert con.execute("SELECT rows FROM provenance WHERE source_id = 'kwb_2023'"
                           ).fetchall() == [(rows,)]
        assert con.execute("SELECT value FROM observation WHERE source_id = 'kwb_2023' AND "
                           "area_code = 'BU99010000' AND variable = 'a_inw'").fetchall() == [
            (2350.0,)]
        # Only the region's rows were kept: none of the made-up gemeenten GM1000, GM1001, ...
        assert con.execute("SELECT count(*) FROM raw_kwb_2023 "
                           "WHERE substr(gwb_code_10, 3, 1) = '1'").fetchall() == [(0,)]
        assert con.execute("SELECT count(*) FROM area WHERE gemeente_code LIKE 'GM1%'"
                           ).fetchall() == [(0,)]
    finally:
        con.close()
    assert "Oude Kern" in (project / "reports" / "demo" / "BU99010000.html").read_text("utf-8")


# ulimit -d counts reserved memory (thread stacks, allocator arenas), not only rows, so the
# limit must sit where wijkdata has started but cannot read the file. The grown file is the
# region's first source, read right after start-up: measured here, the file is named as the
# cause from about 300 MB to 500 MB (below, start-up itself runs out; above, polars' own
# allocations abort or the file fits). 400 MB keeps 100 MB either side.
FIRST_KWB = Path("data/demo/kwb_2022_demo.csv")
TOO_SMALL = 400 * MB


def test_a_memory_limit_too_small_for_a_200_mb_kwb_csv_is_exit_1_naming_file_and_limit(
        project: Path) -> None:
    grow_kwb(project / FIRST_KWB, 200 * MB)
    db = project / "data" / "processed" / "demo.duckdb"
    db.parent.mkdir(parents=True)
    db.write_bytes(PREVIOUS_DB)
    size = (project / FIRST_KWB).stat().st_size

    code, err, _peak = run_measured(project, ["prepare", "--regio", "demo"], TOO_SMALL)

    assert code == 1, err
    assert err.splitlines()[-2:] == [
        f"error: {project / FIRST_KWB}: ran out of memory reading this file ({size:,} bytes): "
        "the memory limit of 400 MB set with ulimit -d was reached; nothing was replaced",
        "  hint: give the process more memory, or a file with fewer rows"]
    assert "Traceback" not in err
    assert db.read_bytes() == PREVIOUS_DB
    assert sorted(p.name for p in db.parent.iterdir()) == ["demo.duckdb"]


def _limited_build(project: Path, limit: int) -> subprocess.CompletedProcess[str]:
    def limit_files() -> None:  # runs in the child only
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return subprocess.run([str(WIJKDATA), *BUILD], cwd=project, env=env_for(project),
                          capture_output=True, text=True, timeout=300, preexec_fn=limit_files)


def test_file_size_limit_during_ingest_is_exit_1_with_the_path(project: Path) -> None:
    first = run_build(project)
    assert first.returncode == 0, first.stderr
    reports = tree_snapshot(project / "reports" / "demo")
    db = project / "data" / "processed" / "demo.duckdb"
    old_db = db.read_bytes()
    text = (project / KWB).read_text(encoding="utf-8")
    (project / KWB).write_text(text.replace(";1885;115;260;920;225;", ";1885;115;260;920;230;"),
                               encoding="utf-8")

    done = _limited_build(project, 1_000_000)  # the database needs a few MB

    assert done.returncode == 1, done.stderr
    last = done.stderr.splitlines()[-1]
    tmp = project / "data" / "processed" / ".demo.duckdb.tmp-"
    assert last.startswith(f"error: {tmp}"), last
    assert last.endswith(": the file-size limit was reached; nothing was replaced"), last
    assert "Traceback" not in done.stderr
    assert db.read_bytes() == old_db
    assert tree_snapshot(project / "reports" / "demo") == reports
    assert sorted(p.name for p in db.parent.iterdir()) == ["demo.duckdb", "demo.hashes.json"]
    assert unpublished_generations(project / "reports" / "demo") == []


def test_ten_thousand_recipients_in_a_dry_run_stay_under_500_mb(project: Path) -> None:
    # The profiles the mail links to: a real PDF build of two areas.
    built = subprocess.run([str(WIJKDATA), "build", "--regio", "demo", "--format", "pdf",
                            "--area", "DORP_ESVELD", "--area", "WK990101"], cwd=project,
                           env=env_for(project), capture_output=True, text=True, timeout=600)
    assert built.returncode == 0, built.stderr
    cfg = project / "configs" / "demo.yml"
    cfg.write_text(cfg.read_text(encoding="utf-8").rstrip("\n")
                   + "\n  attach: link\n  link_base: https://example.org/profielen/\n",
                   encoding="utf-8")
    rows = [f"Lid {i};lid{i}@example.org;{'DORP_ESVELD' if i % 2 else 'WK990101'}"
            for i in range(1, 10_001)]
    (project / "configs" / "demo" / "ontvangers.csv").write_text(
        "naam;email;gebieden\n" + "\n".join(rows) + "\n", encoding="utf-8")

    code, err, peak = run_measured(project, ["mail", "--regio", "demo", "--session",
                                             "2026-12-03"], 500 * MB)

    assert code == 0, err
    assert peak < 500 * MB
    outbox = project / "outbox" / "demo" / "2026-12-03"
    names = {p.name for p in outbox.glob("*.eml")}
    assert len(names) == 10_000
    assert {"001-lid1_example_org.eml", "10000-lid10000_example_org.eml"} <= names
    last = email.message_from_bytes((outbox / "10000-lid10000_example_org.eml").read_bytes(),
                                    policy=email.policy.default)
    assert isinstance(last, EmailMessage)
    assert last["To"] == "Lid 10000 <lid10000@example.org>"
    body = last.get_body(("plain",))
    assert body is not None
    assert ("- Wijkprofiel Wijk 01 Noord (WK990101): https://example.org/profielen/WK990101.pdf"
            in body.get_content())
