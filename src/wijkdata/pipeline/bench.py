"""``wijkdata bench``: time every stage of a real build and set it against floors and a peer.

Figures are only worth something next to what the machine can do at best, so besides the stage
times the harness measures one "floor" operation per component (an empty Jinja render, one
vl-convert SVG, one PDF of a blank page) and runs the peer, ``../shared/peer/run_peer.sh`` (one
notebook-style Python process per wijk, WeasyPrint for the PDF), on the same Achterhoek wijken.
The result goes to ``reports/bench.json`` and, as a table for the README, ``docs/bench.md``.
Speed is measured here and never asserted in tests.
"""

from __future__ import annotations

import json
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from wijkdata.core import atomic, cpus
from wijkdata.core.clock import build_timestamp, pinned
from wijkdata.core.config import load_region
from wijkdata.report.inputs import db_path_for

from . import bench_shards
from .build import BuildOptions, build, prepare

Progress = Callable[[str], None]
PACKAGES = ("wijkdata", "duckdb", "polars", "jinja2", "altair", "vl-convert-python",
            "playwright", "pypdf", "numpy", "weasyprint")
# The peer's 20 Achterhoek wijken (run_peer.sh); wijkdata prints the same ones.
PEER_WIJKEN = ("WK019701", "WK019702", "WK019703", "WK019704", "WK185900", "WK185901",
               "WK185902", "WK187600", "WK187601", "WK187602", "WK022201", "WK022202",
               "WK022203", "WK022204", "WK195500", "WK195501", "WK158601", "WK158602",
               "WK150900", "WK029400")
# Targets of issue 7 (2 cores), seconds unless named otherwise.
TARGETS = {"ingest_s": 3.0, "indicators_s": 2.0, "html_total_s": 30.0,
           "pdf_per_profile_s": 0.12, "peak_rss_mb": 2048.0, "no_change_rebuild_s": 1.0,
           # Issue 19: all wijken HTML + PDF on one 2-core machine; 20x faster than the peer.
           "national_html_pdf_s": 480.0, "peer_ratio": 0.05}


