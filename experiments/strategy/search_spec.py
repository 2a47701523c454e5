"""A policy search's declaration (``aimarket optimize SPEC``): what to tune, to what end,
on which seeds, checked as a whole before anything runs.

A search names a market (a base scenario with overrides, ``developers`` and ``months``) or
a function model (:mod:`aimarket.experiments.engine.functional`), its numeric *levers*
(dotted parameter paths, or the function's arguments) with their ranges, one or several
*objectives* with a direction, the number of common ``seeds`` every candidate runs on
(paired comparisons), the evaluation ``budget`` (one evaluation = one candidate over all
the seeds) and the optimiser (``sampler``, ``optimizer_seed``). One evaluation is one
small sweep (:meth:`Problem.sweep`) of one design point x ``seeds`` replicates, so the
sweep engine's checks, store, resume and executors apply to it unchanged.
"""

from __future__ import annotations

import dataclasses
import difflib
import inspect
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from aimarket.experiments.engine.outcomes import AGGREGATE, load_script
from aimarket.experiments.engine.spec import Sweep
from aimarket.simulation import metrics
from aimarket.simulation.errors import ScenarioError
from aimarket.simulation.files import read_toml, regular_file

SAMPLERS = ("auto", "tpe", "nsga2", "random")
DIRECTIONS = ("maximize", "minimize")
#: How a vendor metric's monthly series becomes one number per run.
VENDOR_AGGREGATES = ("final", "late", "total")
#: The most evaluations a search may ask for.
MAX_BUDGET = 10_000
QUICK_KEYS = (
    "seeds", "budget", "months", "developers", "overrides", "levers", "startup", "population"
)  # fmt: skip
LEVER_KEYS = ("range", "step", "log", "values")


@dataclass(frozen=True)
class Lever:
    """A numeric lever over ``[low, high]`` (integers if both are integers; ``step`` a
    grid, ``log`` a log scale), or a choice among ``values``."""

    name: str
    low: float | int | None = None
    high: float | int | None = None
    step: float | int | None = None
    log: bool = False
    values: tuple = ()

    @property
    def integer(self) -> bool:
        return isinstance(self.low, int) and isinstance(self.high, int)

    def distribution(self):
        """The lever as an optuna distribution."""
        from optuna import distributions as d

        if self.values:
            return d.CategoricalDistribution(list(self.values))
        if self.integer:
            return d.IntDistribution(self.low, self.high, log=self.log, step=int(self.step or 1))
        return d.FloatDistribution(self.low, self.high, log=self.log, step=self.step)

    def corners(self) -> list[Any]:
        return list(self.values) if self.values else [self.low, self.high]


@dataclass(frozen=True)
class Objective:
    """One objective: a market outcome (or a function model's output) by name, or a
    vendor's metric (``vendor``, ``metric``, aggregated ``how``), with its direction."""

    direction: str = "maximize"
    outcome: str | None = None
    vendor: str | None = None
    metric: str | None = None
    how: str = "final"

    @property
    def name(self) -> str:
        if self.outcome is not None:
            return self.outcome
        return f"{self.vendor}.{self.metric}" + ("" if self.how == "final" else f".{self.how}")


def _is_number(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)


def parse_lever(name: str, spec: Any) -> Lever:
    """A lever from a spec's ``levers`` table: ``[lo, hi]`` or a table with ``range``
    (and ``step``, ``log``) or ``values``; refused in one line if malformed."""
    who = f"lever '{name}'"
    if isinstance(spec, list | tuple):
        spec = {"range": spec}
    if not isinstance(spec, Mapping):
        raise ScenarioError(f"{who}: give a range [lo, hi] or a table with range or values")
    unknown = sorted(set(spec) - set(LEVER_KEYS))
    if unknown:
        raise ScenarioError(f"{who}: unknown key '{unknown[0]}'; allowed: {', '.join(LEVER_KEYS)}")
    if "values" in spec:
        values = spec["values"]
        if "range" in spec or not isinstance(values, list | tuple) or not values:
            raise ScenarioError(f"{who}: values must be a non-empty list (and no range)")
        return Lever(name, values=tuple(values))
    rng = spec.get("range")
    if not isinstance(rng, list | tuple) or len(rng) != 2 or not all(map(_is_number, rng)):
        raise ScenarioError(f"{who}: range = {rng!r} must be two finite numbers [lo, hi]")
    low, high = rng
    if not low < high:
        raise ScenarioError(f"{who}: range [{low}, {high}] is empty: lo must be below hi")
    step, log = spec.get("step"), spec.get("log", False)
    if step is not None and (not _is_number(step) or step <= 0):
        raise ScenarioError(f"{who}: step = {step!r} must be a positive number")
    if not isinstance(log, bool) or (log and (low <= 0 or step is not None)):
        raise ScenarioError(f"{who}: log = true needs lo > 0 and no step")
    if isinstance(low, int) != isinstance(high, int) or (
        isinstance(low, int) and step is not None and not isinstance(step, int)
    ):
        low, high = float(low), float(high)  # a mixed range is a real one
    return Lever(name, low, high, step, log)


