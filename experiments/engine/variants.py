"""Many variants of one scenario, built and hashed without walking the whole parameter tree
for each: what a sweep's plan does for every (design point, policy).

A variant is exactly ``base.with_overrides(overrides)`` (every value checked, the same
errors) and its digest is exactly ``seeds.digest(scenario.to_dict())``; done that way each
variant walks the whole tree three times (the base's plain data, building and checking the
merged data, the result's plain data), which made planning a 13,312-run Sobol study take
about half a minute. Here, for each policy (:class:`Variants` is one policy's), a
reference scenario is built the ordinary way once; then each variant

* merges its patch into the base's plain data, computed once (as ``with_overrides`` does);
* is built by ``Scenario.from_dict``, all its checks included, from that merged data with
  every table the patch left alone (the very object the reference's merged data holds
  there: merging copies only what a patch reaches) replaced by the reference's record
  built from it; ``from_dict`` takes a built record as it is, so only the records the patch
  reaches are built and checked again, with their parents' cross-field checks;
* gets its plain data from the reference's for every record it shares with it.

A record whose class is chosen by its data (a ``resolve`` hook: shocks by ``kind``) is
reused whole or built afresh, never patched inside. Any ScenarioError is raised again by
the ordinary ``with_overrides``, so its message is the same as ever.
"""

from __future__ import annotations

import dataclasses
import functools
import typing
from collections.abc import Mapping
from typing import Any

from aimarket.experiments.engine import seeds
from aimarket.simulation.errors import ScenarioError
from aimarket.simulation.merging import expand, merge, parse_value
from aimarket.simulation.params import to_dict
from aimarket.simulation.scenario import Scenario


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _patch(overrides: Mapping[str, Any]) -> dict[str, Any]:
    """The nested patch ``Scenario.with_overrides`` merges for ``overrides``."""
    return expand({k: parse_value(v) if isinstance(v, str) else v for k, v in overrides.items()})


def _fixed_class(tp: Any) -> bool:
    """A record type whose data always builds that very class (no ``resolve`` hook)."""
    return dataclasses.is_dataclass(tp) and getattr(tp, "resolve", None) is None


def _reuse(data: dict, ref_data: Mapping, ref: Any, cls: type) -> dict:
    """``data`` (a record of class ``cls``) with each table that is the very object at the
    same place of ``ref_data`` replaced by the record ``ref`` (built from ``ref_data``)
    holds there; tables the patch reached are walked into."""
    hints = _hints(cls)
    out = dict(data)
    for key, value in data.items():
        tp, old = hints.get(key), ref_data.get(key)
        if tp is None or not isinstance(value, Mapping) or not isinstance(old, Mapping):
            continue
        built = getattr(ref, key, None)
        if dataclasses.is_dataclass(tp) and isinstance(built, tp):
            out[key] = _reuse_one(value, old, built, tp)
        elif isinstance(built, Mapping) and dataclasses.is_dataclass(_item(tp)):
            item = _item(tp)
            out[key] = {
                name: _reuse_one(entry, old.get(name), built.get(name), item)
                if isinstance(built.get(name), item)
                else entry
                for name, entry in value.items()
            }
    return out


def _item(tp: Any) -> Any:
    args = typing.get_args(tp)
    return args[1] if len(args) == 2 else None


def _reuse_one(value: Any, old: Any, built: Any, tp: type) -> Any:
    if value is old:
        return built
    if _fixed_class(tp) and isinstance(value, Mapping) and isinstance(old, Mapping):
        return _reuse(value, old, built, tp)
    return value


_NONE = object()


def _plain(record: Any, ref: Any, ref_plain: Any) -> Any:
    """``to_dict(record)``, taking ``ref_plain`` (= ``to_dict(ref)``) for what ``record``
    shares with ``ref``. Records with extension fields (written flat) go to ``to_dict``."""
    if record is ref:
        return ref_plain
    if (
        dataclasses.is_dataclass(record)
        and type(record) is type(ref)
        and getattr(type(record), "extension_fields", None) is None
        and isinstance(ref_plain, dict)
    ):
        out = {}
        for f in dataclasses.fields(record):
            value = _plain(getattr(record, f.name), getattr(ref, f.name), ref_plain.get(f.name))
            if value is not None:
                out[f.name] = value
        return out
    if isinstance(record, Mapping) and isinstance(ref, Mapping) and isinstance(ref_plain, dict):
        return {k: _plain(v, ref.get(k, _NONE), ref_plain.get(k)) for k, v in record.items()}
    return to_dict(record)


class Variants:
    """Variants of ``base`` that all share the overrides ``common`` (a policy's); build
    each with :meth:`build` and hash it with :meth:`digest`."""

    def __init__(self, base: Scenario, base_data: dict, common: Mapping[str, Any]):
        self.base, self.base_data, self.common = base, base_data, dict(common)
        try:
            self.ref_data = merge(Scenario, base_data, _patch(self.common))
            self.ref = Scenario.from_dict(self.ref_data)
        except ScenarioError:  # every variant then takes the ordinary way, and its error
            self.ref = None
        self.ref_plain = self.ref.to_dict() if self.ref is not None else None

    def build(self, overrides: Mapping[str, Any]) -> Scenario:
        """``base.with_overrides({**overrides, **common})``, the same scenario or error."""
        items = {**overrides, **self.common}
        if self.ref is None:
            return self.base.with_overrides(items)
        try:
            data = merge(Scenario, self.base_data, _patch(items))
            return Scenario.from_dict(_reuse(data, self.ref_data, self.ref, Scenario))
        except ScenarioError as exc:
            self.base.with_overrides(items)  # raises, with the usual message
            raise exc  # pragma: no cover - the ordinary way found no fault

    def digest(self, scenario: Scenario) -> str:
        """``seeds.digest(scenario.to_dict())`` for a scenario from :meth:`build`."""
        if self.ref is None:
            return seeds.digest(scenario.to_dict())
        return seeds.digest(_plain(scenario, self.ref, self.ref_plain))
