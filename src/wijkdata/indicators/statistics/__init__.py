"""The statistics an indicator definition can name (``statistic:``), one class per module.

Add a statistic: one module in this package with a subclass of :class:`Statistic`
(``base.py``); every module here is imported and its subclasses registered, so that one file is
all. Outside the package: a module that calls :func:`register`, named in
``WIJKDATA_PLUGINS`` (``core/plugins.py``). Compute,
comparisons, trends, the comparable-area groups and the report's "definitie" line all ask the
registered class, never the statistic's name.
"""

from __future__ import annotations

from wijkdata.core import plugins, registry

from .base import Figures, Gathered, Statistic

__all__ = ["Figures", "Gathered", "Statistic", "get", "names", "register"]

_REGISTRY: dict[str, Statistic] = {}


def register(cls: type[Statistic]) -> type[Statistic]:
    """Make ``cls`` available as ``statistic: <cls.name>`` (usable as a class decorator).
    Kept in ``order`` (then registration), the order messages and docs list them in."""
    registry.add(_REGISTRY, cls, "statistic")
    return cls


registry.discover(__name__, __path__, Statistic, register)


def get(name: str) -> Statistic:
    plugins.load()
    try:
        return _REGISTRY[name]
    except KeyError:
        raise KeyError(f"unknown statistic '{name}'; use {', '.join(names())}") from None


def names() -> list[str]:
    plugins.load()
    return list(_REGISTRY)