def parse_objective(spec: Any, index: int) -> Objective:
    who = f"objective {index + 1}"
    if isinstance(spec, str):
        spec = {"outcome": spec}
    if not isinstance(spec, Mapping):
        raise ScenarioError(f"{who}: give a table with outcome (or vendor and metric)")
    fields = {f.name for f in dataclasses.fields(Objective)}
    unknown = sorted(set(spec) - fields)
    if unknown:
        raise ScenarioError(f"{who}: unknown key '{unknown[0]}'; allowed: {', '.join(fields)}")
    obj = Objective(**spec)
    if obj.direction not in DIRECTIONS:
        raise ScenarioError(
            f"{who}: direction {obj.direction!r} is unknown; choose maximize or minimize"
        )
    if (obj.outcome is None) == (obj.vendor is None or obj.metric is None):
        raise ScenarioError(f"{who}: give either outcome, or vendor and metric (not both)")
    if obj.how not in VENDOR_AGGREGATES:
        raise ScenarioError(
            f"{who}: how = {obj.how!r} is unknown; choose {', '.join(VENDOR_AGGREGATES)}"
        )
    return obj


def _unknown(what: str, name: Any, known: Sequence[str]) -> ScenarioError:
    close = difflib.get_close_matches(str(name), list(known), n=1)
    hint = f"; did you mean '{close[0]}'?" if close else ""
    return ScenarioError(f"{what} {name!r} is unknown{hint} (known: {', '.join(known)})")


@dataclass(frozen=True)
class OptimizeSpec:
    """A policy search. ``levers``: path (or argument) -> range or values; ``objectives``:
    a list of tables (outcome or vendor + metric, direction). ``sampler``: ``auto`` (TPE
    for one objective, NSGA-II for several), ``tpe``, ``nsga2`` or ``random``; ``startup``
    TPE's random evaluations before it models, ``population`` NSGA-II's generation."""

    levers: Mapping[str, Any]
    objectives: Sequence[Any]
    name: str = "optimize"
    description: str = ""
    base: str = "baseline"
    model: Callable | None = None
    overrides: Mapping[str, Any] = field(default_factory=dict)
    developers: int | None = None
    months: int | None = None
    seeds: int = 8
    seed: int = 0
    budget: int = 40
    sampler: str = "auto"
    optimizer_seed: int = 0
    startup: int = 10
    population: int = 16
    quick: Mapping[str, Any] | None = None

    def variant(
        self, *, quick: bool = False, budget: int | None = None, optimizer_seed: int | None = None
    ) -> OptimizeSpec:
        """This search in quick mode and/or with its budget or optimiser seed replaced."""
        spec = self
        if quick and self.quick:
            unknown = sorted(set(self.quick) - set(QUICK_KEYS))
            if unknown:
                raise ScenarioError(
                    f"optimize '{self.name}': quick has unknown key '{unknown[0]}'; "
                    f"allowed: {', '.join(QUICK_KEYS)}"
                )
            changes = dict(self.quick)
            if "overrides" in changes:
                changes["overrides"] = {**self.overrides, **changes["overrides"]}
            spec = dataclasses.replace(spec, **changes)
        changes = {"budget": budget, "optimizer_seed": optimizer_seed}
        return dataclasses.replace(spec, **{k: v for k, v in changes.items() if v is not None})

    @classmethod
    def from_toml(cls, path: str | Path) -> OptimizeSpec:
        path = Path(path)
        return cls.from_dict(read_toml(path, "optimize spec"), root=path.parent)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], root: Path | None = None) -> OptimizeSpec:
        data = dict(data)
        known = [f.name for f in dataclasses.fields(cls)]
        for key in data:
            if key not in known:
                raise _unknown("optimize spec: field", key, known)
        for key in ("levers", "objectives"):
            if key not in data:
                raise ScenarioError(f"optimize spec: '{key}' is missing")
        if isinstance(data.get("model"), str):
            data["model"] = load_model(data["model"], root)
        base = data.get("base")
        if isinstance(base, str) and base.endswith(".toml") and root is not None:
            data["base"] = str(root / base)
        return cls(**data)


