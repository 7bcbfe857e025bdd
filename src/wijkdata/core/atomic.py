"""Atomic file output and the per-region build lock.

Every file is written to a temporary name in the same folder and renamed over the target, so a
reader (or a killed build) sees the old file or the new one, never half of one.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from .errors import ConfigError, LockedError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows has no flock; region_lock falls back to pids
    fcntl = None  # type: ignore[assignment]


# What this process has replaced so far (the database, a published folder), for the one line
# an interrupted command prints: it must say truthfully what changed and what did not.
REPLACED: list[Path] = []


def note_replaced(path: Path) -> None:
    REPLACED.append(path)


FULL = {errno.ENOSPC: "the disk is full", errno.EFBIG: "the file-size limit was reached",
         errno.EDQUOT: "the disk quota is used up"}
DUCKDB_FULL = {"No space left on device": FULL[errno.ENOSPC],
               "File too large": FULL[errno.EFBIG], "Disk quota exceeded": FULL[errno.EDQUOT]}


def full_reason(exc: BaseException) -> tuple[str, str] | None:
    """(what, path) when ``exc`` is a write that failed for lack of room, else None.

    DuckDB reports it as its own IOException with the file in quotes; Python as OSError.
    """
    if isinstance(exc, OSError) and exc.errno in FULL:
        return FULL[exc.errno], str(exc.filename or "a file being written")
    text = str(exc)
    for needle, what in DUCKDB_FULL.items():
        if needle in text and "duckdb" in type(exc).__module__:
            quoted = re.search(r'"([^"]+)"', text)
            return what, quoted.group(1) if quoted else "the database"
    return None


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


INPUT_FOLDERS = ("configs", "indicators", "templates", "data", "assets")


def check_output_dir(path: Path, project: Path) -> Path:
    """Refuse an output folder that is a user's symlink, not writable, or an input folder.

    A folder from the config is already confined to the project (paths.py); one given on the
    command line may lie anywhere (a web root, a share), but never in or over the project's
    input folders: publishing replaces the folder's content, and inputs must never be replaced.
    """
    project = project.resolve()
    if path.is_symlink() and not is_generation_link(path) or any(
            p.is_symlink() for p in path.parents
            if p != p.parent and p.resolve().is_relative_to(project)):
        raise ConfigError(f"output folder {path} is a symbolic link; give a real folder")
    resolved = path.resolve()
    refuse_input_folder(path, project, f"output folder {path}",
                        "the reports must never replace inputs",
                        hint="give a folder of its own, e.g. --out reports/<regio> or a web root")
    # The generations and the link are made in the parent: it must take new files.
    probe = resolved.parent
    while not probe.exists():
        probe = probe.parent
    if not can_create_in(probe) or (resolved.is_dir() and not can_create_in(resolved)):
        bad = resolved if probe == resolved.parent and can_create_in(probe) else probe
        raise ConfigError(f"output folder {bad} is not writable",
                          hint="make it writable (chmod u+w), or pass --out with another "
                          "folder; 'wijkdata doctor' checks this")
    return path.parent.resolve() / path.name


def refuse_input_folder(path: Path, project: Path, label: str, why: str,
                        hint: str | None = None) -> None:
    """ConfigError when ``path`` lies in, or holds, one of the project's input folders."""
    resolved = path.resolve()
    for name in INPUT_FOLDERS:
        inputs = project.resolve() / name
        inside = resolved.is_relative_to(inputs)
        if inside or inputs.is_relative_to(resolved):
            raise ConfigError(f"{label} {'lies in' if inside else 'holds'} the input folder "
                              f"{inputs}; {why}", hint=hint)


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
def region_lock(lock_dir: Path, slug: str, *, name: str | None = None,
                what: str | None = None) -> Iterator[Path]:
    """Hold ``<lock_dir>/<slug>.lock`` (with our pid) for the duration of a build.

    The lock is an OS file lock (flock) on that file, so it dies with its holder: a file left by
    a killed build is simply taken over, and two builds taking over the same stale file at once
    cannot both win (a pid check and unlink could). Without fcntl (Windows) the pid in the file
    decides. The pid is written for the message a second build prints. ``name`` and ``what``
    make other locks of the region (``mail --send`` per session) with their own message.
    """
    lock = lock_dir / (name or f"{slug}.lock")
    holder = what or f"build of region '{slug}'"
    try:
        lock_dir.mkdir(parents=True, exist_ok=True)
        fd = _take_flock(lock, holder) if fcntl is not None else _take_pid_lock(lock, holder)
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


def _locked(lock: Path, holder: str) -> LockedError:
    pid = _read_pid(lock)
    for _ in range(20):  # the holder writes its pid just after taking the lock
        if pid is not None:
            break
        time.sleep(0.01)
        pid = _read_pid(lock)
    return LockedError(
        f"another {holder} is running (pid {pid or 'unknown'}, lock {lock})",
        hint="wait for it to finish; remove the lock file only if that process is gone",
    )


