"""One build over several machines: ``prepare`` once, ``build --shard k/n`` on n runners,
``assemble`` the parts. The same pipeline steps as a one-machine build (``build.py``), split.

* A shard is a set of whole gemeenten, balanced by profile count (largest gemeente first onto
  the lightest shard, ties to the lower shard number), so it depends only on the prepared
  database and n: every runner computes the same partition without talking to the others.
* A shard renders from the prepared database into its own folder and records what it rendered
  and from which inputs in ``.wijkdata-shard.json``.
* ``assemble`` checks that the shards cover every area exactly once and were rendered from the
  same inputs as this project and database, then renders the overview and publishes it all
  like a one-machine build, whose output it equals byte for byte.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wijkdata.core import atomic
from wijkdata.core.clock import pinned
from wijkdata.core.config import Region
from wijkdata.core.errors import ConfigError, DataError
from wijkdata.report import formats as output_formats
from wijkdata.report.context import ContextBuilder

from . import manifest
from .build import (
    BuildOptions,
    BuildResult,
    compared_levels,
    db_path_for,
    load_context,
    load_indicators,
    logo_svg,
    select_areas,
    staging_for,
    step_publish,
    step_render,
    write_manifest,
    write_overview,
    write_region_figures,
)

Progress = Callable[[str], None]
SHARD_FILE = ".wijkdata-shard.json"
SHARD_RE = re.compile(r"^\s*(\d{1,4})\s*/\s*(\d{1,4})\s*$")
SHOWN = 12  # area codes named in an error before "and N more"


def parse_shard(text: str) -> tuple[int, int]:
    """``"2/4"`` -> (2, 4); a usage error for anything else."""
    m = SHARD_RE.match(text)
    if m is None or not 1 <= int(m[1]) <= int(m[2]):
        raise ConfigError(f"--shard: expected k/n with 1 <= k <= n, e.g. --shard 2/4; "
                          f"got '{text}'")
    return int(m[1]), int(m[2])


def partition(codes: list[str], gemeente_of: Callable[[str], str], n: int) -> list[list[str]]:
    """Split ``codes`` into ``n`` parts of whole gemeenten, balanced by number of profiles.

    Greedy longest-processing-time: gemeenten by size (largest first, then code) each go to
    the part with the fewest profiles so far. Within a part the codes keep their given order.
    """
    groups: dict[str, list[str]] = {}
    for code in codes:
        groups.setdefault(gemeente_of(code), []).append(code)
    load = [0] * n
    owner: dict[str, int] = {}
    for gm, members in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        k = min(range(n), key=lambda i: (load[i], i))
        owner[gm] = k
        load[k] += len(members)
    return [[c for c in codes if owner[gemeente_of(c)] == k] for k in range(n)]


def shard_dir(region: Region, k: int, n: int) -> Path:
    return region.project / "reports" / f"{region.slug}-shard-{k}-of-{n}"


def _gemeente_of(context: ContextBuilder) -> Callable[[str], str]:
    def of(code: str) -> str:
        a = context.area.get(code)
        return (a.gemeente_code if a is not None else None) or code
    return of


def _prepared(region: Region) -> tuple[dict[str, str], manifest.SourceHashes]:
    db_path = db_path_for(region)
    keys, sources = manifest.recorded(db_path)
    if sources is None or "compute" not in keys:
        raise DataError(f"no prepared database for region '{region.slug}' at {db_path}",
                        hint=f"run 'wijkdata prepare --regio {region.slug}' first, or put the "
                        "prepare job's database there")
    return keys, sources


def _fingerprint(region: Region, db_keys: dict[str, str], sources: manifest.SourceHashes,
                 formats: tuple[str, ...], levels: tuple[str, ...] | None
                 ) -> manifest.Fingerprint:
    """The render fingerprint from this project's files and the data hashes the database
    recorded; refuses a database made from another config, indicator set or version."""
    fp = manifest.fingerprint(region, sources, manifest.build_options(formats, (), levels),
                              manifest.Hasher(),
                              compared_levels(region, BuildOptions(levels=levels)))
    if fp.keys.compute != db_keys.get("compute"):
        again = "".join(f" --level {lv}" for lv in levels or ())
        raise DataError(
            f"the prepared database {db_path_for(region)} was made from other inputs than "
            "this project (region config, indicators, --level or wijkdata version differ)",
            hint=f"run 'wijkdata prepare --regio {region.slug}{again}' again with this "
            "project")
    return fp


def build_shard(region: Region, opts: BuildOptions, k: int, n: int,
                progress: Progress) -> BuildResult:
    """Step 3 for shard k of n, from the prepared database, into the shard's own folder."""
    if opts.areas:
        raise ConfigError("--shard and --area do not go together: a shard's areas follow "
                          "from k/n")
    timings: dict[str, float] = {}
    out_dir = atomic.check_output_dir(opts.out_dir or shard_dir(region, k, n), region.project)
    formats = opts.formats or output_formats.resolve(region.config.output.formats,
                                                     f"{region.path}: output.formats")
    indicators = load_indicators(region)
    logo = logo_svg(region)
    db_path = db_path_for(region)
    db_keys, sources = _prepared(region)
    with pinned(db_keys.get(manifest.CLOCK)):
        fp = _fingerprint(region, db_keys, sources, formats, opts.levels)
        context = load_context(region, indicators, db_path, logo, timings)
        codes = select_areas(region, context, opts)
        mine = partition(codes, _gemeente_of(context), n)[k - 1]
        progress(f"shard {k}/{n}: {len(mine)} of {len(codes)} profiles")
        with staging_for(out_dir) as staging:
            names = step_render(region, context, mine, formats, staging, progress, timings,
                                db_path=db_path, logo=logo, jobs=opts.jobs)
            record = {"regio": region.slug, "shard": k, "of": n, "formats": sorted(formats),
                      "levels": sorted(opts.levels) if opts.levels else None,
                      "keys": {"compute": fp.keys.compute, "render": fp.keys.render},
                      "profiles": mine, "files": names}
            (staging / SHARD_FILE).write_text(json.dumps(record, indent=1) + "\n",
                                              encoding="utf-8")
            step_publish(staging, out_dir, [*names, SHARD_FILE])
    return BuildResult(out_dir, db_path, mine, [out_dir / n for n in names], timings,
                       ran="none")


