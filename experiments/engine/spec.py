"""The sweep declaration: what to run, validated as a whole before anything runs.

EMA-Workbench vocabulary: *policies* (levers) are what a decision maker chooses, e.g. the
platform vendor's release policy; *uncertainties* are market conditions varied over a
design; *outcomes* are what each run reports. Policies and design points combine
factorially; each (point, replicate) pair has its own seed, shared by all policies.

>>> sweep = Sweep(
...     name="demo",
...     policies={"closed": {"vendors.meta.policy": "closed"},
...               "open": {"vendors.meta.policy": "open"}},
...     uncertainties={"innovation.community_quality": (0.0, 0.05)},
...     design="lhs", n=8, replicates=2, steps=24,
... )
>>> plan = sweep.plan()          # raises ScenarioError naming any problem
>>> len(plan)                    # 8 points x 2 replicates x 2 policies
32

A sweep can also be read from TOML (:meth:`Sweep.from_toml`); see
``experiments/examples/`` for a worked file.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from aimarket.experiments.engine import designs, seeds
from aimarket.experiments.engine.outcomes import (
    DEFAULT,
    OUTCOMES,
    RESERVED,
    check_outcome_name,
    function_ref,
    load_script,
)
from aimarket.simulation.errors import ScenarioError
from aimarket.simulation.files import read_toml
from aimarket.simulation.mechanics.calendar import MAX_STEPS
from aimarket.simulation.merging import expand, flatten, leaf_paths, overlap, parse_value
from aimarket.simulation.scenario import Scenario
from aimarket.simulation.scenarios import load_scenario
from aimarket.simulation.uncertainties import UNCERTAINTIES

MODES: tuple[str, ...] = ("set", "scale", "shift")
#: Upper limits of a sweep's size: design points of a sampled design, replicates a point.
MAX_POINTS = 2**20
MAX_REPLICATES = 100_000
SERIES: tuple[str, ...] = ("market", "vendors")
QUICK_KEYS: tuple[str, ...] = ("n", "replicates", "steps", "overrides", "design", "seed")


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
                if not isinstance(bound, int | float) or not math.isfinite(bound):
                    raise ScenarioError(
                        f"uncertainty '{self.name}': range bound {bound!r} is not a finite number"
                    )
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


@dataclass(frozen=True)
class Sweep:
    """A sweep: base scenario x policies x design points x replicates.

    ``design`` is a kind (``grid``, ``zip``, ``lhs``, ``sobol``) or a DataFrame of
    points (columns: uncertainty names or dotted paths). ``outcomes`` are names from
    :data:`aimarket.experiments.engine.outcomes.OUTCOMES` and/or top-level functions of a
    :class:`~aimarket.experiments.engine.outcomes.RunView`. ``series`` says which time series
    to keep.
    ``table`` lists the outcomes of the printed policy comparison and ``reference`` the
    policy that differences are taken against. ``quick`` holds replacements for
    ``--quick`` (keys: n, replicates, steps, overrides, design, seed).
    """

    name: str = "sweep"
    base: str | Scenario = "baseline"
    overrides: Mapping[str, Any] = field(default_factory=dict)
    policies: Mapping[str, Any] | None = None
    uncertainties: Mapping[str, Any] | Sequence[Uncertainty] = field(default_factory=dict)
    design: str | pd.DataFrame = "grid"
    n: int | None = None
    replicates: int = 1
    steps: int | None = None
    seed: int = 0
    outcomes: Sequence[str | Callable] = DEFAULT
    series: Sequence[str] = SERIES
    table: Sequence[str] | None = None
    reference: str | None = None
    quick: Mapping[str, Any] | None = None
    description: str = ""

    # -- variants --------------------------------------------------------------------------
    def variant(
        self,
        *,
        quick: bool = False,
        replicates: int | None = None,
        steps: int | None = None,
        seed: int | None = None,
    ) -> Sweep:
        """This sweep in quick mode and/or with replicates, steps or seed replaced."""
        sweep = self
        if quick and self.quick:
            unknown = sorted(set(self.quick) - set(QUICK_KEYS))
            if unknown:
                raise ScenarioError(
                    f"sweep '{self.name}': quick has unknown key(s) {', '.join(unknown)}; "
                    f"allowed: {', '.join(QUICK_KEYS)}"
                )
            changes = {k: v for k, v in self.quick.items() if k != "overrides"}
            if "overrides" in self.quick:
                changes["overrides"] = {**self.overrides, **self.quick["overrides"]}
            sweep = dataclasses.replace(sweep, **changes)
        changes = {"replicates": replicates, "steps": steps, "seed": seed}
        return dataclasses.replace(sweep, **{k: v for k, v in changes.items() if v is not None})

    # -- validation and planning -----------------------------------------------------------
    def plan(self) -> Plan:
        """Validate everything and lay out every run; raises ScenarioError on a bad spec."""
        return Plan.build(self)

    # -- TOML ------------------------------------------------------------------------------
    @classmethod
    def from_toml(cls, path: str | Path) -> Sweep:
        return cls.from_dict(read_toml(path, "sweep"), root=Path(path).parent)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], root: Path | None = None) -> Sweep:
        """A sweep from plain data (a parsed TOML file); paths are relative to ``root``."""
        data = dict(data)
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = [k for k in data if k not in known]
        if unknown:
            hint = difflib.get_close_matches(unknown[0], known, n=1)
            extra = f"; did you mean '{hint[0]}'?" if hint else ""
            raise ScenarioError(f"sweep: unknown field '{unknown[0]}'{extra}")
        design = data.get("design", "grid")
        if isinstance(design, Mapping):
            design = dict(design)
            kind = design.pop("kind", "grid")
            if "n" in design:
                data["n"] = design.pop("n")
            if kind == "points":
                file = design.pop("file", None)
                if file is None:
                    raise ScenarioError("design kind 'points' in TOML needs file = 'points.csv'")
                full = Path(file) if root is None else root / file
                data["design"] = designs.read_points(str(full))
            else:
                data["design"] = kind
            if design:
                raise ScenarioError(f"design: unknown key(s) {', '.join(design)}")
        base = data.get("base")
        if isinstance(base, str) and base.endswith(".toml") and root is not None:
            data["base"] = str(root / base)
        return cls(**data)


def _lookup(data: Mapping[str, Any], path: str) -> Any:
    node: Any = data
    for part in path.split("."):
        if not isinstance(node, Mapping) or part not in node:
            raise KeyError(path)
        node = node[part]
    return node


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    return value


def _parse_uncertainty(key: str, spec: Any, sampled: bool) -> Uncertainty:
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
        return Uncertainty(key, (key,), float(spec[0]), float(spec[1]))
    if isinstance(spec, list | tuple):
        if sampled and is_pair:
            return Uncertainty(key, (key,), float(spec[0]), float(spec[1]))
        if not spec:
            raise ScenarioError(f"uncertainty '{key}' has an empty list of values")
        return Uncertainty(key, (key,), values=tuple(spec))
    raise ScenarioError(
        f"uncertainty '{key}' = {spec!r}: give a range (lo, hi), a list of values, "
        "or a table with paths/range/values/mode"
    )


def _parse_policies(policies: Any) -> dict[str, dict[str, Any]]:
    """Policies as name -> flat dotted overrides. Two forms: named tables
    (``{"open": {"vendors.meta.policy": "open"}}``, keys dotted or nested) or levers, each
    a path with a list of values (``{"vendors.meta.policy": ["open", "closed"]}``),
    combined factorially."""
    if policies is None:
        return {"base": {}}
    if not isinstance(policies, Mapping):
        raise ScenarioError(
            f"policies = {policies!r} must be a table: name -> {{path = value}} overrides, "
            "or path -> [values] levers"
        )
    if not policies:
        return {"base": {}}
    leaves = flatten(policies)
    if all(isinstance(v, list | tuple) for v in leaves.values()):  # levers
        combos: list[dict[str, Any]] = [{}]
        for path, values in leaves.items():
            if not values:
                raise ScenarioError(f"lever '{path}' has an empty list of values")
            combos = [{**c, path: v} for c in combos for v in values]
        return {",".join(f"{k.rsplit('.', 1)[-1]}={v}" for k, v in c.items()): c for c in combos}
    out = {}
    for name, overrides in policies.items():
        if isinstance(overrides, list | tuple):
            raise ScenarioError(
                "policies: give either name -> {path: value} tables or path -> [values] "
                "levers, not both"
            )
        if not isinstance(overrides, Mapping):
            raise ScenarioError(
                f"policy '{name}' must be a table of parameter overrides, got {overrides!r}"
            )
        _check_name(str(name), "policy")
        out[str(name)] = flatten(overrides)
    return out


NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.=,+-]*$")


def _check_name(name: Any, what: str) -> None:
    """Names become folder names and table labels: letters, digits and ``_.=,+-``; no path
    separators and no ``..``."""
    if not isinstance(name, str) or not NAME.match(name) or ".." in name or len(name) > 120:
        raise ScenarioError(
            f"{what} name {name!r} is not allowed: use letters, digits and _ . - = , + "
            "(starting with a letter or digit, at most 120 characters, no '..' or '/')"
        )


def _check_overlaps(sweep_name: str, touched: dict[str, list[tuple[str, str]]]) -> None:
    """Refuse two of --set/overrides, levers and uncertainties that touch the same
    parameter path, or one inside the other. ``touched``: class -> [(who, path)]."""
    classes = list(touched)
    for i, first in enumerate(classes):
        for second in classes[i + 1 :]:
            for who_a, a in touched[first]:
                for who_b, b in touched[second]:
                    if overlap(a, b):
                        raise ScenarioError(
                            f"sweep '{sweep_name}': {who_a} sets '{a}' and {who_b} sets '{b}'; "
                            "one would silently overwrite the other: set each path in one "
                            "place only"
                        )


def _prefix_error(prefix: str, exc: ScenarioError) -> ScenarioError:
    return ScenarioError(f"{prefix}: {exc}")


def _check_fields(sweep: Sweep) -> None:
    """Types and ranges of the sweep's own fields (not the scenario's)."""
    _check_name(sweep.name, "sweep")
    name = sweep.name
    for field_name, low, high in (
        ("replicates", 1, MAX_REPLICATES),
        ("seed", 0, 2**63 - 1),
        ("n", 1, MAX_POINTS),
    ):
        value = getattr(sweep, field_name)
        if field_name == "n" and value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int | np.integer):
            raise ScenarioError(f"sweep '{name}': {field_name} = {value!r} must be an integer")
        if not low <= value <= high:
            raise ScenarioError(
                f"sweep '{name}': {field_name} = {value!r} is out of range: allowed [{low}, {high}]"
            )
    if not isinstance(sweep.overrides, Mapping):
        raise ScenarioError(
            f"sweep '{name}': overrides = {sweep.overrides!r} must be a table of path = value"
        )
    for field_name in ("outcomes", "series", "table"):
        value = getattr(sweep, field_name)
        if field_name == "table" and value is None:
            continue
        if isinstance(value, str | bytes) or not isinstance(value, Sequence):
            raise ScenarioError(f"sweep '{name}': {field_name} = {value!r} must be a list")
        if field_name != "outcomes" and not all(isinstance(v, str) for v in value):
            raise ScenarioError(f"sweep '{name}': {field_name} = {value!r} must list names")
    for field_name in ("description", "reference"):
        value = getattr(sweep, field_name)
        if value is not None and not isinstance(value, str):
            raise ScenarioError(f"sweep '{name}': {field_name} = {value!r} must be a string")
    if sweep.quick is not None and not isinstance(sweep.quick, Mapping):
        raise ScenarioError(f"sweep '{name}': quick = {sweep.quick!r} must be a table")


def _base_scenario(sweep: Sweep) -> Scenario:
    """The base scenario with the sweep's fixed overrides merged in."""
    try:
        if isinstance(sweep.base, Scenario):
            return sweep.base.with_overrides(dict(sweep.overrides))
        if not isinstance(sweep.base, str | Path):
            raise ScenarioError(f"base = {sweep.base!r} must be a scenario name or a .toml path")
        return load_scenario(sweep.base, dict(sweep.overrides) or None)
    except ScenarioError as exc:
        raise _prefix_error(f"sweep '{sweep.name}' base scenario/overrides", exc) from None