# How the build is spread over the machine, and why (measured on the 2-core machine, issue 7).
DECISIONS = [
    "", "## Design decisions behind these figures", "",
    "* **Charts.** A profile has ~110 charts (spine and trend per indicator, bars, age, map);",
    "  vl-convert costs 20-50 ms a chart, so profile charts are plain SVG strings (~0.01-0.4 ms",
    "  each). vl-convert draws only the overview's one chart; above 60 areas that chart is a",
    "  20-bin histogram (3,634 bars took 12 s and made a 50,000 px image; the histogram ~25 ms),",
    "  with the data put into the spec after `to_dict` to skip schema validation.",
    "* **HTML on both cores.** `render_pool.py`: from 400 profiles on, two `spawn` worker",
    "  processes each load the report context once from the finished database (read-only) and",
    "  render contiguous chunks; `map` keeps the order, so the files equal a serial build's",
    "  byte for byte (tested). Pages are written as they are rendered, not held in memory.",
    "* **Context.** Indicator rows become dicts per area on first use (`rowindex.py`) instead",
    "  of 4 million dicts up front (35 s, GBs); shapes are indexed per gemeente; the",
    "  nl-NL number formatting (a third of profile time through babel) has an exact fast path.",
    "* **PDF.** Playwright's sync API serves one tab at a time, so two browsers in two `spawn`",
    "  worker processes print side by side (`pdf.print_all`, from 8 profiles on); one browser",
    "  with two async tabs, or a third browser, measured about the same here: the two cores",
    "  are busy, so CPU time per profile is what counts. The browser never draws a page for",
    "  the screen: the printed copy of a page carries `@media screen { html { display: none } }`",
    "  (`pdf.print_style`), so Chromium styles and lays a profile out once for print instead",
    "  of also for a screen frame before and after printing, and the running header and",
    "  footer are CSS page-margin boxes (`@top-left`, `@bottom-right` with `counter(pages)`)",
    "  instead of Chromium's header and footer templates, a small document with script laid",
    "  out for every page. Measured on 12 national profiles x 3 (2026-12-01, one browser):",
    "  CPU time per profile, all processes, 539-589 ms before, 466-520 ms with the margin",
    "  boxes, 473 ms with both (the GPU process 29 -> 12 ms). The PDFs' text is the same; the",
    "  header and footer sit centred in the page margins. The document information is",
    "  replaced in place in Chromium's file (~4 ms) instead of a pypdf parse and rewrite",
    "  (~0.6 s for a tagged profile). Tagging for screen readers costs a third of the CPU",
    "  time: 473 against 311 ms untagged (Chromium's accessibility tree, ~1,900 structure",
    "  elements, and a PDF of twice the bytes through the driver).",
    "", "## What bounds each figure (issue 19)", "",
    "* **Indicators** against one DuckDB statement (`duckdb_statement_s`, ~0.1 ms): compute runs",
    "  a few dozen statements, so statement overhead is milliseconds; the time is data volume.",
    "  Time by step, nationally (2026-12-01): ranking and writing the ~0.8 million values of",
    "  every area ~30 % (writing the compressed table alone ~0.55 s), the comparable areas",
    "  (distances between all wijken, group figures) ~25 %, gathering the counts ~25 %,",
    "  finishing values and intervals ~10 %, the comparisons ~10 %. The comparisons are made",
    "  for the profiled levels only (0.6 million wijk x comparator pairs; comparing the",
    "  15,400 buurten too was 2.6 million more) and written unsorted (readers look rows up",
    "  by key; the sort was a third of the statement): 4.2 s of CPU -> ~0.5 s.",
    "* **HTML** against an empty Jinja render (0.01 ms): a profile is ~110 SVG charts and",
    "  ~60 indicators x 3 comparators of Dutch number formatting; template overhead is nil.",
    "* **PDF** against a blank page (`pdf_blank_page_s`): a blank page already pays the round",
    "  trip (set_content, printToPDF with the margin boxes, the PDF back through",
    "  Playwright's driver). A national profile is 9 A4 pages, ~1,800 elements and ~50 inline",
    "  SVGs; Chromium's trace per profile: parsing (~25 ms), then the print: style for print",
    "  mode, two layouts (the second paginated, ~50-90 ms each), the accessibility tree for",
    "  the tags (~40 ms), painting into Skia's PDF writer. Chromium's renderer is ~75 % of the",
    "  CPU time, its browser and GPU processes ~16 %, Playwright's driver ~6 %, Python ~2 %.",
    "  Layout, tagging and painting bound it; more cores",
    "  (runners) is the lever beyond that, hence the shards.",
    "* **National wall time** is PDF x profiles / runners plus fixed costs (prepare, context",
    "  load, browser start, assemble); the 'Sharded build' table above gives it per N.",
]


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far (Linux reports ru_maxrss in KiB)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def peak_rss_children_mb() -> float:
    """Largest finished child process. Linux keeps ru_maxrss across exec, so a spawned worker
    starts with its parent's size at fork: this is an upper bound, not the worker's own use."""
    return round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1)


def machine() -> dict[str, Any]:
    versions: dict[str, str | None] = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    chromium = None
    from wijkdata.report.pdf import find_browser

    browser = find_browser()
    if browser is not None:
        out = subprocess.run([str(browser), "--version"], capture_output=True, text=True,
                             timeout=30, check=False)
        chromium = out.stdout.strip() or None
    return {"cores": cpus.available(), "cpu_count": os.cpu_count(),
            "python": platform.python_version(), "platform": platform.platform(),
            "packages": versions, "chromium": chromium}


