"""The build pipeline: ingest -> compute -> render -> publish, as named steps.

:func:`build` reads top to bottom. ``manifest.py`` only fingerprints the inputs and says which
steps may be skipped; the steps themselves live here:

1. **ingest**  (:func:`step_ingest`)  the region's sources into a new DuckDB database;
2. **compute** (:func:`step_compute`) every indicator, comparison and trend into that database;
3. **render**  (:func:`step_render`)  HTML, CSV and PDF per profile plus the overview, into a
   staging folder next to the output;
4. **publish** (:func:`step_publish`) moves the staged files into place.

Steps 1-2 work on a temporary copy of the database that replaces the old one only when both
succeeded; steps 3-4 leave the previous reports as they were until everything is rendered.
A sharded build runs the same steps on three machines: ``prepare`` (1-2), ``build --shard``
(3 for part of the areas) and ``assemble`` (overview + 4), see ``shards.py``.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from wijkdata.core import atomic, codes, cpus
from wijkdata.core.clock import build_date, build_timestamp
from wijkdata.core.config import Region
from wijkdata.core.db import replacing
from wijkdata.core.errors import DataError
from wijkdata.core.testhooks import pause_point
from wijkdata.indicators import comparisons, compute
from wijkdata.indicators.definitions import Indicator
from wijkdata.ingest import run as ingest
from wijkdata.report import formats as output_formats
from wijkdata.report import overview, render
from wijkdata.report.area_selection import profile_codes
from wijkdata.report.context import ContextBuilder
from wijkdata.report.formats import Rendered, RenderRun, region_figure_names
from wijkdata.report.formatting import long_date
from wijkdata.report.inputs import db_path_for, load_indicators, logo_svg
from wijkdata.report.pdf import find_browser, print_all

from . import manifest
from .render_pool import render_one, render_parallel

Progress = Callable[[str], None]
PARALLEL_HTML_FROM = 400  # a render worker pays ~2-5 s to load the context nationally
PARALLEL_PDF_FROM = 8  # below this a second browser start (~1 s) costs more than it saves


@dataclass(frozen=True)
class BuildOptions:
    data_dir: Path | None = None
    out_dir: Path | None = None
    formats: tuple[str, ...] | None = None
    areas: tuple[str, ...] = ()
    levels: tuple[str, ...] | None = None
    if_changed: bool = False  # stop early when the manifest finds every input unchanged
    jobs: int | None = None  # render processes; None = one per CPU for large builds


@dataclass
class BuildResult:
    out_dir: Path
    db_path: Path
    profiles: list[str]
    files: list[Path]
    timings: dict[str, float] = field(default_factory=dict)
    ran: str = "ingest"  # stages redone: ingest | compute | none (render only) | skipped
    skipped_pdf: bool = False  # PDFs were asked for but no Chromium was found


def build(region: Region, opts: BuildOptions, progress: Progress) -> BuildResult:
    """One machine, every step: the region's reports from its data files."""
    timings: dict[str, float] = {}
    out_dir = atomic.check_output_dir(region.output_dir(opts.out_dir), region.project)
    formats = opts.formats or output_formats.resolve(region.config.output.formats,
                                                     f"{region.path}: output.formats")
    # The bewonersversie is HTML plus a printed PDF, so it needs Chromium as well.
    printed = {f.name for f in output_formats.chosen(formats) if f.needs_browser}
    skipped_pdf = bool(printed) and find_browser() is None
    if skipped_pdf:
        # Keep what can be made: HTML and CSV are published, the caller reports the PDFs.
        formats = tuple(f for f in formats if f not in printed)
        progress("warning: no Chromium found, so this build makes no PDFs")
    indicators = load_indicators(region)
    logo = logo_svg(region)  # before ingest: a refused logo must not replace the database
    db_path = db_path_for(region)
    with atomic.region_lock(region.project / "data" / "processed", region.slug):
        hasher = manifest.hasher_for(region)
        sources = manifest.hash_sources(region, region.data_dir(opts.data_dir), hasher)
        fp = manifest.fingerprint(region, sources, manifest.build_options(
            formats, opts.areas, opts.levels), hasher, compared_levels(region, opts))
        # A generation nobody points to was left by a killed build or publish: clear it, and
        # do the work again even with --if-changed (its manifest never became the current one).
        interrupted = atomic.unpublished_generations(out_dir)
        for stale in interrupted:
            atomic.discard_generation(stale)
        if interrupted:
            progress("an earlier build or publish of this folder was interrupted; redoing it")
        elif opts.if_changed and manifest.is_current(out_dir, fp.keys):
            return BuildResult(out_dir, db_path, [], [], timings, ran="skipped")
        ran = update_database(region, indicators, fp, opts, progress, timings)
        context = load_context(region, indicators, db_path, logo, timings)
        codes = select_areas(region, context, opts)
        with staging_for(out_dir) as staging:
            names = step_render(region, context, codes, formats, staging, progress, timings,
                                db_path=db_path, logo=logo, jobs=opts.jobs)
            names += write_region_figures(context, codes, formats, staging)
            names.append(write_overview(context, codes, formats, staging, timings))
            names.append(write_manifest(staging, fp, names))
            step_publish(staging, out_dir, names)
        manifest.remember_hashes(region, hasher)
    return BuildResult(out_dir, db_path, codes, [out_dir / n for n in names if
                                                 n != manifest.MANIFEST_NAME], timings, ran=ran,
                       skipped_pdf=skipped_pdf)