def _outcomes(sweep: Sweep, parameters: list[str]) -> tuple[list[str], list[dict[str, str]]]:
    """Built-in outcome names and references to user outcome functions, checked."""
    name = sweep.name
    outcome_names, outcome_refs = [], []
    for o in sweep.outcomes:
        if isinstance(o, str):
            if o not in OUTCOMES:
                close = difflib.get_close_matches(o, OUTCOMES.names(), n=1)
                hint = f"; did you mean '{close[0]}'?" if close else ""
                raise ScenarioError(
                    f"sweep '{name}': unknown outcome '{o}'{hint} "
                    f"(built-in: {', '.join(OUTCOMES.names())})"
                )
            outcome_names.append(o)
        else:
            outcome_refs.append(function_ref(o))
    if not outcome_names and not outcome_refs:
        raise ScenarioError(f"sweep '{name}': no outcomes to keep")
    for ref in outcome_refs:
        check_outcome_name(ref["name"], parameters, f"sweep '{name}': outcome function")
    bad = [s for s in sweep.series if s not in SERIES]
    if bad:
        raise ScenarioError(
            f"sweep '{name}': unknown series {bad[0]!r}; choose from {', '.join(SERIES)}"
        )
    return outcome_names, outcome_refs


def _listed_uncertainty(sweep_name: str, item: Any) -> Uncertainty:
    """An Uncertainty as given, or the record of a registered uncertain parameter by name
    (:mod:`aimarket.simulation.uncertainties`), varied over its range."""
    if isinstance(item, Uncertainty):
        return item
    if isinstance(item, str) and item in UNCERTAINTIES:
        return Uncertainty.from_record(UNCERTAINTIES[item])
    raise ScenarioError(f"sweep '{sweep_name}': uncertainty {UNCERTAINTIES.unknown(item)}")


