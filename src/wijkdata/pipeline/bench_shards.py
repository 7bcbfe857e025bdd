"""The sharded build in ``wijkdata bench``: prepare, each shard's render, assemble, and the
national wall time projected for N runners from the measured per-profile figures.

Shards run one after another on this machine, each as a CI runner would run it (its own
context load, its own render workers), so the per-shard figures are what one runner pays.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb

from wijkdata.core.config import Region

from .build import BuildOptions, db_path_for
from .shards import assemble, build_shard, partition

Progress = Callable[[str], None]
RUNNERS = (1, 4, 16)


def _hashes(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def run(region: Region, work: Path, one_machine: Path, n: int, formats: tuple[str, ...],
        progress: Progress) -> dict[str, Any]:
    """Render ``n`` shards into ``work`` and assemble them; compare with ``one_machine``."""
    quiet: Progress = lambda _msg: None  # noqa: E731
    shards: list[dict[str, Any]] = []
    folders = []
    for k in range(1, n + 1):
        progress(f"bench: shard {k}/{n}")
        folder = work / f"shard-{k}"
        t = time.perf_counter()
        res = build_shard(region, BuildOptions(out_dir=folder, formats=formats), k, n, quiet)
        shards.append({"shard": f"{k}/{n}", "profiles": len(res.profiles),
                       "wall_s": time.perf_counter() - t,
                       "context_s": res.timings.get("context", 0.0),
                       "html_s": res.timings.get("html", 0.0),
                       "pdf_s": res.timings.get("pdf", 0.0)})
        folders.append(folder)
    progress("bench: assemble")
    assembled = work / "assembled"
    t = time.perf_counter()
    assemble(region, folders, BuildOptions(out_dir=assembled), quiet)
    assemble_s = time.perf_counter() - t
    return {"n": n, "formats": list(formats), "shards": shards, "assemble_s": assemble_s,
            "render_max_s": max(float(s["wall_s"]) for s in shards),
            "equals_one_machine_build": _hashes(assembled) == _hashes(one_machine)}


def largest_shards(region: Region, codes: list[str], runners: tuple[int, ...] = RUNNERS
                   ) -> dict[int, int]:
    """Profiles on the fullest runner for each N, from the real partition of these codes."""
    con = duckdb.connect(str(db_path_for(region)), read_only=True)
    try:
        gemeente = dict(con.execute("SELECT code, gemeente_code FROM area").fetchall())
    finally:
        con.close()
    return {n: max(len(p) for p in partition(codes, lambda c: str(gemeente.get(c) or c), n))
            for n in runners}


def projection(*, prepare_s: float, context_s: float, per_profile_s: float,
               browser_start_s: float, assemble_s: float, largest: dict[int, int]
               ) -> dict[str, dict[str, float]]:
    """Wall time of a national HTML + PDF build with N runners (runner start-up, ``make
    setup`` and artifact transfer excluded: they depend on the CI provider, not on wijkdata).

    prepare + (context load + browser start + largest shard x per-profile time) + assemble.
    """
    out = {}
    for n, m in sorted(largest.items()):
        render = context_s + browser_start_s + m * per_profile_s
        out[str(n)] = {"largest_shard_profiles": m, "render_s": render,
                       "wall_s": prepare_s + render + assemble_s}
    return out


def markdown(result: dict[str, Any]) -> list[str]:
    """The docs/bench.md section on shards and the projection for N runners."""
    sh = result.get("shards")
    if not sh:
        return []
    lines = ["", f"## Sharded build ({sh['n']} shards on this machine, one after another)", "",
             f"`wijkdata prepare` {result['stages']['prepare_s']:.1f} s (ingest + indicators); "
             f"assemble {sh['assemble_s']:.1f} s (context, overview, copy, publish); assembled "
             "output byte-identical to the one-machine build: "
             f"**{'yes' if sh['equals_one_machine_build'] else 'NO'}**.", "",
             "| Shard | Profiles | Context | HTML | Wall |", "|---|---:|---:|---:|---:|"]
    for s in sh["shards"]:
        lines.append(f"| {s['shard']} | {s['profiles']} | {s['context_s']:.1f} s | "
                     f"{s['html_s']:.1f} s | {s['wall_s']:.1f} s |")
    proj = result["projection"]
    lines += ["", "Projected wall time of the national HTML + PDF build with N runners: "
              "prepare + (context load + browser start + largest shard × "
              f"{result['per_profile_html_pdf_s']:.3f} s per profile) + assemble; runner "
              "start-up, `make setup` and artifact transfer come on top.", "",
              "| Runners | Largest shard | Render per runner | Wall |",
              "|---:|---:|---:|---:|"]
    for n, p in sorted(proj.items(), key=lambda kv: int(kv[0])):
        lines.append(f"| {n} | {p['largest_shard_profiles']} profiles | "
                     f"{p['render_s'] / 60:.1f} min | {p['wall_s'] / 60:.1f} min |")
    return lines
