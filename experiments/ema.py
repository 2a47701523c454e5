"""The market model as an EMA Workbench model: uncertainties, levers and outcomes.

EMA Workbench users drive aimarket with their own tools (``perform_experiments``, its
samplers and evaluators, PRIM) through :func:`ema_model`. This module needs the
``ema_workbench`` package; nothing else in aimarket imports it.

>>> from ema_workbench import perform_experiments
>>> from aimarket.experiments.ema import ema_model
>>> model = ema_model(uncertainties=["community_quality", "imitation_speed"],
...                   overrides={"developers.count": 500}, steps=36, seed=1)
>>> experiments, outcomes = perform_experiments(model, scenarios=16, policies=2)
>>> experiments["vendors__meta__policy"]     # the lever's choice in each experiment
>>> outcomes["platform_payoff"]              # one value per experiment

Uncertain parameters (:data:`~aimarket.simulation.uncertainties.UNCERTAINTIES`) become
``RealParameter`` over their ranges, levers (dotted path -> choices) ``CategoricalParameter``
named after the path with ``.`` as ``__`` (``model.function.levers`` maps names back),
outcomes (:data:`~aimarket.experiments.engine.outcomes.OUTCOMES`) ``ScalarOutcome``, the
seed a ``Constant``. Every experiment runs on the seed of point 0, replicate 0 of a sweep
with that root seed (common random numbers: policies stay paired) and is measured as the
sweep worker measures a run, so it equals that run of the sweep engine.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from numbers import Integral
from pathlib import Path
from typing import Any

with warnings.catch_warnings():  # EMA's optional ipyparallel evaluator, unused here
    warnings.filterwarnings("ignore", message="ipyparallel not installed", category=UserWarning)
    from ema_workbench import CategoricalParameter, Constant, Model, RealParameter, ScalarOutcome

from aimarket.experiments.engine.checks import check_path
from aimarket.experiments.engine.outcomes import OUTCOMES, RunView, compute
from aimarket.experiments.engine.seeds import run_seed
from aimarket.simulation.errors import ScenarioError
from aimarket.simulation.mechanics.calendar import MAX_STEPS
from aimarket.simulation.merging import expand, leaf_paths, overlap
from aimarket.simulation.model import MarketModel
from aimarket.simulation.scenario import Scenario
from aimarket.simulation.scenarios import load_scenario
from aimarket.simulation.uncertainties import UNCERTAINTIES

#: The levers of :func:`ema_model` unless given: the platform's release policy.
DEFAULT_LEVERS: dict[str, tuple[Any, ...]] = {"vendors.meta.policy": ("open", "closed")}
#: The outcomes of :func:`ema_model` unless given.
DEFAULT_OUTCOMES: tuple[str, ...] = (
    "open_token_share", "closed_margin", "capability_gap",
    "platform_payoff", "vc_funding", "developer_surplus",
)  # fmt: skip
#: The name of the seed's Constant.
SEED = "seed"
#: Names no uncertainty or lever may take: the seed and EMA's own experiment columns.
TAKEN: tuple[str, ...] = (SEED, "scenario", "policy", "model")


def lever_name(path: str) -> str:
    """The EMA parameter name of a lever's dotted path (``a.b.c`` -> ``a__b__c``)."""
    return path.replace(".", "__")