def _uncertainties(sweep: Sweep, kind: str) -> list[Uncertainty]:
    name = sweep.name
    raw = sweep.uncertainties
    if isinstance(raw, Mapping):
        uncertainties = [_parse_uncertainty(k, v, kind in designs.SAMPLED) for k, v in raw.items()]
    elif isinstance(raw, Sequence) and not isinstance(raw, str):
        uncertainties = [_listed_uncertainty(name, u) for u in raw]
    else:
        raise ScenarioError(
            f"sweep '{name}': uncertainties must be a table, or a list of Uncertainty or of "
            f"names of uncertain parameters ({', '.join(UNCERTAINTIES.names())})"
        )
    if kind == "points":
        named = {u.name for u in uncertainties}
        extra = [c for c in getattr(sweep.design, "columns", []) if c not in named]
        uncertainties = uncertainties + [Uncertainty(str(c), (str(c),)) for c in extra]
    names = [u.name for u in uncertainties]
    if len(set(names)) != len(names):
        raise ScenarioError(f"sweep '{name}': duplicate uncertainty names in {names}")
    for u in uncertainties:
        if u.name in RESERVED:
            raise ScenarioError(
                f"sweep '{name}': uncertainty name '{u.name}' is reserved for the runs "
                f"table's bookkeeping ({', '.join(RESERVED)}); choose another"
            )
    paths: dict[str, str] = {}
    for u in uncertainties:
        for p in u.paths:
            clash = next((q for q in paths if overlap(p, q)), None)
            if clash is not None:
                raise ScenarioError(
                    f"sweep '{name}': uncertainty '{paths[clash]}' sets '{clash}' and "
                    f"uncertainty '{u.name}' sets '{p}'; set each path in one place only"
                )
            paths[p] = u.name
    return uncertainties