def prepare(region: Region, opts: BuildOptions, progress: Progress) -> BuildResult:
    """Steps 1-2 only (``wijkdata prepare``): the database that shard builds render from."""
    timings: dict[str, float] = {}
    indicators = load_indicators(region)
    db_path = db_path_for(region)
    with atomic.region_lock(region.project / "data" / "processed", region.slug):
        hasher = manifest.hasher_for(region)
        sources = manifest.hash_sources(region, region.data_dir(opts.data_dir), hasher)
        fp = manifest.fingerprint(region, sources, {}, hasher, compared_levels(region, opts))
        ran = update_database(region, indicators, fp, opts, progress, timings)
        manifest.remember_hashes(region, hasher)
    return BuildResult(region.output_dir(opts.out_dir), db_path, [], [], timings, ran=ran)


# --- Steps 1 and 2: the database ----------------------------------------------------------

def update_database(region: Region, indicators: list[Indicator], fp: manifest.Fingerprint,
                    opts: BuildOptions, progress: Progress, timings: dict[str, float]) -> str:
    """Ingest and/or compute as the fingerprint requires; returns what ran."""
    db_path = db_path_for(region)
    work = manifest.database_work(fp, manifest.recorded(db_path)[0])
    if work == "none":
        progress("sources and indicators unchanged: reusing the database")
        return work
    if work == "compute":
        progress("sources unchanged: skipping ingest, recomputing indicators")
    # Both steps write one temporary database (a copy when only compute runs) that replaces
    # the old one at the end: a failed step, or an unknown --area, leaves the last good one.
    with replacing(db_path, from_current=work == "compute") as tmp:
        con = duckdb.connect(str(tmp))
        try:
            if work == "ingest":
                step_ingest(con, region, region.data_dir(opts.data_dir), progress, timings)
            step_compute(con, region, indicators, progress, timings,
                         compared_levels(region, opts))
            check_areas(region, opts.areas, [r[0] for r in con.execute(
                "SELECT code FROM area WHERE level IN ('gemeente', 'wijk', 'buurt', 'custom') "
                "ORDER BY code").fetchall()])
            manifest.record(con, fp, build_timestamp())
        finally:
            con.close()
    return work


def step_ingest(con: duckdb.DuckDBPyConnection, region: Region, data_dir: Path,
                progress: Progress, timings: dict[str, float]) -> None:
    t = time.perf_counter()
    ingest.load(con, region, data_dir, progress)
    timings["ingest"] = time.perf_counter() - t


