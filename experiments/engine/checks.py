"""The checks of a sweep, made as a whole before anything runs (:meth:`Plan.build
<aimarket.experiments.engine.plan.Plan.build>`): the sweep's own fields, its base
scenario, policies, uncertainties and outcomes, and the limits of its size. Each refuses
with a ScenarioError naming the sweep, the field, the value and what is allowed."""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from aimarket.experiments.engine import designs, levels, uncertainty
from aimarket.experiments.engine.outcomes import (
    OUTCOMES,
    RESERVED,
    check_outcome_name,
    function_ref,
)
from aimarket.experiments.engine.uncertainty import Uncertainty
from aimarket.simulation import posterior
from aimarket.simulation.errors import ScenarioError
from aimarket.simulation.mechanics.calendar import MAX_STEPS
from aimarket.simulation.merging import expand, flatten, leaf_paths, overlap
from aimarket.simulation.scenario import Scenario
from aimarket.simulation.scenarios import load_scenario
from aimarket.simulation.uncertainties import UNCERTAINTIES

if TYPE_CHECKING:
    from aimarket.experiments.engine.spec import Sweep

#: Upper limits of a sweep's size: design points of a sampled design, replicates a point.
MAX_POINTS = 2**20
MAX_REPLICATES = 100_000
#: Upper limits of a whole sweep, checked from its arithmetic before anything is built:
#: design points (any design), policies, and runs (points x replicates x policies; the
#: plan of a million runs takes about 1 GB of memory).
MAX_DESIGN_POINTS = designs.MAX_SALIB_POINTS
MAX_POLICIES = 10_000
MAX_RUNS = 1_000_000
SERIES: tuple[str, ...] = ("market", "vendors")


def lookup(data: Mapping[str, Any], path: str) -> Any:
    node: Any = data
    for part in path.split("."):
        if not isinstance(node, Mapping) or part not in node:
            raise KeyError(path)
        node = node[part]
    return node


def parse_policies(policies: Any) -> dict[str, dict[str, Any]]:
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
        count = int(np.prod([max(len(v), 1) for v in leaves.values()], dtype=object))
        if count > MAX_POLICIES:
            raise ScenarioError(f"levers make {count:,} policies; allowed at most {MAX_POLICIES:,}")
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
        check_name(str(name), "policy")
        out[str(name)] = flatten(overrides)
    return out


NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.=,+-]*$")


def check_name(name: Any, what: str) -> None:
    """Names become folder names and table labels: letters, digits and ``_.=,+-``; no path
    separators and no ``..``."""
    if not isinstance(name, str) or not NAME.match(name) or ".." in name or len(name) > 120:
        raise ScenarioError(
            f"{what} name {name!r} is not allowed: use letters, digits and _ . - = , + "
            "(starting with a letter or digit, at most 120 characters, no '..' or '/')"
        )


def check_overlaps(sweep_name: str, touched: dict[str, list[tuple[str, str]]]) -> None:
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


def prefix_error(prefix: str, exc: ScenarioError) -> ScenarioError:
    return ScenarioError(f"{prefix}: {exc}")


def check_fields(sweep: Sweep) -> None:
    """Types and ranges of the sweep's own fields (not the scenario's)."""
    check_name(sweep.name, "sweep")
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


def base_scenario(sweep: Sweep) -> Scenario:
    """The base scenario with the sweep's fixed overrides merged in."""
    try:
        if isinstance(sweep.base, Scenario):
            return sweep.base.with_overrides(dict(sweep.overrides))
        if not isinstance(sweep.base, str | Path):
            raise ScenarioError(f"base = {sweep.base!r} must be a scenario name or a .toml path")
        return load_scenario(sweep.base, dict(sweep.overrides) or None)
    except ScenarioError as exc:
        raise prefix_error(f"sweep '{sweep.name}' base scenario/overrides", exc) from None


def outcomes(sweep: Sweep, parameters: list[str]) -> tuple[list[str], list[dict[str, str]]]:
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


def uncertainties(sweep: Sweep, kind: str) -> list[Uncertainty]:
    name = sweep.name
    raw = sweep.uncertainties
    if isinstance(raw, Mapping):
        uncertainties = [uncertainty.parse(k, v, kind in designs.SAMPLED) for k, v in raw.items()]
    elif isinstance(raw, Sequence) and not isinstance(raw, str):
        uncertainties = [uncertainty.listed(name, u) for u in raw]
    else:
        raise ScenarioError(
            f"sweep '{name}': uncertainties must be a table, or a list of Uncertainty or of "
            f"names of uncertain parameters ({', '.join(UNCERTAINTIES.names())})"
        )
    if kind == "posterior":
        if uncertainties:
            raise ScenarioError(
                f"sweep '{name}': design 'posterior' sets the calibrated parameters "
                "itself; it takes no uncertainties"
            )
        uncertainties = [uncertainty.listed(name, c) for c in posterior.table().columns]
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


