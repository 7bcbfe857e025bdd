"""wijkdata's own source kinds: one module per kind, each registering itself when imported.

Every module of this package is imported here, so a new kind is one new file: its options model
(``kind: Literal["<kind>"]``), its ``read(options, path) -> Loaded`` and a
``register(SourceKind(...))`` call (see ``core/source_kinds.py``). This package is the
``wijkdata.plugins`` entry point ``sources`` (pyproject.toml), found like any other plugin.
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path
from typing import cast

from wijkdata.core.source_kinds import SourceOptions, kind_of

from .common import Loaded

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")


def read_source(source: SourceOptions, path: Path) -> Loaded:
    """Read ``path`` with the reader of the source's kind."""
    return cast(Loaded, kind_of(source).read(source, path))


__all__ = ["Loaded", "read_source"]