def _best(fn: Callable[[], object], repeat: int) -> float:
    """Best-of-``repeat`` wall time of ``fn`` (the floor is the undisturbed case)."""
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def floors(pdf_repeat: int = 5) -> dict[str, float]:
    """One minimal operation per component, after a warm-up call."""
    import altair as alt
    import vl_convert as vlc
    from jinja2 import Environment

    from wijkdata.report.pdf import PdfPrinter

    env = Environment(autoescape=True)
    template = env.from_string("")
    template.render()
    spec = alt.Chart(alt.Data(values=[{"a": "x", "b": 1}, {"a": "y", "b": 2}])).mark_bar() \
        .encode(x="b:Q", y="a:N").to_dict()
    t = time.perf_counter()
    vlc.vegalite_to_svg(spec)
    vl_first = time.perf_counter() - t
    created = datetime(2026, 1, 1, tzinfo=UTC)
    blank = "<!doctype html><html><body></body></html>"
    with PdfPrinter() as printer:
        printer.print(blank, title="", author="", subject="", created=created)
        pdf = _best(lambda: printer.print(blank, title="", author="", subject="",
                                          created=created), pdf_repeat)
    import duckdb

    con = duckdb.connect()
    con.execute("SELECT 42").fetchall()
    statement = _best(lambda: con.execute("SELECT 42").fetchall(), 100)
    con.close()
    return {"jinja_empty_render_s": _best(template.render, 1000),
            "duckdb_statement_s": statement,
            "vl_convert_svg_first_s": vl_first,
            "vl_convert_svg_s": _best(lambda: vlc.vegalite_to_svg(spec), 5),
            "pdf_blank_page_s": pdf}


def pdf_steady(html_files: list[Path], workers: int) -> dict[str, float | int]:
    """Print the profiles as a build does; steady state = after each browser's first page."""
    from wijkdata.report.pdf import PrintJob, print_all

    created = datetime(2026, 1, 1, tzinfo=UTC)
    jobs = [PrintJob(p, p.stem, "bench", "", created) for p in html_files]
    t = time.perf_counter()
    arrived = [time.perf_counter() - t for _ in print_all(jobs, workers)]
    warm = min(workers, len(jobs) - 1)
    steady = (arrived[-1] - arrived[warm - 1]) / (len(jobs) - warm) if warm else arrived[-1]
    return {"profiles": len(jobs), "workers": workers, "total_s": arrived[-1],
            "first_page_s": arrived[0], "per_profile_s": steady, "pages_per_s": 1 / steady}


def peer(n: int, script: Path, out: Path) -> dict[str, Any]:
    """Run the peer script for ``n`` wijken; its last line holds min/median/max per profile."""
    if n <= 0:
        return {"skipped": "not requested (--peer 0)"}
    if not script.exists():
        return {"skipped": f"{script} not found"}
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError) as exc:
        return {"skipped": f"weasyprint is not usable ({type(exc).__name__}); "
                           "pip install -e '.[bench]' and see the Makefile's bench target"}
    out.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, PY=sys.executable, OUT=str(out))
    t = time.perf_counter()
    run = subprocess.run(["bash", str(script), str(n)], capture_output=True, text=True,
                         env=env, timeout=3600, check=False)
    wall = time.perf_counter() - t
    m = re.search(r"min ([\d.]+) s\s+median ([\d.]+) s\s+max ([\d.]+) s", run.stdout)
    if run.returncode != 0 or m is None:
        return {"skipped": f"peer failed (exit {run.returncode}): "
                           f"{(run.stderr or run.stdout).strip().splitlines()[-1:]}"}
    return {"profiles": n, "wall_s": wall, "min_s": float(m[1]), "median_s": float(m[2]),
            "max_s": float(m[3])}


def run(project: Path, data_dir: Path | None, regio: str, *, peer_n: int, pdf_n: int,
        workers: int, peer_script: Path, progress: Progress, shards: int = 4) -> dict[str, Any]:
    # One clock for every build of the run, as in a sharded CI run: the one-machine build and
    # the assembled shards must be comparable byte for byte.
    with pinned(str(int(build_timestamp().timestamp()))):
        return _run(project, data_dir, regio, peer_n=peer_n, pdf_n=pdf_n, workers=workers,
                    peer_script=peer_script, progress=progress, shards=shards)


