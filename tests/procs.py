"""The process tree of a running build, read from /proc (Linux), for the orphan tests."""

from __future__ import annotations

import os
import time
from pathlib import Path


def _ppid_and_cmd(pid: int) -> tuple[int, str] | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(
            errors="replace")
    except OSError:
        return None
    # The command name (field 2) may hold spaces or ')': the ppid follows the last ')'.
    return int(stat.rsplit(")", 1)[1].split()[1]), cmd


def descendants(root: int) -> dict[int, str]:
    """Every live descendant of ``root``: pid -> command line."""
    table = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            info = _ppid_and_cmd(int(entry))
            if info is not None:
                table[int(entry)] = info
    found: dict[int, str] = {}
    frontier = [root]
    while frontier:
        parent = frontier.pop()
        for pid, (ppid, cmd) in table.items():
            if ppid == parent and pid not in found:
                found[pid] = cmd
                frontier.append(pid)
    return found


def alive(pids: dict[int, str]) -> dict[int, str]:
    """Those of ``pids`` still running (a zombie counts as gone: it holds no resources)."""
    out = {}
    for pid, cmd in pids.items():
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            out[pid] = cmd
    return out


def wait_gone(pids: dict[int, str], seconds: float) -> dict[int, str]:
    """Poll until every pid has ended or ``seconds`` passed; return the survivors."""
    deadline = time.monotonic() + seconds
    left = alive(pids)
    while left and time.monotonic() < deadline:
        time.sleep(0.2)
        left = alive(pids)
    return left
