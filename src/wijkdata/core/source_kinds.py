"""The registry of source kinds, and the options every kind shares.

A source kind is one module (``ingest/sources/<kind>.py`` or a plugin, see ``core/plugins.py``)
that declares its options model (a subclass of :class:`SourceOptions` with
``kind: Literal["<kind>"]``) and its reader, and calls :func:`register`. The config's
``sources:`` is validated as a pydantic discriminated union on ``kind`` over the registered
models, so an option of another kind is an error naming file, line and key.

Why the registry lives in core: the config (core) must build that union, and core may not import
ingest (the layers in docs/architecture.md). So core holds the table and the kinds fill it; the
readers are stored as plain callables that only ingest calls.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal, Union, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    ValidatorFunctionWrapHandler,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from . import plugins
from .plugins import ENV
from .yamlio import KeyPath

Publisher = Literal["cbs", "rivm", "pdok"]
Role = Literal["figures", "boundaries", "lookup"]


class FetchSpec(BaseModel):
    """Where ``wijkdata fetch`` gets a source: publisher, table and what to narrow it to.

    The region's own gemeenten are always the area filter; ``filters`` narrows the other
    dimensions (``Leeftijd``, ``Perioden``) so one download holds one age group and one year.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    publisher: Publisher
    # OData table id (85618NED) for cbs/rivm; the PDOK dataset (wijken-en-buurten-2023) for pdok.
    table: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{1,59}$")]
    odata: Literal[3, 4] = 3
    # v3 entity set: the untyped one keeps "." (secret) apart from empty, like the downloads.
    entity: Literal["TypedDataSet", "UntypedDataSet"] | None = None
    collection: Literal["gemeenten", "wijken", "buurten"] | None = None  # pdok only
    region_dimension: str = "WijkenEnBuurten"
    filters: dict[str, list[str]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _pdok(self) -> FetchSpec:
        if (self.publisher == "pdok") != (self.collection is not None):
            raise ValueError("fetch: 'collection:' (gemeenten, wijken or buurten) goes with "
                             "publisher pdok, and only with it")
        return self

    @property
    def entity_set(self) -> str:
        if self.odata == 4:
            return "Observations"
        return self.entity or "UntypedDataSet"


class SourceOptions(BaseModel):
    """What every source says: one ingest stage, a file (or API table) read by its kind.

    ``path`` is a file placed by hand under data_dir; ``fetch`` names the publisher's table that
    ``wijkdata fetch`` downloads into data_dir/<publisher>/<table>/. The build reads ``path`` when
    that file exists, else the fetched copy (see ingest/datapaths.py).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    # What a path without a suffix (or a fetched copy) holds; a kind may say otherwise.
    DEFAULT_FORMAT: ClassVar[str] = "odata"

    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
    kind: str
    path: str | None = None
    fetch: FetchSpec | None = None
    # An optional source that is absent is left out of the build with a warning (e.g. a newer
    # release that only `wijkdata fetch` provides); a required one stops the build.
    optional: bool = False
    year: int | None = Field(default=None, ge=1990, le=2100)
    table_id: str | None = None
    publisher: str | None = None
    title: str | None = None
    licence: str | None = None
    url: str | None = None
    # public: figures anyone may see again (CBS, RIVM); strict: not public (a partner's
    # registration, survey counts): small cells and what would reveal them are suppressed.
    disclosure: Literal["public", "strict"] = "public"

    @model_validator(mode="after")
    def _somewhere(self) -> SourceOptions:
        if self.path is None and self.fetch is None:
            raise ValueError(f"source '{self.id}': give 'path:' (a file under data_dir) or "
                             "'fetch:' (publisher and table to download), or both")
        return self

    def fetch_spec(self) -> FetchSpec | None:
        """What ``wijkdata fetch`` downloads for this source (a kind may derive one)."""
        return self.fetch

    def declared_format(self) -> str | None:
        """The ``format:`` the config gives, for kinds that have that option."""
        return None

    @property
    def suffix_format(self) -> str:
        declared = self.declared_format()
        if declared:
            return declared
        if self.path is None:
            return self.DEFAULT_FORMAT
        return Path(self.path).suffix.lower().lstrip(".") or "csv"

    @property
    def label(self) -> str:
        """How messages name the source: its id and, when known, publisher and table."""
        if self.fetch:
            return f"'{self.id}' ({self.fetch.publisher.upper()} {self.fetch.table})"
        return f"'{self.id}'"

    def data_paths(self) -> list[tuple[KeyPath, str]]:
        """Files named in the config relative to the data folder, with their key (confined)."""
        return [(("path",), self.path)] if self.path else []

    def age_group_declared(self) -> str | None:
        """The age group of the source's figures, recorded in provenance (monitor kinds)."""
        return None

    def series(self) -> str:
        """Which sources of one kind hold the same figures (``wijkdata check`` compares their
        area codes between years); a kind whose sources are unrelated tables says more."""
        return ""


class TableOptions(SourceOptions):
    """Options of a kind that reads a file as a table (``ingest/sources/common.read_table``)."""

    format: Literal["csv", "xlsx", "parquet", "json"] | None = None
    sheet: str | None = None
    encoding: Literal["utf-8", "utf-8-sig", "latin-1", "cp1252"] | None = None
    separator: str | None = None
    skip_rows: int = Field(default=0, ge=0, le=100)

    def declared_format(self) -> str | None:
        return self.format


# ``read(options, path)`` returns an ``ingest.sources.common.Loaded``; core only stores it.
Reader = Callable[[Any, Path], Any]


@dataclass(frozen=True)
class SourceKind:
    """One registered kind: its options model, its reader and its provenance defaults."""

    options: type[SourceOptions]
    read: Reader
    publisher: str
    licence: str
    title: str
    # figures: observations per area; boundaries: geometry; lookup: a table of codes.
    role: Role = "figures"

    @property
    def name(self) -> str:
        """The kind's name, declared once: the ``Literal`` of its options' ``kind`` field."""
        return _literal_kind(self.options)


def _literal_kind(options: type[SourceOptions]) -> str:
    names = get_args(options.model_fields["kind"].annotation)
    if len(names) != 1 or not isinstance(names[0], str):
        raise TypeError(f"{options.__name__}.kind must be Literal['<kind name>']")
    return names[0]


_KINDS: dict[str, SourceKind] = {}


def register(kind: SourceKind) -> SourceKind:
    """Add a kind; its module calls this when imported. Returns the kind (``KIND = ...``)."""
    name = kind.name
    known = _KINDS.get(name)
    if known is not None and known.options.__module__ != kind.options.__module__:
        raise ValueError(f"source kind '{name}' is registered twice: by "
                         f"{known.options.__module__} and by {kind.options.__module__}")
    _KINDS[name] = kind
    _union.cache_clear()
    return kind


def kinds() -> Mapping[str, SourceKind]:
    """Every registered kind by name (plugins are loaded first)."""
    plugins.load()
    return dict(_KINDS)


def kind_of(source: SourceOptions) -> SourceKind:
    return kinds()[source.kind]


@cache
def _union() -> TypeAdapter[SourceOptions]:
    models = tuple(k.options for _n, k in sorted(_KINDS.items()))
    union: Any = Annotated[Union[models], Field(discriminator="kind")]  # noqa: UP007
    return TypeAdapter(union)


def _owners(key: str) -> list[str]:
    return sorted(n for n, k in _KINDS.items() if key in k.options.model_fields)


def _relocated(err: Any, value: Mapping[str, Any]) -> InitErrorDetails:
    """One error of the union, re-addressed to the key the user wrote.

    Pydantic puts the tag in the location (``('boundaries', 'age_group')``); the config has
    ``sources.<i>.age_group``. An option that is another kind's says so.
    """
    kind = value.get("kind")
    loc = tuple(err["loc"])
    if loc and loc[0] == kind:
        loc = loc[1:]
    if err["type"] == "union_tag_invalid":
        known = ", ".join(sorted(_KINDS))
        return {"type": PydanticCustomError(
            "source_kind", "unknown source kind '{kind}'; kinds: {known} (a plugin's kind needs "
            "its module installed or named in ${env})",
            {"kind": str(kind), "known": known, "env": ENV}), "loc": ("kind",), "input": kind}
    if err["type"] == "union_tag_not_found":
        return {"type": "missing", "loc": ("kind",), "input": value}
    if err["type"] == "extra_forbidden" and len(loc) == 1 and isinstance(loc[0], str):
        owners = _owners(loc[0])
        if owners:
            which = (f"kind {owners[0]}" if len(owners) == 1
                     else f"kinds {', '.join(owners[:-1])} and {owners[-1]}")
            return {"type": PydanticCustomError(
                "source_option", "not an option of kind {kind}; it belongs to {which}",
                {"kind": str(kind), "which": which}), "loc": loc, "input": err["input"]}
    details: InitErrorDetails = {"type": err["type"], "loc": loc, "input": err["input"]}
    if "ctx" in err:
        details["ctx"] = err["ctx"]
    return details


def validate_source(value: Any, handler: ValidatorFunctionWrapHandler) -> SourceOptions:
    """One entry of ``sources:`` as the options model of its kind (the discriminated union);
    pydantic's wrap validator, whose plain handler (the base model) is not used."""
    return _by_kind(value)


def _by_kind(value: Any) -> SourceOptions:
    if isinstance(value, SourceOptions):
        return value
    plugins.load()
    try:
        return _union().validate_python(value)
    except ValidationError as exc:
        if not isinstance(value, Mapping):
            raise
        raise ValidationError.from_exception_data(
            exc.title, [_relocated(e, value) for e in exc.errors()]) from None


def source_options(**fields: Any) -> SourceOptions:
    """Options from keyword arguments, validated as the config validates them (for tests and
    for code that makes a source on the fly)."""
    return _by_kind(fields)
