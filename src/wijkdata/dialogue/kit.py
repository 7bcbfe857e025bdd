"""The session kit: everything for one area's meeting in one folder, ready to mail.

``reports/<regio>/sessies/<YYYY-MM-DD>-<AREA>/`` holds ``handout.pdf`` (the profile with the
dialogue questions and space to write, A4), ``presentatie.pdf`` (16:9 slides of the key figures
and findings), ``netwerkkaart.pdf`` (the partner network, or an empty form to fill in),
``agenda.pdf`` and ``verslag-sjabloon.yml`` (the record to fill in afterwards, already named
and shaped the way ``wijkdata build`` reads it). The kit is made from the processed data of
the last ``wijkdata build``, in a staging folder that replaces the old kit only when complete.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import duckdb

from wijkdata.core import atomic
from wijkdata.core.clock import build_date, build_timestamp
from wijkdata.core.config import Region
from wijkdata.core.errors import DataError
from wijkdata.indicators.definitions import THEMES
from wijkdata.report import hyphenation, render
from wijkdata.report.context import ContextBuilder, Report
from wijkdata.report.formatting import long_date
from wijkdata.report.inputs import db_path_for, load_indicators, logo_svg
from wijkdata.report.pdf import SCREEN_HIDDEN, PdfPrinter, set_metadata, with_print_style

from . import slides, votes
from .extras import RegionFiles, network_html, region_files, speerpunten
from .network import DISCIPLINES

# 16:9 at 10 x 5.625 inch, the slide size of PowerPoint and Google Slides (720 x 405 pt).
SLIDE_WIDTH, SLIDE_HEIGHT = "254mm", "142.875mm"
KIT_FILES = ("handout.pdf", "presentatie.pdf", "netwerkkaart.pdf", "agenda.pdf",
             "verslag-sjabloon.yml", "stemformulier.pdf", "stemmen.csv")


class SlidePrinter(PdfPrinter):
    """The build's printer (one browser) that can also print borderless 16:9 slides."""

    def __enter__(self) -> SlidePrinter:
        super().__enter__()
        return self

    def print_slides(self, html: str, *, title: str, author: str, subject: str,
                     created: datetime) -> bytes:
        # Printed only, never drawn for the screen (as the profiles: report/pdf.py).
        pdf = self._printed(with_print_style(html, f"<style>{SCREEN_HIDDEN}</style>"),
                            width=SLIDE_WIDTH, height=SLIDE_HEIGHT, print_background=True,
                            margin={"top": "0", "bottom": "0", "left": "0", "right": "0"},
                            prefer_css_page_size=True)
        return set_metadata(pdf, title=title, author=author, subject=subject, created=created)


def load_builder(region: Region) -> ContextBuilder:
    db = db_path_for(region)
    if not db.is_file():
        raise DataError(f"no processed data for region '{region.slug}' ({db} is missing)",
                        hint=f"run 'wijkdata build --regio {region.slug}' first")
    con = duckdb.connect(str(db), read_only=True)
    try:
        return ContextBuilder(con, region, load_indicators(region), logo_svg(region),
                              build_date())
    finally:
        con.close()


def kit_folder(region: Region, area: str, day: date, out: Path | None = None) -> Path:
    base = atomic.check_output_dir(region.output_dir(out), region.project)
    return base / "sessies" / f"{day.isoformat()}-{area}"