@dataclass(frozen=True)
class Shard:
    folder: Path
    record: dict[str, Any]


def read_shard(folder: Path, region: Region) -> Shard:
    path = folder / SHARD_FILE
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataError(f"{folder}: not a shard folder (no {SHARD_FILE})",
                        hint=f"build it with 'wijkdata build --regio {region.slug} "
                        "--shard k/n'") from None
    except (OSError, ValueError) as exc:
        raise DataError(f"{path}: cannot read the shard record ({exc})") from None
    wanted = {"regio": str, "formats": list, "profiles": list, "files": list, "keys": dict}
    bad = [k for k, t in wanted.items() if not isinstance(record.get(k), t)] \
        if isinstance(record, dict) else ["(top level)"]
    if bad:
        raise DataError(f"{path}: key '{bad[0]}' is missing or has the wrong type",
                        hint="build the shard again")
    if record["regio"] != region.slug:
        raise DataError(f"{folder}: a shard of region '{record['regio']}', not "
                        f"'{region.slug}'")
    return Shard(folder, record)


def _names(codes: list[str]) -> str:
    more = f" and {len(codes) - SHOWN} more" if len(codes) > SHOWN else ""
    return ", ".join(codes[:SHOWN]) + more


def check_coverage(expected: list[str], shards: list[Shard], slug: str) -> None:
    """Every expected area in exactly one shard, and nothing else; else one message naming
    the missing, duplicate and unknown areas."""
    where: dict[str, list[Path]] = {}
    for s in shards:
        for code in s.record["profiles"]:
            where.setdefault(str(code), []).append(s.folder)
    problems = []
    missing = [c for c in expected if c not in where]
    if missing:
        problems.append(f"missing {_names(missing)} ({len(missing)} areas)")
    twice = [c for c in expected if len(where.get(c, [])) > 1]
    if twice:
        first = twice[0]
        problems.append(f"in more than one shard: {_names(twice)} ({len(twice)} areas; "
                        f"{first} in {', '.join(str(f) for f in where[first])})")
    known = set(expected)
    extra = sorted(c for c in where if c not in known)
    if extra:
        problems.append(f"not profiled in region '{slug}': {_names(extra)}")
    if problems:
        raise DataError(f"the shards do not cover region '{slug}' exactly once: "
                        + "; ".join(problems),
                        hint="build the missing shards (all with the same n) and pass each "
                        "shard folder once")


def assemble(region: Region, folders: list[Path], opts: BuildOptions,
             progress: Progress) -> BuildResult:
    """Check the shards, add the overview and publish it all as one build (step 4)."""
    if not folders:
        raise ConfigError("assemble needs the shard folders, e.g. "
                          f"reports/{region.slug}-shard-*")
    timings: dict[str, float] = {}
    out_dir = atomic.check_output_dir(region.output_dir(opts.out_dir), region.project)
    shards = [read_shard(f, region) for f in folders]
    first = shards[0].record
    for s in shards[1:]:
        if (s.record["formats"], s.record.get("levels")) != (first["formats"],
                                                             first.get("levels")):
            raise DataError(f"{s.folder}: formats or levels differ from {shards[0].folder}",
                            hint="build every shard with the same --format and --level")
    formats = tuple(first["formats"])
    levels = tuple(first["levels"]) if first.get("levels") else None
    indicators = load_indicators(region)
    logo = logo_svg(region)
    db_path = db_path_for(region)
    with atomic.region_lock(region.project / "data" / "processed", region.slug):
        db_keys, sources = _prepared(region)
        with pinned(db_keys.get(manifest.CLOCK)):
            fp = _fingerprint(region, db_keys, sources, formats, levels)
            for s in shards:
                if s.record["keys"].get("render") != fp.keys.render:
                    raise DataError(
                        f"{s.folder}: rendered from other inputs than this project and its "
                        "prepared database (templates, configs, indicators, data or options "
                        "differ)", hint="build that shard again from this database")
            context = load_context(region, indicators, db_path, logo, timings)
            codes = select_areas(region, context, BuildOptions(levels=levels))
            check_coverage(codes, shards, region.slug)
            progress(f"assembling {len(codes)} profiles from {len(shards)} shards")
            with staging_for(out_dir) as staging:
                names = _gather(shards, staging)
                names += write_region_figures(context, codes, formats, staging)
                names.append(write_overview(context, codes, formats, staging, timings))
                names.append(write_manifest(staging, fp, names))
                step_publish(staging, out_dir, names)
    files = [out_dir / n for n in names if n != manifest.MANIFEST_NAME]
    return BuildResult(out_dir, db_path, codes, files, timings, ran="none")


def _gather(shards: list[Shard], staging: Path) -> list[str]:
    """Copy every shard's files into the staging folder (after checking they are all there)."""
    names: list[str] = []
    for s in shards:
        files = [str(f) for f in s.record["files"]]
        for name in files:
            if Path(name).name != name or not (s.folder / name).is_file():
                raise DataError(f"{s.folder}: file '{name}' named in {SHARD_FILE} is missing",
                                hint="build that shard again")
        for name in files:
            shutil.copyfile(s.folder / name, staging / name)
        names += files
    return names
