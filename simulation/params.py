"""Typed, validated, frozen parameter records.

Every parameter of aimarket is a field of a frozen dataclass declared with :func:`par`,
which records its allowed range, unit and the source of its default. This module turns
plain nested dicts (from TOML, the command line or Python) into those records and back,
and applies overrides by dotted path, with errors that name the offending field:

* an unknown field names the field and suggests the closest valid one;
* a value out of range names the field, the value and the allowed range;
* a value outside a fixed set of choices lists the valid choices.

Collections of named things (vendors, clouds, segments, VCs) are :class:`FrozenMap`
values keyed by name, so a dotted path such as ``vendors.meta.policy`` reaches them.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import math
import tomllib
import types
import typing
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

from aimarket.simulation.errors import ScenarioError

__all__ = [
    "FrozenMap",
    "expand",
    "from_dict",
    "iter_fields",
    "leaf_paths",
    "merge",
    "overlap",
    "par",
    "parse_value",
    "read_toml",
    "to_dict",
]


def par(
    default: Any,
    *,
    lo: float | None = None,
    hi: float | None = None,
    unit: str = "",
    doc: str = "",
    source: str = "",
) -> Any:
    """Declare a parameter: default, closed range [lo, hi], unit, meaning and source."""
    meta = {"lo": lo, "hi": hi, "unit": unit, "doc": doc, "source": source}
    if isinstance(default, Mapping | list | dict):
        return dataclasses.field(default_factory=lambda: default, metadata=meta)
    return dataclasses.field(default=default, metadata=meta)


class FrozenMap(Mapping):
    """An immutable, picklable, ordered mapping from names to parameter records."""

    __slots__ = ("_items",)

    def __init__(self, items: Mapping[str, Any] | None = None):
        object.__setattr__(self, "_items", dict(items or {}))

    def __getitem__(self, key: str) -> Any:
        return self._items[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("FrozenMap is immutable")

    def __hash__(self) -> int:
        return hash(tuple(self._items.items()))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Mapping) and dict(self._items) == dict(other)

    def __repr__(self) -> str:
        return f"FrozenMap({self._items!r})"

    def __reduce__(self):
        return (FrozenMap, (self._items,))


# ---------------------------------------------------------------------------------
# dict -> record


@functools.cache
def _type_hints(cls: type) -> dict[str, Any]:
    # resolved once per record class: resolving annotations is the slow part of parsing
    return typing.get_type_hints(cls)


def _suggest(name: str, valid: list[str]) -> str:
    close = difflib.get_close_matches(name, valid, n=1, cutoff=0.5)
    if close:
        return f"; did you mean '{close[0]}'?"
    return f"; valid fields: {', '.join(sorted(valid))}"


def _check_range(path: str, value: float, meta: Mapping[str, Any]) -> None:
    lo, hi = meta.get("lo"), meta.get("hi")
    if isinstance(value, float) and not math.isfinite(value):
        raise ScenarioError(f"{path} = {value} must be a finite number")
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        lo_s = "-inf" if lo is None else f"{lo:g}"
        hi_s = "inf" if hi is None else f"{hi:g}"
        raise ScenarioError(f"{path} = {value!r} is out of range: allowed [{lo_s}, {hi_s}]")


def _convert(path: str, tp: Any, value: Any, meta: Mapping[str, Any]) -> Any:
    """Convert ``value`` to type ``tp``, validating as we go."""
    origin = get_origin(tp)
    if origin is Literal:
        choices = get_args(tp)
        if value not in choices:
            listed = ", ".join(repr(c) for c in choices)
            raise ScenarioError(f"{path} = {value!r} is not valid; choose one of: {listed}")
        return value
    if origin in (types.UnionType, typing.Union):
        args = [a for a in get_args(tp) if a is not type(None)]
        if value is None:
            return None
        return _convert(path, args[0], value, meta)
    if dataclasses.is_dataclass(tp):
        if isinstance(value, tp):
            return value
        if not isinstance(value, Mapping):
            raise ScenarioError(f"{path} must be a table of fields, got {value!r}")
        return from_dict(tp, value, path)
    if origin in (FrozenMap, Mapping, dict) or tp is FrozenMap:
        _, item_tp = get_args(tp) if get_args(tp) else (str, Any)
        if not isinstance(value, Mapping):
            raise ScenarioError(f"{path} must be a table keyed by name, got {value!r}")
        return FrozenMap(
            {str(k): _convert(f"{path}.{k}", item_tp, v, meta) for k, v in value.items()}
        )
    if origin is tuple:
        (item_tp, _ellipsis) = get_args(tp)
        if isinstance(value, str) or not isinstance(value, list | tuple):
            raise ScenarioError(f"{path} must be a list, got {value!r}")
        return tuple(_convert(f"{path}[{i}]", item_tp, v, meta) for i, v in enumerate(value))
    if tp is bool:
        if not isinstance(value, bool):
            raise ScenarioError(f"{path} = {value!r} must be true or false")
        return value
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ScenarioError(f"{path} = {value!r} must be an integer")
        if isinstance(value, float) and not value.is_integer():
            raise ScenarioError(f"{path} = {value!r} must be an integer")
        value = int(value)
        _check_range(path, value, meta)
        return value
    if tp is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ScenarioError(f"{path} = {value!r} must be a number")
        value = float(value)
        _check_range(path, value, meta)
        return value
    if tp is str:
        if not isinstance(value, str):
            raise ScenarioError(f"{path} = {value!r} must be a string")
        return value
    raise TypeError(f"unsupported parameter type {tp!r} at {path}")


def from_dict(cls: type, data: Mapping[str, Any], path: str = "") -> Any:
    """Build record ``cls`` from a nested mapping; missing fields keep their defaults."""
    hints = _type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    kwargs = {}
    for key, value in data.items():
        where = f"{path}.{key}" if path else str(key)
        if key not in fields:
            raise ScenarioError(f"unknown field '{where}'{_suggest(str(key), list(fields))}")
        kwargs[key] = _convert(where, hints[key], value, fields[key].metadata)
    try:
        record = cls(**kwargs)
    except ScenarioError:
        raise
    except TypeError as exc:  # a required field is missing
        raise ScenarioError(f"{path or cls.__name__}: {exc}") from None
    # Defaults are validated too, so a record is always within its declared ranges.
    for name, f in fields.items():
        if name not in kwargs and (f.metadata.get("lo"), f.metadata.get("hi")) != (None, None):
            val = getattr(record, name)
            if isinstance(val, int | float) and not isinstance(val, bool):
                _check_range(f"{path}.{name}" if path else name, val, f.metadata)
    check = getattr(record, "validate", None)
    if check is not None:
        check(path)
    return record


# ---------------------------------------------------------------------------------
# record -> dict, overrides


def to_dict(record: Any) -> Any:
    """Nested plain dicts and lists (TOML-ready; ``None`` fields are dropped)."""
    if dataclasses.is_dataclass(record):
        out = {}
        for f in dataclasses.fields(record):
            value = to_dict(getattr(record, f.name))
            if value is not None:
                out[f.name] = value
        return out
    if isinstance(record, Mapping):
        return {k: to_dict(v) for k, v in record.items()}
    if isinstance(record, tuple | list):
        return [to_dict(v) for v in record]
    return record


#: Merge directives: keys that say how a table changes a collection rather than naming a
#: field. In an entry's table, ``new = true`` adds an entry the base does not have and
#: ``remove = true`` drops one it has; in a collection's own table, ``replace = true``
#: starts the collection empty, so it holds exactly the entries the patch lists.
NEW, REMOVE, REPLACE = "new", "remove", "replace"


def _is_collection(tp: Any) -> bool:
    return tp is FrozenMap or get_origin(tp) in (FrozenMap, Mapping, dict)


def _flag(where: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise ScenarioError(f"{where} = {value!r} must be true or false")
    return value


def merge(cls: type, base: Mapping[str, Any], patch: Mapping[str, Any], path: str = "") -> dict:
    """``patch`` merged into ``base`` (plain data of record ``cls``), key by key at every depth.

    A record's table merges field by field; a collection (a table of named entries: vendors,
    clouds, VCs, segments, shocks) changes shape only when the patch says so: an entry the
    base has is merged into; one it lacks is refused (naming the entries it has) unless its
    table says ``new = true``; ``remove = true`` drops an entry; ``replace = true`` on the
    collection starts it empty. Values are not validated here: :func:`from_dict` does that
    on the result, with the same messages as for any other input.
    """
    if not isinstance(patch, Mapping):
        raise ScenarioError(f"{path or cls.__name__} must be a table of fields, got {patch!r}")
    hints = _type_hints(cls)
    names = [f.name for f in dataclasses.fields(cls)]
    out = dict(base)
    for key, value in patch.items():
        where = f"{path}.{key}" if path else str(key)
        if key not in hints or key not in names:
            raise ScenarioError(f"unknown field '{where}'{_suggest(str(key), names)}")
        tp = hints[key]
        if dataclasses.is_dataclass(tp):
            out[key] = merge(tp, base.get(key) or {}, value, where)
        elif _is_collection(tp):
            out[key] = _merge_collection(get_args(tp)[1], base.get(key) or {}, value, where)
        elif isinstance(value, Mapping):
            raise ScenarioError(f"'{where}' is a value, not a table; got {value!r}")
        else:
            out[key] = value
    return out


def _merge_collection(item: type, base: Mapping[str, Any], patch: Any, path: str) -> dict:
    if not isinstance(patch, Mapping):
        raise ScenarioError(f"{path} must be a table keyed by name, got {patch!r}")
    patch = dict(patch)
    replace = _flag(f"{path}.{REPLACE}", patch.pop(REPLACE, False))
    out = {} if replace else dict(base)
    for name, entry in patch.items():
        where = f"{path}.{name}"
        if not isinstance(entry, Mapping):
            raise ScenarioError(f"{where} must be a table of fields, got {entry!r}")
        entry = dict(entry)
        new = _flag(f"{where}.{NEW}", entry.pop(NEW, False))
        if _flag(f"{where}.{REMOVE}", entry.pop(REMOVE, False)):
            if entry or new:
                raise ScenarioError(f"{where}: remove = true takes no other keys")
            if name not in out:
                raise ScenarioError(f"{where}: nothing to remove; {_existing(path, out)}")
            del out[name]
        elif name in out and new and not replace:
            raise ScenarioError(
                f"{where}: new = true, but '{name}' already exists (drop new = true to change "
                "it, or remove it first)"
            )
        elif name in out:
            out[name] = merge(item, out[name], entry, where)
        elif new or replace:
            out[name] = merge(item, {}, entry, where)
        else:
            close = difflib.get_close_matches(str(name), list(out), n=1, cutoff=0.5)
            hint = f"did you mean '{close[0]}'? " if close else ""
            raise ScenarioError(
                f"{where}: no such entry in the base; {hint}{_existing(path, out)} "
                f"(to add one, give it new = true)"
            )
    return out


def _existing(path: str, entries: Mapping[str, Any]) -> str:
    return f"{path} has: {', '.join(entries) or 'nothing'}"


def expand(overrides: Mapping[str, Any]) -> dict[str, Any]:
    """Dotted paths (``{"vendors.meta.policy": "open"}``) as one nested patch; tables given
    as values (``{"vendors.meta": {"policy": "open"}}``) are combined key by key."""
    out: dict[str, Any] = {}
    for dotted, value in overrides.items():
        parts = str(dotted).split(".")
        if not all(p.strip() for p in parts):
            raise ScenarioError(f"malformed parameter path '{dotted}'")
        node = out
        for i, part in enumerate(parts[:-1]):
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                raise ScenarioError(
                    f"'{'.'.join(parts[: i + 1])}' is given a value and, in '{dotted}', fields"
                )
            node = child
        _combine(node, parts[-1], value, str(dotted))
    return out


def _combine(node: dict, key: str, value: Any, where: str) -> None:
    if isinstance(value, Mapping):
        child = node.setdefault(key, {})
        if not isinstance(child, dict):
            raise ScenarioError(f"'{where}' is given both a value and a table")
        for k, v in value.items():
            _combine(child, str(k), v, f"{where}.{k}")
    elif key in node and isinstance(node[key], dict):
        raise ScenarioError(f"'{where}' is given both a value and a table")
    else:
        node[key] = value


def leaf_paths(patch: Mapping[str, Any], prefix: str = "") -> list[str]:
    """The dotted paths a nested patch touches: its leaves. ``remove`` touches its whole
    entry (``vendors.mistral.remove`` touches ``vendors.mistral``) and ``replace`` its
    whole collection; ``new`` touches only the fields it gives, like any other table."""
    out = []
    for key, value in patch.items():
        path = f"{prefix}{key}"
        if key == NEW and prefix:
            continue
        if key in (REMOVE, REPLACE) and prefix:
            out.append(prefix[:-1])
        elif isinstance(value, Mapping) and value:
            out.extend(leaf_paths(value, path + "."))
        else:
            out.append(path)
    return list(dict.fromkeys(out))


def flatten(patch: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """A nested patch as dotted leaves: ``{"vendors": {"meta": {"policy": "open"}}}`` gives
    ``{"vendors.meta.policy": "open"}``; :func:`expand` turns it back."""
    out: dict[str, Any] = {}
    for key, value in patch.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            out.update(flatten(value, path + "."))
        else:
            out[path] = value
    return out


def overlap(a: str, b: str) -> bool:
    """The two dotted paths are the same or one lies inside the other."""
    return a == b or a.startswith(b + ".") or b.startswith(a + ".")


def read_toml(path: str | Path, what: str) -> dict[str, Any]:
    """A TOML file's tables, with ``name`` defaulting to the file's stem; a missing or
    malformed file is a ScenarioError naming ``what`` it should have been."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ScenarioError(f"{what} file not found: {path}") from None
    except IsADirectoryError:
        raise ScenarioError(f"{what} file {path} is a directory, not a TOML file") from None
    except UnicodeDecodeError:
        raise ScenarioError(f"{path}: not a text (UTF-8) file, so not TOML") from None
    except OSError as exc:
        raise ScenarioError(f"{what} file {path} cannot be read: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{path}: not valid TOML ({exc})") from None
    data.setdefault("name", path.stem)
    return data


def parse_value(text: str) -> Any:
    """Parse a command-line value as TOML (numbers, booleans, lists); else a bare string."""
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def parse_assignments(pairs: list[str], option: str = "--set") -> dict[str, str]:
    """``PATH=VALUE`` pairs from the command line as dotted overrides. Values stay text:
    whoever applies them parses them once (:func:`parse_value`)."""
    out = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ScenarioError(f"{option} expects PATH=VALUE, got {pair!r}")
        out[key.strip()] = value.strip()
    return out


def iter_fields(cls: type, prefix: str = "") -> Iterator[tuple[str, dataclasses.Field, Any]]:
    """Walk scalar fields of a record class: (dotted path, field, type)."""
    hints = _type_hints(cls)
    for f in dataclasses.fields(cls):
        tp = hints[f.name]
        path = f"{prefix}{f.name}"
        if dataclasses.is_dataclass(tp):
            yield from iter_fields(tp, path + ".")
        elif get_origin(tp) in (FrozenMap, Mapping, dict):
            yield from iter_fields(get_args(tp)[1], path + ".<name>.")
        else:
            yield path, f, tp
