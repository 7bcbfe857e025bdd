"""Helper processes die with the build that started them (Linux: the parent-death signal).

A build starts render workers and PDF workers, each of which drives a Chromium through
Playwright's node driver. If the build is killed with SIGKILL nothing in it runs again, so the
children must notice on their own: each worker asks the kernel (``prctl(PR_SET_PDEATHSIG)``) for
SIGKILL when its parent dies. The node driver of a dead worker sees its stdin close and closes
its browser. Elsewhere (macOS, Windows) this is a no-op; the pool's own shutdown still applies.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys

PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int) -> None:
    """Call first thing in a child process; ``parent`` is the pid that must outlive it.

    Ctrl-C in a terminal reaches the whole process group; the build decides what stops, so a
    worker ignores SIGINT (instead of printing its own traceback) and ends with the build.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # pragma: no cover - no libc prctl: nothing to add
        return
    # The parent may have died before the request was made: then no signal will come.
    if os.getppid() != parent:
        os._exit(1)