def build_kit(region: Region, area: str, day: date, out: Path | None,
              progress: Callable[[str], None]) -> Path:
    target = kit_folder(region, area, day, out)
    builder = load_builder(region)
    if area not in builder.area:
        near = [c for c in builder.area if c[:6] == area[:6]][:5]
        raise DataError(f"area code {area} is not in the data of region '{region.slug}'",
                        hint=("similar codes: " + ", ".join(near)) if near
                        else f"'wijkdata build --regio {region.slug}' lists what it profiles")
    if region.config.comparators and area not in builder.compared:
        # Only the profiled levels are compared (indicators/comparisons.py): a kit without
        # its comparisons would say 'geen gegevens' where the gemeente's figure belongs.
        level = builder.area[area].level
        raise DataError(
            f"{area} is a {level}, and the last build of region '{region.slug}' compared no "
            f"{level} areas (areas.levels: {', '.join(region.config.areas.levels)})",
            hint=f"add {level} to areas.levels in {region.path.name} and build again, or "
            f"build this area: wijkdata build --regio {region.slug} --area {area}")
    report = builder.report(area)
    files = region_files(region)
    pages = kit_pages(files, report, builder, day)
    staging = target.parent / f".{target.name}.staging-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        created = build_timestamp()
        subject = f"{report.name} ({report.code}), bijeenkomst {long_date(day)}"
        title = render.title_of(report)
        progress(f"printing the session kit for {report.name}")
        with SlidePrinter() as printer:
            for name, doc_title in (("handout", title), ("netwerkkaart", f"Netwerk {report.name}"),
                                    ("agenda", f"Agenda {report.name}"),
                                    ("stemformulier", f"Stemformulier {report.name}")):
                pdf = printer.print(pages[name], title=doc_title, author=report.organisation,
                                    subject=subject, created=created)
                (staging / f"{name}.pdf").write_bytes(pdf)
            deck = printer.print_slides(pages["presentatie"], title=f"{title}: presentatie",
                                        author=report.organisation, subject=subject,
                                        created=created)
            (staging / "presentatie.pdf").write_bytes(deck)
        (staging / "verslag-sjabloon.yml").write_text(record_template(report, day),
                                                      encoding="utf-8")
        (staging / "stemmen.csv").write_text(votes.blank_csv(ballot_items(report)),
                                             encoding="utf-8")
        replace_folder(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def replace_folder(staging: Path, target: Path) -> None:
    """Swap the finished staging folder in; an old kit is moved aside first, then removed."""
    old = target.parent / f".{target.name}.old-{os.getpid()}"
    if target.exists():
        os.replace(target, old)
    try:
        os.replace(staging, target)
    except OSError:
        if old.exists():
            os.replace(old, target)
        raise
    shutil.rmtree(old, ignore_errors=True)


def kit_pages(files: RegionFiles, report: Report, builder: ContextBuilder,
              day: date) -> dict[str, str]:
    """The four HTML documents of the kit."""
    region = files.region
    env = files.env
    net = files.network(report.code)
    body = network_html(files, net, report, builder) if net and net.partners else ""
    common = {"r": report, "day": long_date(day), "themes": THEMES}
    network_page = env.get_template("session/network_page.html.j2").render(
        body=body, disciplines=list(DISCIPLINES.values()), **common)
    dialogue = region.config.dialogue
    theme_questions = [(t.title, dialogue.for_theme(t.id)) for t in report.themes]
    previous = speerpunten(files.sessions(report.code), builder, files, report.code)
    present = sorted({p.discipline_label for p in net.partners}) if net else []
    agenda = env.get_template("session/agenda.html.j2").render(
        theme_questions=theme_questions, previous=previous, invited=present, **common)
    findings = report.findings[:10]
    sources = slides.source_line(report.sources)
    network = net.grouped() if net else []
    # The handout is the session's paper (at most four A4 pages); the full profile stays the
    # full profile and is mailed next to it.
    handout = env.get_template("session/handout.html.j2").render(
        title=render.title_of(report), findings=findings[:8], source_line=sources,
        theme_questions=theme_questions, network=network,
        n_partners=len(net.partners) if net else 0, **common)
    deck = env.get_template("session/deck.html.j2").render(
        finding_slides=[findings[i:i + 4] for i in range(0, len(findings), 4)],
        theme_questions=dict((t.id, dialogue.for_theme(t.id)) for t in report.themes),
        slide_charts={t.id: slides.slide_chart(t, report) for t in report.themes},
        theme_sources={t.id: slides.source_line(slides.theme_sources(builder, t))
                       for t in report.themes},
        source_line=sources, previous=previous, network=network, **common)
    sheet = env.get_template("session/stemformulier.html.j2").render(
        items=ballot_items(report), iso_day=day.isoformat(), **common)
    pages = {"handout": handout, "netwerkkaart": network_page, "agenda": agenda,
             "presentatie": deck, "stemformulier": sheet}
    return {name: hyphenation.html(page) for name, page in pages.items()}


def ballot_items(report: Report) -> list[votes.BallotItem]:
    """The voting sheet's lines (votes.py), with the comparators named as on the profile."""
    return votes.ballot(report, votes.LABELS)


def record_template(report: Report, day: date) -> str:
    """A ready-to-fill session record; saved as configs/<regio>/sessies/<AREA>-<date>.yml."""
    # Remarks start empty (commented examples): a default "recognised" would put words in
    # the participants' mouths if nobody edits it.
    themes = "\n".join(f"#  - {{theme: {t.id}, recognised: true, text: \"\"}}  # {t.title}"
                       for t in report.themes)
    return (f"# Verslag van de bijeenkomst over {report.name} op {long_date(day)}.\n"
            f"# Vul in en bewaar als configs/{report.region_slug}/sessies/"
            f"{report.code}-{day.isoformat()}.yml;\n"
            "# de volgende 'wijkdata build' toont dan de speerpunten in het profiel.\n"
            f"area: {report.code}\ndate: {day.isoformat()}\nparticipants: []\n"
            f"remarks: []\n{themes}\n"
            "priorities: []\n"
            "#  - title: Samen gezond bewegen\n"
            "#    indicators: [overgewicht, beweegrichtlijn]   # ids: 'wijkdata indicators'\n"
            "#    why: ''\n"
            "#    actions:\n"
            "#      - {what: Beweegaanbod in kaart brengen, owner: Welzijn, due: 2027-03-01}\n")
