"""What an output format provides, and what the build hands it.

A format is one class in its own module of this package (``html.py``, ``csv.py``, ...),
registered by name (``formats/__init__.py``); ``--format`` and ``output: {formats: [...]}`` name
it. The build renders each profile page once (it is what the PDFs print) and then calls, for
each chosen format:

* ``write_page`` in the render pass, per profile, possibly in a worker process: files made from
  the area's report while it is at hand (the CSV of figures);
* ``write`` after the render pass, per build: files made from the profiles (a bewonersversie
  per area) and pages to print (``run.print_page``, printed together afterwards);
* ``write_region`` once per region (also after a sharded build is assembled): files about all
  profiled areas (the region's CSV and workbook).

Each returns the names of the files it wrote into the staging folder; only named files are
published.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:  # the registry is imported by the CLI: nothing heavy at import time
    from jinja2 import Environment

    from wijkdata.core.config import Region
    from wijkdata.report.context import ContextBuilder
    from wijkdata.report.pdf import PrintJob
    from wijkdata.report.report_types import Report


@dataclass(frozen=True)
class Rendered:
    """A rendered profile page (``<code>.html`` in staging) and its PDF metadata."""

    code: str
    title: str
    author: str
    subject: str
    files: tuple[str, ...] = ()  # what the formats' write_page made of it


@dataclass(frozen=True)
class Page:
    """One profile in the render pass, as ``write_page`` gets it."""

    region: Region
    builder: ContextBuilder
    report: Report
    code: str
    staging: Path


@dataclass
class RenderRun:
    """One build's render step, as ``write`` and ``write_region`` get it."""

    region: Region
    context: ContextBuilder
    env: Environment
    staging: Path
    codes: list[str]
    created: datetime  # the build's timestamp, for document metadata
    pages: list[Rendered] = field(default_factory=list)
    to_print: list[tuple[str, PrintJob]] = field(default_factory=list)

    def print_page(self, pdf_name: str, job: PrintJob) -> None:
        """Ask for ``job`` to be printed into ``pdf_name`` once every format has written."""
        self.to_print.append((pdf_name, job))


class OutputFormat:
    """Base class: override the hooks a format uses; each returns the file names it wrote."""

    name: ClassVar[str]  # as in --format
    order: ClassVar[int] = 100  # where its step runs among the chosen formats (html first)
    suffix: ClassVar[str]  # of the file per area, e.g. ".html"
    help: ClassVar[str]  # a few words for --format's help
    needs_browser: ClassVar[bool] = False  # prints with Chromium (left out without one)

    def write_page(self, page: Page) -> list[str]:
        return []

    def write(self, run: RenderRun) -> list[str]:
        return []

    def write_region(self, run: RenderRun) -> list[str]:
        return []
