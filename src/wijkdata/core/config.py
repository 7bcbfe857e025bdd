"""Region configuration (``configs/<regio>.yml``): typed, frozen, unknown keys rejected."""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, WrapValidator, field_validator, model_validator

from wijkdata.core.dialogue_settings import DialogueSettings, NetworkSettings
from wijkdata.core.mail_settings import MailSettings

from . import codes, paths
from .codes import BUURT_RE, CUSTOM_RE, GEMEENTE_RE, WIJK_RE
from .errors import ConfigError
from .source_kinds import FetchSpec as FetchSpec  # re-exported: fetch reads it from here
from .source_kinds import SourceOptions, validate_source
from .yamlio import KeyPath, load_model

# The source options live with their kinds (core/source_kinds.py, ingest/sources/<kind>.py);
# these names stay importable from here.
Source = SourceOptions

HEX_RE = re.compile(r"^#[0-9a-fA-F]{6}$")
PROJECT = "the project folder"
DATA = "the data folder"

Level = Literal["gemeente", "wijk", "buurt"]
Comparator = Literal["gemeente", "regio", "land", "vergelijkbaar"]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Organisation(_Model):
    name: str = "wijkdata"
    logo: str | None = None
    accent: str = "#00677f"

    @field_validator("accent")
    @classmethod
    def _hex(cls, v: str) -> str:
        if not HEX_RE.match(v):
            raise ValueError(f"accent must be a colour like '#00677f', got {v!r}")
        return v


class CustomArea(_Model):
    """A village (dorp), cluster or focus area: a named set of buurten, profiled as one area.

    ``wijken`` is shorthand for "every buurt of these wijken" in the loaded data, handy for
    clusters of whole wijken such as Amersfoort's Koppel/Schothorst.
    """

    code: str
    name: str = Field(min_length=1, max_length=120)
    buurten: list[str] = Field(default_factory=list)
    wijken: list[str] = Field(default_factory=list)
    kind: Literal["dorp", "cluster", "focusgebied"] = "dorp"
    note: str = ""

    @field_validator("code")
    @classmethod
    def _code(cls, v: str) -> str:
        if not CUSTOM_RE.match(v):
            raise ValueError(f"custom area code must be upper case letters, digits or _, got {v!r}")
        return v

    @field_validator("buurten")
    @classmethod
    def _buurten(cls, v: list[str]) -> list[str]:
        bad = [c for c in v if not BUURT_RE.match(c.strip())]
        if bad:
            raise ValueError(f"buurt codes look like BU01970000, got {', '.join(map(repr, bad))}")
        if len(set(v)) != len(v):
            raise ValueError("a buurt is listed twice")
        return [c.strip() for c in v]

    @field_validator("wijken")
    @classmethod
    def _wijken(cls, v: list[str]) -> list[str]:
        bad = [c for c in v if not WIJK_RE.match(c.strip())]
        if bad:
            raise ValueError(f"wijk codes look like WK019701, got {', '.join(map(repr, bad))}")
        return [c.strip() for c in v]

    @model_validator(mode="after")
    def _parts(self) -> CustomArea:
        if not self.buurten and not self.wijken:
            raise ValueError(f"custom area {self.code} needs 'buurten' (or 'wijken')")
        gms = {g for c in self.buurten + self.wijken if (g := codes.gemeente_of(c))}
        if len(gms) > 1:
            raise ValueError(f"custom area {self.code} spans gemeenten {', '.join(sorted(gms))}; "
                             "keep a custom area inside one gemeente")
        return self

    @property
    def gemeente_code(self) -> str:
        gm = codes.gemeente_of((self.buurten or self.wijken)[0])
        assert gm is not None  # the validators above: buurt and wijk codes only
        return gm


class Areas(_Model):
    levels: list[Level] = ["wijk"]
    custom: list[CustomArea] = Field(default_factory=list)
    # A published figure of a custom area (or the regio) is shown when its parts with a value
    # hold at least this share of the weight (weights.py).
    coverage_min: float = Field(default=0.9, gt=0, le=1)
    # No trend across a change of the area: its inhabitants changed by more than this share
    # between the two years (or its buurten / parts differ), trends.py.
    composition_change_max: float = Field(default=0.2, gt=0, le=1)


class SmallNumbers(_Model):
    """Reliability: below these a figure is shown, marked "klein aantal: onzeker"."""

    min_numerator: int = Field(default=5, ge=0)
    min_denominator: int = Field(default=50, ge=0)


class Disclosure(_Model):
    """Disclosure control of ``disclosure: strict`` sources (see ``indicators/disclosure.py``)."""

    min_count: int = Field(default=5, ge=1)
    protect_zero: bool = True


