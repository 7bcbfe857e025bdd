"""The statistics an indicator definition can name (``statistic:``), one class per module.

Add a statistic: one module in this package with a subclass of :class:`Statistic`
(``base.py``), listed in ``BUILT_IN`` below; or, outside the package, a module that calls
:func:`register` and is named in ``WIJKDATA_PLUGINS`` (``core/plugins.py``). Compute,
comparisons, trends, the comparable-area groups and the report's "definitie" line all ask the
registered class, never the statistic's name.
"""

from __future__ import annotations

from wijkdata.core import plugins

from .base import Figures, Gathered, Statistic
from .count import Count
from .given_percentage import GivenPercentage
from .mean import Mean
from .proportion import Proportion
from .rate import Rate

__all__ = ["Figures", "Gathered", "Statistic", "get", "names", "register"]

BUILT_IN: tuple[type[Statistic], ...] = (Proportion, Rate, Mean, Count, GivenPercentage)
_REGISTRY: dict[str, Statistic] = {cls.name: cls() for cls in BUILT_IN}


def register(cls: type[Statistic]) -> type[Statistic]:
    """Make ``cls`` available as ``statistic: <cls.name>`` (usable as a class decorator)."""
    if cls.name in _REGISTRY and type(_REGISTRY[cls.name]) is not cls:
        raise ValueError(f"statistic '{cls.name}' is registered already")
    _REGISTRY[cls.name] = cls()
    return cls


def get(name: str) -> Statistic:
    plugins.load()
    try:
        return _REGISTRY[name]
    except KeyError:
        raise KeyError(f"unknown statistic '{name}'; use {', '.join(names())}") from None


def names() -> list[str]:
    plugins.load()
    return list(_REGISTRY)
