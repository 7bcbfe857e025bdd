"""Extensions from outside the core: modules that register what they add when imported.

Found the way installed Python tools find theirs, once per process, before a registry (source
kinds, ...) is first read:

* the entry-point group ``wijkdata.plugins``: what an installed package declares in its
  ``pyproject.toml`` (``[project.entry-points."wijkdata.plugins"] name = "module"``).
  wijkdata's own source kinds come in this way too (``wijkdata.ingest.sources``), so core
  never names a module of a higher layer, and a kind of another package is no different;
* ``WIJKDATA_PLUGINS``: importable module names separated by commas, for a plugin that is not a
  package of its own (a local module, or a test-only kind), as pytest's ``PYTEST_PLUGINS``.
  ``WIJKDATA_PLUGINS=mypkg.my_kind,mypkg.stat_median`` imports each module once.

Why an environment variable and not a key of the region config: a config is data, and nothing
in it may run code (README, "Nothing from a config can run or call out"); choosing code to run
is the operator's decision, by installing a package or setting the variable. And render and
print workers started with ``spawn`` import the package afresh: they inherit the environment,
so they see the same plugins as the build that started them.
"""

from __future__ import annotations

import functools
import importlib
import os
import sys
from importlib.metadata import entry_points
from pathlib import Path

from .errors import ConfigError

GROUP = "wijkdata.plugins"
ENV = "WIJKDATA_PLUGINS"

_entry_points_loaded = False
_loaded: set[str] = set()


def named() -> list[str]:
    return list(_parsed(os.environ.get(ENV, "")))


@functools.lru_cache(maxsize=8)
def _parsed(value: str) -> tuple[str, ...]:
    # load() runs before every registry lookup (a national profile makes ~75 of them): the
    # variable is parsed once per value, so a lookup costs one environment read.
    return tuple(m.strip() for m in value.split(",") if m.strip())


def _import(module: str, named_by: str) -> None:
    _loaded.add(module)  # first: a plugin that reads a registry must not re-enter
    try:
        importlib.import_module(module)
    except ImportError as exc:
        _loaded.discard(module)
        raise ConfigError(f"{named_by}: cannot import plugin module '{module}': {exc}",
                          hint="name importable modules, comma-separated, e.g. "
                               "mypkg.my_statistic") from None


def load() -> None:
    """Import every plugin module not imported yet (cheap when nothing is new)."""
    global _entry_points_loaded
    if not _entry_points_loaded:
        _entry_points_loaded = True
        for ep in sorted(entry_points(group=GROUP), key=lambda e: e.name):
            module = ep.value.split(":", 1)[0]
            if module not in _loaded:
                _import(module, f"entry point '{ep.name}' of {GROUP}")
    for module in named():
        if module not in _loaded:
            _import(module, ENV)


def plugin_files() -> list[Path]:
    """The source files of the modules in ``WIJKDATA_PLUGINS``: a build's fingerprint covers
    them (``--if-changed``); an entry-point plugin is an installed package, like wijkdata."""
    files = (getattr(sys.modules.get(m), "__file__", None) for m in named())
    return sorted({Path(f) for f in files if f})
