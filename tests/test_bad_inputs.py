"""The bad-input corpus: every case in ``tests/bad_inputs/<name>/case.yml`` runs the real CLI.

A case starts from the demo project (the ``project`` fixture), changes it (``files/`` copied over
the project, ``cells`` set in a CSV, ``replace`` text, ``remove`` files, ``encode`` a file, a
named ``setup`` step), runs ``wijkdata <args>`` and checks the exact exit code and stderr lines.
A failing case must leave ``reports/`` and ``data/processed/`` byte-identical: both are seeded
with a "previous build" first, so a stray write, a half-replaced file or a leftover lock or
temporary file shows up. A good case (exit 0) checks what the written report contains.
The corpus is listed in ``docs/bad_inputs.md``.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml
from typer.testing import CliRunner

from tests.conftest import tree_snapshot
from tests.publishers import Publishers, point_at, serve
from wijkdata.cli import app

CORPUS = Path(__file__).resolve().parent / "bad_inputs"
CASES = sorted(p.name for p in CORPUS.iterdir() if (p / "case.yml").is_file())
PREVIOUS_REPORT = b"<!doctype html><title>previous build</title>\n"
PREVIOUS_DB = b"previous database bytes\n"


def set_cells(path: Path, code: str, values: dict[str, str]) -> None:
    """Set columns of the row whose first cell (stripped) is ``code`` in a ';' CSV."""
    text = path.read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    header = rows[0]
    hits = [r for r in rows[1:] if r and r[0].strip() == code]
    assert len(hits) == 1, f"fixture edit: {code} found {len(hits)} times in {path}"
    for column, value in values.items():
        hits[0][header.index(column)] = value
    buf = io.StringIO()
    csv.writer(buf, delimiter=";", lineterminator="\n").writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


def _xlsx_with_title_rows(project: Path) -> None:
    """KWB 2023 as a workbook with three title rows above the header, as CBS publishes it."""
    import openpyxl

    src = project / "data" / "demo" / "kwb_2023_demo.csv"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Kerncijfers wijken en buurten 2023"])
    ws.append(["Bron: CBS (demo)"])
    ws.append([])
    for row in csv.reader(io.StringIO(src.read_text(encoding="utf-8")), delimiter=";"):
        ws.append(row)
    wb.save(project / "data" / "demo" / "kwb_2023_demo.xlsx")
    src.unlink()


def _make_unwritable(folder: Path) -> None:
    """chmod a-w; as root (which ignores mode bits) also set the immutable attribute."""
    folder.chmod(0o555)
    if os.geteuid() == 0:
        subprocess.run(["chattr", "+i", str(folder)], check=False, capture_output=True)
    probe = folder / ".probe"
    try:
        probe.write_bytes(b"")
    except OSError:
        return
    probe.unlink()
    pytest.skip(f"cannot make {folder} read-only here (root without chattr)")


def _readonly_output(project: Path) -> None:
    _make_unwritable(project / "reports" / "demo")


def _readonly_database(project: Path) -> None:
    _make_unwritable(project / "data" / "processed")


def _symlinked_output(project: Path) -> None:
    real = project / "elsewhere"
    shutil.move(project / "reports" / "demo", real)
    (project / "reports" / "demo").symlink_to(real, target_is_directory=True)


def _header_only(project: Path) -> None:
    path = project / "data" / "demo" / "kwb_2023_demo.csv"
    path.write_text(path.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")


def _source_symlink_out(project: Path) -> None:
    data = project / "data" / "demo" / "kwb_2023_demo.csv"
    outside = project.parent / "outside.csv"
    shutil.move(data, outside)
    data.symlink_to(outside)


def _logo_symlink_out(project: Path) -> None:
    logo = project / "assets" / "wijkdata-logo.svg"
    outside = project.parent / "outside.svg"
    shutil.move(logo, outside)
    logo.symlink_to(outside)


def _logo_too_large(project: Path) -> None:
    logo = project / "assets" / "wijkdata-logo.svg"
    text = logo.read_text(encoding="utf-8")
    padding = "<!--" + "x" * (1_200_000 - 7) + "-->"
    logo.write_text(text.replace("</svg>", padding + "</svg>"), encoding="utf-8")


def _long_value(project: Path) -> None:
    set_cells(project / "data" / "demo" / "kwb_2023_demo.csv", "BU99010101", {"a_hh": "x" * 5000})


BUURTEN = Path("data/demo/buurten_demo.geojson")


def _geojson(project: Path, edit: Callable[[dict[str, Any]], None]) -> None:
    import json

    data = json.loads((project / BUURTEN).read_text(encoding="utf-8"))
    edit(data)
    (project / BUURTEN).write_text(json.dumps(data), encoding="utf-8")


def _to_rd(data: dict[str, Any]) -> None:
    from pyproj import Transformer

    to_rd = Transformer.from_crs(4326, 28992, always_xy=True)
    for feature in data["features"]:
        for ring in feature["geometry"]["coordinates"]:
            ring[:] = [list(to_rd.transform(x, y)) for x, y in ring]


def _geojson_rd_with_crs(project: Path) -> None:
    def edit(data: dict[str, Any]) -> None:
        _to_rd(data)
        data["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::28992"}}
    _geojson(project, edit)


def _geojson_unknown_crs(project: Path) -> None:
    _geojson(project, lambda d: d.update(
        crs={"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3035"}}))


def _geojson_nan(project: Path) -> None:
    path = project / BUURTEN
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("6.23", "NaN", 1), encoding="utf-8")


def _geojson_too_deep(project: Path) -> None:
    path = project / BUURTEN
    text = path.read_text(encoding="utf-8")
    deep = "[" * 100_000 + "]" * 100_000
    path.write_text(text.replace('"features": [', f'"extra": {deep}, "features": [', 1),
                    encoding="utf-8")


def _gpkg_points_beyond_bytes(project: Path) -> None:
    import struct

    from tests.test_sources_gpkg import SQUARE, _blob, _gpkg

    blob = bytearray(_blob(SQUARE))
    count_at = len(blob) - 5 * 16 - 4  # the ring's point count precedes its 5 points
    struct.pack_into("<I", blob, count_at, 0xFFFFFFFF)
    _gpkg(project / "data" / "demo" / "buurten.gpkg", bytes(blob), code="BU99010000")


def _xlsx_bomb(project: Path) -> None:
    import zipfile

    _xlsx_with_title_rows(project)
    with zipfile.ZipFile(project / "data" / "demo" / "kwb_2023_demo.xlsx", "a",
                         zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/padding.xml", b"\0" * 50_000_000)


def _drop_a_1p_hh(project: Path) -> None:
    for year in (2022, 2023):
        path = project / "data" / "demo" / f"kwb_{year}_demo.csv"
        rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8")), delimiter=";"))
        i = rows[0].index("a_1p_hh")
        buf = io.StringIO()
        csv.writer(buf, delimiter=";", lineterminator="\n").writerows(r[:i] + r[i + 1:]
                                                                     for r in rows)
        path.write_text(buf.getvalue(), encoding="utf-8")


SETUPS: dict[str, Callable[[Path], None]] = {
    "drop_a_1p_hh": _drop_a_1p_hh,
    "geojson_rd_with_crs": _geojson_rd_with_crs,
    "geojson_rd_without_crs": lambda p: _geojson(p, _to_rd),
    "geojson_unknown_crs": _geojson_unknown_crs,
    "geojson_nan": _geojson_nan,
    "geojson_too_deep": _geojson_too_deep,
    "gpkg_points_beyond_bytes": _gpkg_points_beyond_bytes,
    "xlsx_bomb": _xlsx_bomb,
    "long_value": _long_value,
    "source_symlink_out": _source_symlink_out,
    "logo_symlink_out": _logo_symlink_out,
    "logo_too_large": _logo_too_large,
    "header_only": _header_only,
    "xlsx_with_title_rows": _xlsx_with_title_rows,
    "readonly_output": _readonly_output,
    "readonly_database": _readonly_database,
    "symlinked_output": _symlinked_output,
}


def apply_case(case: Path, spec: dict[str, Any], project: Path) -> None:
    files = case / "files"
    if files.is_dir():
        for src in sorted(files.rglob("*")):
            if src.is_file():
                dst = project / src.relative_to(files)
                dst.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(src, dst)
    for edit in spec.get("cells", []):
        set_cells(project / edit["file"], edit["code"], edit["set"])
    for edit in spec.get("replace", []):
        path = project / edit["file"]
        text = path.read_text(encoding="utf-8")
        assert text.count(edit["old"]) == 1, f"fixture edit: {edit['old']!r} not unique in {path}"
        path.write_text(text.replace(edit["old"], edit["new"]), encoding="utf-8")
    for name in spec.get("remove", []):
        (project / name).unlink()
    for edit in spec.get("encode", []):
        path = project / edit["file"]
        path.write_bytes(path.read_text(encoding="utf-8").encode(edit["encoding"]))
    if "setup" in spec:
        SETUPS[spec["setup"]](project)


def _line_of(spec: dict[str, Any], project: Path) -> str:
    """``{line}`` in an expected message: where ``line_of.text`` stands in ``line_of.file``.

    Computed, so that others editing the demo config or an indicator does not break the case.
    """
    if "line_of" not in spec:
        return "{line}"
    data = (project / spec["line_of"]["file"]).read_bytes().splitlines()
    needle = spec["line_of"]["text"].encode()
    return str(next(i for i, line in enumerate(data, start=1) if needle in line))


def seed_previous_build(project: Path) -> None:
    out = project / "reports" / "demo"
    out.mkdir(parents=True)
    (out / "index.html").write_bytes(PREVIOUS_REPORT)
    processed = project / "data" / "processed"
    processed.mkdir(parents=True)
    (processed / "demo.duckdb").write_bytes(PREVIOUS_DB)


def snapshot(project: Path) -> dict[str, dict[str, bytes]]:
    return {name: tree_snapshot(project / name)
            for name in ("reports", "data/processed", "data/raw", "elsewhere")}


@pytest.fixture
def publishers(request: pytest.FixtureRequest, name: str) -> Iterator[Publishers | None]:
    """The local CBS/RIVM/PDOK stand-in, for the cases that say ``server:`` (fetch cases)."""
    spec = yaml.safe_load((CORPUS / name / "case.yml").read_text(encoding="utf-8"))
    if "server" not in spec:
        yield None
        return
    shared = request.getfixturevalue("shared_data")
    for state in serve(shared):
        state.mode = spec["server"].get("mode", "ok")
        state.failures_left = spec["server"].get("failures", 0)
        state.page_size = spec["server"].get("page_size", state.page_size)
        yield state


def _fill(text: str, project: Path, server: Publishers | None) -> str:
    text = text.replace("{project}", str(project))
    if server is not None:
        text = text.replace("{server}", server.base).replace(
            "{offsite}", server.base.replace("127.0.0.1", "localhost")).replace(
            "{server_hostport}", server.base.split("//", 1)[1])
    return text


@pytest.fixture
def restore_permissions(project: Path) -> Iterator[None]:
    yield
    for folder in (project / "reports" / "demo", project / "data" / "processed"):
        if folder.is_dir() and not folder.is_symlink():
            if os.geteuid() == 0:
                subprocess.run(["chattr", "-i", str(folder)], check=False, capture_output=True)
            folder.chmod(0o755)


def test_corpus_has_at_least_60_cases() -> None:
    assert len(CASES) >= 60
    doc = (Path(__file__).resolve().parents[1] / "docs" / "bad_inputs.md").read_text("utf-8")
    undocumented = [c for c in CASES if f"`{c}`" not in doc]
    assert undocumented == []


@pytest.mark.parametrize("name", CASES)
def test_bad_input(name: str, project: Path, runner: CliRunner, restore_permissions: None,
                   publishers: Publishers | None, monkeypatch: pytest.MonkeyPatch) -> None:
    case = CORPUS / name
    spec = yaml.safe_load((case / "case.yml").read_text(encoding="utf-8"))
    seed_previous_build(project)
    apply_case(case, spec, project)
    if publishers is not None:
        point_at(publishers, monkeypatch)
    for key, value in spec.get("env", {}).items():
        monkeypatch.setenv(key, _fill(str(value), project, publishers))
    before = snapshot(project)
    result = runner.invoke(app, [_fill(str(a), project, publishers) for a in spec["args"]])
    assert result.exit_code == spec["exit"], result.stderr + result.stdout
    lines = result.stderr.splitlines()
    for secret in spec.get("never_printed", []):
        assert secret not in result.stderr + result.stdout
    if publishers is not None and "sent_below" in spec:
        # The server never got to send the whole body: the client hung up at its deadline/cap.
        assert publishers.sent < spec["sent_below"]
    for line in spec.get("stderr", []):
        line = _fill(line, project, publishers).replace("{line}", _line_of(spec, project))
        if "{byte}" in line:  # offset of the first byte that is not UTF-8 in the line_of file
            raw = (project / spec["line_of"]["file"]).read_bytes()
            with pytest.raises(UnicodeDecodeError) as bad:
                raw.decode("utf-8")
            line = line.replace("{byte}", str(bad.value.start))
        assert line in lines, result.stderr
    for part in spec.get("contains_stderr", []):
        assert _fill(part, project, publishers) in result.stderr, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    for name in spec.get("absent", []):  # e.g. the file a !!python tag would have created
        assert not (project / name).exists()
    if spec["exit"] != 0:
        assert snapshot(project) == before
        return
    for rel, needles in spec.get("contains", {}).items():
        text = (project / rel).read_text(encoding="utf-8")
        for needle in needles:
            assert needle in text, f"{rel} lacks {needle!r}"
    for rel, needles in spec.get("lacks", {}).items():
        text = (project / rel).read_text(encoding="utf-8")
        for needle in needles:
            assert needle not in text, f"{rel} contains {needle!r}"
    if not spec.get("sql"):
        return
    con = duckdb.connect(str(project / "data" / "processed" / "demo.duckdb"), read_only=True)
    try:
        for check in spec.get("sql", []):
            assert [list(r) for r in con.execute(check["query"]).fetchall()] == check["rows"]
    finally:
        con.close()
