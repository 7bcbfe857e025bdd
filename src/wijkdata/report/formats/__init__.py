"""The output formats a build can write (``--format``, ``output: {formats: [...]}``).

Add an output format: one module in this package with a subclass of :class:`OutputFormat`
(``base.py``); every module here is imported and its subclasses registered, so that one file is
all. Outside the package: a module that calls :func:`register`, named in ``WIJKDATA_PLUGINS``
(``core/plugins.py``). The CLI's
``--format`` help and check, the config check and the build's render step read this registry.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from pathlib import Path

from wijkdata.core import plugins, registry
from wijkdata.core.errors import ConfigError

from .base import OutputFormat, Page, Rendered, RenderRun

__all__ = ["OutputFormat", "Page", "RenderRun", "Rendered", "chosen", "get", "names",
           "register", "region_figure_names", "resolve", "usage"]

_REGISTRY: dict[str, OutputFormat] = {}


def register(cls: type[OutputFormat]) -> type[OutputFormat]:
    """Make ``cls`` available as ``--format <cls.name>`` (usable as a class decorator).

    The registry is kept in ``order`` (then registration): the build runs the chosen formats'
    steps in that order (a PDF prints from the HTML page), and messages list them so."""
    registry.add(_REGISTRY, cls, "output format")
    return cls


registry.discover(__name__, __path__, OutputFormat, register)

from .csv import region_figure_names  # noqa: E402  (after the registry it needs)


def names() -> list[str]:
    plugins.load()
    return list(_REGISTRY)


def get(name: str) -> OutputFormat:
    plugins.load()
    return _REGISTRY[name]


def chosen(formats: Iterable[str]) -> list[OutputFormat]:
    """The chosen formats in registry order (so a build's steps run in one order)."""
    wanted = set(formats)
    return [f for n, f in _REGISTRY.items() if n in wanted]


def usage() -> str:
    """'html, pdf, csv and/or bewoners', for messages and --format's help."""
    known = names()
    return ", ".join(known[:-1]) + " and/or " + known[-1] if len(known) > 1 else known[0]


def help_text() -> str:
    """``--format``'s help: every registered format with what it writes."""
    with contextlib.suppress(ConfigError):  # a broken plugin is reported when it is used
        plugins.load()
    listed = "; ".join(f"{n}: {f.help}" for n, f in _REGISTRY.items())
    return f"Comma-separated, e.g. html,pdf (default from the config). {listed}."


def resolve(items: Iterable[str], source: str | Path, given: str = "") -> tuple[str, ...]:
    """Check format names (from --format or a config's output.formats) against the registry;
    ``given`` is the text the user wrote, named when it holds no format at all."""
    items = tuple(items)
    known = names()
    bad = [v for v in items if v not in known]
    if bad or not items:
        raise ConfigError(f"{source}: unknown format '{bad[0] if bad else given}'; "
                          f"use {usage()}, e.g. --format html,pdf")
    return items
