"""Running out of memory: said in one line naming the file and the limit, never a traceback.

A build holds a region's rows, not a whole national table (``ingest/sources/scope.py``), so a
200 MB KWB file needs about 550 MB. Below that, or on a machine short of memory, Python raises
MemoryError: while a data file is read it becomes :class:`OutOfMemory` naming the file (exit 1);
elsewhere, and for DuckDB's OutOfMemoryException, the CLI says it in one line. Polars aborts
the process instead when one of its own allocations fails; that cannot be caught here.
"""

from __future__ import annotations

import resource
from pathlib import Path

from .errors import DataError

MB = 1 << 20
# The limits a user sets with ulimit (RLIMIT_DATA: -d, RLIMIT_AS: -v) that make allocations
# fail; a limit on resident memory (RLIMIT_RSS, -m) is not enforced by Linux.
_LIMITS = (("RLIMIT_DATA", "ulimit -d"), ("RLIMIT_AS", "ulimit -v"))


class OutOfMemory(DataError):
    """Memory ran out (exit 1); the message names what was being done and the limit."""


def limit_text() -> str:
    """Which memory limit was reached, as a clause."""
    for name, command in _LIMITS:
        soft, _hard = resource.getrlimit(getattr(resource, name))
        if soft != resource.RLIM_INFINITY:
            return f"the memory limit of {soft // MB:,} MB set with {command} was reached"
    return "the memory of this machine ran out"


def is_out_of_memory(exc: BaseException) -> bool:
    """Python's MemoryError, or DuckDB's (its OutOfMemoryException is no MemoryError)."""
    return isinstance(exc, MemoryError) or (
        type(exc).__name__ == "OutOfMemoryException" and "duckdb" in type(exc).__module__)


def reading(path: Path) -> OutOfMemory:
    """The error for memory that ran out while reading the data file ``path``."""
    size = f" ({path.stat().st_size:,} bytes)" if path.is_file() else ""
    return OutOfMemory(f"{path}: ran out of memory reading this file{size}: {limit_text()}",
                       hint="give the process more memory, or a file with fewer rows")

