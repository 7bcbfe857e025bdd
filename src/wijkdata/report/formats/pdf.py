"""pdf: the profile page printed on A4 by Chromium, ``<code>.pdf``."""

from __future__ import annotations

from .base import OutputFormat, RenderRun


class Pdf(OutputFormat):
    name = "pdf"
    order = 20
    suffix = ".pdf"
    help = "profile printed on A4 (needs Chromium)"
    needs_browser = True

    def write(self, run: RenderRun) -> list[str]:
        from wijkdata.report.pdf import PrintJob  # imported when used (CLI start)

        for p in run.pages:
            run.print_page(f"{p.code}{self.suffix}", PrintJob(
                run.staging / f"{p.code}.html", p.title, p.author, p.subject, run.created))
        return []  # the PDFs are named once printed
