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
``experiments/examples/`` for a worked file. Its uncertainties are
:mod:`aimarket.experiments.engine.uncertainty`, its checks
:mod:`aimarket.experiments.engine.checks`, and :meth:`Sweep.plan` gives its
:class:`~aimarket.experiments.engine.plan.Plan`.
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from aimarket.experiments.engine import designs
from aimarket.experiments.engine.checks import SERIES
from aimarket.experiments.engine.outcomes import DEFAULT, load_script
from aimarket.experiments.engine.plan import Plan
from aimarket.experiments.engine.uncertainty import Uncertainty
from aimarket.simulation.errors import ScenarioError
from aimarket.simulation.files import read_toml, regular_file
from aimarket.simulation.scenario import Scenario

#: What a sweep's ``quick`` table may replace (``--quick``).
QUICK_KEYS: tuple[str, ...] = ("n", "replicates", "steps", "overrides", "design", "seed")


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
    ``--quick`` (keys: n, replicates, steps, overrides, design, seed). ``model``: a
    function of the uncertainties to sweep instead of the market model
    (:mod:`aimarket.experiments.engine.functional`).
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
    model: Callable | None = None

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
            changes = quick_changes(f"sweep '{self.name}'", self.quick, QUICK_KEYS, self.overrides)
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
        data = known_fields(data, {f.name for f in dataclasses.fields(cls)}, "sweep", root)
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
        return cls(**data)


def quick_changes(
    who: str, quick: Mapping[str, Any], keys: Sequence[str], overrides: Mapping[str, Any]
) -> dict[str, Any]:
    """The fields a spec's ``quick`` table replaces (``--quick``): only ``keys``, and its
    ``overrides`` added to the spec's own."""
    unknown = sorted(set(quick) - set(keys))
    if unknown:
        raise ScenarioError(
            f"{who}: quick has unknown key(s) {', '.join(unknown)}; allowed: {', '.join(keys)}"
        )
    changes = dict(quick)
    if "overrides" in quick:
        changes["overrides"] = {**overrides, **quick["overrides"]}
    return changes


def known_fields(
    data: Mapping[str, Any], known: set[str], what: str, root: Path | None
) -> dict[str, Any]:
    """``data`` (a parsed spec file) checked to hold only ``known`` fields (an unknown one
    is refused with the closest known name), its ``base`` file made relative to ``root``."""
    unknown = [k for k in data if k not in known]
    if unknown:
        hint = difflib.get_close_matches(unknown[0], known, n=1)
        extra = f"; did you mean '{hint[0]}'?" if hint else ""
        raise ScenarioError(f"{what}: unknown field '{unknown[0]}'{extra}")
    data = dict(data)
    base = data.get("base")
    if isinstance(base, str) and base.endswith(".toml") and root is not None:
        data["base"] = str(root / base)
    return data


def load_spec(path: str | Path) -> Sweep:
    """A sweep from a ``.toml`` file or a ``.py`` experiment script (``sweep = Sweep(...)``)."""
    return load_file(path, Sweep, "sweep", ("sweep", "SWEEP"))


def load_file(path: str | Path, cls: type, what: str, attrs: Sequence[str]) -> Any:
    """A spec of class ``cls`` from a ``.toml`` file (``cls.from_toml``) or a ``.py``
    script defining it as a module-level variable named one of ``attrs``."""
    path = regular_file(path, f"{what} spec")
    if path.suffix == ".toml":
        return cls.from_toml(path)
    if path.suffix != ".py":
        raise ScenarioError(f"{what} spec must be a .py experiment script or a .toml file: {path}")
    module = load_script(path)
    for attr in attrs:
        found = getattr(module, attr, None)
        if isinstance(found, cls):
            return found
    others = f" (or {', '.join(attrs[1:])})" if len(attrs) > 1 else ""
    raise ScenarioError(
        f"{path} defines no module-level `{attrs[0]} = {cls.__name__}(...)`{others}"
    )
