"""``wijkdata build``: config -> ingest -> indicators -> contexts -> HTML/PDF/CSV, atomically.

Everything is produced in a staging folder next to the output and moved into place only when the
whole build succeeded, so a failed build leaves the previous reports as they were.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from . import atomic, compute, overview, render
from .clock import build_date, build_timestamp
from .config import Region
from .context import ContextBuilder, profile_codes
from .errors import DataError
from .formatting import long_date
from .indicators import Indicator, load_all, select
from .ingest import ingest

Progress = Callable[[str], None]
ACTIVE_SVG = re.compile(r"<script|javascript:|<foreignobject|\son[a-z]+\s*=", re.IGNORECASE)


@dataclass(frozen=True)
class BuildOptions:
    data_dir: Path | None = None
    out_dir: Path | None = None
    formats: tuple[str, ...] | None = None
    areas: tuple[str, ...] = ()
    levels: tuple[str, ...] | None = None


@dataclass
class BuildResult:
    out_dir: Path
    db_path: Path
    profiles: list[str]
    files: list[Path]
    timings: dict[str, float] = field(default_factory=dict)


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
    indicators = load_indicators(region)
    db_path = db_path_for(region)
    with atomic.region_lock(region.project / "data" / "processed", region.slug):
        t0 = time.perf_counter()

        def finish(con: duckdb.DuckDBPyConnection) -> None:
            t = time.perf_counter()
            progress(f"computing {len(indicators)} indicators")
            compute.compute(con, indicators, region.config)
            timings["indicators"] = time.perf_counter() - t

        ingest(region, db_path, region.data_dir(opts.data_dir), progress, finish=finish)
        timings["ingest"] = time.perf_counter() - t0 - timings["indicators"]
        t = time.perf_counter()
        con = duckdb.connect(str(db_path), read_only=True)
        try:
            builder = ContextBuilder(con, region, indicators, logo_svg(region), build_date())
        finally:
            con.close()
        codes = _select_areas(region, builder, opts)
        timings["context"] = time.perf_counter() - t
        files = _render_all(region, builder, codes, formats, out_dir, progress, timings)
    return BuildResult(out_dir, db_path, codes, files, timings)


def _select_areas(region: Region, builder: ContextBuilder, opts: BuildOptions) -> list[str]:
    levels = list(opts.levels) if opts.levels else None
    codes = profile_codes(region, builder.area, levels)
    if not opts.areas:
        return codes
    unknown = [c for c in opts.areas if c not in builder.area]
    if unknown:
        near = [c for c in codes if c[:6] == unknown[0][:6]][:5]
        raise DataError(
            f"area code {unknown[0]} is not in the data of region '{region.slug}'",
            hint=("similar codes: " + ", ".join(near)) if near
            else "'wijkdata check --regio " + region.slug + "' lists what was loaded",
        )
    return list(opts.areas)


def _render_all(region: Region, builder: ContextBuilder, codes: list[str],
                formats: tuple[str, ...], out_dir: Path, progress: Progress,
                timings: dict[str, float]) -> list[Path]:
    env = render.environment(region.project / "templates")
    staging = out_dir.parent / f".{out_dir.name}.staging-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    written: list[str] = []
    try:
        t = time.perf_counter()
        htmls: dict[str, tuple[str, render.Report]] = {}
        for i, code in enumerate(codes, start=1):
            report = builder.report(code)
            html = render.profile(env, report)
            htmls[code] = (html, report)
            if "html" in formats:
                (staging / f"{code}.html").write_text(html, encoding="utf-8")
                written.append(f"{code}.html")
            if "csv" in formats:
                (staging / f"{code}.csv").write_text(render.area_csv(report), encoding="utf-8")
                written.append(f"{code}.csv")
            if i % 25 == 0 or i == len(codes):
                progress(f"rendered {i}/{len(codes)} profiles")
        links = {c: f"{c}.html" for c in codes} if "html" in formats else {}
        index = overview.render(env, builder, codes, links, long_date(build_date()))
        (staging / "index.html").write_text(index, encoding="utf-8")
        written.append("index.html")
        timings["html"] = time.perf_counter() - t
        if "pdf" in formats:
            t = time.perf_counter()
            from .pdf import PdfPrinter

            created = build_timestamp()
            with PdfPrinter() as printer:
                for i, code in enumerate(codes, start=1):
                    html, report = htmls[code]
                    pdf = printer.print(html, title=render.title_of(report),
                                        author=report.organisation,
                                        subject=f"{report.name} ({report.code}), "
                                                f"{report.region_name}",
                                        created=created)
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