@dataclass(frozen=True)
class MarketFunction:
    """The function an EMA model calls: ``f(**values) -> {outcome: value}``.

    ``uncertainties``: name -> the scenario paths its value sets; ``levers``: name ->
    its scenario path. ``values`` may hold any of them and ``seed`` (default: ``seed``).
    Plain data only, so EMA's multiprocessing evaluator can pickle it.
    """

    base: str = "baseline"
    overrides: Mapping[str, Any] = field(default_factory=dict)
    steps: int = 120
    outcomes: tuple[str, ...] = DEFAULT_OUTCOMES
    uncertainties: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    levers: Mapping[str, str] = field(default_factory=dict)
    seed: int = 0

    def scenario(self, **values: Any) -> Scenario:
        """The base scenario with the overrides, then each value at its path(s)."""
        unknown = [k for k in values if k not in self.uncertainties and k not in self.levers]
        if unknown:
            raise ScenarioError(
                f"aimarket EMA function: unknown input(s) {', '.join(map(repr, unknown))}; "
                f"it takes: {', '.join([*self.uncertainties, *self.levers, SEED])}"
            )
        point: dict[str, Any] = {}
        for name, value in values.items():
            if name in self.uncertainties:
                point.update(dict.fromkeys(self.uncertainties[name], float(value)))
            else:
                point[self.levers[name]] = value
        return load_scenario(self.base, dict(self.overrides) or None).with_overrides(point)

    def __call__(self, **values: Any) -> dict[str, float]:
        """Run the market on these values and measure the outcomes, as the sweep worker
        does (:mod:`aimarket.experiments.engine.worker`)."""
        seed = int(values.pop(SEED, self.seed))
        scenario = self.scenario(**values)
        model = MarketModel(scenario, rng=run_seed(seed, 0, 0))
        model.run(self.steps)
        view = RunView(model.market_frame(), model.vendor_frame(), scenario)
        return compute(view, list(self.outcomes), [], list(self.uncertainties))


def ema_model(
    name: str = "aimarket",
    *,
    base: str | Path = "baseline",
    uncertainties: Sequence[str] | None = None,
    levers: Mapping[str, Sequence[Any]] | None = None,
    outcomes: Sequence[str] | None = None,
    steps: int | None = None,
    overrides: Mapping[str, Any] | None = None,
    seed: int = 0,
) -> Model:
    """An EMA ``Model`` of the market, checked whole before anything runs.

    ``uncertainties``: names of uncertain parameters (default: all); ``levers``: dotted
    path -> its choices (default :data:`DEFAULT_LEVERS`); ``outcomes``: built-in outcome
    names (default :data:`DEFAULT_OUTCOMES`); ``steps``: months a run lasts (default:
    the base scenario's); ``overrides``: fixed dotted-path overrides; ``seed``: the seed
    every experiment runs on. A ScenarioError names any problem.
    """
    if not isinstance(name, str) or not name.isalnum():
        raise ScenarioError(f"ema_model: name {name!r} must be letters and digits only")
    records = [UNCERTAINTIES[u] for u in _names(uncertainties, "uncertainties", UNCERTAINTIES)]
    outcome_names = _names(outcomes, "outcomes", OUTCOMES, DEFAULT_OUTCOMES)
    if not outcome_names:
        raise ScenarioError("ema_model: no outcomes to measure")
    choices = _levers(DEFAULT_LEVERS if levers is None else levers)
    scenario, fixed = _base(base, overrides)
    function = MarketFunction(
        base=str(base),
        overrides=fixed,
        steps=_integer("steps", scenario.steps if steps is None else steps, 1, MAX_STEPS),
        outcomes=tuple(outcome_names),
        uncertainties={r.name: tuple(r.paths) for r in records},
        levers={lever_name(path): path for path in choices},
        seed=_integer("seed", seed, 0, 2**63 - 1),
    )
    _check_inputs(scenario, function, choices)
    _check_scenarios(function, records, choices)
    model = Model(name, function=function)
    clash = [n for n in function.levers if hasattr(model, n)]
    if clash:
        raise ScenarioError(f"ema_model: lever name '{clash[0]}' is taken by EMA's Model")
    model.uncertainties = [RealParameter(r.name, float(r.lo), float(r.hi)) for r in records]
    model.levers = [CategoricalParameter(lever_name(p), list(c)) for p, c in choices.items()]
    model.outcomes = [ScalarOutcome(o) for o in outcome_names]
    model.constants = [Constant(SEED, function.seed)]
    return model


