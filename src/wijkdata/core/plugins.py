"""Extensions from outside the package: modules named in ``WIJKDATA_PLUGINS``.

``WIJKDATA_PLUGINS=mypkg.stat_median,mypkg.format_odt`` imports each module once, before a
registry (statistics, output formats) is first read. A plugin module registers what it adds
when it is imported, e.g. ``statistics.register(Median)`` or ``formats.register(Odt())``.

Why an environment variable and not only a ``register()`` call: render and print workers are
started with ``spawn`` and import the package afresh; they inherit the environment, so they
see the same plugins as the build that started them.
"""

from __future__ import annotations

import importlib
import os

from .errors import ConfigError

ENV = "WIJKDATA_PLUGINS"
_loaded: set[str] = set()


def named() -> list[str]:
    return [m.strip() for m in os.environ.get(ENV, "").split(",") if m.strip()]


def load() -> None:
    """Import every module in ``WIJKDATA_PLUGINS`` not imported yet (cheap when none)."""
    for module in named():
        if module in _loaded:
            continue
        _loaded.add(module)  # first: a plugin that reads a registry must not re-enter
        try:
            importlib.import_module(module)
        except ImportError as exc:
            _loaded.discard(module)
            raise ConfigError(f"{ENV}: cannot import plugin module '{module}': {exc}",
                              hint="name importable modules, comma-separated, e.g. "
                                   "mypkg.my_statistic") from None
