"""Disclosure control: primary rules, and complementary suppression for villages made of buurten.

Primary suppression (applied in ``compute.finish``): a proportion or rate is not published when
its numerator is below ``min_numerator`` (default 5) or its denominator below
``min_denominator`` (default 50) — the region config's ``suppression:`` block, overridable per
indicator with ``suppress:`` — and never when the source marked the figure secret (``.``).

Complementary suppression (this module): a village or cluster is the sum of its buurten. If a
village total is published and exactly ONE of its buurten is suppressed, that buurt's count is
the village total minus the other buurten, which the same report shows in its "Buurten in dit
dorp" table (and which the buurten's own profiles publish). So a second buurt — the one with
the smallest denominator, which costs the least information — is suppressed as well, everywhere
in the build. Suppressing one buurt can leave another village (sharing a buurt) with a single
hidden member, so the rule is applied until nothing changes. A village made of one buurt whose
figure is suppressed cannot hide a partner: its total is hidden instead.

CBS rounds wijk and buurt counts to multiples of 5, so a subtraction would only give the
figure to within a few units; that is still too close for a count below 5, hence the rule.

Everything here is pure (sets and dicts in, sets out) so it is tested on hand-made cases.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import polars as pl

PRIMARY = "primary"
COMPLEMENTARY = "complementary"


def complementary(groups: Mapping[str, Sequence[str]], suppressed: set[str],
                  shown_totals: set[str], size: Mapping[str, float]
                  ) -> tuple[set[str], set[str]]:
    """Members and totals to hide in addition to ``suppressed``.

    ``groups`` maps a total (village code) to its members (buurt codes); ``shown_totals`` are
    the totals that would be published; ``size`` is each member's denominator, used to pick the
    cheapest partner (ties broken by code so the result never depends on dict order).
    Returns ``(extra_members, hidden_totals)``.
    """
    extra: set[str] = set()
    hidden_totals: set[str] = set()
    changed = True
    while changed:
        changed = False
        for total in sorted(groups):
            if total not in shown_totals or total in hidden_totals:
                continue
            members = list(dict.fromkeys(groups[total]))
            hidden = [m for m in members if m in suppressed or m in extra]
            if len(hidden) != 1:
                continue
            partners = [m for m in members if m not in hidden]
            if not partners:
                hidden_totals.add(total)
            else:
                extra.add(min(partners, key=lambda m: (size.get(m, 0.0), m)))
            changed = True
    return extra, hidden_totals


def apply(values: pl.DataFrame, members: pl.DataFrame) -> pl.DataFrame:
    """Complementary suppression on the whole ``ind_value`` frame, per indicator and year.

    ``members`` has ``custom_code, buurt_code``. Adds a ``suppression`` column (``primary``,
    ``complementary`` or null) and blanks every figure of a complementary-suppressed row.
    """
    values = values.with_columns(
        suppression=pl.when(pl.col("status") == "suppressed").then(pl.lit(PRIMARY))
        .otherwise(pl.lit(None, pl.String)))
    if members.height == 0 or values.height == 0:
        return values
    groups: dict[str, list[str]] = {}
    for custom, buurt in members.select("custom_code", "buurt_code").iter_rows():
        groups.setdefault(custom, []).append(buurt)
    involved = set(groups) | {b for bs in groups.values() for b in bs}
    part = values.filter(pl.col("area_code").is_in(list(involved)))
    hits: list[tuple[str, str, int]] = []
    for (ind_id, year), rows in part.group_by("indicator_id", "year"):
        status = dict(zip(rows["area_code"], rows["status"], strict=True))
        size = {c: (d or 0.0) for c, d in zip(rows["area_code"], rows["denominator"],
                                              strict=True)}
        extra, hidden_totals = complementary(
            groups, {c for c, s in status.items() if s == "suppressed"},
            {c for c, s in status.items() if s == "ok" and c in groups}, size)
        hits.extend((str(ind_id), c, int(year)) for c in sorted(extra | hidden_totals))
    if not hits:
        return values
    mark = pl.DataFrame(hits, schema={"indicator_id": pl.String, "area_code": pl.String,
                                      "year": pl.Int32}, orient="row"
                        ).with_columns(_hit=pl.lit(True))
    values = values.join(mark, on=["indicator_id", "area_code", "year"], how="left")
    hit = pl.col("_hit").fill_null(False)
    blank = ["numerator", "denominator", "value", "lower", "upper"]
    return values.with_columns(
        *[pl.when(hit).then(None).otherwise(pl.col(c)).alias(c) for c in blank],
        status=pl.when(hit).then(pl.lit("suppressed")).otherwise(pl.col("status")),
        suppression=pl.when(hit).then(pl.lit(COMPLEMENTARY)).otherwise(pl.col("suppression")),
    ).drop("_hit")
