"""The ``wijkdata`` command: a thin typer layer over the library.

Every command catches :class:`WijkdataError` and prints its message (no traceback) with the
error's exit code: 0 ok, 1 data or delivery problem, 2 usage or configuration problem.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import sys
import time
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Annotated, Any, TypeVar, get_args

import typer

from wijkdata import __version__
from wijkdata.core.config import Level, Region, known_regions, load_region, project_root
from wijkdata.core.errors import ConfigError, DataError, WijkdataError
from wijkdata.core.memory import OutOfMemory, is_out_of_memory, limit_text
from wijkdata.report import formats as output_formats

app = typer.Typer(
    name="wijkdata",
    help=(
        "Wijkgezondheidsprofielen from CBS, GGD and RIVM open data.\n\n"
        "Examples:\n\n"
        "  wijkdata build --regio demo\n\n"
        "  wijkdata build --regio achterhoek --area WK019701 --format html\n\n"
        "  wijkdata regios\n\n"
        "  wijkdata indicators --theme zorg"
    ),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)

F = TypeVar("F", bound=Callable[..., Any])


def say(message: str) -> None:
    typer.echo(message, err=True)


class _WarningEcho(logging.Handler):
    """The library's warnings (logger ``wijkdata``) on stderr as ``warning: ...``.

    typer.echo looks up sys.stderr at each call, so output captured by a test runner lands in
    the captured stream too; a StreamHandler would keep the stream of import time.
    """

    def emit(self, record: logging.LogRecord) -> None:
        typer.echo(f"warning: {record.getMessage()}", err=True)


def _show_library_warnings() -> None:
    logger = logging.getLogger("wijkdata")
    if not any(isinstance(h, _WarningEcho) for h in logger.handlers):
        logger.addHandler(_WarningEcho(logging.WARNING))


_show_library_warnings()


def handled(func: F) -> F:
    """Turn typed errors into a message on stderr and the error's exit code."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except OutOfMemory as exc:
            typer.echo(f"error: {exc.message}; {_replaced_so_far()}\n  hint: {exc.hint}", err=True)
            raise typer.Exit(exc.exit_code) from None
        except WijkdataError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(exc.exit_code) from None
        except Exception as exc:  # noqa: BLE001 - only a full disk or memory is handled here
            line = disk_full_line(exc) or memory_line(exc)
            if line is None:
                raise
            typer.echo(line, err=True)
            raise typer.Exit(1) from None
        except (KeyboardInterrupt, Terminated) as exc:
            typer.echo(interrupted_line(exc), err=True)
            raise typer.Exit(130 if isinstance(exc, KeyboardInterrupt) else 143) from None

    return wrapper  # type: ignore[return-value]


class Terminated(BaseException):
    """SIGTERM (``kill``, a service manager), raised so that clean-up runs as for Ctrl-C."""


def _on_sigterm(signum: int, frame: object) -> None:
    raise Terminated()


def disk_full_line(exc: BaseException) -> str | None:
    """One line for a write that failed for lack of room (OSError, or DuckDB's IO error)."""
    from wijkdata.core.atomic import full_reason

    reason = full_reason(exc)
    if reason is None:
        return None
    what, path = reason
    return f"error: {path}: {what}; {_replaced_so_far()}"


def memory_line(exc: BaseException) -> str | None:
    """One line for memory that ran out outside the reading of a data file."""
    if not is_out_of_memory(exc):
        return None
    return f"error: ran out of memory: {limit_text()}; {_replaced_so_far()}"


def _replaced_so_far() -> str:
    from wijkdata.core.atomic import REPLACED

    if not REPLACED:
        return "nothing was replaced"
    done = " and ".join(dict.fromkeys(str(p) for p in REPLACED))
    return f"{done} had been replaced, nothing else was"