def _names(given: Any, what: str, registry: Any, default: Sequence[str] = ()) -> list[str]:
    """Names of a registry's records, checked: unknown or repeated names are refused."""
    if given is None:
        return list(default) or registry.names()
    names = [given] if isinstance(given, str) else given
    if not isinstance(names, Sequence):
        raise ScenarioError(f"ema_model: {what} = {given!r} must be a list of names")
    for item in names:
        if item not in registry:
            raise ScenarioError(f"ema_model: {registry.unknown(item)}")
    repeated = sorted({n for n in names if list(names).count(n) > 1})
    if repeated:
        raise ScenarioError(f"ema_model: {what} names {', '.join(repeated)} more than once")
    return list(names)


def _levers(levers: Any) -> dict[str, tuple[Any, ...]]:
    """Levers as path -> choices, checked: each has at least two distinct choices."""
    if not isinstance(levers, Mapping):
        raise ScenarioError(f"ema_model: levers = {levers!r} must be a table: path -> choices")
    out: dict[str, tuple[Any, ...]] = {}
    for path, choices in levers.items():
        if not isinstance(path, str) or not lever_name(path).isidentifier():
            raise ScenarioError(f"ema_model: lever path {path!r} must be a dotted name")
        if isinstance(choices, str) or not isinstance(choices, Sequence):
            raise ScenarioError(f"ema_model: lever '{path}' = {choices!r} must list its choices")
        labels = [str(c) for c in choices]
        if len(set(labels)) < 2 or len(set(labels)) != len(labels):
            raise ScenarioError(
                f"ema_model: lever '{path}' needs two or more distinct choices, got {choices!r}"
            )
        out[path] = tuple(choices)
    return out


def _base(base: Any, overrides: Any) -> tuple[Scenario, dict[str, Any]]:
    """The base scenario with the fixed overrides, and the overrides."""
    if not isinstance(base, str | Path):
        raise ScenarioError(f"ema_model: base = {base!r} must be a scenario name or a .toml path")
    if not isinstance(overrides, Mapping | None):
        raise ScenarioError(f"ema_model: overrides = {overrides!r} must be a table")
    try:
        return load_scenario(base, dict(overrides or {}) or None), dict(overrides or {})
    except ScenarioError as exc:
        raise ScenarioError(f"ema_model: base scenario/overrides: {exc}") from None


def _integer(what: str, value: Any, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral) or not low <= value <= high:
        raise ScenarioError(f"ema_model: {what} = {value!r} must be an integer in [{low}, {high}]")
    return int(value)


def _check_inputs(scenario: Scenario, function: MarketFunction, choices: Mapping) -> None:
    """Every path a parameter of the scenario, set in one place only; every name free."""
    names = [*function.uncertainties, *function.levers]
    bad = [n for n in names if n in TAKEN or names.count(n) > 1]
    if bad:
        raise ScenarioError(
            f"ema_model: input name '{bad[0]}' is used twice or reserved "
            f"({', '.join(TAKEN)}); change the lever"
        )
    varied = [(f"lever '{p}'", p) for p in choices]
    for u, paths in function.uncertainties.items():
        varied += [(f"uncertainty '{u}'", p) for p in paths]
    as_dict = scenario.to_dict()
    for who, path in varied:
        check_path(scenario, as_dict, path, f"ema_model: {who}")
    touched = [("the overrides", p) for p in leaf_paths(expand(function.overrides))] + varied
    for i, (who_a, a) in enumerate(touched):
        for who_b, b in touched[i + 1 :]:
            if who_a != who_b and overlap(a, b):
                raise ScenarioError(
                    f"ema_model: {who_a} sets '{a}' and {who_b} sets '{b}'; set each path "
                    "in one place only"
                )


def _check_scenarios(function: MarketFunction, records: list, choices: Mapping) -> None:
    """Build the scenario at every lever choice, with the uncertainties at each end of
    their ranges: a value the scenario refuses is reported now, not mid-experiment."""
    first = {lever_name(p): c[0] for p, c in choices.items()}
    settings = [{**first, lever_name(p): c} for p, options in choices.items() for c in options]
    for bound in ("lo", "hi"):
        corner = {r.name: getattr(r, bound) for r in records}
        for chosen in settings or [{}]:
            try:
                function.scenario(**corner, **chosen)
            except ScenarioError as exc:
                raise ScenarioError(f"ema_model: {exc}") from None
