"""``wijkdata check``: read every source of a region and say what was found, before a build.

An analyst runs this after a new CBS or RIVM release to see, per source, how many rows were read,
how many of the region's areas the file covers, how many values are missing and why, and which
area codes changed between years (CBS re-codes buurten most years; Gemert-Bakel 2020 vs 2023 is a
real example). Changed codes are reported, never merged: a buurt that was split is not the same
buurt, and a trend across the split would be wrong.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from wijkdata.core import codes
from wijkdata.core.config import Region, Source
from wijkdata.core.errors import MISSING_FILE, Problem, WijkdataError, collecting
from wijkdata.core.source_kinds import kind_of

from .datapaths import describe_missing, fetch_hint, source_path
from .sources import read_source
from .sources.common import OK
from .sources.scope import reading_for

LEVEL_WORD = {"gemeente": "gemeenten", "wijk": "wijken", "buurt": "buurten"}


@dataclass
class SourceCheck:
    source: Source
    path: Path
    rows: int = 0
    areas: dict[str, int] = field(default_factory=dict)  # level -> count in region
    codes: set[str] = field(default_factory=set)
    missing: dict[str, int] = field(default_factory=dict)  # status -> count
    problems: list[str] = field(default_factory=list)  # notes: worth knowing, not errors
    errors: list[Problem] = field(default_factory=list)  # each one would stop a build

    @property
    def fatal(self) -> str | None:
        """The first error as a build would print it, or None when the source reads cleanly."""
        return self.errors[0].full_text() if self.errors else None


def _figures(check: SourceCheck) -> bool:
    """A source of figures (not boundaries or a lookup table)."""
    return kind_of(check.source).role == "figures"


def in_region(code_list: pl.Series, gemeenten: list[str]) -> set[str]:
    return {c for c in code_list.unique().to_list()
            if c and (g := codes.gemeente_of(c)) is not None and g in gemeenten}


def hierarchy_problems(region_codes: set[str]) -> list[str]:
    """Buurten whose wijk, and wijken whose gemeente, are not in the same file."""
    out = []
    orphans = sorted(c for c in region_codes
                     if c.startswith("BU") and codes.wijk_of(c) not in region_codes)
    if orphans and any(c.startswith("WK") for c in region_codes):
        out.append(f"{len(orphans)} buurten without their wijk in the file: "
                   + ", ".join(orphans[:5]) + (" ..." if len(orphans) > 5 else ""))
    lone = sorted(c for c in region_codes
                  if c.startswith("WK") and codes.gemeente_of(c) not in region_codes)
    if lone and any(c.startswith("GM") for c in region_codes):
        out.append(f"{len(lone)} wijken without their gemeente in the file: "
                   + ", ".join(lone[:5]) + (" ..." if len(lone) > 5 else ""))
    return out


def check_source(region: Region, source: Source, data_dir: Path) -> SourceCheck:
    path = source_path(region, source, data_dir)
    result = SourceCheck(source, path)
    gemeenten = region.config.gemeenten
    if source.optional and not path.exists():
        result.problems.append(f"optional source not present "
                               f"({describe_missing(region, source, data_dir)}); the build leaves "
                               f"it out; {fetch_hint(region, source)} to add it")
        return result
    if not path.exists():
        result.errors.append(Problem(MISSING_FILE, str(path), "data not found: "
                                     f"{describe_missing(region, source, data_dir)}",
                                     hint=fetch_hint(region, source)))
        return result
    found: list[Problem] = []
    try:
        # Cell problems are collected, not raised, so the analyst sees all of them at once.
        with collecting() as found, reading_for(gemeenten):
            loaded = read_source(source, path)
    except WijkdataError as exc:
        result.errors = [*found, Problem.of(exc, path)]
        return result
    if found:
        result.errors = found
        return result
    result.rows = loaded.rows
    pool = loaded.geometry["code"] if loaded.geometry is not None else loaded.areas["code"]
    if loaded.observations.height:
        pool = loaded.observations["area_code"]
    result.codes = in_region(pool, gemeenten)
    for code in result.codes:
        level = codes.level_of(code) or "?"
        result.areas[level] = result.areas.get(level, 0) + 1
    absent = [g for g in gemeenten if g not in result.codes
              and not any(codes.gemeente_of(c) == g for c in result.codes)]
    obs = loaded.observations.filter(pl.col("area_code").is_in(sorted(result.codes)))
    if obs.height:
        counts = obs.filter(pl.col("status") != OK).group_by("status").len().sort("status")
        result.missing = {s: int(n) for s, n in counts.iter_rows()}
    result.problems += list(loaded.notes)
    # A table of another region type (e.g. provincie) has said so in its notes already.
    if absent and not loaded.other_region_type:
        result.problems.append("no rows for gemeente " + ", ".join(absent))
    result.problems += hierarchy_problems(result.codes)
    return result


def code_changes(checks: list[SourceCheck]) -> list[str]:
    """Codes present in one year's source and not in another's of the same kind."""
    lines = []
    # Compare like with like: sources of one kind and series (csv: the same variables).
    by_kind: dict[tuple[str, str], list[SourceCheck]] = {}
    for c in checks:
        if c.fatal is None and _figures(c) and c.source.year:
            by_kind.setdefault((c.source.kind, c.source.series()), []).append(c)
    for (kind, _series), items in sorted(by_kind.items()):
        items.sort(key=lambda c: (c.source.year or 0, c.source.id))
        for a, b in zip(items, items[1:], strict=False):
            if a.source.year == b.source.year:
                continue
            for level in ("gemeente", "wijk", "buurt"):
                only_a = sorted(x for x in a.codes - b.codes if codes.level_of(x) == level)
                only_b = sorted(x for x in b.codes - a.codes if codes.level_of(x) == level)
                if not only_a and not only_b:
                    continue
                word = LEVEL_WORD[level]
                lines.append(
                    f"{kind} {a.source.year} ({a.source.id}) vs {b.source.year} ({b.source.id}): "
                    f"{len(only_a)} {word} only in {a.source.year}"
                    + (f" ({', '.join(only_a[:4])}{' ...' if len(only_a) > 4 else ''})"
                       if only_a else "")
                    + f", {len(only_b)} only in {b.source.year}"
                    + (f" ({', '.join(only_b[:4])}{' ...' if len(only_b) > 4 else ''})"
                       if only_b else "")
                )
                if level == "gemeente":
                    lines[-1] += " — gemeente re-division: not merged"
    return lines


def unmatched_boundaries(checks: list[SourceCheck]) -> list[str]:
    """Polygons whose code no statistics source has (a map area that would stay grey)."""
    stats: set[str] = set()
    for c in checks:
        if c.fatal is None and _figures(c):
            stats |= c.codes
    lines = []
    for c in checks:
        if c.fatal is not None or kind_of(c.source).role != "boundaries" or not stats:
            continue
        alone = sorted(c.codes - stats)
        if alone:
            lines.append(f"{c.source.id}: {len(alone)} areas with a boundary but no statistics: "
                         + ", ".join(alone[:5]) + (" ..." if len(alone) > 5 else ""))
    return lines


def run_check(region: Region, data_dir: Path) -> tuple[list[SourceCheck], list[str]]:
    checks = [check_source(region, s, data_dir) for s in region.config.sources]
    return checks, code_changes(checks) + unmatched_boundaries(checks)


def report(checks: list[SourceCheck], changes: list[str]) -> list[str]:
    """The lines ``wijkdata check`` prints."""
    out = []
    for c in checks:
        s = c.source
        year = f" {s.year}" if s.year else ""
        out.append(f"{s.id} ({s.kind}{year}): {c.path}")
        if c.errors:
            out += ["  FATAL: " + e.full_text().replace("\n", "\n  ") for e in c.errors]
            continue
        levels = ", ".join(f"{c.areas[lv]} {LEVEL_WORD[lv]}"
                           for lv in ("gemeente", "wijk", "buurt") if c.areas.get(lv))
        out.append(f"  rows read: {c.rows}; areas in region: {levels or 'none'}")
        if c.missing:
            out.append("  missing values: "
                       + ", ".join(f"{n} {status}" for status, n in c.missing.items()))
        elif _figures(c):
            out.append("  missing values: none")
        for p in c.problems:
            out.append(f"  note: {p}")
    if changes:
        out.append("area codes that differ between years or sources (reported, not merged):")
        out += [f"  {line}" for line in changes]
    fatal = sum(1 for c in checks if c.errors)
    out.append(f"{len(checks)} sources checked, {fatal} fatal")
    return out


def as_json(region: Region, checks: list[SourceCheck], changes: list[str]) -> dict[str, Any]:
    """``wijkdata check --json``: the same findings for machines, errors as records."""
    return {
        "region": region.slug,
        "sources": [{
            "id": c.source.id,
            "kind": c.source.kind,
            "year": c.source.year,
            "path": str(c.path),
            "ok": not c.errors,
            "rows": c.rows if not c.errors else None,
            "areas": {lv: c.areas[lv] for lv in ("gemeente", "wijk", "buurt") if lv in c.areas},
            "missing": dict(c.missing),
            "notes": list(c.problems),
            "errors": [e.as_dict() for e in c.errors],
        } for c in checks],
        "changes": list(changes),
        "fatal": sum(1 for c in checks if c.errors),
    }
