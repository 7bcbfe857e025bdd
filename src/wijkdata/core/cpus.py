"""How many CPUs this process may use, asked at run time (never at import).

``os.sched_getaffinity`` exists on Linux only and reflects taskset/cgroup pinning;
``os.process_cpu_count`` (Python 3.13) does the same portably; ``os.cpu_count`` is the
machine's total. Asked when a build starts, so a module imports on any platform and a
process started under ``taskset`` sees its own limit.
"""

from __future__ import annotations

import os


def available() -> int:
    """CPUs this process may run on (at least 1)."""
    counter = getattr(os, "process_cpu_count", None)
    if counter is not None:
        return max(1, counter() or 1)
    affinity = getattr(os, "sched_getaffinity", None)
    if affinity is not None:
        return max(1, len(affinity(0)))
    return max(1, os.cpu_count() or 1)


MAX_WORKERS = 4


def workers(limit: int = MAX_WORKERS) -> int:
    """Worker processes for rendering or printing: one per CPU, at most ``limit``.

    One browser or renderer per core (measured on 2 cores, issue 7: more processes than cores
    only add start-up cost). The cap bounds memory, since each render worker holds its own
    report context (~0.4 GB nationally).
    """
    return max(1, min(limit, available()))
