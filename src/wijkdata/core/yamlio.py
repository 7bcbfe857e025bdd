"""Safe YAML reading that remembers where each key stands.

Only PyYAML's SafeLoader is used (no ``!!python/object``), aliases are refused (configs never
need them and they are how "billion laughs" bombs work), and every mapping key's line number is
kept so that validation errors can say ``configs/demo.yml, line 12``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from .errors import ConfigError

MAX_BYTES = 2_000_000

KeyPath = tuple[str | int, ...]


class _NoAliasLoader(yaml.SafeLoader):
    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise ConfigError(
                f"line {event.start_mark.line + 1}: YAML aliases (*{event.anchor}) are not allowed",
                hint="write the value out in full",
            )
        return super().compose_node(parent, index)


def _lines(node: yaml.Node, path: KeyPath, out: dict[KeyPath, int]) -> None:
    out[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = str(key_node.value)
            out[(*path, key)] = key_node.start_mark.line + 1
            _lines(value_node, (*path, key), out)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _lines(item, (*path, i), out)


def load_yaml(path: Path) -> tuple[Any, dict[KeyPath, int]]:
    """Read one YAML file; return its data and a map from key path to line number."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror})") from None
    if len(raw) > MAX_BYTES:
        raise ConfigError(f"{path}: {len(raw):,} bytes is too large for a YAML file")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        lineno = raw[: exc.start].count(b"\n") + 1
        raise ConfigError(f"{path}, line {lineno}: not UTF-8 text (byte {exc.start})",
                          hint="save the file as UTF-8") from None
    try:
        loader = _NoAliasLoader(text)  # the reader checks every character up front
    except yaml.reader.ReaderError as exc:
        lineno = text[: exc.position].count("\n") + 1
        raise ConfigError(f"{path}, line {lineno}: control character #x{exc.character:04x} is not "
                          "allowed in YAML", hint="remove it; it is invisible in most editors"
                          ) from None
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}
        lines: dict[KeyPath, int] = {}
        _lines(node, (), lines)
        data = loader.construct_document(node)
    except ConfigError as exc:
        raise ConfigError(f"{path}, {exc.message}", hint=exc.hint) from None
    except yaml.constructor.ConstructorError as exc:
        # SafeLoader cannot build !!python/... objects; say so instead of PyYAML's jargon.
        mark = exc.problem_mark or exc.context_mark
        line = f", line {mark.line + 1}" if mark else ""
        tag = re.search(r"tag '([^']*)'", exc.problem or "")
        what = f"the tag '{tag.group(1).replace('tag:yaml.org,2002:', '!!')}'" if tag \
            else (exc.problem or "this value")
        raise ConfigError(f"{path}{line}: {what} is not allowed",
                          hint="use plain values: text, numbers, lists and mappings") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f", line {mark.line + 1}" if mark else ""
        problem = exc.problem or exc.context or "invalid YAML"
        raise ConfigError(f"{path}{line}: {problem}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: invalid YAML ({exc})") from None
    finally:
        loader.dispose()
    return data, lines


def validation_message(path: Path, exc: ValidationError, lines: Mapping[KeyPath, int]) -> str:
    """Turn a pydantic error into one line per problem, each with file and line."""
    out = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        line = None
        probe: KeyPath = loc
        while probe and line is None:
            line = lines.get(probe)
            probe = probe[:-1]
        key = ".".join(str(p) for p in loc) or "(top level)"
        where = f"{path}, line {line}" if line else str(path)
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            msg = "unknown key"
        elif err["type"] == "missing":
            msg = "required key is missing"
        out.append(f"{where}: {key}: {msg}")
    return "\n".join(out)


ModelT = TypeVar("ModelT", bound=BaseModel)


def load_model(path: Path, model: type[ModelT], keys: str) -> tuple[ModelT, dict[KeyPath, int]]:
    """Read a YAML mapping and validate it as ``model``; errors name file, line and key.

    ``keys`` is the hint shown when the file is not a mapping, e.g. ``"id:, title:, ..."``.
    """
    data, lines = load_yaml(path)
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of keys ({keys})")
    try:
        return model.model_validate(data), lines
    except ValidationError as exc:
        raise ConfigError(validation_message(path, exc, lines)) from None
