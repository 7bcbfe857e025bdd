"""bewoners: the bewonersversie (``report/residents.py``) per area, ``<code>-bewoners.html``
and its two-page A4 print ``<code>-bewoners.pdf``."""

from __future__ import annotations

from .base import OutputFormat, RenderRun


class Bewoners(OutputFormat):
    name = "bewoners"
    order = 40
    suffix = "-bewoners.html"
    help = "two pages for residents, HTML and PDF (needs Chromium)"
    needs_browser = True

    def write(self, run: RenderRun) -> list[str]:
        from wijkdata.report import residents  # imported when used (CLI start)
        from wijkdata.report.pdf import PrintJob

        region, context = run.region, run.context
        questions = list(region.config.dialogue.questions)
        written = []
        for c in run.codes:
            name = f"{c}-bewoners"
            (run.staging / f"{name}.html").write_text(
                residents.render(run.env, context.report(c), questions), encoding="utf-8")
            written.append(f"{name}.html")
            run.print_page(f"{name}.pdf", PrintJob(
                run.staging / f"{name}.html",
                f"Hoe gezond is {context.names.get(c, c)}? (voor bewoners)",
                region.config.organisation.name, "bewonersversie", run.created))
        return written
