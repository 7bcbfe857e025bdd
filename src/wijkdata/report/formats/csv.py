"""csv: the figures per area (``<code>.csv``) and of the whole region in one CSV and one
workbook (``cijfers-<regio>.csv``, ``.xlsx``), linked from the overview."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .base import OutputFormat, Page, RenderRun

if TYPE_CHECKING:
    from wijkdata.core.config import Region


def region_figure_names(region: Region) -> dict[str, str]:
    return {"csv": f"cijfers-{region.slug}.csv", "xlsx": f"cijfers-{region.slug}.xlsx"}


class Csv(OutputFormat):
    name = "csv"
    order = 30
    suffix = ".csv"
    help = "figures per area, and the region's CSV and workbook"

    def write_page(self, page: Page) -> list[str]:
        from wijkdata.report import figure_files, figures  # imported when used (CLI start)

        name = f"{page.code}{self.suffix}"
        figure_files.write_csv(page.staging / name, figures.columns(page.builder),
                               figures.area_rows(page.builder, page.code))
        return [name]

    def write_region(self, run: RenderRun) -> list[str]:
        from wijkdata.report import figure_files, figures
        from wijkdata.report.figure_sources import table_list

        context, region = run.context, run.region
        cols = figures.columns(context)
        rows = [row for code in run.codes for row in figures.area_rows(context, code)]
        names = region_figure_names(region)
        figure_files.write_csv(run.staging / names["csv"], cols, rows)
        tables = table_list(s for row in rows for s in row["_sources"])
        figure_files.write_xlsx(run.staging / names["xlsx"], cols, rows, tables,
                                title=f"Cijfers {region.config.name}",
                                author=region.config.organisation.name, created=run.created)
        return [names["csv"], names["xlsx"]]
