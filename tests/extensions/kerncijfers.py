"""A test-only output format: per area a tab-separated text file of its figures,
``<code>.kerncijfers.txt`` (indicator, year, value as shown, judgement against the gemeente).

Registered on import (``WIJKDATA_PLUGINS=tests.extensions.kerncijfers``).
"""

from __future__ import annotations

from wijkdata.report import formats
from wijkdata.report.formats.base import OutputFormat, Page


@formats.register
class Kerncijfers(OutputFormat):
    name = "kerncijfers"
    suffix = ".kerncijfers.txt"
    help = "test only: figures per area as text"

    def write_page(self, page: Page) -> list[str]:
        lines = []
        for theme in page.report.themes:
            for row in theme.rows:
                versus = row.comparisons.get("gemeente")
                lines.append("\t".join([row.indicator.id, str(row.year), row.value.text,
                                        versus.judgement if versus else "-"]))
        name = f"{page.code}{self.suffix}"
        (page.staging / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
        return [name]
