"""An uncertainty: one market condition a sweep varies across its design, and the forms a
sweep may write it in (a range, a list of values, a table, or the name of a registered
uncertain parameter of :mod:`aimarket.simulation.uncertainties`)."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from aimarket.simulation.errors import ScenarioError
from aimarket.simulation.merging import parse_value
from aimarket.simulation.uncertainties import UNCERTAINTIES

MODES: tuple[str, ...] = ("set", "scale", "shift")


@dataclass(frozen=True)
class Uncertainty:
    """One market condition varied across the design.

    ``paths``: the dotted scenario parameters it sets (one or several, e.g. every
    segment's openness preference). ``mode``: ``set`` writes the value, ``scale``
    multiplies each path's base value by it, ``shift`` adds it. Give ``lo``/``hi`` for
    sampled designs, ``values`` for grid and zip designs (or as the choices of a
    categorical uncertainty in a sampled design).
    """

    name: str
    paths: tuple[str, ...] = ()
    lo: float | None = None
    hi: float | None = None
    values: tuple[Any, ...] = ()
    mode: str = "set"

    def __post_init__(self) -> None:
        paths = (self.paths,) if isinstance(self.paths, str) else tuple(self.paths)
        object.__setattr__(self, "paths", paths or (self.name,))
        object.__setattr__(self, "values", tuple(self.values))
        if self.mode not in MODES:
            raise ScenarioError(
                f"uncertainty '{self.name}': mode {self.mode!r} is unknown; "
                f"choose one of: {', '.join(MODES)}"
            )
        if (self.lo is None) != (self.hi is None):
            raise ScenarioError(f"uncertainty '{self.name}' needs both lo and hi")
        if self.lo is not None:
            for bound in (self.lo, self.hi):
                _bound(self.name, bound)
            if not self.lo < self.hi:
                raise ScenarioError(
                    f"uncertainty '{self.name}': empty range, lo = {self.lo} must be below "
                    f"hi = {self.hi}"
                )

    def from_unit(self, u: np.ndarray) -> list[Any]:
        """Map samples in [0, 1) to values: the range, or the choices."""
        if self.lo is not None:
            return list(self.lo + u * (self.hi - self.lo))
        k = np.minimum((u * len(self.values)).astype(int), len(self.values) - 1)
        return [self.values[i] for i in k]

    @classmethod
    def from_record(cls, record: Any) -> Uncertainty:
        """The uncertain parameter ``record`` varied over its whole range."""
        return cls(record.name, tuple(record.paths), float(record.lo), float(record.hi))

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "paths": list(self.paths),
            "lo": self.lo,
            "hi": self.hi,
            "values": list(self.values),
            "mode": self.mode,
        }


def _bound(name: str, bound: Any) -> float:
    """A range bound as a float; a ScenarioError unless it is a finite number (an integer
    beyond a float's range included, which ``float`` would not convert)."""
    finite = isinstance(bound, int | float) and not isinstance(bound, bool)
    try:
        finite = finite and math.isfinite(bound)
    except OverflowError:
        finite = False
    if not finite:
        shown = repr(bound) if len(repr(bound)) <= 40 else f"{repr(bound)[:20]}..."
        raise ScenarioError(f"uncertainty '{name}': range bound {shown} is not a finite number")
    return float(bound)


def parse(key: str, spec: Any, sampled: bool) -> Uncertainty:
    """The uncertainty ``key`` of a sweep's ``uncertainties`` table, written as an
    :class:`Uncertainty`, a table (paths/range/values/mode), a range ``(lo, hi)`` or a
    list of values (in a ``sampled`` design, a list of two numbers is a range)."""
    if isinstance(spec, Uncertainty):
        return spec if spec.name == key else dataclasses.replace(spec, name=key)
    if isinstance(spec, Mapping):
        spec = dict(spec)
        paths = spec.pop("paths", spec.pop("path", key))
        rng = spec.pop("range", None)
        lo, hi = rng if rng is not None else (spec.pop("lo", None), spec.pop("hi", None))
        values = spec.pop("values", spec.pop("choices", ()))
        mode = spec.pop("mode", "set")
        if spec:
            raise ScenarioError(f"uncertainty '{key}': unknown key(s) {', '.join(spec)}")
        return Uncertainty(key, paths, lo, hi, values, mode)
    if isinstance(spec, str):
        spec = parse_value(spec)
    is_pair = (
        isinstance(spec, list | tuple)
        and len(spec) == 2
        and all(isinstance(x, int | float) and not isinstance(x, bool) for x in spec)
    )
    if isinstance(spec, tuple) and is_pair:
        return Uncertainty(key, (key,), _bound(key, spec[0]), _bound(key, spec[1]))
    if isinstance(spec, list | tuple):
        if sampled and is_pair:
            return Uncertainty(key, (key,), _bound(key, spec[0]), _bound(key, spec[1]))
        if not spec:
            raise ScenarioError(f"uncertainty '{key}' has an empty list of values")
        return Uncertainty(key, (key,), values=tuple(spec))
    raise ScenarioError(
        f"uncertainty '{key}' = {spec!r}: give a range (lo, hi), a list of values, "
        "or a table with paths/range/values/mode"
    )


def listed(sweep_name: str, item: Any) -> Uncertainty:
    """An item of a sweep's list of uncertainties: an Uncertainty as given, or the record
    of a registered uncertain parameter by name
    (:mod:`aimarket.simulation.uncertainties`), varied over its range."""
    if isinstance(item, Uncertainty):
        return item
    if isinstance(item, str) and item in UNCERTAINTIES:
        return Uncertainty.from_record(UNCERTAINTIES[item])
    raise ScenarioError(f"sweep '{sweep_name}': uncertainty {UNCERTAINTIES.unknown(item)}")