def _take_flock(lock: Path, holder: str) -> int:
    while True:
        fd = os.open(lock, os.O_CREAT | os.O_RDWR, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise _locked(lock, holder) from None
        # The previous holder may have unlinked the file between our open and our flock:
        # then we hold a lock nobody else can see, so start again on the current file.
        try:
            if os.fstat(fd).st_ino == os.stat(lock).st_ino:
                return fd
        except FileNotFoundError:
            pass
        os.close(fd)


def _take_pid_lock(lock: Path, holder: str) -> int:  # pragma: no cover - Windows
    for _attempt in range(2):
        try:
            return os.open(lock, os.O_CREAT | os.O_EXCL | os.O_RDWR, 0o644)
        except FileExistsError:
            pid = _read_pid(lock)
            if pid is not None and _alive(pid):
                raise _locked(lock, holder) from None
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


# --- Publishing a whole set of outputs at once ------------------------------------------------
# ``reports/<regio>`` is a symbolic link to ``reports/.<regio>.generations/<generation>``. A build
# fills a new generation folder and then renames a new link over the old one: rename(2) is atomic,
# so a reader (a web server, a mail run, a person) sees the whole old set or the whole new set,
# never a mix, and a build killed at any moment leaves the old set in place. The manifest lives
# inside the generation, so ``--if-changed`` can never believe a half-published set is current.

GENERATION_PREFIX = "g-"


def generations_dir(out_dir: Path) -> Path:
    return out_dir.parent / f".{out_dir.name}.generations"


def is_generation_link(out_dir: Path) -> bool:
    """True when ``out_dir`` is the link :func:`publish_generation` made (not a user's link)."""
    if not out_dir.is_symlink():
        return False
    target = Path(os.readlink(out_dir))
    return (not target.is_absolute() and len(target.parts) == 2
            and target.parts[0] == generations_dir(out_dir).name
            and target.parts[1].startswith(GENERATION_PREFIX))


def begin_generation(out_dir: Path) -> Path:
    """A new, empty generation folder for the next outputs of ``out_dir`` (same file system)."""
    gens = generations_dir(out_dir)
    gens.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f"{GENERATION_PREFIX}{os.getpid()}-", dir=gens))


def unpublished_generations(out_dir: Path) -> list[Path]:
    """Generation folders that are not the published one: left by a killed build or publish.

    Call with the region lock held (a running build's folder would otherwise look abandoned).
    """
    gens = generations_dir(out_dir)
    if not gens.is_dir():
        return []
    current = out_dir.resolve() if is_generation_link(out_dir) else None
    return sorted(p for p in gens.iterdir() if p.resolve() != current)


def discard_generation(staged: Path) -> None:
    shutil.rmtree(staged, ignore_errors=True)


def publish_generation(out_dir: Path, staged: Path) -> None:
    """Make ``staged`` (from :func:`begin_generation`) the content of ``out_dir`` in one step.

    Files of the published set that ``staged`` lacks are carried over as hard links (a build of
    one ``--area`` or a session kit written earlier stays). Then ``out_dir`` is switched to
    ``staged`` by renaming a link over it, and every other generation is removed. A first publish
    into a real folder moves that folder into the generations first: for that one moment (two
    renames) ``out_dir`` is absent, never half-filled. Other writers (``assemble``) publish
    through this function too, so there is one switch and one clean-up rule.
    """
    gens = generations_dir(out_dir)
    if staged.parent != gens:
        raise ValueError(f"{staged} is not a generation of {out_dir}")
    if out_dir.is_symlink() and not is_generation_link(out_dir):
        raise ConfigError(f"output folder {out_dir} is a symbolic link; give a real folder")
    current = out_dir if out_dir.exists() else None
    if current is not None:
        _carry_over(current.resolve(), staged)
    link = gens / f".link-{os.getpid()}"
    with contextlib.suppress(FileNotFoundError):
        link.unlink()
    link.symlink_to(Path(gens.name) / staged.name)
    if current is not None and not out_dir.is_symlink():
        os.replace(out_dir, gens / f"{GENERATION_PREFIX}previous-{os.getpid()}")
    os.replace(link, out_dir.parent / out_dir.name)
    note_replaced(out_dir)
    _fsync_dir(out_dir.parent)
    for old in unpublished_generations(out_dir):
        discard_generation(old) if old.is_dir() else old.unlink(missing_ok=True)


def _carry_over(current: Path, staged: Path) -> None:
    for src in current.rglob("*"):
        rel = src.relative_to(current)
        dst = staged / rel
        if src.is_dir() and not src.is_symlink():
            dst.mkdir(parents=True, exist_ok=True)
        elif src.is_file() and not src.is_symlink() and not dst.exists():
            dst.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(src, dst)  # files are only ever replaced by rename, so sharing is safe
            except OSError:
                shutil.copy2(src, dst)


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
