"""Plugins: modules that register extensions (a source kind, ...) when they are imported.

Found the way installed Python tools find theirs, once per process:

* the entry-point group ``wijkdata.plugins``: what an installed package declares in its
  ``pyproject.toml`` (``[project.entry-points."wijkdata.plugins"] name = "module"``).
  wijkdata's own source kinds come in this way too (``wijkdata.ingest.sources``), so core
  never names a module of a higher layer, and a kind of another package is no different;
* ``$WIJKDATA_PLUGINS``: importable module names separated by commas, for a plugin that is not
  a package of its own (a local module, or a test-only kind), as pytest's ``PYTEST_PLUGINS``.

Deliberately not a key of the region config: a config is data, and nothing in it may run code
(README, "Nothing from a config can run or call out"). Choosing code to run is the operator's
decision: installing a package, or setting the variable.
"""

from __future__ import annotations

import importlib
import os
import sys
from importlib.metadata import entry_points
from pathlib import Path

from .errors import ConfigError

GROUP = "wijkdata.plugins"
ENV = "WIJKDATA_PLUGINS"

_entry_points_loaded = False
_loaded: dict[str, str] = {}  # module name -> where it was named (entry point or variable)


def _import(name: str, named_by: str) -> None:
    try:
        importlib.import_module(name)
    except ImportError as exc:
        raise ConfigError(f"{named_by}: cannot import plugin module '{name}' ({exc})",
                          hint="give an importable module name (package.module), installed "
                               "or on PYTHONPATH") from None
    _loaded[name] = named_by


def load_plugins() -> None:
    """Import every plugin module not imported yet (cheap when nothing is new)."""
    global _entry_points_loaded
    if not _entry_points_loaded:
        _entry_points_loaded = True
        for ep in sorted(entry_points(group=GROUP), key=lambda e: e.name):
            _import(ep.value.split(":", 1)[0], f"entry point '{ep.name}' ({GROUP})")
    for name in (n.strip() for n in os.environ.get(ENV, "").split(",")):
        if name and name not in _loaded:
            _import(name, f"${ENV}")


def plugin_files() -> list[Path]:
    """The source files of plugin modules named by ``$WIJKDATA_PLUGINS``.

    A build's fingerprint (``--if-changed``) covers them; entry-point plugins are installed
    packages, covered by their version like wijkdata itself.
    """
    out = []
    for name, named_by in sorted(_loaded.items()):
        module = sys.modules.get(name)
        origin = getattr(module, "__file__", None)
        if named_by == f"${ENV}" and origin:
            out.append(Path(origin))
    return out
