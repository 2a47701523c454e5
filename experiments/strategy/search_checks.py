"""The checks of a policy search (:meth:`OptimizeSpec.check
<aimarket.experiments.strategy.search_spec.OptimizeSpec.check>`), made as a whole before
anything runs: its own fields, its levers (each a parameter of the market, or an
argument of the function model, of the right type, at both ends of its range), its
objectives (a known outcome, or a numeric metric of a vendor in the market) and its size.
Each refuses with a one-line ScenarioError naming the field and what is allowed."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from aimarket.experiments.engine import checks, seeds
from aimarket.experiments.engine.levels import Unset
from aimarket.experiments.engine.outcomes import OUTCOMES, function_ref
from aimarket.experiments.engine.spec import Sweep
from aimarket.experiments.strategy.search_spec import (
    MAX_BUDGET,
    SAMPLERS,
    Lever,
    Objective,
    OptimizeSpec,
    Problem,
    _unknown,
    function_outputs,
    numeric_vendor_metrics,
    parse_lever,
    parse_objective,
)
from aimarket.simulation.errors import ScenarioError

#: Integer fields: (lowest, highest) allowed; None where the field may be left unset.
INTEGER_FIELDS = {
    "seeds": (1, checks.MAX_REPLICATES),
    "seed": (0, 2**63 - 1),
    "budget": (1, MAX_BUDGET),
    "optimizer_seed": (0, 2**32 - 1),
    "startup": (1, MAX_BUDGET),
    "population": (2, MAX_BUDGET),
    "developers": (1, 10_000_000),
    "months": (1, 10_000),
}


def check_spec(spec: OptimizeSpec) -> Problem:
    """The search checked and laid out (see the module doc)."""
    checks.check_name(spec.name, "optimize")
    who = f"optimize '{spec.name}'"
    _check_fields(spec, who)
    levers = _levers(spec, who)
    objectives = _objectives(spec, who)
    overrides = dict(spec.overrides)
    if spec.developers is not None:
        overrides["developers.count"] = spec.developers
    if spec.model is not None:
        problem = _function_problem(spec, who, levers, objectives)
    else:
        problem = _market_problem(spec, who, levers, objectives, overrides)
    problem.record["sampler"] = problem.sampler
    return problem


def _check_fields(spec: OptimizeSpec, who: str) -> None:
    for name, (low, high) in INTEGER_FIELDS.items():
        value = getattr(spec, name)
        if value is None and name in ("developers", "months"):
            continue
        if isinstance(value, bool) or not isinstance(value, int):
            raise ScenarioError(f"{who}: {name} = {value!r} must be an integer")
        if not low <= value <= high:
            raise ScenarioError(
                f"{who}: {name} = {value!r} is out of range: allowed [{low}, {high}]"
            )
    if spec.sampler not in SAMPLERS:
        raise ScenarioError(
            f"{who}: sampler {spec.sampler!r} is unknown; choose {', '.join(SAMPLERS)}"
        )
    if spec.seeds * spec.budget > checks.MAX_RUNS:
        raise ScenarioError(
            f"{who}: {spec.budget:,} evaluations x {spec.seeds:,} seeds = "
            f"{spec.seeds * spec.budget:,} runs; allowed at most {checks.MAX_RUNS:,}"
        )
    for name in ("overrides",):
        if not isinstance(getattr(spec, name), Mapping):
            raise ScenarioError(f"{who}: {name} must be a table of path = value")
    if not isinstance(spec.description, str):
        raise ScenarioError(f"{who}: description must be a string")


def _levers(spec: OptimizeSpec, who: str) -> list[Lever]:
    if not isinstance(spec.levers, Mapping) or not spec.levers:
        raise ScenarioError(f"{who}: levers must be a non-empty table: path = [lo, hi]")
    return [parse_lever(str(k), v) for k, v in spec.levers.items()]


def _objectives(spec: OptimizeSpec, who: str) -> list[Objective]:
    raw = spec.objectives
    if isinstance(raw, Mapping | str) or not isinstance(raw, list | tuple) or not raw:
        raise ScenarioError(f"{who}: objectives must be a non-empty list of tables")
    objectives = [parse_objective(o, i) for i, o in enumerate(raw)]
    names = [o.name for o in objectives]
    if len(set(names)) != len(names):
        raise ScenarioError(f"{who}: objectives repeat one another: {', '.join(names)}")
    return objectives


def _function_problem(spec, who, levers, objectives) -> Problem:
    try:
        ref = function_ref(spec.model)
    except ScenarioError:
        raise ScenarioError(f"{who}: model must be a top-level function") from None
    if spec.overrides or spec.developers is not None:
        raise ScenarioError(f"{who}: a function model has no scenario: no overrides/developers")
    for o in objectives:
        if o.outcome is None:
            raise ScenarioError(
                f"{who}: a function model has no vendors: objective '{o.name}' must name "
                "one of its outputs"
            )
    problem = Problem(spec, levers, objectives, {}, {})
    for corner in _corners(levers):
        problem.sweep(corner).plan()  # argument names and values, as a sweep checks them
    outputs = function_outputs(spec.model, levers)
    for o in objectives:
        if o.outcome not in outputs:
            raise _unknown(f"{who}: objective", o.outcome, outputs)
    problem.record = _record(spec, levers, objectives, {"model": [ref["module"], ref["name"]]})
    return problem


def _market_problem(spec, who, levers, objectives, overrides) -> Problem:
    probe = dataclasses.replace(spec, levers={}, model=None)
    base = checks.base_scenario(_as_sweep(probe, overrides))
    base_dict = base.to_dict()
    vendors = list(base_dict.get("vendors", {}))
    for o in objectives:
        if o.outcome is not None and o.outcome not in OUTCOMES:
            raise _unknown(f"{who}: objective outcome", o.outcome, OUTCOMES.names())
        if o.vendor is not None and o.vendor not in vendors:
            raise _unknown(f"{who}: objective vendor", o.vendor, vendors)
        if o.metric is not None and o.metric not in numeric_vendor_metrics():
            raise _unknown(f"{who}: objective metric", o.metric, numeric_vendor_metrics())
    levers = [_typed(base, base_dict, lever, who) for lever in levers]
    problem = Problem(spec, levers, objectives, overrides, {})
    plan = None
    for corner in _corners(levers):
        plan = problem.sweep(corner).plan()  # paths, overlaps, the scenario's own bounds
    extra = {"base": seeds.digest(plan.base), "overrides": overrides, "months": plan.steps}
    problem.record = _record(spec, levers, objectives, extra)
    return problem


def _as_sweep(spec: OptimizeSpec, overrides: dict[str, Any]) -> Sweep:
    return Sweep(name=spec.name, base=spec.base, overrides=overrides)


def _typed(base, base_dict, lever: Lever, who: str) -> Lever:
    """The lever with the type of its parameter: integer bounds for an integer parameter
    (refused otherwise), real bounds for a real one; values for anything else."""
    current = checks.check_path(base, base_dict, lever.name, f"{who}: lever '{lever.name}'")
    like = current.like if isinstance(current, Unset) else current
    if lever.values:
        return lever
    if isinstance(like, bool) or not isinstance(like, int | float):
        raise ScenarioError(
            f"{who}: lever '{lever.name}' is a {type(like).__name__} parameter; give values = [...]"
        )
    if isinstance(like, int) and not lever.integer:
        raise ScenarioError(
            f"{who}: lever '{lever.name}' is an integer parameter; give integer bounds "
            f"(range = [{int(lever.low)}, {int(lever.high)}]) and an integer step, if any"
        )
    if isinstance(like, float) and lever.integer:
        step = None if lever.step is None else float(lever.step)
        return dataclasses.replace(lever, low=float(lever.low), high=float(lever.high), step=step)
    return lever


def _corners(levers: list[Lever]) -> list[dict[str, Any]]:
    """Every lever at its lower end, then every lever at its upper end."""
    return [{lv.name: lv.corners()[i] for lv in levers} for i in (0, -1)]


def _record(spec, levers, objectives, extra: dict[str, Any]) -> dict[str, Any]:
    """The search as plain data: what makes its evaluations (not its budget, which a
    later session may raise to go on)."""
    return {
        "name": spec.name,
        "levers": [dataclasses.asdict(lv) for lv in levers],
        "objectives": [dataclasses.asdict(o) for o in objectives],
        "seeds": spec.seeds,
        "seed": spec.seed,
        "optimizer_seed": spec.optimizer_seed,
        "startup": spec.startup,
        "population": spec.population,
        **extra,
    }
