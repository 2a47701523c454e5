"""Merging partial changes into parameter records: one rule for every input.

Scenario files, ``--set`` overrides, Python overrides and sweeps all change a scenario by
merging a *patch* into its plain data (:func:`merge`), then building the record again
(:func:`aimarket.simulation.params.from_dict`), which validates every value. Tables merge
key by key at every depth; a collection changes shape only when the patch says so
(``new``, ``remove``, ``replace``); names that exist nowhere are refused.
"""

from __future__ import annotations

import dataclasses
import difflib
import tomllib
from collections.abc import Mapping
from typing import Any, get_args

from aimarket.simulation.errors import ScenarioError
from aimarket.simulation.files import check_depth
from aimarket.simulation.params import (
    _is_collection,
    _type_hints,
    field_names,
    resolve,
    unknown_field,
)

#: Merge directives: keys that say how a table changes a collection rather than naming a
#: field. In an entry's table, ``new = true`` adds an entry the base does not have and
#: ``remove = true`` drops one it has; in a collection's own table, ``replace = true``
#: starts the collection empty, so it holds exactly the entries the patch lists.
NEW, REMOVE, REPLACE = "new", "remove", "replace"


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
    cls = resolve(cls, {**base, **patch}, path)
    hints = _type_hints(cls)
    names = field_names(cls)
    out = dict(base)
    for key, value in patch.items():
        where = f"{path}.{key}" if path else str(key)
        if key not in names:
            raise unknown_field(cls, key, where, names)
        tp = hints.get(key)
        if tp is not None and dataclasses.is_dataclass(tp):
            out[key] = merge(tp, base.get(key) or {}, value, where)
        elif tp is not None and _is_collection(tp):
            item = get_args(tp)[1] if get_args(tp) else None
            if dataclasses.is_dataclass(item):
                out[key] = _merge_collection(item, base.get(key) or {}, value, where)
            elif isinstance(value, Mapping):  # a table of plain values: key by key
                plain = dict(value)
                replace = _flag(f"{where}.{REPLACE}", plain.pop(REPLACE, False))
                out[key] = {**({} if replace else (base.get(key) or {})), **plain}
            else:
                raise ScenarioError(f"{where} must be a table keyed by name, got {value!r}")
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


def parse_value(text: str) -> Any:
    """Parse a command-line value as TOML (numbers, booleans, lists); else a bare string."""
    try:
        value = tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text
    except (RecursionError, ValueError):  # nested too deep, or an integer of 4300+ digits
        raise ScenarioError(
            f"value {text[:40]!r}... nests too deeply or has too many digits to read"
        ) from None
    check_depth(value, f"value {text[:40]!r}")
    return value


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