# Structural characteristics of the comparable-areas search (indicator ids; see comparable.py):
# urbanity, age structure, household composition, income.
DEFAULT_CHARACTERISTICS = ("omgevingsadressendichtheid", "leeftijd_0_14", "leeftijd_65plus",
                           "eenpersoonshuishoudens", "huishoudens_met_kinderen",
                           "inkomen_per_inwoner", "huishoudens_laag_inkomen")


class Comparable(_Model):
    """``comparable:``: the "vergelijkbaar" comparator's group size and characteristics."""

    k: int = Field(default=10, ge=1, le=50)
    characteristics: list[str] = Field(default_factory=lambda: list(DEFAULT_CHARACTERISTICS),
                                       min_length=2)

    @field_validator("characteristics")
    @classmethod
    def _unique(cls, v: list[str]) -> list[str]:
        dup = sorted({c for c in v if v.count(c) > 1})
        if dup:
            raise ValueError(f"characteristic listed twice: {', '.join(dup)}")
        return v


class Output(_Model):
    # Registered output formats (report/formats/: html, pdf, csv, bewoners, plugins); the
    # build checks the names against that registry, which this layer cannot import.
    formats: list[Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]{0,30}$")]] = ["html", "pdf"]
    dir: str | None = None


class RegionConfig(_Model):
    name: str = Field(min_length=1, max_length=80)
    description: str = ""
    organisation: Organisation = Organisation()
    gemeenten: list[str] = Field(min_length=1)
    regio_name: str | None = None
    # id of a region_lookup source: the "regio" comparator of an area is then its gemeente's
    # regio (e.g. GGD-regio) instead of all gemeenten of this config together.
    regio_lookup: str | None = None
    data_dir: str = "data/raw"
    # Base URLs for `wijkdata fetch`, one per publisher; $WIJKDATA_CBS_API, $WIJKDATA_RIVM_API
    # and $WIJKDATA_PDOK_API override them. Defaults: the publishers' public endpoints (fetch.py).
    cbs_api: str | None = None
    rivm_api: str | None = None
    pdok_api: str | None = None
    areas: Areas = Areas()
    comparators: list[Comparator] = ["gemeente", "regio", "land"]
    comparable: Comparable = Comparable()
    # Each entry is the options model of its kind (core/source_kinds.py: a discriminated union
    # on ``kind`` over the registered kinds, so an option of another kind is an error).
    sources: list[Annotated[SourceOptions, WrapValidator(validate_source)]] = Field(min_length=1)
    indicators: list[str] = Field(default_factory=lambda: ["all"])
    output: Output = Output()
    small_numbers: SmallNumbers = SmallNumbers()
    disclosure: Disclosure = Disclosure()
    # Page 1 tiles ("In het kort"): indicator ids in order; default: key health and care
    # figures first (at least four), then the other key figures.
    key_figures: list[str] | None = None
    # The indicator coloured on every profile's map; default: the first key health percentage.
    map_indicator: str | None = None
    mail: MailSettings | None = None  # wijkdata mail: sender, recipients file, SMTP
    # Data – dialoog – doen (issue 8): dialogue questions and the partner network.
    dialogue: DialogueSettings = DialogueSettings()
    network: NetworkSettings = NetworkSettings()

    @field_validator("gemeenten")
    @classmethod
    def _gemeenten(cls, v: list[str]) -> list[str]:
        bad = [c for c in v if not GEMEENTE_RE.match(c)]
        if bad:
            raise ValueError(f"gemeente codes look like GM0197, got {', '.join(map(repr, bad))}")
        return v

    @model_validator(mode="after")
    def _unique(self) -> RegionConfig:
        ids = [s.id for s in self.sources]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            raise ValueError(f"source id used twice: {', '.join(dup)}")
        if self.regio_lookup is not None and not any(
                s.id == self.regio_lookup and s.kind == "region_lookup" for s in self.sources):
            raise ValueError(f"regio_lookup '{self.regio_lookup}' is not the id of a source "
                             "of kind region_lookup")
        codes = [c.code for c in self.areas.custom]
        dup = sorted({c for c in codes if codes.count(c) > 1})
        if dup:
            raise ValueError(f"custom area code used twice: {', '.join(dup)}")
        for area in self.areas.custom:
            if area.gemeente_code not in self.gemeenten:
                raise ValueError(
                    f"custom area {area.code}: its buurten lie in {area.gemeente_code}, "
                    "which is not in gemeenten"
                )
        return self

    @property
    def regio_label(self) -> str:
        return self.regio_name or self.name


