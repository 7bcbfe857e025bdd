"""Atomic file output and the per-region build lock.

Every file is written to a temporary name in the same folder and renamed over the target, so a
reader (or a killed build) sees the old file or the new one, never half of one.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from .errors import ConfigError, LockedError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows has no flock; region_lock falls back to pids
    fcntl = None  # type: ignore[assignment]


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
    outside = not resolved.is_relative_to(project.resolve())
    if outside and not os.environ.get("WIJKDATA_ALLOW_OUTSIDE"):
        # Builds run unattended; writing outside the project is almost always a typo like ../..
        raise ConfigError(
            f"output folder {path} lies outside the project folder {project}",
            hint="pass --out inside the project, or set WIJKDATA_ALLOW_OUTSIDE=1 to allow it",
        )
    # The files land in the folder and the staging folder beside it: both must take new files.
    for folder in (resolved, resolved.parent):
        probe = folder
        while not probe.exists():
            probe = probe.parent
        if not can_create_in(probe):
            raise ConfigError(f"output folder {probe} is not writable",
                              hint="make it writable (chmod u+w), or pass --out with another "
                              "folder; 'wijkdata doctor' checks this")
    return resolved


def can_create_in(folder: Path) -> bool:
    """Really create (and remove) a file: os.access says yes to root on read-only folders."""
    try:
        fd, name = tempfile.mkstemp(prefix=".wijkdata-probe-", dir=folder)
    except OSError:
        return False
    os.close(fd)
    os.unlink(name)
    return True


@contextlib.contextmanager
def region_lock(lock_dir: Path, slug: str) -> Iterator[Path]:
    """Hold ``<lock_dir>/<slug>.lock`` (with our pid) for the duration of a build.

    The lock is an OS file lock (flock) on that file, so it dies with its holder: a file left by
    a killed build is simply taken over, and two builds taking over the same stale file at once
    cannot both win (a pid check and unlink could). Without fcntl (Windows) the pid in the file
    decides. The pid is written for the message a second build prints.
    """
    lock = lock_dir / f"{slug}.lock"
    try:
        lock_dir.mkdir(parents=True, exist_ok=True)
        fd = _take_flock(lock, slug) if fcntl is not None else _take_pid_lock(lock, slug)
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
    except OSError as exc:  # the database folder is read-only or not a folder
        denied = exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS)
        why = "the folder is not writable" if denied else exc.strerror
        raise ConfigError(f"cannot create the lock file {lock}: {why}",
                          hint=f"make {lock_dir} writable; 'wijkdata doctor' checks this"
                          ) from None
    try:
        yield lock
    finally:
        # Unlink while still holding it, and only our own file (not one made after a manual rm).
        with contextlib.suppress(FileNotFoundError):
            if os.stat(lock).st_ino == os.fstat(fd).st_ino:
                lock.unlink()
        os.close(fd)


def _locked(lock: Path, slug: str) -> LockedError:
    pid = _read_pid(lock)
    for _ in range(20):  # the holder writes its pid just after taking the lock
        if pid is not None:
            break
        time.sleep(0.01)
        pid = _read_pid(lock)
    return LockedError(
        f"another build of region '{slug}' is running (pid {pid or 'unknown'}, lock {lock})",
        hint="wait for it to finish; remove the lock file only if that process is gone",
    )


def _take_flock(lock: Path, slug: str) -> int:
    while True:
        fd = os.open(lock, os.O_CREAT | os.O_RDWR, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise _locked(lock, slug) from None
        # The previous holder may have unlinked the file between our open and our flock:
        # then we hold a lock nobody else can see, so start again on the current file.
        try:
            if os.fstat(fd).st_ino == os.stat(lock).st_ino:
                return fd
        except FileNotFoundError:
            pass
        os.close(fd)


def _take_pid_lock(lock: Path, slug: str) -> int:  # pragma: no cover - Windows
    for _attempt in range(2):
        try:
            return os.open(lock, os.O_CREAT | os.O_EXCL | os.O_RDWR, 0o644)
        except FileExistsError:
            pid = _read_pid(lock)
            if pid is not None and _alive(pid):
                raise _locked(lock, slug) from None
            lock.unlink(missing_ok=True)  # stale: its holder died
    raise LockedError(f"could not take the lock {lock}")


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
