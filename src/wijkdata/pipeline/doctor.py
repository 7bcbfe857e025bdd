"""``wijkdata doctor``: is everything a build needs in place, and if not, what exactly to do.

Analysts install wijkdata on managed laptops and servers where Chromium, fonts or write access
are often missing; a build then fails late (after ingest) or prints PDFs in a fallback font.
The doctor checks each prerequisite up front and prints one line per check, with the fix on the
next line for every failure. Nothing is changed except a probe file that is removed at once.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from wijkdata.core.atomic import can_create_in
from wijkdata.core.config import Region, known_regions, load_region
from wijkdata.core.errors import WijkdataError
from wijkdata.ingest.datapaths import fetched_dir, source_path
from wijkdata.report.pdf import find_browser

MIN_PYTHON = (3, 11)
FONT_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"),
             Path.home() / ".local" / "share" / "fonts", Path.home() / ".fonts")


@dataclass(frozen=True)
class Check:
    """One line of the doctor's report; ``fix`` says what to do when ``ok`` is false."""

    name: str
    ok: bool
    detail: str
    fix: str = ""

    def lines(self) -> list[str]:
        head = f"{'ok' if self.ok else 'FAIL':<5} {self.name}: {self.detail}"
        return [head] if self.ok else [head, f"      fix: {self.fix}"]


def check_python(version: tuple[int, int, int] | None = None) -> Check:
    v = version or sys.version_info[:3]
    text = ".".join(map(str, v))
    ok = tuple(v[:2]) >= MIN_PYTHON
    return Check("python", ok, text if ok else f"{text} is too old",
                 "install Python 3.11 or newer and recreate the virtual environment")


def check_packages(requirements: Iterable[str] | None = None) -> list[Check]:
    """The installed distribution's own requirements (not the dev extra)."""
    from packaging.requirements import Requirement

    if requirements is None:
        try:
            requirements = metadata.requires("wijkdata") or []
        except metadata.PackageNotFoundError:
            return [Check("package wijkdata", False, "not installed",
                          "pip install -e . in the wijkdata folder")]
    out = []
    for line in requirements:
        req = Requirement(line)
        if req.marker is not None and not req.marker.evaluate({"extra": ""}):
            continue
        spec = str(req.specifier)
        fix = f"pip install '{req.name}{spec}'"
        try:
            have = metadata.version(req.name)
        except metadata.PackageNotFoundError:
            out.append(Check(f"package {req.name}", False, "not installed", fix))
            continue
        ok = req.specifier.contains(have, prereleases=True)
        out.append(Check(f"package {req.name}", ok,
                         f"{have}" + ("" if ok else f" does not satisfy {spec}"), fix))
    return out


def check_browser() -> Check:
    fix = ("install Chromium without admin rights: 'playwright install chromium' (or "
           "Debian/Ubuntu: apt-get install chromium), or set WIJKDATA_BROWSER to a Chromium or "
           "Chrome executable; only PDF output needs it (else build with --format html,csv)")
    env = os.environ.get("WIJKDATA_BROWSER")
    found = find_browser()
    if found is None:
        if env:
            return Check("browser", False, f"WIJKDATA_BROWSER={env} does not exist",
                         "point WIJKDATA_BROWSER at an existing Chromium executable, or unset "
                         "it to use chromium from PATH (Debian/Ubuntu: apt-get install chromium)")
        return Check("browser", False, "no chromium, chromium-browser or google-chrome on PATH, "
                     "and no Chromium from 'playwright install chromium'", fix)
    try:
        done = subprocess.run([str(found), "--version"], capture_output=True, text=True,
                              timeout=20, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return Check("browser", False, f"{found} does not start ({exc})", fix)
    version = next((ln.strip() for ln in done.stdout.splitlines()
                    if ln.startswith(("Chromium", "Google Chrome"))), "")
    if done.returncode != 0 or not version:
        return Check("browser", False, f"{found} --version failed (exit {done.returncode})", fix)
    return Check("browser", True, f"{found} ({version})")


def check_fonts(font_dirs: Iterable[Path] = FONT_DIRS) -> Check:
    """The templates and PDF headers ask for DejaVu Sans; without it Chromium substitutes."""
    fix = "install DejaVu fonts (Debian/Ubuntu: apt-get install fonts-dejavu-core)"
    fc_list = shutil.which("fc-list")
    if fc_list:
        done = subprocess.run([fc_list, ":", "family"], capture_output=True, text=True,
                              timeout=30, check=False)
        if any("DejaVu Sans" in ln.split(",") for ln in done.stdout.splitlines()):
            return Check("fonts", True, "DejaVu Sans (fc-list)")
    for folder in font_dirs:
        hit = next(iter(sorted(folder.rglob("DejaVuSans.ttf"))), None) if folder.is_dir() else None
        if hit:
            return Check("fonts", True, f"DejaVu Sans ({hit})")
    return Check("fonts", False, "DejaVu Sans not found", fix)


def _writable(folder: Path) -> tuple[bool, Path]:
    """Try the nearest existing folder, as the build would create the missing ones."""
    probe = folder
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    return can_create_in(probe), probe


def check_writable(label: str, folder: Path) -> Check:
    ok, probe = _writable(folder)
    detail = str(folder) if ok else f"{probe} is not writable"
    return Check(label, ok, detail,
                 f"make {probe} writable for this user (chmod u+w), or choose another folder")


def check_region(region: Region, data_dir: Path | None = None) -> list[Check]:
    folder = region.data_dir(data_dir)
    out = [check_writable(f"write {region.slug} output", region.output_dir()),
           check_writable(f"write {region.slug} database", region.project / "data" / "processed")]
    for source in region.config.sources:
        path = source_path(region, source, folder)
        name = f"data {region.slug} {source.id}"
        if path.exists():
            out.append(Check(name, True, str(path)))
            continue
        if source.optional:
            out.append(Check(name, True, f"optional, not present (the build leaves it out; "
                                         f"'wijkdata fetch --regio {region.slug}' adds it)"))
            continue
        if fetched_dir(region, source, folder) is not None:
            fix = f"run 'wijkdata fetch --regio {region.slug}'"
        else:
            fix = (f"copy the file to {path}, or pass --data-dir with the folder that holds "
                   f"{source.path}")
        out.append(Check(name, False, f"{path} is missing", fix))
    return out


def regions_in_use(project: Path) -> list[str]:
    """The regions this user works with: built or fetched before (not every shipped example)."""
    used = []
    for slug in known_regions(project):
        built = (project / "data" / "processed" / f"{slug}.duckdb").exists()
        if built or (project / "reports" / slug).is_dir():
            used.append(slug)
    return used


def run(project: Path, regions: list[str] | None = None,
        data_dir: Path | None = None) -> list[Check]:
    checks = [check_python(), *check_packages(), check_browser(), check_fonts()]
    for slug in regions if regions is not None else regions_in_use(project):
        try:
            region = load_region(slug, project)
        except WijkdataError as exc:
            checks.append(Check(f"config {slug}", False, exc.message.splitlines()[0],
                                exc.hint or f"correct configs/{slug}.yml"))
            continue
        checks += check_region(region, data_dir)
    return checks
