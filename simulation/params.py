"""Typed, validated, frozen parameter records.

Every parameter of aimarket is a field of a frozen dataclass declared with :func:`par`,
which records its allowed range, unit and the source of its default. This module turns
plain nested dicts (from TOML, the command line or Python) into those records and back,
with errors that name the offending field:

* an unknown field names the field and suggests the closest valid one;
* a value out of range names the field, the value and the allowed range;
* a value outside a fixed set of choices (or a registry's names) lists the valid ones.

Collections of named things (vendors, clouds, segments, VCs, shocks) are
:class:`FrozenMap` values keyed by name, so a dotted path such as
``vendors.meta.policy`` reaches them. Two hooks let registries extend records:

* a record class with a ``resolve(data, path)`` classmethod picks the concrete record
  class from the data (a shock's ``kind`` picks its parameters);
* a record class with an ``extension_fields()`` classmethod takes further fields declared
  elsewhere (a vendor takes the options its release policies declare), kept in its
  ``options`` map and written back flat.

Merging partial changes into a record is :mod:`aimarket.simulation.merging`.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import math
import types
import typing
from collections.abc import Iterator, Mapping
from typing import Any, Literal, get_args, get_origin

from aimarket.simulation.errors import ScenarioError

__all__ = [
    "FrozenMap",
    "field_names",
    "from_dict",
    "iter_fields",
    "par",
    "resolve",
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
    choices: Any = None,
) -> Any:
    """Declare a parameter: default, closed range [lo, hi], unit, meaning and source;
    ``choices``: the allowed values of a string (a registry: its names)."""
    meta = {"lo": lo, "hi": hi, "unit": unit, "doc": doc, "source": source, "choices": choices}
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


#: Fields removed or re-unitised, by (record class name, field): what to use instead.
#: A scenario, sweep or ``--set`` that still names one is refused with that text.
RETIRED: dict[tuple[str, str], str] = {}


def retire(cls: type, field: str, replacement: str) -> None:
    """Declare ``cls.field`` retired; ``replacement`` says what replaces it."""
    RETIRED[(cls.__name__, field)] = replacement


def unknown_field(cls: type, key: Any, where: str, valid: list[str]) -> ScenarioError:
    """The error for field ``key`` of record ``cls`` (at path ``where``) that does not
    exist: what replaces it if it was retired, else the closest valid name."""
    if (cls.__name__, key) in RETIRED:
        return ScenarioError(
            f"'{where}' was retired: {RETIRED[(cls.__name__, key)]} (CHANGELOG.md)"
        )
    return ScenarioError(f"unknown field '{where}'{_suggest(str(key), valid)}")


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


def _is_collection(tp: Any) -> bool:
    return tp is FrozenMap or get_origin(tp) in (FrozenMap, Mapping, dict)


def _convert(path: str, tp: Any, value: Any, meta: Mapping[str, Any]) -> Any:
    """Convert ``value`` to type ``tp``, validating as we go."""
    if type(value).__module__ == "numpy" and hasattr(value, "item"):
        # a numpy scalar (np.int64(3)) is its plain Python value; numpy is not imported
        # here, so that the command line's --help stays light
        value = value.item()
    origin = get_origin(tp)
    if origin is Literal:
        choices = get_args(tp)
        if value not in choices:
            listed = ", ".join(repr(c) for c in choices)
            raise ScenarioError(f"{path} = {value!r} is not valid; choose one of: {listed}")
        return value
    if origin in (types.UnionType, typing.Union):
        args = [a for a in get_args(tp) if a is not type(None)]
        return None if value is None else _convert(path, args[0], value, meta)
    if dataclasses.is_dataclass(tp):
        if isinstance(value, tp):
            return value
        if not isinstance(value, Mapping):
            raise ScenarioError(f"{path} must be a table of fields, got {value!r}")
        return from_dict(resolve(tp, value, path), value, path)
    if _is_collection(tp):
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
    if tp is Any:
        return value
    scalar = _SCALARS.get(tp)
    if scalar is None:
        raise TypeError(f"unsupported parameter type {tp!r} at {path}")
    return scalar(path, value, meta)


def _bool(path: str, value: Any, meta: Mapping[str, Any]) -> bool:
    if not isinstance(value, bool):
        raise ScenarioError(f"{path} = {value!r} must be true or false")
    return value


def _int(path: str, value: Any, meta: Mapping[str, Any]) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ScenarioError(f"{path} = {value!r} must be an integer")
    if isinstance(value, float) and not value.is_integer():
        raise ScenarioError(f"{path} = {value!r} must be an integer")
    if not -(2**63) <= value < 2**63:
        raise ScenarioError(f"{path} = {_short(value)} is out of range: allowed 64-bit integers")
    _check_range(path, int(value), meta)
    return int(value)


def _float(path: str, value: Any, meta: Mapping[str, Any]) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ScenarioError(f"{path} = {value!r} must be a number")
    try:
        number = float(value)
    except OverflowError:  # an integer beyond a float's range (about 1.8e308)
        raise ScenarioError(f"{path} = {_short(value)} is beyond a float's range") from None
    _check_range(path, number, meta)
    return number


def _short(value: Any) -> str:
    text = repr(value) if not isinstance(value, int) or value.bit_length() < 4000 else "<huge>"
    return text if len(text) <= 40 else f"{text[:20]}...({len(text)} digits)"


def _str(path: str, value: Any, meta: Mapping[str, Any]) -> str:
    if not isinstance(value, str):
        raise ScenarioError(f"{path} = {value!r} must be a string")
    choices = meta.get("choices")
    if choices is not None and value not in choices:
        names = choices.names() if hasattr(choices, "names") else list(choices)
        raise ScenarioError(
            f"{path} = {value!r} is not valid; choose one of: {', '.join(map(repr, names))}"
        )
    return value


_SCALARS = {bool: _bool, int: _int, float: _float, str: _str}


def resolve(cls: type, data: Mapping[str, Any], path: str = "") -> type:
    """The concrete record class for ``data``: ``cls`` itself, or what its ``resolve``
    hook picks (a shock's parameters by its ``kind``)."""
    hook = getattr(cls, "resolve", None)
    return hook(data, path) if hook is not None else cls


def _extensions(cls: type) -> dict[str, tuple[Any, Mapping[str, Any]]]:
    hook = getattr(cls, "extension_fields", None)
    return hook() if hook is not None else {}


def field_names(cls: type) -> list[str]:
    """The names a record's table may use: its fields and its extension fields."""
    own = [f.name for f in dataclasses.fields(cls) if f.name != "options" or not _extensions(cls)]
    return own + [n for n in _extensions(cls) if n not in own]


def from_dict(cls: type, data: Mapping[str, Any], path: str = "") -> Any:
    """Build record ``cls`` from a nested mapping; missing fields keep their defaults."""
    hints = _type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    extensions = _extensions(cls)
    kwargs: dict[str, Any] = {}
    options: dict[str, Any] = {}
    for key, value in data.items():
        where = f"{path}.{key}" if path else str(key)
        if key in extensions and key not in fields:
            tp, meta = extensions[key]
            options[key] = _convert(where, tp, value, meta)
            continue
        if key not in fields or (key == "options" and extensions):
            raise unknown_field(cls, key, where, field_names(cls))
        kwargs[key] = _convert(where, hints[key], value, fields[key].metadata)
    if options:
        kwargs["options"] = FrozenMap(options)
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
    """Nested plain dicts and lists (TOML-ready; ``None`` fields are dropped; extension
    options are written flat, beside the record's own fields)."""
    if dataclasses.is_dataclass(record):
        out = {}
        flat = bool(_extensions(type(record)))
        for f in dataclasses.fields(record):
            value = to_dict(getattr(record, f.name))
            if flat and f.name == "options":
                out.update(value)
            elif value is not None:
                out[f.name] = value
        return out
    if isinstance(record, Mapping):
        return {k: to_dict(v) for k, v in record.items()}
    if isinstance(record, tuple | list):
        return [to_dict(v) for v in record]
    return record


def iter_fields(cls: type, prefix: str = "") -> Iterator[tuple[str, dataclasses.Field, Any]]:
    """Walk the scalar fields of a record class: (dotted path, field, type). A collection's
    entries appear as ``<name>``; open-ended maps (a vendor's policy options) are left out,
    their records being documented where they are declared."""
    hints = _type_hints(cls)
    for f in dataclasses.fields(cls):
        tp = hints[f.name]
        path = f"{prefix}{f.name}"
        if dataclasses.is_dataclass(tp):
            yield from iter_fields(tp, path + ".")
        elif _is_collection(tp):
            item = get_args(tp)[1] if get_args(tp) else Any
            if dataclasses.is_dataclass(item):
                yield from iter_fields(item, path + ".<name>.")
        else:
            yield path, f, tp
