"""The one mechanism behind the extension registries (statistics, output formats): classes
that name themselves, kept in their ``order``, found by importing every module of a package.

Source kinds keep their own registry (``core/source_kinds.py``): a kind is an options model,
not a class with a ``name`` and an ``order``.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterable
from typing import Any


def add(registry: dict[str, Any], cls: type, what: str) -> None:
    """Put an instance of ``cls`` in ``registry`` under ``cls.name``, keeping the registry in
    ``cls.order`` (then registration: the sort is stable). ``what`` names it in the error."""
    name = cls.name  # type: ignore[attr-defined]
    if name in registry and type(registry[name]) is not cls:
        raise ValueError(f"{what} '{name}' is registered already")
    registry[name] = cls()
    ordered = sorted(registry.values(), key=lambda item: item.order)
    registry.clear()
    registry.update((item.name, item) for item in ordered)


def discover(package: str, path: Iterable[str], base: type,
             register: Callable[[type], object]) -> None:
    """Import every module of ``package`` and register its own concrete ``base`` classes: a
    built-in extension is then one file, with nothing to list elsewhere."""
    for info in pkgutil.iter_modules(path):
        module = importlib.import_module(f"{package}.{info.name}")
        for cls in vars(module).values():
            # Its own classes that name themselves: not the base, not imported ones.
            if (isinstance(cls, type) and issubclass(cls, base) and "name" in vars(cls)
                    and cls.__module__ == module.__name__):
                register(cls)
