"""How an area's figure compares with a benchmark, and what that means for its polarity.

The one home of these rules. They are SQL because the ~2.5 million national comparison pairs
are judged inside DuckDB (``comparisons.py``); a caller holding numpy arrays (tests, tools)
runs the same SQL over its arrays with :func:`compare` and :func:`judge` instead of a second
copy of the rules.

The interval rule (PHE Fingertips): an area is *significantly* higher (lower) when its interval
lies wholly above (below) the benchmark's value; otherwise "similar". Without a value or an
interval the comparison is "not_tested", never a guess.
"""

from __future__ import annotations

import duckdb
import numpy as np
import numpy.typing as npt
import polars as pl


def interval_rule(value: str, lower: str, upper: str, bench: str) -> str:
    """The interval rule as a SQL expression over four SQL expressions.

    DuckDB orders NaN above every number, so NaN is tested explicitly (it means "no bound").
    """
    missing = " OR ".join(f"{x} IS NULL OR isnan({x})" for x in (lower, upper, bench))
    return (f"CASE WHEN {value} IS NULL THEN 'not_tested' "
            f"WHEN {missing} THEN 'not_tested' "
            f"WHEN {lower} > {bench} THEN 'higher' "
            f"WHEN {upper} < {bench} THEN 'lower' ELSE 'similar' END")


def judge_sql(comparison: str, polarity: str) -> str:
    """higher/lower as better/worse by the indicator's polarity; ``polarity`` may vary per row."""
    moved = f"{comparison} IN ('higher', 'lower')"
    good = f"CASE WHEN {polarity} = 'higher_is_better' THEN 'higher' ELSE 'lower' END"
    return (f"CASE WHEN {moved} AND {polarity} = 'neutral' THEN 'neutral' "
            f"WHEN {moved} AND {comparison} = {good} THEN 'better' "
            f"WHEN {moved} THEN 'worse' ELSE {comparison} END")


def _run(sql: str, columns: dict[str, object]) -> npt.NDArray[np.str_]:
    arrays = pl.DataFrame({k: np.atleast_1d(np.asarray(v)) for k, v in columns.items()})
    con = duckdb.connect(":memory:")
    try:
        con.register("arrays", arrays.with_row_index("i"))
        rows = con.execute(f"SELECT {sql} FROM arrays ORDER BY i").fetchall()
    finally:
        con.close()
    return np.array([r[0] for r in rows], dtype=np.str_)


def compare(lower: object, upper: object, benchmark: object,
            rule: str | None = None) -> npt.NDArray[np.str_]:
    """The comparison SQL (by default the interval rule) over arrays, element by element."""
    lo, hi = np.asarray(lower, dtype=np.float64), np.asarray(upper, dtype=np.float64)
    b = np.broadcast_to(np.asarray(benchmark, dtype=np.float64), lo.shape)
    sql = rule or interval_rule("0", "lo", "hi", "b")
    return _run(sql, {"lo": lo, "hi": hi, "b": b})


def judge(comparison: object, polarity: str) -> npt.NDArray[np.str_]:
    """:func:`judge_sql` over an array of comparisons."""
    c = np.asarray(comparison).astype(str)
    return _run(judge_sql("c", "p"), {"c": c, "p": np.full(c.shape, polarity)})