def _run(project: Path, data_dir: Path | None, regio: str, *, peer_n: int, pdf_n: int,
         workers: int, peer_script: Path, progress: Progress, shards: int) -> dict[str, Any]:
    region = load_region(regio, project)
    work = project / "reports" / ".bench"
    shutil.rmtree(work, ignore_errors=True)
    out = work / region.slug
    quiet: Progress = lambda _msg: None  # noqa: E731
    # The processed database is a cache; without it prepare runs every stage, so ingest
    # and indicators are timed rather than skipped as unchanged.
    db_path_for(region).unlink(missing_ok=True)
    progress(f"bench: prepare '{regio}' (ingest + indicators)")
    t = time.perf_counter()
    prep = prepare(region, BuildOptions(data_dir=data_dir), quiet)
    prepare_s = time.perf_counter() - t
    progress(f"bench: one-machine build of '{regio}' (html)")
    t = time.perf_counter()
    res = build(region, BuildOptions(data_dir=data_dir, out_dir=out, formats=("html",)), quiet)
    wall = time.perf_counter() - t
    n = len(res.profiles)
    tm = res.timings
    progress("bench: no-change rebuild (--if-changed)")
    t = time.perf_counter()
    again = build(region, BuildOptions(data_dir=data_dir, out_dir=out, formats=("html",),
                                       if_changed=True), quiet)
    rebuild = time.perf_counter() - t
    sharded = bench_shards.run(region, work / "shards", out, shards, ("html",), progress)
    peer_codes = [c for c in PEER_WIJKEN if c in res.profiles]
    sample = peer_codes or res.profiles[:pdf_n]
    pages = [out / f"{c}.html" for c in sample[:pdf_n]]
    progress(f"bench: PDF of {len(pages)} profiles, 1 browser and then {workers} browsers")
    pdf_one = pdf_steady(pages, 1)
    pdf_many = pdf_steady(pages, workers) if workers > 1 else pdf_one
    pdf = min(pdf_one, pdf_many, key=lambda r: r["per_profile_s"])
    progress("bench: floors")
    floor = floors()
    progress(f"bench: peer ({peer_n} wijken)")
    peer_res = peer(peer_n, peer_script, work / "peer")
    html_per = tm.get("html", 0.0) / n if n else 0.0
    per_profile = html_per + float(pdf["per_profile_s"])
    stages = {"ingest_s": prep.timings.get("ingest", 0.0),
              "indicators_s": prep.timings.get("indicators", 0.0), "prepare_s": prepare_s,
              "context_s": tm.get("context", 0.0), "html_total_s": tm.get("html", 0.0),
              "build_wall_s": wall, "no_change_rebuild_s": rebuild,
              "first_build_ran": prep.ran, "no_change_rebuild_ran": again.ran}
    proj = bench_shards.projection(
        prepare_s=prepare_s, context_s=tm.get("context", 0.0), per_profile_s=per_profile,
        browser_start_s=float(pdf["first_page_s"]), assemble_s=sharded["assemble_s"],
        largest=bench_shards.largest_shards(region, res.profiles))
    result: dict[str, Any] = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "regio": regio, "profiles": n, "stages": stages,
        "html": {"per_profile_s": html_per, "pages_per_s": n / tm["html"] if tm.get("html")
                 else None},
        "pdf": pdf, "pdf_one_browser": pdf_one, "pdf_workers": pdf_many,
        "per_profile_html_pdf_s": per_profile,
        "shards": sharded, "projection": proj,
        "peak_rss_mb": peak_rss_mb(), "peak_rss_children_mb": peak_rss_children_mb(),
        "floors": floor,
        "ratios_to_floor": {
            "html_per_profile_vs_jinja_empty": html_per / floor["jinja_empty_render_s"],
            "pdf_per_profile_vs_blank_pdf": float(pdf["per_profile_s"])
            / floor["pdf_blank_page_s"],
            "indicators_vs_duckdb_statement": prep.timings.get("indicators", 0.0)
            / floor["duckdb_statement_s"]},
        "peer": peer_res,
        "machine": machine(),
    }
    if "median_s" in peer_res:
        result["peer"]["wijkdata_per_profile_s"] = per_profile
        result["peer"]["ratio_wijkdata_to_peer"] = per_profile / peer_res["median_s"]
    measured = {k: _measured(result, k) for k in TARGETS}
    result["targets"] = {k: {"target": v, "measured": m, "met": m < v}
                         for k, v in TARGETS.items() if (m := measured[k]) is not None}
    shutil.rmtree(work, ignore_errors=True)
    return result