def compared_levels(region: Region, opts: BuildOptions) -> tuple[str, ...]:
    """The levels the indicators step compares: the config's, and those of ``--level`` and
    ``--area`` (part of the compute key, so asking for another level recomputes)."""
    asked = [lv for lv in (codes.level_of(a) for a in opts.areas) if lv]
    return comparisons.compared_levels(region.config, [*(opts.levels or ()), *asked])


def step_compute(con: duckdb.DuckDBPyConnection, region: Region, indicators: list[Indicator],
                 progress: Progress, timings: dict[str, float],
                 levels: tuple[str, ...]) -> None:
    t = time.perf_counter()
    progress(f"computing {len(indicators)} indicators")
    compute.run(con, indicators, region.config, levels)
    timings["indicators"] = time.perf_counter() - t
    for line in lost_data(con, region, indicators):
        progress(line)


def lost_data(con: duckdb.DuckDBPyConnection, region: Region,
              indicators: list[Indicator]) -> list[str]:
    """Warnings for indicators whose source kind is configured but whose variable no file had.

    A column renamed by the publisher (or left out of a selection) is not an error: the other
    indicators still build. But nobody should have to notice the empty rows themselves.
    """
    present = {str(r[0]) for r in con.execute("SELECT DISTINCT variable FROM observation")
               .fetchall()}
    by_kind: dict[str, list[str]] = {}
    for source in region.config.sources:
        by_kind.setdefault(source.kind, []).append(Path(source.path).name if source.path
                                                   else source.id)
    out = []
    for ind in indicators:
        if not all(kind in by_kind for kind in ind.sources):
            continue  # a source kind this region does not load: nothing was lost
        missing = [v for v in (ind.numerator, ind.denominator, ind.value) if v and v not in present]
        if missing:
            files = ", ".join(f for kind in ind.sources for f in by_kind[kind])
            out.append(f"warning: indicator '{ind.id}' has no data: no file provides "
                       f"{', '.join(repr(v) for v in missing)} (a column renamed or absent in "
                       f"{files})")
    return out


# --- Step 3: render -----------------------------------------------------------------------

def load_context(region: Region, indicators: list[Indicator], db_path: Path, logo: str,
                 timings: dict[str, float]) -> ContextBuilder:
    """Every table the profiles need, read once from the finished database."""
    t = time.perf_counter()
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        context = ContextBuilder(con, region, indicators, logo, build_date())
    finally:
        con.close()
    timings["context"] = time.perf_counter() - t
    return context


def select_areas(region: Region, context: ContextBuilder, opts: BuildOptions) -> list[str]:
    levels = list(opts.levels) if opts.levels else None
    codes = profile_codes(region, context.area, levels, context.current)
    if not opts.areas:
        return codes
    check_areas(region, opts.areas, [c for c in codes if c in context.area]
                + [c for c in opts.areas if c in context.area])
    return list(opts.areas)


def check_areas(region: Region, areas: Iterable[str], known: list[str]) -> None:
    present = set(known)
    unknown = [c for c in areas if c not in present]
    if unknown:
        near = [c for c in known if c[:6] == unknown[0][:6]][:5]
        raise DataError(
            f"area code {unknown[0]} is not in the data of region '{region.slug}'",
            hint=("similar codes: " + ", ".join(near)) if near
            else "'wijkdata check --regio " + region.slug + "' lists what was loaded",
        )


@contextlib.contextmanager
def staging_for(out_dir: Path) -> Iterator[Path]:
    """A new generation folder for ``out_dir`` (atomic.py), removed unless it was published."""
    staged = atomic.begin_generation(out_dir)
    try:
        yield staged
    finally:
        if not (atomic.is_generation_link(out_dir) and out_dir.resolve() == staged.resolve()):
            atomic.discard_generation(staged)


