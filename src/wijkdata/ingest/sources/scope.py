"""Which rows of a national table a reader keeps: those of the region being read.

CBS publishes KWB as one table for all of the Netherlands (17,000 wijken and buurten, and a
200 MB file is possible), while a region needs a few hundred rows. Turning every row into
numbers and long observations (45 per row) only for the ingest to drop all but the region's
took over 7 GB for a 200 MB file; a reader that asks :func:`region_rows` right after finding the
code column carries the region's rows only. The ingest and ``wijkdata check`` set the region
with :func:`reading_for`, the way :func:`wijkdata.core.errors.collecting` sets where problems
go, so that every source kind keeps the one signature ``read(source, path)``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import polars as pl

from wijkdata.core import codes

_GEMEENTEN: ContextVar[tuple[str, ...] | None] = ContextVar("wijkdata_gemeenten", default=None)
ROW = "__file_row"


@contextmanager
def reading_for(gemeenten: list[str]) -> Iterator[None]:
    """Within this block readers keep the rows of Nederland and of these gemeenten only."""
    token = _GEMEENTEN.set(tuple(gemeenten))
    try:
        yield
    finally:
        _GEMEENTEN.reset(token)


def active() -> bool:
    return _GEMEENTEN.get() is not None


def keep_expr(code_col: str) -> pl.Expr:
    """The rows :func:`reading_for` keeps, by the (raw) code in ``code_col``.

    A code that is not a CBS area code is kept, so that the reader reports it instead of
    dropping it unseen. Outside :func:`reading_for` every row is kept.
    """
    gemeenten = _GEMEENTEN.get()
    if gemeenten is None:
        return pl.lit(True)
    code = codes.normalise_expr(code_col)
    return (codes.in_gemeenten_expr(code, list(gemeenten))
            | ~code.str.contains(codes.CODE_RE.pattern).fill_null(False) | code.is_null())


def region_rows(df: pl.DataFrame, code_col: str, first_row: int
                ) -> tuple[pl.DataFrame, pl.Series]:
    """The rows :func:`reading_for` keeps, and the file row of each (for messages).

    ``first_row`` is the file row of ``df``'s first row, unless ``df`` carries the file row
    of each row already (a CSV filtered while it was read, see ``csv_file.read_csv``).
    """
    if ROW not in df.columns:
        df = df.with_row_index(ROW, offset=first_row)
    kept = df.filter(keep_expr(code_col))
    return kept.drop(ROW), kept[ROW]