def interrupted_line(exc: BaseException) -> str:
    """One line, true to what happened: what this run replaced before it was stopped."""
    from wijkdata.core.atomic import REPLACED

    how = "SIGTERM" if isinstance(exc, Terminated) else "SIGINT (Ctrl-C)"
    if not REPLACED:
        return f"interrupted by {how}; nothing was replaced"
    done = " and ".join(dict.fromkeys(str(p) for p in REPLACED))
    return f"interrupted by {how} after {done} had been replaced; nothing else was replaced"


def checked_levels(levels: list[str] | None) -> tuple[str, ...] | None:
    """``--level`` values (build and prepare), each one of the config's levels (``Level``)."""
    for lv in levels or []:
        if lv not in get_args(Level):
            raise ConfigError(f"--level: unknown level '{lv}'; use wijk, buurt or gemeente")
    return tuple(levels) if levels else None


def _formats(value: str | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    return output_formats.resolve((v.strip() for v in value.split(",") if v.strip()), "--format",
                           given=value)


Regio = Annotated[str, typer.Option("--regio", "-r", help="Region name: configs/<regio>.yml.")]


@app.command()
@handled
def build(
    regio: Regio,
    data_dir: Annotated[Path | None, typer.Option(help="Folder with the raw data files.")] = None,
    out: Annotated[Path | None,
                   typer.Option(help="Output folder (default reports/<regio>).")] = None,
    format: Annotated[str | None, typer.Option("--format", "-f",
                      help=output_formats.help_text())] = None,
    area: Annotated[list[str] | None, typer.Option("--area", "-a",
                    help="Only this area code (repeatable).")] = None,
    level: Annotated[list[str] | None, typer.Option(
        "--level", help="Profile these levels (wijk, buurt, gemeente) instead of the config's.")]
    = None,
    if_changed: Annotated[bool, typer.Option(
        "--if-changed", help="Do nothing when no source, indicator, template or config changed.")]
    = False,
    shard: Annotated[str | None, typer.Option(
        "--shard", help="Render only part k of n (whole gemeenten) from the database made by "
        "'wijkdata prepare', into reports/<regio>-shard-<k>-of-<n> (or --out); "
        "'wijkdata assemble' joins the parts.")] = None,
) -> None:
    """Ingest the region's sources, compute all indicators and write the reports.

    Examples:

      wijkdata build --regio demo

      wijkdata build --regio achterhoek --format html --area WK019701 --area DORP_BREDEVOORT

      wijkdata build --regio nederland --data-dir ../shared/data --format html --level buurt

      wijkdata build --regio nederland --shard 2/4      # after 'wijkdata prepare'
    """
    from wijkdata.pipeline.build import BuildOptions
    from wijkdata.pipeline.build import build as run_build

    region = load_region(regio)
    opts = BuildOptions(data_dir=data_dir, out_dir=out, formats=_formats(format),
                        areas=tuple(area or ()), levels=checked_levels(level),
                        if_changed=if_changed)
    t0 = time.perf_counter()
    if shard is not None:
        from wijkdata.pipeline.shards import build_shard, parse_shard

        if if_changed:
            raise ConfigError("--shard and --if-changed do not go together: a shard always "
                              "renders; 'wijkdata prepare' skips what is unchanged")
        k, n = parse_shard(shard)
        result = build_shard(region, opts, k, n, say)
        say(f"built shard {k}/{n}: {len(result.profiles)} profiles in "
            f"{time.perf_counter() - t0:.1f} s -> {_shown(result.out_dir)}")
        return
    result = run_build(region, opts, say)
    dt = time.perf_counter() - t0
    if result.ran == "skipped":
        say(f"up to date: nothing changed since the last build of {region.slug}")
        return
    say(f"built {len(result.profiles)} profiles for {region.config.name} in {dt:.1f} s "
        f"-> {_shown(result.out_dir)}/index.html")
    if result.skipped_pdf:
        raise DataError(
            f"PDFs not made: no Chromium found (the HTML and CSV files are in "
            f"{_shown(result.out_dir)})",
            hint="install Chromium without admin rights: 'playwright install chromium' "
            "(or apt-get install chromium), or build without PDFs: --format html,csv")


def _shown(path: Path) -> Path:
    with contextlib.suppress(ValueError):  # outside the cwd: show the absolute path
        return path.relative_to(Path.cwd())
    return path


@app.command()
@handled
def regios() -> None:
    """List the configured regions: gemeenten, profiled levels, own areas (villages, focus
    areas) and the number of profiles in the last build ('-' if never built).

    Example:

      wijkdata regios
    """
    project = project_root()
    names = known_regions(project)
    if not names:
        raise ConfigError(f"no region configs in {project / 'configs'}")
    typer.echo(f"{'regio':<14} {'gemeenten':>9} {'niveaus':<12} {'eigen gebieden':>14} "
               f"{'profielen':>9}  naam")
    for slug in names:
        region = load_region(slug, project)
        cfg = region.config
        typer.echo(f"{slug:<14} {len(cfg.gemeenten):>9} {','.join(cfg.areas.levels):<12} "
                   f"{len(cfg.areas.custom):>14} {_profile_count(region):>9}  {cfg.name}")


def _profile_count(region: Region) -> str:
    """Profiles in the region's last build, or '-' when it was never built."""
    from wijkdata.report.inputs import built_profile_count

    try:
        count = built_profile_count(region)
    except DataError:
        return "?"
    return "-" if count is None else str(count)


@app.command()
@handled
def indicators(
    theme: Annotated[str | None, typer.Option(help="Only this theme, e.g. zorg.")] = None,
) -> None:
    """List the indicator definitions (id, theme, statistic, polarity, interval).

    Examples:

      wijkdata indicators

      wijkdata indicators --theme gezondheid
    """
    from wijkdata.indicators.definitions import THEMES, load_all

    items = load_all(project_root() / "indicators")
    if theme is not None:
        if theme not in THEMES:
            raise ConfigError(f"unknown theme '{theme}'; themes: {', '.join(THEMES)}")
        items = [i for i in items if i.theme == theme]
    typer.echo(f"{'id':<30} {'theme':<19} {'statistic':<17} {'polarity':<17} interval")
    for i in items:
        typer.echo(f"{i.id:<30} {i.theme:<19} {i.statistic:<17} {i.polarity:<17} {i.interval}")
    typer.echo(f"{len(items)} indicators", err=True)


@app.command("demo-data")
@handled
def demo_data(
    out: Annotated[Path, typer.Option(help="Where to write the demo files.")] = Path("data/demo"),
    check: Annotated[bool, typer.Option(help="Only check the files are up to date.")] = False,
) -> None:
    """Write the fictional demo region's files (deterministic), or --check them."""
    from wijkdata.ingest import demo

    if check:
        diff = demo.differences(out)
        if diff:
            typer.echo("out of date: " + ", ".join(diff), err=True)
            raise typer.Exit(1)
        typer.echo("demo data up to date")
        return
    for path in demo.write(out):
        typer.echo(str(path))


@app.callback(invoke_without_command=True)
def _root(
    version: Annotated[bool, typer.Option("--version", help="Show the version.")] = False,
) -> None:
    if version:
        typer.echo(f"wijkdata {__version__}")
        raise typer.Exit(0)


def _load_command_modules() -> None:
    import importlib
    import pkgutil

    from . import commands

    for mod in sorted(m.name for m in pkgutil.iter_modules(commands.__path__)):
        importlib.import_module(f"{commands.__name__}.{mod}")


_load_command_modules()


def main() -> None:
    signal.signal(signal.SIGTERM, _on_sigterm)
    if hasattr(signal, "SIGXFSZ"):  # past a file-size limit: an error to report, not death
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    try:
        app()
    except SystemExit:
        raise
    except Exception as exc:  # pragma: no cover - a bug, not a user mistake
        print(f"internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        print("please report this with the command you ran", file=sys.stderr)
        raise SystemExit(70) from exc
