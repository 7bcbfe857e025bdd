"""Source kinds: one module per kind, each with ``read(source, path) -> Loaded``.

A module also names its default ``PUBLISHER``, ``LICENCE`` and ``TITLE`` for provenance; a
source in the config may override them.
"""

from __future__ import annotations

from types import ModuleType

from . import boundaries, cbs_kwb, cbs_odata, ggd_monitor, local_table, region_lookup
from .common import Loaded

KINDS: dict[str, ModuleType] = {
    "cbs_kwb": cbs_kwb,
    "ggd_monitor": ggd_monitor,
    "boundaries": boundaries,
    "cbs_odata": cbs_odata,
    "csv": local_table,
    "region_lookup": region_lookup,
}

__all__ = ["KINDS", "Loaded"]
