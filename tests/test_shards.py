"""A build split over machines: ``prepare``, ``build --shard k/n``, ``assemble`` (issue 19).

Real commands on the demo project copy; the assembled folder must equal a one-machine build
byte for byte, and a wrong set of shards must be refused naming the areas.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

import duckdb
import pytest
import yaml
from typer.testing import CliRunner

from wijkdata.cli import app
from wijkdata.core.errors import ConfigError
from wijkdata.pipeline.shards import parse_shard, partition


def profiles_by_gemeente(project: Path, manifest: dict) -> dict[str, list[str]]:
    """The one-machine build's profiles grouped by gemeente (from the database's area table),
    in the build's order. Read, not listed, so that demo areas added later keep this true."""
    codes = [name[:-5] for name in manifest["outputs"] if name.endswith(".html")
             and name != "index.html"]
    con = duckdb.connect(str(project / "data" / "processed" / "demo.duckdb"), read_only=True)
    try:
        gemeente = dict(con.execute("SELECT code, gemeente_code FROM area").fetchall())
    finally:
        con.close()
    order = [c for c in sorted(codes) if not c.startswith(("DORP_", "CLUSTER_", "FOCUS_"))]
    config = yaml.safe_load((project / "configs" / "demo.yml").read_text(encoding="utf-8"))
    custom = [a["code"] for a in config["areas"]["custom"]]
    # custom areas last, in config order (the manifest lists its outputs sorted)
    order += [c for c in custom if c in codes]
    assert sorted(order) == sorted(codes)
    groups: dict[str, list[str]] = {}
    for code in order:
        groups.setdefault(gemeente[code], []).append(code)
    return groups


