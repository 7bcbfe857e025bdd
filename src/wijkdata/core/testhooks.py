"""A pause point for crash-safety tests: ``WIJKDATA_TEST_PAUSE=<stage>`` stops the build there.

The crash tests kill a real build with SIGKILL; a timed kill would land anywhere, so the build
announces the pause on stderr and sleeps, and the test kills it while it is known to be in the
middle of ingest (the new database half written) or of rendering (the staging folder half full).
Without the variable this costs one dictionary look-up.
"""

from __future__ import annotations

import os
import sys
import time


def pause_point(stage: str) -> None:
    if os.environ.get("WIJKDATA_TEST_PAUSE") != stage:
        return
    seconds = float(os.environ.get("WIJKDATA_TEST_PAUSE_SECONDS", "60"))
    print(f"paused at {stage} (pid {os.getpid()})", file=sys.stderr, flush=True)
    time.sleep(seconds)
