"""``wijkdata session record``: the tally of the voting sheet into the session record.

Writes ``configs/<regio>/sessies/<AREA>-<YYYY-MM-DD>.yml`` (the file ``wijkdata build`` reads):
``votes:`` gets every line of the sheet with its dots, ``priorities:`` the best-voted lines,
ranked, each with its dots. An existing record keeps its participants and remarks, and a
priority that was already there under the same title keeps its ``why`` and ``actions``. The
file is checked against the record's model, written to a temporary name and renamed.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from wijkdata.core.config import Region
from wijkdata.core.errors import DataError
from wijkdata.report.formatting import long_date

from .kit import load_builder
from .records import SessionRecord, load_record
from .votes import LABELS, ballot, check_total, chosen, ranked, read_votes


def record_path(region: Region, area: str, day: date) -> Path:
    return region.project / "configs" / region.slug / "sessies" / f"{area}-{day.isoformat()}.yml"


def record_votes(region: Region, area: str, day: date, votes_file: Path, top: int,
                 progress: Callable[[str], None]) -> Path:
    builder = load_builder(region)
    if area not in builder.area:
        raise DataError(f"area code {area} is not in the data of region '{region.slug}'")
    report = builder.report(area)
    items = ballot(report, LABELS)
    dots = read_votes(votes_file, items)
    path = record_path(region, area, day)
    ids = {i.id for i in builder.indicators} | set(_all_indicator_ids(region))
    old = load_record(path, ids) if path.is_file() else None
    check_total(votes_file, dots, len(old.participants) if old else 0)
    tally = ranked(items, dots)
    previous = {p.title: p for p in old.priorities} if old else {}
    priorities: list[dict[str, Any]] = []
    for item, n in chosen(tally, top):
        prio: dict[str, Any] = {"title": item.title, "indicators": list(item.indicators),
                                "votes": n}
        kept = previous.get(item.title)
        if kept is not None:
            prio["why"] = kept.why
            prio["actions"] = [a.model_dump(exclude_none=True) for a in kept.actions]
        priorities.append(prio)
    data: dict[str, Any] = {
        "area": area, "date": day,
        "participants": list(old.participants) if old else [],
        "remarks": [r.model_dump() for r in old.remarks] if old else [],
        "priorities": priorities,
        "votes": [{"subject": i.code, "title": i.title, "dots": dots.get(i.code, 0)}
                  for i in items],
    }
    header = (f"# Verslag van de bijeenkomst over {report.name} op {long_date(day)}.\n"
              f"# Speerpunten en stemmen uit {votes_file.name} ('wijkdata session record');\n"
              "# vul 'why' en 'actions' per speerpunt aan.\n")
    text = header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    SessionRecord.model_validate(data)  # the shape every session file must have
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)  # a reader sees the old record or the new one, never half
    finally:
        tmp.unlink(missing_ok=True)
    progress(f"{sum(dots.values())} dots on {len(tally)} lines; speerpunten: "
             + ", ".join(f"{i.title} ({n})" for i, n in chosen(tally, top)))
    return path


def _all_indicator_ids(region: Region) -> list[str]:
    from wijkdata.indicators.definitions import load_all
    return [i.id for i in load_all(region.project / "indicators")]
