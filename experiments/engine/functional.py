"""Function models: a sweep over a plain Python function instead of the market model.

The same designs, runner, store and analysis then apply to any function of the swept
uncertainties, which is how the sensitivity pipeline is docked against test functions
with known indices (Ishigami's, say). A function model is a top-level function taking
the uncertainties by name as keyword arguments, plus ``rng`` (the run's
:class:`numpy.random.Generator`) if it declares one, and returning a number (an outcome
named after the function) or a dict of outcomes::

    def ishigami(x1, x2, x3):
        return np.sin(x1) + 7 * np.sin(x2) ** 2 + 0.1 * x3**4 * np.sin(x1)

    Sweep(name="ishigami", model=ishigami, design="saltelli", n=1024,
          uncertainties={"x1": (-np.pi, np.pi), "x2": (-np.pi, np.pi), "x3": (-np.pi, np.pi)})

Its uncertainties are plain names (no scenario paths, no modes). Its policies, if any,
are tables of arguments (``{"defect": {"row": "defect"}}``): every policy runs on the
same seeds, which is how an empirical game over a function model
(:mod:`aimarket.experiments.strategy`) is docked against games with known equilibria.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from aimarket.experiments.engine import checks, seeds
from aimarket.experiments.engine.outcomes import check_outcome_name, function_ref, resolve_ref
from aimarket.experiments.engine.uncertainty import Uncertainty
from aimarket.simulation.errors import ScenarioError

if TYPE_CHECKING:
    from aimarket.experiments.engine.spec import Sweep


def setup(sweep: Sweep, kind: str) -> tuple[dict[str, str], list[Uncertainty]]:
    """The function's reference and the sweep's uncertainties, checked."""
    name = sweep.name
    try:
        ref = function_ref(sweep.model)
    except ScenarioError:
        raise ScenarioError(
            f"sweep '{name}': model {sweep.model!r} must be a top-level function "
            "(not a lambda or a nested function) so that worker processes can find it"
        ) from None
    if sweep.overrides:
        raise ScenarioError(
            f"sweep '{name}': a function model has no scenario to override (--set, "
            "overrides); fix an argument with a default in the function instead"
        )
    uncertainties = checks.uncertainties(sweep, kind)
    accepted = inspect.signature(sweep.model).parameters
    takes_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in accepted.values())
    for u in uncertainties:
        if u.paths != (u.name,) or u.mode != "set":
            raise ScenarioError(
                f"sweep '{name}': uncertainty '{u.name}' of a function model is a plain "
                "argument name (no paths or mode)"
            )
        if not takes_any and u.name not in accepted:
            raise ScenarioError(f"sweep '{name}': model {ref['name']}() has no argument '{u.name}'")
        check_outcome_name(u.name, [], f"sweep '{name}': uncertainty")
    return ref, uncertainties


def policies(sweep: Sweep, uncertainties: list[Uncertainty]) -> dict[str, dict[str, Any]]:
    """The policies of a function model: name -> arguments, each an argument the function
    takes and none an uncertainty (one would overwrite the other)."""
    parsed = checks.parse_policies(sweep.policies)
    accepted = inspect.signature(sweep.model).parameters
    takes_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in accepted.values())
    swept = {u.name for u in uncertainties}
    for pname, arguments in parsed.items():
        for arg in arguments:
            if arg in swept or (not takes_any and arg not in accepted) or arg == "rng":
                raise ScenarioError(
                    f"sweep '{sweep.name}': policy '{pname}' sets '{arg}', which is not an "
                    f"argument of {sweep.model.__name__}() that no uncertainty sets"
                )
    return {pname: {k: _plain(v) for k, v in a.items()} for pname, a in parsed.items()}


def point_overrides(uncertainties: list[Uncertainty], row: Mapping[str, Any]) -> dict[str, Any]:
    """The function's arguments at one design point."""
    return {u.name: _plain(row[u.name]) for u in uncertainties}


def scenario_hash(ref: Mapping[str, str], overrides: Mapping[str, Any]) -> str:
    """What identifies one point of a function model: the function and its arguments."""
    return seeds.digest({"model": [ref["module"], ref["name"]], "arguments": dict(overrides)})


def run(task: Mapping[str, Any]) -> dict[str, Any]:
    """One run of a function model: its outcomes (no time series)."""
    fn = resolve_ref(task["model"])
    kwargs = dict(task["overrides"])
    if "rng" in inspect.signature(fn).parameters:
        seq = seeds.run_seed(task["root_seed"], task["seed_point"], task["replicate"])
        kwargs["rng"] = np.random.default_rng(seq)
    result = fn(**kwargs)
    if isinstance(result, Mapping):
        values = {str(k): float(v) for k, v in result.items()}
        for key in values:
            check_outcome_name(key, list(task["params"]), f"model {task['model']['name']}: key")
    else:
        values = {task["model"]["name"]: float(result)}
    return {"warnings": 0, "outcomes": values, "market": None, "vendors": None}


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value