def load_model(text: str, root: Path | None) -> Callable:
    """``file.py:function`` (relative to the spec's folder) or ``package.module:function``."""
    where, sep, name = text.rpartition(":")
    if not sep or not where or not name.isidentifier():
        raise ScenarioError(f"model = {text!r}: write 'file.py:function' or 'module:function'")
    if where.endswith(".py"):
        module = load_script(regular_file(Path(root or ".") / where, "model file"))
    else:
        import importlib

        try:
            module = importlib.import_module(where)
        except ImportError as exc:
            raise ScenarioError(f"model = {text!r}: cannot import {where} ({exc})") from None
    fn = getattr(module, name, None)
    if not callable(fn):
        raise ScenarioError(f"model = {text!r}: {where} has no function {name}")
    return fn


def load_optimize_spec(path: str | Path) -> OptimizeSpec:
    path = regular_file(path, "optimize spec")
    if path.suffix != ".toml":
        raise ScenarioError(f"optimize spec must be a .toml file: {path}")
    return OptimizeSpec.from_toml(path)


@dataclass
class Problem:
    """A checked search: its levers, objectives and the sweep of one evaluation."""

    spec: OptimizeSpec
    levers: list[Lever]
    objectives: list[Objective]
    overrides: dict[str, Any]
    record: dict[str, Any]

    @property
    def names(self) -> list[str]:
        return [o.name for o in self.objectives]

    @property
    def sampler(self) -> str:
        if self.spec.sampler != "auto":
            return self.spec.sampler
        return "tpe" if len(self.objectives) == 1 else "nsga2"

    def sweep(self, params: Mapping[str, Any], index: int = 0) -> Sweep:
        """The sweep of one evaluation: candidate ``params`` on the common seeds (one
        design point, so every candidate's replicate r runs on the same seed)."""
        spec = self.spec
        market = [o.outcome for o in self.objectives if o.outcome is not None]
        vendor = any(o.vendor is not None for o in self.objectives)
        extra: dict[str, Any] = {"model": spec.model}
        if spec.model is None:
            extra = {
                "base": spec.base,
                "overrides": self.overrides,
                "outcomes": market or ["platform_payoff"],
                "series": ("vendors",) if vendor else (),
                "steps": spec.months,
            }
        point = pd.DataFrame([{lever.name: _plain(params[lever.name]) for lever in self.levers}])
        return Sweep(
            name=f"{spec.name}-e{index:04d}",
            design=point,
            replicates=spec.seeds,
            seed=spec.seed,
            **extra,
        )

    def objective_frame(self, runs: pd.DataFrame, vendors: pd.DataFrame | None) -> pd.DataFrame:
        """One row per replicate (seed) of one evaluation, one column per objective."""
        out = pd.DataFrame(index=runs["replicate"].to_numpy())
        for o in self.objectives:
            if o.outcome is not None:
                out[o.name] = runs[o.outcome].to_numpy(dtype=float)
                continue
            mine = vendors[vendors["vendor"] == o.vendor].sort_values("step")
            agg = AGGREGATE[o.how][1]
            by_run = mine.groupby("run_id")[o.metric].agg(agg) if len(mine) else pd.Series()
            out[o.name] = runs["run_id"].map(by_run).to_numpy(dtype=float)
        return out.sort_index()


def numeric_vendor_metrics() -> list[str]:
    return [m.name for m in metrics.VENDORS if m.unit]


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def function_outputs(fn: Callable, levers: list[Lever]) -> list[str]:
    """The names of a function model's outputs, from one probe call at the levers' lower
    ends (a function model is cheap by design)."""
    kwargs = {lever.name: lever.corners()[0] for lever in levers}
    if "rng" in inspect.signature(fn).parameters:
        kwargs["rng"] = np.random.default_rng(0)
    result = fn(**kwargs)
    return [str(k) for k in result] if isinstance(result, Mapping) else [fn.__name__]