def _measured(result: dict[str, Any], key: str) -> float | None:
    if key == "national_html_pdf_s":  # one machine = one runner
        return float(result["projection"]["1"]["wall_s"])
    if key == "peer_ratio":
        ratio = result["peer"].get("ratio_wijkdata_to_peer")
        return None if ratio is None else float(ratio)
    if key == "pdf_per_profile_s":
        return float(result["pdf"]["per_profile_s"])
    if key == "peak_rss_mb":
        return float(result["peak_rss_mb"])
    return float(result["stages"][key])


def markdown(result: dict[str, Any]) -> str:
    """The README table: each target with the measured figure, then the floors and the peer."""
    m = result["machine"]
    rows = [
        ("Ingest (KWB year + monitor + boundaries)", "ingest_s", "s"),
        ("Indicators (every value; comparisons of the profiled areas)", "indicators_s", "s"),
        ("HTML, all profiles + overview", "html_total_s", "s"),
        ("PDF per profile, steady state", "pdf_per_profile_s", "s"),
        ("Peak memory", "peak_rss_mb", "MB"),
        ("No-change rebuild (`--if-changed`)", "no_change_rebuild_s", "s"),
        ("National HTML + PDF, one machine (projected)", "national_html_pdf_s", "s"),
        ("wijkdata / peer time per profile", "peer_ratio", "×"),
    ]
    lines = [
        "# Benchmark", "",
        "Generated by `wijkdata bench` (`make bench`) — do not edit by hand.", "",
        f"Measured {result['measured_at']} on {m['cores']} cores, Python {m['python']}, "
        f"{m['chromium'] or 'no Chromium'}; region `{result['regio']}`, "
        f"{result['profiles']} profiles.", "",
        "| Stage | Target | Measured | Met |", "|---|---:|---:|:---:|",
    ]
    for label, key, unit in rows:
        if key not in result["targets"]:
            continue
        t = result["targets"][key]
        lines.append(f"| {label} | < {t['target']:g} {unit} | {t['measured']:.3f} {unit} | "
                     f"{'yes' if t['met'] else 'no'} |")
    st = result["stages"]
    lines += [
        "", "Peak memory is the main process (ingest, indicators, overview); the render",
        "workers each hold their own report context on top of it (see the closing notes).",
        "", f"Context loading: {st['context_s']:.2f} s; whole build wall time "
        f"{st['build_wall_s']:.1f} s; HTML {result['html']['per_profile_s'] * 1000:.1f} ms "
        f"per profile ({result['html']['pages_per_s'] or 0:.0f} pages/s); PDF "
        f"{result['pdf']['pages_per_s']:.1f} pages/s with {result['pdf']['workers']} browser(s) "
        f"(one browser: {result['pdf_one_browser']['per_profile_s']:.3f} s per profile; "
        f"{result['pdf_workers']['workers']} browsers in worker processes: "
        f"{result['pdf_workers']['per_profile_s']:.3f} s).", "",
        "## Floors (one minimal operation per component)", "",
        "| Operation | Time |", "|---|---:|",
    ]
    for key, value in result["floors"].items():
        lines.append(f"| {key} | {value * 1000:.2f} ms |")
    p = result["peer"]
    lines += ["", "## Peer (`shared/peer/run_peer.sh`, one notebook-style process per wijk)", ""]
    lines_after = bench_shards.markdown(result) + DECISIONS
    if "median_s" in p:
        lines.append(f"Peer: median {p['median_s']:.2f} s per profile over {p['profiles']} "
                     f"Achterhoek wijken (min {p['min_s']:.2f}, max {p['max_s']:.2f}). "
                     f"wijkdata: {p['wijkdata_per_profile_s']:.3f} s per profile (HTML + PDF), "
                     f"**{p['ratio_wijkdata_to_peer']:.3f}×** the peer's time "
                     f"({1 / p['ratio_wijkdata_to_peer']:.0f}× faster).")
    else:
        lines.append(f"Not run: {p['skipped']}.")
    return "\n".join(lines + lines_after) + "\n"


def write(result: dict[str, Any], out: Path, docs: Path | None) -> None:
    atomic.write_bytes(out, (json.dumps(result, indent=2, sort_keys=True) + "\n").encode())
    if docs is not None:
        atomic.write_bytes(docs, markdown(result).encode())
