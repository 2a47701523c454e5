"""Outcomes: what a sweep measures at the end of each run, from the run's frames.

Each built-in outcome maps a run's market frame (one row per month) and vendor frame
(one row per month per vendor) to one number. A sweep keeps the outcomes it names; it
may add its own as functions ``f(run) -> float | dict[str, float]`` where ``run`` is a
:class:`RunView` (the frames and the resolved scenario).

Functions defined in an experiment script are found again in worker processes by the
script's file path, so they need not live in an importable module.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import inspect
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import pandas as pd

from aimarket.simulation import metrics
from aimarket.simulation.errors import ScenarioError
from aimarket.simulation.policies import POLICIES
from aimarket.simulation.registry import Registry

#: Months at the end of a run over which "late" outcomes are averaged.
LATE_MONTHS = 12

#: Column names of the runs table's bookkeeping: no outcome or uncertainty may take one.
RESERVED: tuple[str, ...] = (
    "run_id",
    "policy",
    "point",
    "replicate",
    "seed",
    "status",
    "error",
    "started",
    "elapsed_s",
    "warnings",
    "worker",
    "batch",
)


def check_outcome_name(name: str, parameters: list[str], who: str) -> None:
    """Refuse an outcome name that would overwrite a bookkeeping or parameter column."""
    if name in RESERVED:
        raise ScenarioError(
            f"{who} '{name}' uses a name reserved for the runs table's bookkeeping "
            f"({', '.join(RESERVED)}); rename it"
        )
    if name in parameters:
        raise ScenarioError(
            f"{who} '{name}' has the name of a swept uncertainty, whose column it would "
            "overwrite; rename it"
        )


class RunView(NamedTuple):
    """What an outcome function sees: the frames of one run and its scenario."""

    market: pd.DataFrame
    vendors: pd.DataFrame
    scenario: Any


@dataclass(frozen=True)
class Outcome:
    name: str
    unit: str
    doc: str
    fn: Callable[[RunView], float]
    label: str = ""


AGGREGATE: dict[str, tuple[str, Callable[[pd.Series], float]]] = {
    "final": ("last month", lambda s: float(s.iloc[-1])),
    "late": (f"mean of last {LATE_MONTHS} months", lambda s: float(s.tail(LATE_MONTHS).mean())),
    "total": ("summed over the run", lambda s: float(s.sum())),
    "max_abs": ("largest absolute value", lambda s: float(s.abs().max())),
}


def from_metric(metric) -> Outcome:
    """The outcome a market metric declares: its series aggregated over the run."""
    name, how, unit = metric.outcome
    what, aggregate = AGGREGATE[how]
    column = metric.name
    return Outcome(
        name,
        unit,
        f"{metric.label}, {what}",
        lambda run: aggregate(run.market[column]),
        metric.label,
    )


def _platform_share(run: RunView) -> float:
    v = run.vendors
    last = v[v["step"] == v["step"].max()]
    return float(last.loc[last["business_model"] == "platform", "token_share"].sum())


def _closed_vendor_profit(run: RunView) -> float:
    v = run.vendors
    releases = v["policy"].map({p.name: p.releases_weights for p in POLICIES})
    closed = v[(v["business_model"] == "api") & ~releases.astype(bool)]
    return float(closed["profit"].sum())


class OutcomeRegistry(Registry):
    """Outcomes by name: the ones market metrics declare (:mod:`aimarket.simulation.metrics`),
    then any added directly (outcomes of the vendor table, say)."""

    def load(self) -> None:
        declared = [m for m in metrics.MARKET if m.outcome and m.outcome[0] not in self._items]
        if declared:
            added = {o.name: o for o in map(from_metric, declared)}
            self._items = {**added, **self._items}


#: Built-in outcomes by name.
OUTCOMES: OutcomeRegistry = OutcomeRegistry("outcome")
OUTCOMES.add(Outcome("platform_token_share", "share", "platform vendors' token share, last month",
                     _platform_share, "platform's token share"))  # fmt: skip
OUTCOMES.add(Outcome("closed_vendor_profit", "$M",
                     "closed API vendors' profit, summed over the run", _closed_vendor_profit,
                     "closed vendors' profit"))  # fmt: skip
DEFAULT: tuple[str, ...] = tuple(OUTCOMES.names())


# -- user functions ------------------------------------------------------------------------
def function_ref(fn: Callable) -> dict[str, str]:
    """A picklable reference to a top-level function: module, name and source file."""
    qualname = getattr(fn, "__qualname__", "")
    if not callable(fn) or "<" in qualname or "." in qualname:
        raise ScenarioError(
            f"outcome {fn!r} must be a top-level function (not a lambda or a nested "
            "function) so that worker processes can find it"
        )
    try:
        source = inspect.getsourcefile(fn) or ""
    except TypeError:
        source = ""
    return {"module": fn.__module__, "name": qualname, "file": str(Path(source).resolve())}


def script_module_name(path: str | Path) -> str:
    """The module name an experiment script is loaded under (stable per file)."""
    resolved = str(Path(path).resolve())
    return "_aimarket_script_" + hashlib.sha256(resolved.encode()).hexdigest()[:12]


def load_script(path: str | Path):
    """Import an experiment script by path (its ``__main__`` block does not run)."""
    path = Path(path).resolve()
    name = script_module_name(path)
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ScenarioError(f"cannot load experiment script {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module


def resolve_ref(ref: dict[str, str]) -> Callable:
    """The function a :func:`function_ref` points to, in this process."""
    module = None
    if ref["module"] not in ("__main__", "__mp_main__") and not ref["module"].startswith(
        "_aimarket_script_"
    ):
        try:
            module = importlib.import_module(ref["module"])
        except ImportError:
            module = None
    if module is None:
        if not ref.get("file"):
            raise ImportError(f"cannot find outcome function {ref['name']} ({ref['module']})")
        module = load_script(ref["file"])
    return getattr(module, ref["name"])


def compute(
    run: RunView, names: list[str], refs: list[dict[str, str]], parameters: list[str] = ()
) -> dict[str, float]:
    """The outcomes of one run: built-ins by name, then user functions (whose keys may not
    take a reserved name or a swept parameter's: the run fails, naming it)."""
    values: dict[str, float] = {}
    for name in names:
        values[name] = OUTCOMES[name].fn(run)
    for ref in refs:
        result = resolve_ref(ref)(run)
        if isinstance(result, dict):
            for key, value in result.items():
                check_outcome_name(str(key), parameters, f"outcome function {ref['name']}: key")
                values[str(key)] = float(value)
        else:
            values[ref["name"]] = float(result)
    return values
