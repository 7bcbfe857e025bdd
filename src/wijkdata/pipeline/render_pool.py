"""Render profile pages on every core: worker processes each load the report context once.

Per-profile work (context, plain-SVG charts, Jinja) is pure Python, so threads would share one
GIL; processes it is. Workers are started with ``spawn`` (forking a process that holds polars'
thread pool or vl-convert can hang), open the finished database read-only and build their own
:class:`ContextBuilder` (a few seconds nationally, paid once per worker). Codes go out in
contiguous chunks and ``map`` returns them in order, so files, metadata and the overview are
identical to a serial build; only the clock differs.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from logging.handlers import QueueHandler, QueueListener
from pathlib import Path
from typing import Any

import duckdb
from jinja2 import Environment

from wijkdata.core.clock import build_date
from wijkdata.core.config import Region, load_region_file
from wijkdata.core.lifeline import die_with_parent
from wijkdata.dialogue.extras import profile_extras
from wijkdata.report import formats as output_formats
from wijkdata.report import render
from wijkdata.report.context import ContextBuilder
from wijkdata.report.formats import Rendered
from wijkdata.report.inputs import load_indicators


def render_one(region: Region, builder: ContextBuilder, env: Environment, code: str,
               staging: Path, formats: tuple[str, ...]) -> Rendered:
    """Write ``<code>.html`` into staging, and what the formats' ``write_page`` make of the
    area (``report/formats/``); used serially and by the workers."""
    report = builder.report(code)
    # Speerpunten, netwerk and goede praktijken from configs/<regio>/ (issue 8).
    html = render.profile(env, report, **profile_extras(region, report, builder))
    (staging / f"{code}.html").write_text(html, encoding="utf-8")
    page = output_formats.Page(region, builder, report, code, staging)
    files = [name for f in output_formats.chosen(formats) for name in f.write_page(page)]
    return Rendered(code, render.title_of(report), report.organisation,
                    f"{report.name} ({report.code}), {report.region_name}", tuple(files))


_STATE: tuple[Region, ContextBuilder, Environment] | None = None


class _Forward(logging.Handler):
    """In the parent: hand a worker's log record to the logger it was made for."""

    def emit(self, record: logging.LogRecord) -> None:
        logging.getLogger(record.name).handle(record)


def _start(config_path: Path, project: Path, slug: str, db_path: Path, logo: str,
           log_queue: Any, parent: int) -> None:
    global _STATE
    die_with_parent(parent)  # a killed build must not leave its workers behind
    # Warnings (e.g. a bad partner row) go back to the parent, which shows them as the CLI
    # configured; a spawned worker has no handlers of its own.
    logger = logging.getLogger("wijkdata")
    logger.handlers = [QueueHandler(log_queue)]
    logger.propagate = False

    region = load_region_file(config_path, project, slug)
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        builder = ContextBuilder(con, region, load_indicators(region), logo, build_date())
    finally:
        con.close()
    _STATE = (region, builder, render.environment(project / "templates"))


def _chunk(job: tuple[list[str], Path, tuple[str, ...]]) -> list[Rendered]:
    assert _STATE is not None, "render worker started without its context"
    region, builder, env = _STATE
    codes, staging, formats = job
    return [render_one(region, builder, env, c, staging, formats) for c in codes]


def render_parallel(region: Region, db_path: Path, logo: str, codes: list[str], staging: Path,
                    formats: tuple[str, ...], workers: int, chunk: int = 50,
                    done: Callable[[int], None] = lambda n: None) -> Iterator[Rendered]:
    """Yield one :class:`Rendered` per code, in the order of ``codes``."""
    jobs = [(codes[i:i + chunk], staging, formats) for i in range(0, len(codes), chunk)]
    ctx = multiprocessing.get_context("spawn")
    log_queue = ctx.Queue()
    listener = QueueListener(log_queue, _Forward())
    listener.start()
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_start,
                                 initargs=(region.path, region.project, region.slug, db_path,
                                           logo, log_queue, os.getpid())) as pool:
            count = 0
            for part in pool.map(_chunk, jobs):
                count += len(part)
                done(count)
                yield from part
    finally:
        listener.stop()