@dataclass(frozen=True)
class Region:
    """A loaded region: its slug, the file it came from and the validated config.

    ``lines`` maps each key of the config to its line, so that a refused path names it.
    """

    slug: str
    path: Path
    config: RegionConfig
    project: Path
    lines: Mapping[KeyPath, int] = field(default_factory=dict)

    def _confine(self, root: Path, value: str, root_name: str, key: KeyPath) -> Path:
        return paths.confine(root, value, root_name=root_name, config=self.path,
                             lines=self.lines, key=key)

    def data_dir(self, override: Path | None = None) -> Path:
        """``--data-dir``, $WIJKDATA_DATA_DIR (the user's explicit choice), or the config's."""
        if override is not None:
            return override
        env = os.environ.get("WIJKDATA_DATA_DIR")
        if env:
            return Path(env)
        return self._confine(self.project, self.config.data_dir, PROJECT,
                             ("data_dir",)).resolve()

    def source_file(self, source: SourceOptions, data_dir: Path) -> Path:
        """The file (or folder) of ``source`` inside ``data_dir``; refused if it leads out."""
        if source.path is None:
            raise ValueError(f"source {source.id} has no path: ask ingest.datapaths.source_path")
        index = next(i for i, s in enumerate(self.config.sources) if s.id == source.id)
        return self._confine(data_dir, source.path, DATA, ("sources", index, "path"))

    def output_dir(self, override: Path | None = None) -> Path:
        if override is not None:
            return override
        if self.config.output.dir is None:
            return self.project / "reports" / self.slug
        return self._confine(self.project, self.config.output.dir, PROJECT, ("output", "dir"))

    def logo_path(self) -> Path | None:
        logo = self.config.organisation.logo
        return None if logo is None else self._confine(self.project, logo, PROJECT,
                                                       ("organisation", "logo"))

    def project_file(self, value: str, key: KeyPath) -> Path:
        """A file named in the config relative to the project (mail recipients, CA file)."""
        return self._confine(self.project, value, PROJECT, key)


def project_root() -> Path:
    """The folder holding configs/, indicators/ and templates/: $WIJKDATA_HOME or the cwd."""
    return Path(os.environ.get("WIJKDATA_HOME") or Path.cwd()).resolve()


def known_regions(project: Path) -> list[str]:
    return sorted(p.stem for p in (project / "configs").glob("*.yml"))


def load_region(slug: str, project: Path | None = None) -> Region:
    project = project or project_root()
    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,40}", slug):
        raise ConfigError(f"region name {slug!r} is not valid: use lower case letters, digits, '-'")
    path = project / "configs" / f"{slug}.yml"
    if not path.exists():
        names = known_regions(project)
        near = difflib.get_close_matches(slug, names, n=1, cutoff=0.6)
        known = ", ".join(names) or "(none)"
        raise ConfigError(
            f"unknown region '{slug}': no file {path.relative_to(project)}"
            + (f"; did you mean '{near[0]}'?" if near else ""),
            hint=f"known regions: {known}",
        )
    return load_region_file(path, project, slug)


def load_region_file(path: Path, project: Path, slug: str | None = None) -> Region:
    config, lines = load_model(path, RegionConfig, "name:, gemeenten:, sources:, ...")
    region = Region(slug=slug or path.stem, path=path, config=config, project=project,
                    lines=lines)
    _check_paths(region)
    return region


def _check_paths(region: Region) -> None:
    """Refuse every config path that leaves its folder, before anything is read or written."""
    config = region.config
    for i, source in enumerate(config.sources):
        # A fetched source has no path: wijkdata fetch chooses its folder (ingest.datapaths).
        for key, value in source.data_paths():
            paths.check_relative(value, root_name=DATA, config=region.path,
                                 lines=region.lines, key=("sources", i, *key))
    region._confine(region.project, config.data_dir, PROJECT, ("data_dir",))
    region.output_dir()
    if config.mail is not None:
        region.project_file(config.mail.recipients, ("mail", "recipients"))
        if config.mail.smtp.ca_file:
            region.project_file(config.mail.smtp.ca_file, ("mail", "smtp", "ca_file"))
    target = region.logo_path()
    if target is None:
        return
    logo = config.organisation.logo
    if not target.is_file():
        raise ConfigError(f"{region.path}: organisation.logo '{logo}' not found")
    if target.suffix.lower() not in {".svg", ".png"}:
        raise ConfigError(f"{region.path}: organisation.logo must be an .svg or .png file, "
                          f"got '{logo}'")
