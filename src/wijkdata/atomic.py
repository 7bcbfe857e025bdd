"""Atomic file output and the per-region build lock.

Every file is written to a temporary name in the same folder and renamed over the target, so a
reader (or a killed build) sees the old file or the new one, never half of one.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from .errors import ConfigError, LockedError


def write_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def write_text(path: Path, text: str) -> None:
    write_bytes(path, text.encode("utf-8"))


def check_output_dir(path: Path, project: Path) -> Path:
    """Refuse output folders that are symlinks, not writable, or outside the project."""
    resolved = path.resolve()
    if path.is_symlink() or any(p.is_symlink() for p in path.parents if p != p.parent
                                and p.is_relative_to(project)):
        raise ConfigError(f"output folder {path} is a symbolic link; give a real folder")
    if not resolved.is_relative_to(project.resolve()) and not os.environ.get("WIJKDATA_ALLOW_OUTSIDE"):
        # Builds run unattended; writing outside the project is almost always a typo like ../..
        raise ConfigError(
            f"output folder {path} lies outside the project folder {project}",
            hint="pass --out inside the project, or set WIJKDATA_ALLOW_OUTSIDE=1 to allow it",
        )
    probe = resolved
    while not probe.exists():
        probe = probe.parent
    if not os.access(probe, os.W_OK):
        raise ConfigError(f"output folder {probe} is not writable")
    return resolved


@contextlib.contextmanager
def region_lock(lock_dir: Path, slug: str) -> Iterator[Path]:
    """Hold ``<lock_dir>/<slug>.lock`` (with our pid) for the duration of a build.

    A lock whose pid no longer runs is stale and taken over; a live one stops us at once.
    """
    lock_dir.mkdir(parents=True, exist_ok=True)
    lock = lock_dir / f"{slug}.lock"
    for _attempt in range(2):
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            pid = _read_pid(lock)
            if pid is not None and _alive(pid):
                raise LockedError(
                    f"another build of region '{slug}' is running (pid {pid}, lock {lock})",
                    hint="wait for it to finish; remove the lock file only if that process is gone",
                ) from None
            lock.unlink(missing_ok=True)  # stale: its holder died
            continue
        with os.fdopen(fd, "w") as fh:
            fh.write(str(os.getpid()))
        break
    else:  # pragma: no cover - two stale-lock races in a row
        raise LockedError(f"could not take the lock {lock}")
    try:
        yield lock
    finally:
        if _read_pid(lock) == os.getpid():
            lock.unlink(missing_ok=True)


def _read_pid(lock: Path) -> int | None:
    try:
        text = lock.read_text().strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
