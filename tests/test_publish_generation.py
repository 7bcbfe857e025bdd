"""atomic.publish_generation: one rename switches the whole set of outputs (issue 14, item 5)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from wijkdata.core.atomic import (
    begin_generation,
    generations_dir,
    is_generation_link,
    publish_generation,
    unpublished_generations,
)
from wijkdata.core.errors import ConfigError


def _files(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): p.read_text() for p in sorted(folder.rglob("*"))
            if p.is_file()}


def test_first_publish_turns_a_real_folder_into_the_link(tmp_path: Path) -> None:
    out = tmp_path / "reports" / "demo"
    out.mkdir(parents=True)
    (out / "old.html").write_text("old")
    (out / "index.html").write_text("old index")
    staged = begin_generation(out)
    (staged / "index.html").write_text("new index")
    publish_generation(out, staged)
    assert is_generation_link(out)
    assert os.readlink(out) == f".demo.generations/{staged.name}"
    # Files the new set lacks are carried over (a --area build, a session kit).
    assert _files(out) == {"index.html": "new index", "old.html": "old"}
    assert [p.name for p in generations_dir(out).iterdir()] == [staged.name]


def test_second_publish_switches_and_removes_the_old_generation(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    one = begin_generation(out)
    (one / "a.html").write_text("1")
    (one / "sessies").mkdir()
    (one / "sessies" / "kit.pdf").write_text("kit")
    publish_generation(out, one)
    kept_inode = (out / "sessies" / "kit.pdf").stat().st_ino
    two = begin_generation(out)
    (two / "a.html").write_text("2")
    publish_generation(out, two)
    assert _files(out) == {"a.html": "2", "sessies/kit.pdf": "kit"}
    assert (out / "sessies" / "kit.pdf").stat().st_ino == kept_inode  # a hard link, no copy
    assert not one.exists()
    assert unpublished_generations(out) == []


def test_a_generation_left_by_a_killed_build_is_reported(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    one = begin_generation(out)
    publish_generation(out, one)
    abandoned = begin_generation(out)
    (abandoned / "half.html").write_text("half")
    assert unpublished_generations(out) == [abandoned]
    assert _files(out) == {}


def test_a_users_own_symlink_is_not_switched(tmp_path: Path) -> None:
    elsewhere = tmp_path / "www"
    elsewhere.mkdir()
    out = tmp_path / "demo"
    out.symlink_to(elsewhere, target_is_directory=True)
    staged = begin_generation(out)
    with pytest.raises(ConfigError, match="is a symbolic link; give a real folder"):
        publish_generation(out, staged)
    assert out.resolve() == elsewhere.resolve()