def _scenario_hashes(name, base, points, point_overrides, policies) -> dict[tuple[int, str], str]:
    """Every (point, policy) scenario, validated by the engine, by its digest."""
    hashes = {}
    for i, (row, over) in enumerate(zip(points.to_dict("records"), point_overrides, strict=True)):
        for pname, pol in policies.items():
            try:
                scenario = base.with_overrides({**over, **pol})
            except ScenarioError as exc:
                shown = ", ".join(f"{k}={_plain(v)!r}" for k, v in row.items())
                raise _prefix_error(
                    f"sweep '{name}': design point {i} ({shown}), policy '{pname}'", exc
                ) from None
            hashes[(i, pname)] = seeds.digest(scenario.to_dict())
    return hashes


@dataclass
class Plan:
    """A validated sweep, laid out: the design points, the policies and every run."""

    sweep: Sweep
    base: dict[str, Any]
    steps: int
    uncertainties: list[Uncertainty]
    points: pd.DataFrame
    policies: dict[str, dict[str, Any]]
    point_overrides: list[dict[str, Any]]
    scenario_hashes: dict[tuple[int, str], str]
    outcome_names: list[str]
    outcome_refs: list[dict[str, str]]
    spec: dict[str, Any]
    spec_hash: str
    _records: list[dict[str, Any]] | None = None

    # -- building --------------------------------------------------------------------------
    @classmethod
    def build(cls, sweep: Sweep) -> Plan:
        """Check the whole sweep and lay out its runs; a ScenarioError names any problem."""
        name = sweep.name
        _check_fields(sweep)
        base = _base_scenario(sweep)
        steps = base.steps if sweep.steps is None else sweep.steps
        if isinstance(steps, bool) or not isinstance(steps, int | np.integer):
            raise ScenarioError(f"sweep '{name}': steps = {steps!r} must be an integer")
        if not 1 <= steps <= MAX_STEPS:
            raise ScenarioError(
                f"sweep '{name}': steps = {steps!r} is out of range: allowed [1, {MAX_STEPS}]"
            )
        base_dict = base.to_dict()
        kind = "points" if isinstance(sweep.design, pd.DataFrame) else sweep.design
        if not isinstance(kind, str) or kind not in designs.KINDS:
            raise ScenarioError(
                f"sweep '{name}': design {kind!r} is unknown; "
                f"choose one of: {', '.join(designs.KINDS)}"
            )
        uncertainties = _uncertainties(sweep, kind)
        outcome_names, outcome_refs = _outcomes(sweep, [u.name for u in uncertainties])
        for u in uncertainties:
            for path in u.paths:
                cls._check_path(base, base_dict, path, f"uncertainty '{u.name}'")
        policies = _parse_policies(sweep.policies)
        _check_overlaps(
            name,
            {
                "overrides": [
                    ("the sweep's overrides (--set)", path)
                    for path in leaf_paths(expand(dict(sweep.overrides)))
                ],
                "levers": [
                    (f"policy '{pname}'", path)
                    for pname, over in policies.items()
                    for path in leaf_paths(expand(over))
                ],
                "uncertainties": [
                    (f"uncertainty '{u.name}'", path) for u in uncertainties for path in u.paths
                ],
            },
        )
        for pname, over in policies.items():
            try:
                base.with_overrides(over)
            except ScenarioError as exc:
                raise _prefix_error(f"sweep '{name}': policy '{pname}'", exc) from None
        if sweep.reference is not None and sweep.reference not in policies:
            raise ScenarioError(
                f"sweep '{name}': reference policy '{sweep.reference}' is not one of: "
                f"{', '.join(policies)}"
            )
        points = designs.build(
            kind,
            uncertainties,
            n=sweep.n,
            points=sweep.design if kind == "points" else None,
            seed=int(sweep.seed),
        )
        if len(points) == 0:
            raise ScenarioError(f"sweep '{name}': design '{kind}' is empty: it has no points")
        point_overrides = [
            cls._point_overrides(uncertainties, row, base_dict) for row in points.to_dict("records")
        ]
        hashes = _scenario_hashes(name, base, points, point_overrides, policies)
        known_outcomes = set(outcome_names) | {r["name"] for r in outcome_refs}
        for t in list(sweep.table) if sweep.table is not None else []:
            if t not in OUTCOMES and t not in known_outcomes:
                raise ScenarioError(f"sweep '{name}': table outcome '{t}' is not an outcome")
        spec = {
            "name": name,
            "description": sweep.description,
            "base": base_dict,
            "steps": int(steps),
            "policies": policies,
            "uncertainties": [u.to_dict() for u in uncertainties],
            "design": kind,
            "n": sweep.n,
            "points": [{k: _plain(v) for k, v in r.items()} for r in points.to_dict("records")],
            "replicates": int(sweep.replicates),
            "seed": int(sweep.seed),
            "outcomes": outcome_names,
            "outcome_functions": outcome_refs,
            "series": list(sweep.series),
        }
        spec_json = seeds.canonical(spec)  # also checks the spec is plain data
        return cls(
            sweep=sweep,
            base=base_dict,
            steps=int(steps),
            uncertainties=uncertainties,
            points=points,
            policies=policies,
            point_overrides=point_overrides,
            scenario_hashes=hashes,
            outcome_names=outcome_names,
            outcome_refs=outcome_refs,
            spec=spec,
            spec_hash=seeds.digest(spec_json),
        )

    @staticmethod
    def _check_path(base: Scenario, base_dict: dict, path: str, who: str) -> None:
        try:
            value = _lookup(base_dict, path)
        except KeyError:
            try:
                base.with_overrides({path: 0})
            except ScenarioError as exc:
                raise ScenarioError(f"{who}: {exc}") from None
            raise ScenarioError(f"{who}: unknown parameter path '{path}'") from None
        if isinstance(value, Mapping):
            raise ScenarioError(f"{who}: '{path}' is a table, not a parameter")

    @staticmethod
    def _point_overrides(
        uncertainties: list[Uncertainty], row: Mapping[str, Any], base_dict: dict
    ) -> dict[str, Any]:
        over: dict[str, Any] = {}
        for u in uncertainties:
            x = _plain(row[u.name])
            for p in u.paths:
                current = _lookup(base_dict, p)
                if u.mode == "scale":
                    value = current * x
                elif u.mode == "shift":
                    value = current + x
                else:
                    value = x
                if isinstance(current, bool):
                    value = bool(value)
                elif isinstance(current, int) and isinstance(value, float):
                    value = round(value)
                elif isinstance(current, float) and isinstance(value, int):
                    value = float(value)
                over[p] = _plain(value)
        return over

    # -- runs ------------------------------------------------------------------------------
    @property
    def policy_names(self) -> list[str]:
        return list(self.policies)

    def __len__(self) -> int:
        return len(self.points) * self.sweep.replicates * len(self.policies)

    def runs(self) -> Iterator[dict[str, Any]]:
        """Every run's identity, in a fixed order: point, replicate, policy."""
        root = int(self.sweep.seed)
        for i in range(len(self.points)):
            for r in range(self.sweep.replicates):
                seq = seeds.run_seed(root, i, r)
                for pname in self.policies:
                    yield {
                        "run_id": seeds.run_id(self.scenario_hashes[(i, pname)], self.steps, seq),
                        "policy": pname,
                        "point": i,
                        "replicate": r,
                        "seed": seeds.seed_label(seq),
                    }

    def task(self, run: Mapping[str, Any]) -> dict[str, Any]:
        """Everything a worker needs to execute one run (small, picklable, plain data)."""
        i = run["point"]
        return {
            **run,
            "root_seed": int(self.sweep.seed),
            "base": self.base,
            "overrides": {**self.point_overrides[i], **self.policies[run["policy"]]},
            "steps": self.steps,
            "outcomes": self.outcome_names,
            "outcome_functions": self.outcome_refs,
            "series": list(self.sweep.series),
            "params": self.parameters(i),
        }

    def parameters(self, point: int) -> dict[str, Any]:
        """The uncertainty values of design point ``point``, by uncertainty name."""
        if self._records is None:
            self._records = [
                {k: _plain(v) for k, v in r.items()} for r in self.points.to_dict("records")
            ]
        return self._records[point]

    def table(self) -> pd.DataFrame:
        """One row per planned run: ids, policy, point, replicate, seed, parameters."""
        rows = [{**r, **self.parameters(r["point"])} for r in self.runs()]
        return pd.DataFrame(rows)


def load_spec(path: str | Path) -> Sweep:
    """A sweep from a ``.toml`` file or a ``.py`` experiment script (``sweep = Sweep(...)``)."""
    path = Path(path)
    if not path.is_file():
        raise ScenarioError(f"sweep spec not found: {path}")
    if path.suffix == ".toml":
        return Sweep.from_toml(path)
    if path.suffix != ".py":
        raise ScenarioError(f"sweep spec must be a .py experiment script or a .toml file: {path}")
    module = load_script(path)
    for attr in ("sweep", "SWEEP"):
        sweep = getattr(module, attr, None)
        if isinstance(sweep, Sweep):
            return sweep
    raise ScenarioError(f"{path} defines no module-level `sweep = Sweep(...)` (or SWEEP)")
