"""No platform-only call at import (issue 17 item 7): every wijkdata module imports on a Python
without ``os.sched_getaffinity`` (macOS, Windows), and worker counts come from the CPUs the
process may use, asked at run time."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from wijkdata.core import cpus

SCRIPT = """
import importlib, os, pkgutil, sys
for name in ("sched_getaffinity", "process_cpu_count"):
    if hasattr(os, name):
        delattr(os, name)
import wijkdata
names = sorted(m.name for m in pkgutil.walk_packages(wijkdata.__path__, "wijkdata."))
for name in names:
    importlib.import_module(name)
from wijkdata.core import cpus
print(len(names), cpus.available(), cpus.workers(), os.cpu_count())
"""


def test_every_module_imports_without_linux_only_calls() -> None:
    proc = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                          timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    modules, available, workers, cpu_count = (int(x) for x in proc.stdout.split())
    assert modules > 40  # the whole package was imported, not a stub
    assert available == cpu_count  # the portable fallback
    assert workers == min(cpus.MAX_WORKERS, cpu_count)


def test_worker_count_follows_the_cpus_this_process_may_use() -> None:
    if not hasattr(os, "sched_setaffinity"):
        pytest.skip("pinning a process is Linux-only; the fallback is tested above")
    # A child pinned to one CPU (as taskset or a container would) gets one worker.
    proc = subprocess.run([sys.executable, "-c", "import os; os.sched_setaffinity(0, {min("
                           "os.sched_getaffinity(0))}); from wijkdata.core import cpus; "
                           "print(cpus.available(), cpus.workers())"],
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["1", "1"]
