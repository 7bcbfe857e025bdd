"""The national workflow: valid for GitHub, and prepare -> N render runners -> assemble, with the
database and the shards passed on as artifacts (docs/national.md)."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from tests.test_workflow_regenerate import _vendored_schema

ROOT = Path(__file__).resolve().parents[1]
WORKFLOW = ROOT / ".github" / "workflows" / "national.yml"


def load() -> dict[str, Any]:
    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    if True in data:  # YAML 1.1 (PyYAML) reads the bare key `on` as True; GitHub reads "on"
        data["on"] = data.pop(True)
    return data


def step(job: dict[str, Any], name_or_uses: str) -> dict[str, Any]:
    hits = [s for s in job["steps"] if name_or_uses in (s.get("name"), s.get("uses"), s.get("id"))]
    assert len(hits) == 1, (name_or_uses, job["steps"])
    return hits[0]


def test_workflow_matches_githubs_schema() -> None:
    schema = _vendored_schema()
    validator = jsonschema.validators.validator_for(schema)(schema)
    assert [e.message for e in validator.iter_errors(load())] == []
    proc = subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema",
                           "vendor.github-workflows", str(WORKFLOW)],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.strip() == "ok -- validation done"


def test_prepare_then_a_render_matrix_then_assemble() -> None:
    wf = load()
    assert wf["permissions"] == {"contents": "read"}
    assert set(wf["jobs"]) == {"prepare", "render", "assemble"}
    prepare, render, assemble = (wf["jobs"][j] for j in ("prepare", "render", "assemble"))
    assert render["needs"] == "prepare"
    assert assemble["needs"] == ["prepare", "render"]
    assert render["strategy"]["matrix"]["shard"] == \
        "${{ fromJSON(needs.prepare.outputs.shards) }}"
    assert render["env"]["SHARD"] == "${{ matrix.shard }}/${{ needs.prepare.outputs.count }}"
    for job in (prepare, render, assemble):
        for s in job["steps"]:
            assert ("uses" in s) != ("run" in s), s  # each step does exactly one thing
        assert step(job, "Install (make setup)")["run"] == "make setup PY=python3"

    # prepare: the database as an artifact
    assert step(prepare, "Prepare the database")["run"] == \
        '.venv/bin/wijkdata prepare --regio "$REGION"'
    upload = step(prepare, "Upload the prepared database")["with"]
    assert upload["name"] == "prepared-database"
    assert upload["path"] == "data/processed/${{ env.REGION }}.duckdb"

    # render: from that database, one shard per runner, uploaded with its shard record
    download = step(render, "Download the prepared database")["with"]
    assert download == {"name": "prepared-database", "path": "data/processed"}
    run = shlex.split(step(render, "Render")["run"])
    assert run == [".venv/bin/wijkdata", "build", "--regio", "$REGION", "--shard", "$SHARD",
                   "--format", "$FORMATS", "--out", "reports/shard-${{ matrix.shard }}"]
    shard_upload = step(render, "Upload the shard")["with"]
    assert shard_upload["name"] == "shard-${{ matrix.shard }}"
    assert shard_upload["path"] == "reports/shard-${{ matrix.shard }}"
    assert shard_upload["include-hidden-files"] is True

    # assemble: the database and every shard, then the reports as one artifact
    assert step(assemble, "Download the shards")["with"] == {"pattern": "shard-*",
                                                            "path": "shards"}
    assert step(assemble, "Assemble")["run"] == \
        '.venv/bin/wijkdata assemble --regio "$REGION" shards/shard-*'
    reports = step(assemble, "Upload the reports")["with"]
    assert reports["path"] == "reports/${{ env.REGION }}"
    assert reports["include-hidden-files"] is True
    assert wf["env"]["REGION"] == "nederland"


def test_shard_count_input_becomes_the_matrix(tmp_path: Path) -> None:
    """The plan step's shell, run for real: N=4 gives shards [1, 2, 3, 4] and count 4."""
    wf = load()
    options = wf["on"]["workflow_dispatch"]["inputs"]["shards"]["options"]
    assert "1" in options and "4" in options and "16" in options
    script = step(wf["jobs"]["prepare"], "plan")["run"]
    for n, expected in (("4", [1, 2, 3, 4]), ("1", [1])):
        out = tmp_path / f"github_output_{n}.txt"
        out.write_text("", encoding="utf-8")
        proc = subprocess.run(["bash", "-e", "-c", script], cwd=ROOT, capture_output=True,
                              text=True, env={"PATH": "/usr/bin:/bin", "GITHUB_OUTPUT": str(out),
                                              "SHARDS": n}, check=False)
        assert proc.returncode == 0, proc.stderr
        lines = out.read_text(encoding="utf-8").splitlines()
        assert lines == [f"shards={json.dumps(expected)}", f"count={n}"]
