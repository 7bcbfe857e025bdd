"""Every path a config names stays inside its root (the project, or the data folder).

A config is edited by many hands and copied between machines; a path in it that leaves its
folder (``../../etc``, ``/home/x``, a symbolic link pointing elsewhere) is a typo at best and a
way to read or overwrite someone else's files at worst. One rule, applied to every path key
(source ``path:``, ``data_dir``, ``organisation.logo``, ``output.dir``, ``mail.recipients``,
``mail.smtp.ca_file``, ``label_lookup.path``): relative, no ``.``/``..`` parts, and after
resolving symbolic links still inside its root. Paths typed on the command line (``--out``,
``--data-dir``) are the user's explicit choice and are not confined (see atomic.py for what
an output folder may not be).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path, PurePosixPath, PureWindowsPath

from .errors import ConfigError

KeyPath = tuple[str | int, ...]
ECHO = 200  # characters of a value repeated in a message


def key_name(key: KeyPath) -> str:
    return ".".join(str(k) for k in key)


def _where(config: Path, lines: Mapping[KeyPath, int], key: KeyPath) -> str:
    probe = key
    while probe:
        if probe in lines:
            return f"{config}, line {lines[probe]}: {key_name(key)}"
        probe = probe[:-1]
    return f"{config}: {key_name(key)}"


def check_relative(value: str, *, root_name: str, config: Path,
                   lines: Mapping[KeyPath, int], key: KeyPath) -> None:
    """Refuse empty, absolute, ``.`` and ``..`` paths (no file system access)."""
    shown = value[:ECHO]
    where = _where(config, lines, key)
    if PurePosixPath(value).is_absolute() or PureWindowsPath(value).is_absolute() \
            or value.startswith(("~", "\\")):
        raise ConfigError(f"{where}: '{shown}' is an absolute path; give a path inside "
                          f"{root_name}", hint=f"write it relative to {root_name}")
    parts = value.replace("\\", "/").split("/")
    if ".." in parts:
        raise ConfigError(f"{where}: '{shown}' leaves {root_name} ('..' is not allowed)",
                          hint=f"copy the file into {root_name}")
    if all(p in ("", ".") for p in parts):
        raise ConfigError(f"{where}: '{shown}' names {root_name} itself; give a path inside it")
    if "." in parts[:-1] or "" in parts[:-1]:
        raise ConfigError(f"{where}: '{shown}' has an empty or '.' part; write it plainly")


def confine(root: Path, value: str, *, root_name: str, config: Path,
            lines: Mapping[KeyPath, int], key: KeyPath) -> Path:
    """``root / value``, refused when it is not a plain relative path or a symlink leads out."""
    check_relative(value, root_name=root_name, config=config, lines=lines, key=key)
    target = root / value
    real_root = root.resolve()
    if not target.resolve().is_relative_to(real_root):
        raise ConfigError(f"{_where(config, lines, key)}: '{value[:ECHO]}' leads outside "
                          f"{root_name} ({real_root}) through a symbolic link",
                          hint="copy the file itself instead of linking to it")
    return target
