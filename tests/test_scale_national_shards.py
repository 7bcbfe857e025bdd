"""The national HTML build over 4 shards equals the one-machine build byte for byte (issue 19)."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from wijkdata.cli import app

ROOT = Path(__file__).resolve().parents[1]


def hashes(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.slow
def test_four_national_shards_assemble_to_the_one_machine_build(
        project: Path, shared_data: Path, runner: CliRunner) -> None:
    shutil.copy(ROOT / "configs" / "nederland.yml", project / "configs" / "nederland.yml")
    data = ["--data-dir", str(shared_data)]
    one = runner.invoke(app, ["build", "--regio", "nederland", *data, "--format", "html"])
    assert one.exit_code == 0, one.output
    out = project / "reports" / "nederland"
    one_machine = hashes(out)
    out.unlink()  # the published link (atomic.publish_generation) and its generations
    shutil.rmtree(out.parent / ".nederland.generations")

    prepared = runner.invoke(app, ["prepare", "--regio", "nederland", *data])
    assert prepared.exit_code == 0, prepared.output
    folders = []
    for k in range(1, 5):
        shard = runner.invoke(app, ["build", "--regio", "nederland", "--shard", f"{k}/4",
                                    "--format", "html"])
        assert shard.exit_code == 0, shard.output
        folders.append(str(project / "reports" / f"nederland-shard-{k}-of-4"))
    sizes = [len(json.loads((Path(f) / ".wijkdata-shard.json").read_text(encoding="utf-8"))
                 ["profiles"]) for f in folders]
    assert sizes == [838, 838, 838, 838]  # 3,352 wijken, whole gemeenten, evenly balanced
    done = runner.invoke(app, ["assemble", "--regio", "nederland", *folders])
    assert done.exit_code == 0, done.output
    assert hashes(out) == one_machine
    assert len(one_machine) == 3352 + 2  # a page per wijk, index.html, the build manifest
