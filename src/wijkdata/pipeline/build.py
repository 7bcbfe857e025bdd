"""``wijkdata build``: config -> ingest -> indicators -> contexts -> HTML/PDF/CSV, atomically.

Everything is produced in a staging folder next to the output and moved into place only when the
whole build succeeded, so a failed build leaves the previous reports as they were.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from wijkdata.core import atomic
from wijkdata.core.clock import build_date, build_timestamp
from wijkdata.core.config import Region
from wijkdata.core.errors import DataError
from wijkdata.core.testhooks import pause_point
from wijkdata.indicators import compute
from wijkdata.indicators.definitions import Indicator, load_all, select
from wijkdata.report import overview, render
from wijkdata.report.context import ContextBuilder, profile_codes
from wijkdata.report.formatting import long_date
from wijkdata.report.pdf import PrintJob, find_browser, print_all
from wijkdata.report.render_pool import Rendered, render_one, render_parallel

from . import manifest

Progress = Callable[[str], None]
PDF_WORKERS = min(2, len(os.sched_getaffinity(0)))  # one browser per core
RENDER_WORKERS = PDF_WORKERS
PARALLEL_HTML_FROM = 400
PARALLEL_PDF_FROM = 8  # below this a second browser start costs more than it saves
ACTIVE_SVG = re.compile(r"<script|javascript:|<foreignobject|\son[a-z]+\s*=", re.IGNORECASE)


@dataclass(frozen=True)
class BuildOptions:
    data_dir: Path | None = None
    out_dir: Path | None = None
    formats: tuple[str, ...] | None = None
    areas: tuple[str, ...] = ()
    levels: tuple[str, ...] | None = None
    if_changed: bool = False  # stop early when manifest.py finds every input unchanged
    jobs: int | None = None  # render processes; None = both cores for large builds


@dataclass
class BuildResult:
    out_dir: Path
    db_path: Path
    profiles: list[str]
    files: list[Path]
    timings: dict[str, float] = field(default_factory=dict)
    ran: str = "ingest"  # stages redone: ingest | compute | none (render only) | skipped
    skipped_pdf: bool = False  # PDFs were asked for but no Chromium was found


def db_path_for(region: Region) -> Path:
    return region.project / "data" / "processed" / f"{region.slug}.duckdb"


def load_indicators(region: Region) -> list[Indicator]:
    return select(load_all(region.project / "indicators"), list(region.config.indicators),
                  region.path)


def logo_svg(region: Region) -> str:
    path = region.logo_path()
    if path is None:
        return ""
    if path.suffix.lower() == ".svg":
        text = path.read_text(encoding="utf-8")
        # Logos are embedded inline; refuse active content instead of trying to clean it.
        if ACTIVE_SVG.search(text):
            raise DataError(f"{path}: the logo contains script or event handlers; use a plain SVG")
        return text
    import base64
    data = base64.b64encode(path.read_bytes()).decode()
    return f'<img src="data:image/png;base64,{data}" alt="" height="36">'


def build(region: Region, opts: BuildOptions, progress: Progress) -> BuildResult:
    timings: dict[str, float] = {}
    out_dir = atomic.check_output_dir(region.output_dir(opts.out_dir), region.project)
    formats = opts.formats or tuple(region.config.output.formats)
    skipped_pdf = "pdf" in formats and find_browser() is None
    if skipped_pdf:
        # Keep what can be made: HTML and CSV are published, the caller reports the PDFs.
        formats = tuple(f for f in formats if f != "pdf")
        progress("warning: no Chromium found, so this build makes no PDFs")
    indicators = load_indicators(region)
    logo = logo_svg(region)  # before ingest: a refused logo must not replace the database
    db_path = db_path_for(region)
    with atomic.region_lock(region.project / "data" / "processed", region.slug):
        t0 = time.perf_counter()

        def finish(con: duckdb.DuckDBPyConnection) -> None:
            t = time.perf_counter()
            progress(f"computing {len(indicators)} indicators")
            compute.run(con, indicators, region.config)
            timings["indicators"] = time.perf_counter() - t
            # Runs on the new database before it replaces the old one, so an unknown --area
            # stops the build with the previous database still in place.
            _check_areas(region, opts, [r[0] for r in con.execute(
                "SELECT code FROM area WHERE level IN ('gemeente', 'wijk', 'buurt', 'custom') "
                "ORDER BY code").fetchall()])

        data_dir = region.data_dir(opts.data_dir)
        hasher = manifest.hasher_for(region)
        keys = manifest.compute_keys(region, indicators, data_dir, manifest.build_options(
            formats, opts.areas, opts.levels, out_dir), hasher)
        if opts.if_changed and manifest.is_current(out_dir, keys):
            return BuildResult(out_dir, db_path, [], [], timings, ran="skipped")
        ran = manifest.refresh_database(region, keys, db_path, data_dir, progress, finish)
        timings["ingest"] = time.perf_counter() - t0 - timings.get("indicators", 0.0)
        t = time.perf_counter()
        con = duckdb.connect(str(db_path), read_only=True)
        try:
            builder = ContextBuilder(con, region, indicators, logo, build_date())
        finally:
            con.close()
        codes = _select_areas(region, builder, opts)
        timings["context"] = time.perf_counter() - t
        files = _render_all(region, builder, codes, formats, out_dir, progress, timings,
                            db_path=db_path, logo=logo, jobs_wanted=opts.jobs)
        manifest.write(region, out_dir, keys, hasher, files)
    return BuildResult(out_dir, db_path, codes, files, timings, ran=ran, skipped_pdf=skipped_pdf)


def _check_areas(region: Region, opts: BuildOptions, known: list[str]) -> None:
    present = set(known)
    unknown = [c for c in opts.areas if c not in present]
    if unknown:
        near = [c for c in known if c[:6] == unknown[0][:6]][:5]
        raise DataError(
            f"area code {unknown[0]} is not in the data of region '{region.slug}'",
            hint=("similar codes: " + ", ".join(near)) if near
            else "'wijkdata check --regio " + region.slug + "' lists what was loaded",
        )


def _select_areas(region: Region, builder: ContextBuilder, opts: BuildOptions) -> list[str]:
    levels = list(opts.levels) if opts.levels else None
    codes = profile_codes(region, builder.area, levels, builder.current)
    if not opts.areas:
        return codes
    _check_areas(region, opts, [c for c in codes if c in builder.area]
                 + [c for c in opts.areas if c in builder.area])
    return list(opts.areas)


def _render_all(region: Region, builder: ContextBuilder, codes: list[str],
                formats: tuple[str, ...], out_dir: Path, progress: Progress,
                timings: dict[str, float], *, db_path: Path, logo: str,
                jobs_wanted: int | None = None) -> list[Path]:
    # Worker processes pay ~2-5 s each to load the context, worth it only for many profiles.
    workers = jobs_wanted or (RENDER_WORKERS if len(codes) >= PARALLEL_HTML_FROM else 1)
    env = render.environment(region.project / "templates")
    staging = out_dir.parent / f".{out_dir.name}.staging-{os.getpid()}"
    # We hold the region lock, so any staging folder of this output is left by a killed build.
    for stale in out_dir.parent.glob(f".{out_dir.name}.staging-*"):
        shutil.rmtree(stale, ignore_errors=True)
    staging.mkdir(parents=True)
    written: list[str] = []
    try:
        t = time.perf_counter()
        # Pages are written as they are rendered (streaming): nothing per profile stays in
        # memory but the few strings the PDF metadata needs.
        jobs: list[PrintJob] = []
        created = build_timestamp()
        csv = "csv" in formats
        if workers > 1:
            rendered: Iterable[Rendered] = render_parallel(region, db_path, logo, codes,
                                                           staging, csv, workers)
        else:
            rendered = (render_one(region, builder, env, c, staging, csv) for c in codes)
        for i, r in enumerate(rendered, start=1):
            jobs.append(PrintJob(staging / f"{r.code}.html", r.title, r.author, r.subject,
                                 created))
            if "html" in formats:
                written.append(f"{r.code}.html")
                if i == 1:
                    pause_point("render")
            if csv:
                written.append(f"{r.code}.csv")
            if i % 25 == 0 or i == len(codes):
                progress(f"rendered {i}/{len(codes)} profiles")
        links = {c: f"{c}.html" for c in codes} if "html" in formats else {}
        index = overview.render(env, builder, codes, links, long_date(build_date()))
        (staging / "index.html").write_text(index, encoding="utf-8")
        written.append("index.html")
        timings["html"] = time.perf_counter() - t
        if "pdf" in formats:
            t = time.perf_counter()
            # Two browsers in two processes when there is enough to print to pay for the
            # second start (~1 s); results come back in input order (see pdf.print_all).
            workers = PDF_WORKERS if len(jobs) >= PARALLEL_PDF_FROM else 1
            for i, (code, pdf) in enumerate(zip(codes, print_all(jobs, workers), strict=True),
                                            start=1):
                (staging / f"{code}.pdf").write_bytes(pdf)
                written.append(f"{code}.pdf")
                if i % 10 == 0 or i == len(codes):
                    progress(f"printed {i}/{len(codes)} PDFs")
            timings["pdf"] = time.perf_counter() - t
        out_dir.mkdir(parents=True, exist_ok=True)
        # Everything succeeded: move each file into place (each rename is atomic).
        for name in written:
            os.replace(staging / name, out_dir / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return [out_dir / n for n in written]
