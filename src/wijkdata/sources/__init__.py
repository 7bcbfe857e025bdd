"""Source kinds: one module per kind, each with ``read(source, path) -> Loaded``.

A module also names its default ``PUBLISHER``, ``LICENCE`` and ``TITLE`` for provenance; a
source in the config may override them.
"""

from __future__ import annotations

from types import ModuleType

from . import boundaries, cbs_kwb, ggd_monitor
from .common import Loaded

KINDS: dict[str, ModuleType] = {
    "cbs_kwb": cbs_kwb,
    "ggd_monitor": ggd_monitor,
    "boundaries": boundaries,
}

__all__ = ["KINDS", "Loaded"]