def step_render(region: Region, context: ContextBuilder, codes: list[str],
                formats: tuple[str, ...], staging: Path, progress: Progress,
                timings: dict[str, float], *, db_path: Path, logo: str,
                jobs: int | None = None) -> list[str]:
    """Render each profile page into ``staging`` and let every chosen format write its files
    (``report/formats/``); print the pages they ask for. Returns the file names."""
    workers = jobs or (cpus.workers() if len(codes) >= PARALLEL_HTML_FROM else 1)
    env = render.environment(region.project / "templates")
    run = RenderRun(region, context, env, staging, codes, build_timestamp())
    written: list[str] = []
    t = time.perf_counter()
    # Pages are written as they are rendered (streaming): nothing per profile stays in
    # memory but the few strings the PDF metadata needs.
    if workers > 1:
        rendered: Iterable[Rendered] = render_parallel(region, db_path, logo, codes, staging,
                                                       formats, workers)
    else:
        rendered = (render_one(region, context, env, c, staging, formats) for c in codes)
    for i, r in enumerate(rendered, start=1):
        run.pages.append(r)
        written += r.files
        if i == 1 and "html" in formats:
            pause_point("render")
        if i % 25 == 0 or i == len(codes):
            progress(f"rendered {i}/{len(codes)} profiles")
    timings["html"] = time.perf_counter() - t
    for fmt in output_formats.chosen(formats):
        written += fmt.write(run)
    if run.to_print:
        t = time.perf_counter()
        # Browsers in worker processes when there is enough to print to pay for their start;
        # results come back in input order (see pdf.print_all).
        printers = cpus.workers() if len(run.to_print) >= PARALLEL_PDF_FROM else 1
        pdfs = print_all([job for _name, job in run.to_print], printers)
        for i, ((name, _job), pdf) in enumerate(zip(run.to_print, pdfs, strict=True), start=1):
            (staging / name).write_bytes(pdf)
            written.append(name)
            if i == 1:
                pause_point("pdf")
            if i % 10 == 0 or i == len(run.to_print):
                progress(f"printed {i}/{len(run.to_print)} PDFs")
        timings["pdf"] = time.perf_counter() - t
    return written


def write_overview(context: ContextBuilder, codes: list[str], formats: tuple[str, ...],
                   staging: Path, timings: dict[str, float]) -> str:
    """The region's ``index.html`` over the profiled areas, linking to their pages."""
    t = time.perf_counter()
    env = render.environment(context.region.project / "templates")
    links = {c: f"{c}.html" for c in codes} if "html" in formats else {}
    downloads = region_figure_names(context.region) if "csv" in formats else {}
    page = overview.render(env, context, codes, links, long_date(build_date()),
                           downloads=downloads)
    (staging / "index.html").write_text(page, encoding="utf-8")
    timings["overview"] = time.perf_counter() - t
    timings["html"] = timings.get("html", 0.0) + timings["overview"]
    return "index.html"


def write_region_figures(context: ContextBuilder, codes: list[str], formats: tuple[str, ...],
                         staging: Path) -> list[str]:
    """Each chosen format's files about the whole region (the CSV format: the region's CSV and
    workbook); their names."""
    env = render.environment(context.region.project / "templates")
    run = RenderRun(context.region, context, env, staging, codes, build_timestamp())
    return [name for fmt in output_formats.chosen(formats) for name in fmt.write_region(run)]


def write_manifest(staging: Path, fp: manifest.Fingerprint, outputs: list[str]) -> str:
    """The manifest is published with the files it lists, never before them."""
    (staging / manifest.MANIFEST_NAME).write_text(manifest.text(fp, outputs), encoding="utf-8")
    return manifest.MANIFEST_NAME


# --- Step 4: publish ----------------------------------------------------------------------

def step_publish(staging: Path, out_dir: Path, names: list[str]) -> None:
    """Publish the staged generation as a whole: one atomic switch (atomic.publish_generation).

    Staged files that are not outputs (pages rendered only to be printed) are dropped first.
    """
    keep = set(names)
    for path in staging.iterdir():
        if path.is_file() and path.name not in keep:
            path.unlink()
    pause_point("publish")
    atomic.publish_generation(out_dir, staging)