def hashes(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def remove_published(out: Path) -> None:
    """Throw away a published region folder: the link and its generation folders."""
    if out.is_symlink():
        out.unlink()
        shutil.rmtree(out.parent / f".{out.name}.generations")
    else:
        shutil.rmtree(out)


def ok(runner: CliRunner, *args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def shard_record(project: Path, k: int, n: int) -> dict:
    path = project / "reports" / f"demo-shard-{k}-of-{n}" / ".wijkdata-shard.json"
    return json.loads(path.read_text(encoding="utf-8"))


def sharded(project: Path, runner: CliRunner, n: int, formats: str) -> list[str]:
    ok(runner, "prepare", "--regio", "demo")
    for k in range(1, n + 1):
        ok(runner, "build", "--regio", "demo", "--shard", f"{k}/{n}", "--format", formats)
    return [str(project / "reports" / f"demo-shard-{k}-of-{n}") for k in range(1, n + 1)]


def test_three_shards_assemble_to_the_one_machine_build_byte_for_byte(
        project: Path, runner: CliRunner) -> None:
    out = project / "reports" / "demo"
    ok(runner, "build", "--regio", "demo", "--format", "html,csv")
    one_machine = hashes(out)
    groups = profiles_by_gemeente(project, json.loads(one_machine_manifest(out)))
    remove_published(out)

    folders = sharded(project, runner, 3, "html,csv")
    records = [shard_record(project, k, 3) for k in (1, 2, 3)]
    # Two gemeenten, three shards: each gemeente whole, the larger (Vreedebeek, GM9901) on
    # shard 1, Lindenoord on shard 2, nothing left for shard 3.
    assert len(groups["GM9901"]) > len(groups["GM9902"])
    assert records[0]["profiles"] == groups["GM9901"]
    assert records[1]["profiles"] == groups["GM9902"]
    assert records[2]["profiles"] == [] and records[2]["files"] == []
    assert records[1]["files"] == [f"{c}.{ext}" for c in groups["GM9902"]
                                   for ext in ("html", "csv")]

    n = sum(len(g) for g in groups.values())
    output = ok(runner, "assemble", "--regio", "demo", *folders)
    assert output.splitlines()[-2] == f"assembling {n} profiles from 3 shards"
    assert re.fullmatch(rf"assembled {n} profiles from 3 shards in \d+\.\d s -> "
                        r"reports/demo/index\.html", output.splitlines()[-1])
    assert hashes(out) == one_machine
    # html + csv per profile; index.html, the region's CSV and workbook, the manifest
    assert len(one_machine) == n * 2 + 4


def one_machine_manifest(out: Path) -> str:
    return (out / ".wijkdata-manifest.json").read_text(encoding="utf-8")


@pytest.mark.slow
def test_sharded_pdfs_equal_the_one_machine_pdfs(project: Path, runner: CliRunner) -> None:
    out = project / "reports" / "demo"
    ok(runner, "build", "--regio", "demo", "--format", "html,pdf")
    one_machine = hashes(out)
    remove_published(out)
    folders = sharded(project, runner, 3, "html,pdf")
    ok(runner, "assemble", "--regio", "demo", *folders)
    assert hashes(out) == one_machine
    assert sum(name.endswith(".pdf") for name in one_machine) == sum(
        name.endswith(".html") for name in one_machine) - 1  # every profile; not index.html


def test_assemble_names_missing_and_duplicate_areas(project: Path, runner: CliRunner) -> None:
    one, two, three = sharded(project, runner, 3, "html")
    lindenoord = shard_record(project, 2, 3)["profiles"]
    assert lindenoord and all(c.startswith(("BU9902", "WK9902")) for c in lindenoord[:-1])
    assert lindenoord[-1] == "FOCUS_LINDENOORD_LAND"  # the focus area of wijk WK990201
    result = runner.invoke(app, ["assemble", "--regio", "demo", one, three])
    assert result.exit_code == 1
    assert result.output == (
        "error: the shards do not cover region 'demo' exactly once: missing "
        + ", ".join(lindenoord) + f" ({len(lindenoord)} areas)\n"
        "  hint: build the missing shards (all with the same n) and pass each shard folder "
        "once\n")
    result = runner.invoke(app, ["assemble", "--regio", "demo", one, two, two])
    assert result.exit_code == 1
    assert result.output.startswith(
        "error: the shards do not cover region 'demo' exactly once: in more than one shard: "
        + ", ".join(lindenoord)
        + f" ({len(lindenoord)} areas; {lindenoord[0]} in {two}, {two})\n")
    assert not (project / "reports" / "demo").exists()  # nothing was published


def test_shards_from_other_inputs_are_refused(project: Path, runner: CliRunner) -> None:
    one, two, three = sharded(project, runner, 3, "html")
    # A template edited after the shards were rendered: their pages are out of date.
    css = project / "templates" / "style.css"
    css.write_text(css.read_text(encoding="utf-8") + "\n/* nieuw */\n", encoding="utf-8")
    result = runner.invoke(app, ["assemble", "--regio", "demo", one, two, three])
    assert result.exit_code == 1
    assert result.output == (
        f"error: {one}: rendered from other inputs than this project and its prepared "
        "database (templates, configs, indicators, data or options differ)\n"
        "  hint: build that shard again from this database\n")
    # An indicator edited after prepare: the database no longer matches the project.
    ind = project / "indicators" / "demografie" / "eenpersoonshuishoudens.yml"
    ind.write_text(ind.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    output, db = _refused_shard(project, runner, "1/3")
    assert output == (
        f"error: the prepared database {db} was made from other inputs than this project "
        "(region config, indicators, --level or wijkdata version differ)\n"
        "  hint: run 'wijkdata prepare --regio demo' again with this project\n")


def test_a_shard_of_a_level_the_database_did_not_compare_is_refused(
        project: Path, runner: CliRunner) -> None:
    # Comparisons are computed for the profiled levels only: gemeente profiles need a database
    # prepared for them, which the same --level gives.
    ok(runner, "prepare", "--regio", "demo")
    result = runner.invoke(app, ["build", "--regio", "demo", "--shard", "1/2", "--level",
                                 "gemeente"])
    db = project / "data" / "processed" / "demo.duckdb"
    assert result.exit_code == 1
    assert result.output == (
        f"error: the prepared database {db} was made from other inputs than this project "
        "(region config, indicators, --level or wijkdata version differ)\n"
        "  hint: run 'wijkdata prepare --regio demo --level gemeente' again with this "
        "project\n")
    ok(runner, "prepare", "--regio", "demo", "--level", "gemeente")
    ok(runner, "build", "--regio", "demo", "--shard", "1/2", "--level", "gemeente",
       "--format", "html")
    profiles = shard_record(project, 1, 2)["profiles"]
    assert [c for c in profiles if c.startswith("GM")] == ["GM9901"]
    # Its table cells carry verdicts against the regio and Nederland.
    page = (project / "reports" / "demo-shard-1-of-2" / "GM9901.html").read_text(
        encoding="utf-8")
    assert len(re.findall(r'<td class="num[^"]*">[^<]*<span class="sig sig-', page)) > 20


def _refused_shard(project: Path, runner: CliRunner, shard: str) -> tuple[str, Path]:
    """``build --shard`` refused as a data problem (exit 1): its output, and the database it
    names."""
    result = runner.invoke(app, ["build", "--regio", "demo", "--shard", shard])
    assert result.exit_code == 1
    return result.output, project / "data" / "processed" / "demo.duckdb"


def test_a_shard_needs_a_prepared_database(project: Path, runner: CliRunner) -> None:
    output, db = _refused_shard(project, runner, "1/2")
    assert output == (
        f"error: no prepared database for region 'demo' at {db}\n"
        "  hint: run 'wijkdata prepare --regio demo' first, or put the prepare job's "
        "database there\n")


def test_assemble_refuses_a_folder_that_is_not_a_shard(project: Path,
                                                       runner: CliRunner) -> None:
    result = runner.invoke(app, ["assemble", "--regio", "demo", "data"])
    assert result.exit_code == 1
    assert result.output == (
        "error: data: not a shard folder (no .wijkdata-shard.json)\n"
        "  hint: build it with 'wijkdata build --regio demo --shard k/n'\n")


@pytest.mark.parametrize("text", ["0/3", "4/3", "3", "a/b", "1/0"])
def test_shard_must_be_k_of_n(runner: CliRunner, project: Path, text: str) -> None:
    result = runner.invoke(app, ["build", "--regio", "demo", "--shard", text])
    assert result.exit_code == 2
    assert result.output == ("error: --shard: expected k/n with 1 <= k <= n, e.g. --shard 2/4; "
                             f"got '{text}'\n")
    with pytest.raises(ConfigError):
        parse_shard(text)
    assert parse_shard(" 2 / 4 ") == (2, 4)


def test_partition_balances_whole_gemeenten_by_profile_count() -> None:
    # Gemeente sizes 5, 4, 3, 2, 2: A(5) -> 1, B(4) -> 2, C(3) -> 2 (4 < 5? no: 2 has 4, so
    # shard 1 with 5 vs shard 2 with 4 -> 2 gets C, now 7), D(2) -> 1 (5 -> 7), E(2) -> 1
    # (7 vs 7: the lower number) -> 9.
    sizes = {"A": 5, "B": 4, "C": 3, "D": 2, "E": 2}
    codes = [f"{gm}{i}" for gm, n in sorted(sizes.items()) for i in range(n)]
    parts = partition(codes, lambda code: code[0], 2)
    assert parts == [["A0", "A1", "A2", "A3", "A4", "D0", "D1", "E0", "E1"],
                     ["B0", "B1", "B2", "B3", "C0", "C1", "C2"]]
    # Deterministic and disjoint for any n, every code exactly once.
    for n in (1, 3, 5, 8):
        split = partition(codes, lambda code: code[0], n)
        assert sorted(c for part in split for c in part) == sorted(codes)
        assert split == partition(list(codes), lambda code: code[0], n)
        assert len(split) == n
