"""The scheduled regeneration workflow: valid for GitHub, and it does what docs/delivery.md says."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import yaml
from check_jsonschema import builtin_schemas

ROOT = Path(__file__).resolve().parents[1]
WORKFLOW = ROOT / ".github" / "workflows" / "regenerate.yml"
CRON_FIELD = re.compile(r"^(\*|\d{1,2}(-\d{1,2})?(,\d{1,2})*)(/\d{1,2})?$")


def load() -> dict[str, Any]:
    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    if True in data:  # YAML 1.1 (PyYAML) reads the bare key `on` as True; GitHub reads "on"
        data["on"] = data.pop(True)
    return data


def test_workflow_matches_githubs_schema() -> None:
    """The schema SchemaStore publishes for workflows, as shipped inside check-jsonschema."""
    schema = _vendored_schema()
    validator = jsonschema.validators.validator_for(schema)(schema)
    errors = sorted(validator.iter_errors(load()), key=lambda e: list(e.path))
    assert [e.message for e in errors] == []
    # And the same check through the tool's own command line, as CI or a developer runs it.
    proc = subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema",
                           "vendor.github-workflows", str(WORKFLOW)],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.strip() == "ok -- validation done"


def _vendored_schema() -> dict[str, Any]:
    folder = Path(builtin_schemas.__file__).parent / "vendor"
    data = json.loads((folder / "github-workflows.json").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_triggers_are_a_monthly_cron_and_a_manual_run() -> None:
    wf = load()
    on = wf["on"]
    assert set(on) == {"schedule", "workflow_dispatch"}
    (entry,) = on["schedule"]
    fields = entry["cron"].split()
    assert len(fields) == 5 and all(CRON_FIELD.match(f) for f in fields)
    minute, hour, day, month, weekday = fields
    # Monthly: one fixed minute, hour and day of the month, every month, any weekday.
    assert minute.isdigit() and hour.isdigit() and day.isdigit() and 1 <= int(day) <= 28
    assert (month, weekday) == ("*", "*")
    assert set(on["workflow_dispatch"]["inputs"]) == {"regions", "force"}
    assert wf["permissions"] == {"contents": "read"}


def test_build_job_installs_fetches_builds_and_uploads_in_that_order() -> None:
    wf = load()
    assert set(wf["jobs"]) == {"regions", "build"}
    job = wf["jobs"]["build"]
    assert job["needs"] == "regions"
    assert job["strategy"]["fail-fast"] is False
    assert job["strategy"]["matrix"]["region"] == "${{ fromJSON(needs.regions.outputs.list) }}"
    steps = job["steps"]
    for step in steps:
        assert ("uses" in step) != ("run" in step), step  # each step does exactly one thing
    uses = [s["uses"] for s in steps if "uses" in s]
    assert uses == ["actions/checkout@v4", "actions/cache@v4", "actions/upload-artifact@v4"]
    runs = [s.get("run", s.get("uses", "")) for s in steps]

    def index(text: str) -> int:
        hits = [i for i, r in enumerate(runs) if text in r]
        assert len(hits) == 1, (text, runs)
        return hits[0]

    order = [index("actions/checkout"), index("make setup"), index("actions/cache"),
             index("wijkdata fetch --regio"),
             index('wijkdata build --regio "$REGION" --if-changed'),
             index("actions/upload-artifact")]
    assert order == sorted(order)
    upload = steps[index("actions/upload-artifact")]["with"]
    assert upload["path"] == "reports/${{ matrix.region }}"
    assert upload["if-no-files-found"] == "error"
    assert upload["include-hidden-files"] is True  # the build manifest travels with the reports


def test_region_list_step_matches_the_configs(tmp_path: Path) -> None:
    """The shell in the 'regions' job must list exactly the configs/*.yml region names."""
    step = load()["jobs"]["regions"]["steps"][1]
    script = step["run"]
    out = tmp_path / "github_output.txt"
    out.write_text("", encoding="utf-8")
    proc = subprocess.run(["bash", "-e", "-c", script], cwd=ROOT, capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", "GITHUB_OUTPUT": str(out),
                               "REQUESTED": ""}, check=False)
    assert proc.returncode == 0, proc.stderr
    line = out.read_text(encoding="utf-8").strip()
    assert line.startswith("list=")
    expected = sorted(p.stem for p in (ROOT / "configs").glob("*.yml"))
    assert json.loads(line[len("list="):]) == expected
