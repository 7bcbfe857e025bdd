"""The statistics an indicator definition can name (``statistic:``), one class per module.

Add a statistic: one module in this package with a subclass of :class:`Statistic`
(``base.py``); every module here is imported and its subclasses registered, so that one file is
all. Outside the package: a module that calls :func:`register`, named in
``WIJKDATA_PLUGINS`` (``core/plugins.py``). Compute,
comparisons, trends, the comparable-area groups and the report's "definitie" line all ask the
registered class, never the statistic's name.
"""

from __future__ import annotations

import importlib
import pkgutil

from wijkdata.core import plugins

from .base import Figures, Gathered, Statistic

__all__ = ["Figures", "Gathered", "Statistic", "get", "names", "register"]

_REGISTRY: dict[str, Statistic] = {}


def register(cls: type[Statistic]) -> type[Statistic]:
    """Make ``cls`` available as ``statistic: <cls.name>`` (usable as a class decorator).
    Kept in ``order`` (then registration), the order messages and docs list them in."""
    if cls.name in _REGISTRY and type(_REGISTRY[cls.name]) is not cls:
        raise ValueError(f"statistic '{cls.name}' is registered already")
    _REGISTRY[cls.name] = cls()
    ordered = sorted(_REGISTRY.values(), key=lambda s: s.order)  # stable: ties keep their turn
    _REGISTRY.clear()
    _REGISTRY.update((s.name, s) for s in ordered)
    return cls


for _module in pkgutil.iter_modules(__path__):
    _loaded = importlib.import_module(f"{__name__}.{_module.name}")
    for _cls in vars(_loaded).values():
        # Its own concrete classes only: one that names itself (not the base, not imports).
        if (isinstance(_cls, type) and issubclass(_cls, Statistic) and "name" in vars(_cls)
                and _cls.__module__ == _loaded.__name__):
            register(_cls)


def get(name: str) -> Statistic:
    plugins.load()
    try:
        return _REGISTRY[name]
    except KeyError:
        raise KeyError(f"unknown statistic '{name}'; use {', '.join(names())}") from None


def names() -> list[str]:
    plugins.load()
    return list(_REGISTRY)