def check_size(sweep: Sweep, kind: str, uncertainties: list[Uncertainty], policies: int) -> None:
    """Refuse a sweep whose design or runs exceed :data:`MAX_DESIGN_POINTS` or
    :data:`MAX_RUNS`, from the arithmetic of its spec, before anything is built."""
    points = designs.size(kind, uncertainties, sweep.n, sweep.design)
    what = f"sweep '{sweep.name}': design '{kind}' has {points:,} points"
    if points > MAX_DESIGN_POINTS:
        raise ScenarioError(f"{what}; allowed at most {MAX_DESIGN_POINTS:,}")
    runs = points * int(sweep.replicates) * policies
    if runs > MAX_RUNS:
        raise ScenarioError(
            f"{what} x {sweep.replicates:,} replicates x {policies:,} policies = {runs:,} "
            f"runs; allowed at most {MAX_RUNS:,} (split the sweep, or use fewer replicates)"
        )


def check_steps(sweep: Sweep, base: Scenario) -> int:
    """The run length: the sweep's ``steps``, else the base scenario's; checked."""
    name = sweep.name
    steps = base.steps if sweep.steps is None else sweep.steps
    if isinstance(steps, bool) or not isinstance(steps, int | np.integer):
        raise ScenarioError(f"sweep '{name}': steps = {steps!r} must be an integer")
    if not 1 <= steps <= MAX_STEPS:
        raise ScenarioError(
            f"sweep '{name}': steps = {steps!r} is out of range: allowed [1, {MAX_STEPS}]"
        )
    return int(steps)


def design_kind(sweep: Sweep) -> str:
    """The design's kind (``points`` for a DataFrame of points); checked."""
    kind = "points" if isinstance(sweep.design, pd.DataFrame) else sweep.design
    if not isinstance(kind, str) or kind not in designs.KINDS:
        raise ScenarioError(
            f"sweep '{sweep.name}': design {kind!r} is unknown; "
            f"choose one of: {', '.join(designs.KINDS)}"
        )
    return kind


def check_path(base: Scenario, base_dict: dict, path: str, who: str) -> Any:
    """The base value of parameter ``path``; a ScenarioError if it is not a parameter of
    the base scenario. A parameter the base leaves unset (a policy's option, say) gives
    the value it takes when set to 0, so its type is known, as a
    :class:`~aimarket.experiments.engine.levels.Unset`."""
    try:
        value = lookup(base_dict, path)
    except KeyError:
        try:
            probe = base.with_overrides({path: 0}).to_dict()
        except ScenarioError as exc:
            raise ScenarioError(f"{who}: {exc}") from None
        try:
            return levels.Unset(lookup(probe, path))
        except KeyError:
            raise ScenarioError(f"{who}: unknown parameter path '{path}'") from None
    if isinstance(value, Mapping):
        raise ScenarioError(f"{who}: '{path}' is a table, not a parameter")
    return value


def policies(
    sweep: Sweep, base: Scenario, uncertainties: list[Uncertainty]
) -> dict[str, dict[str, Any]]:
    """The sweep's policies (:func:`parse_policies`), checked: none sets a path that the
    overrides or an uncertainty sets too, each applies to the base scenario, and the
    reference policy is one of them."""
    name = sweep.name
    parsed = parse_policies(sweep.policies)
    check_overlaps(
        name,
        {
            "overrides": [
                ("the sweep's overrides (--set)", path)
                for path in leaf_paths(expand(dict(sweep.overrides)))
            ],
            "levers": [
                (f"policy '{pname}'", path)
                for pname, over in parsed.items()
                for path in leaf_paths(expand(over))
            ],
            "uncertainties": [
                (f"uncertainty '{u.name}'", path) for u in uncertainties for path in u.paths
            ],
        },
    )
    for pname, over in parsed.items():
        try:
            base.with_overrides(over)
        except ScenarioError as exc:
            raise prefix_error(f"sweep '{name}': policy '{pname}'", exc) from None
    if sweep.reference is not None and sweep.reference not in parsed:
        raise ScenarioError(
            f"sweep '{name}': reference policy '{sweep.reference}' is not one of: "
            f"{', '.join(parsed)}"
        )
    return parsed


def check_table(sweep: Sweep, outcome_names: list[str], outcome_refs: list[dict]) -> None:
    """Refuse a comparison-table entry that is not an outcome."""
    known_outcomes = set(outcome_names) | {r["name"] for r in outcome_refs}
    for t in list(sweep.table) if sweep.table is not None else []:
        if t not in OUTCOMES and t not in known_outcomes:
            raise ScenarioError(f"sweep '{sweep.name}': table outcome '{t}' is not an outcome")
