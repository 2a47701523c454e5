"""A sweep's plan: the sweep checked as a whole (:mod:`aimarket.experiments.engine.checks`)
and laid out as design points, policies and runs, each run with its seed, its id and
the task a worker executes (:meth:`Plan.task`)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from aimarket.experiments.engine import checks, designs, functional, levels, seeds
from aimarket.experiments.engine.uncertainty import Uncertainty
from aimarket.experiments.engine.variants import Variants
from aimarket.simulation.errors import ScenarioError

if TYPE_CHECKING:
    from aimarket.experiments.engine.spec import Sweep


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    return value


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
    model_ref: dict[str, str] | None = None
    common_seeds: bool = False
    _records: list[dict[str, Any]] | None = None

    # -- building --------------------------------------------------------------------------
    @classmethod
    def build(cls, sweep: Sweep) -> Plan:
        """Check the whole sweep and lay out its runs; a ScenarioError names any problem."""
        checks.check_fields(sweep)
        kind = checks.design_kind(sweep)
        if sweep.model is not None:
            return cls._build_function(sweep, kind)
        base = checks.base_scenario(sweep)
        steps = checks.check_steps(sweep, base)
        base_dict = base.to_dict()
        uncertainties = checks.uncertainties(sweep, kind)
        outcome_names, outcome_refs = checks.outcomes(sweep, [u.name for u in uncertainties])
        current = {
            p: checks.check_path(base, base_dict, p, f"uncertainty '{u.name}'")
            for u in uncertainties
            for p in u.paths
        }
        policies = checks.policies(sweep, base, uncertainties)
        checks.check_size(sweep, kind, uncertainties, len(policies))
        points = _points(sweep, kind, uncertainties)
        rows = points.to_dict("records")
        point_overrides = [_point_overrides(uncertainties, row, current) for row in rows]
        hashes = _scenario_hashes(sweep.name, base, base_dict, points, point_overrides, policies)
        checks.check_table(sweep, outcome_names, outcome_refs)
        plan = cls(
            sweep=sweep,
            base=base_dict,
            steps=steps,
            uncertainties=uncertainties,
            points=points,
            policies=policies,
            point_overrides=point_overrides,
            scenario_hashes=hashes,
            outcome_names=outcome_names,
            outcome_refs=outcome_refs,
            spec={},
            spec_hash="",
            common_seeds=kind in designs.COMMON_SEEDS,
        )
        return plan._finish(kind)

    @classmethod
    def _build_function(cls, sweep: Sweep, kind: str) -> Plan:
        """The plan of a function model (:mod:`aimarket.experiments.engine.functional`)."""
        ref, uncertainties = functional.setup(sweep, kind)
        policies = functional.policies(sweep, uncertainties)
        checks.check_size(sweep, kind, uncertainties, len(policies))
        points = _points(sweep, kind, uncertainties)
        overrides = [
            functional.point_overrides(uncertainties, r) for r in points.to_dict("records")
        ]
        hashes = {
            (i, pname): functional.scenario_hash(ref, {**o, **pol})
            for i, o in enumerate(overrides)
            for pname, pol in policies.items()
        }
        plan = cls(
            sweep=sweep,
            base={},
            steps=1,
            uncertainties=uncertainties,
            points=points,
            policies=policies,
            point_overrides=overrides,
            scenario_hashes=hashes,
            outcome_names=[],
            outcome_refs=[],
            spec={},
            spec_hash="",
            model_ref=ref,
            common_seeds=kind in designs.COMMON_SEEDS,
        )
        return plan._finish(kind)

    def _finish(self, kind: str) -> Plan:
        self.spec = self._spec_record(kind)
        self.spec_hash = seeds.digest(seeds.canonical(self.spec))  # also checks it is plain data
        return self

    def _spec_record(self, kind: str) -> dict[str, Any]:
        """The sweep as plain data, as the results folder records it; its hash names it."""
        sweep = self.sweep
        return {
            "name": sweep.name,
            "description": sweep.description,
            "base": self.base,
            "steps": self.steps,
            "policies": self.policies,
            "uncertainties": [u.to_dict() for u in self.uncertainties],
            "design": kind,
            "n": sweep.n,
            "points": [
                {k: _plain(v) for k, v in r.items()} for r in self.points.to_dict("records")
            ],
            "replicates": int(sweep.replicates),
            "seed": int(sweep.seed),
            "outcomes": self.outcome_names,
            "outcome_functions": self.outcome_refs,
            "series": list(sweep.series),
            **(
                {"model": [self.model_ref["module"], self.model_ref["name"]]}
                if self.model_ref
                else {}
            ),
            **({"common_seeds": True} if self.common_seeds else {}),
        }

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
                seq = seeds.run_seed(root, self.seed_point(i), r)
                for pname in self.policies:
                    rid = seeds.run_id(self.scenario_hashes[(i, pname)], self.steps, seq)
                    if self.common_seeds:  # two points may coincide (Morris): ids stay unique
                        rid = seeds.digest([rid, i])
                    yield {
                        "run_id": rid,
                        "policy": pname,
                        "point": i,
                        "replicate": r,
                        "seed": seeds.seed_label(seq),
                    }

    def seed_point(self, point: int) -> int:
        """The point index a run's seed is spawned from: its own, or 0 for every point of a
        design with common seeds (:data:`~aimarket.experiments.engine.designs.COMMON_SEEDS`)."""
        return 0 if self.common_seeds else int(point)

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
            "seed_point": self.seed_point(i),
            "model": self.model_ref,
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


def _points(sweep: Sweep, kind: str, uncertainties: list[Uncertainty]) -> pd.DataFrame:
    points = designs.build(
        kind,
        uncertainties,
        n=sweep.n,
        points=sweep.design if kind == "points" else None,
        seed=int(sweep.seed),
    )
    if len(points) == 0:
        raise ScenarioError(f"sweep '{sweep.name}': design '{kind}' is empty: it has no points")
    return points


def _point_overrides(
    uncertainties: list[Uncertainty], row: Mapping[str, Any], current: Mapping[str, Any]
) -> dict[str, Any]:
    """The parameter values of one design point: each uncertainty's value set, scaling
    or shifting the base value (``current``, by path) of each of its paths. Nothing is
    coerced: a value the model could take only rounded or converted is refused
    (:func:`~aimarket.experiments.engine.levels.check_level`), and the scenario's own
    validation checks the rest."""
    over: dict[str, Any] = {}
    for u in uncertainties:
        x = _plain(row[u.name])
        for p in u.paths:
            levels.check_level(u, p, current[p], x)
            if u.mode == "scale":
                over[p] = current[p] * x
            elif u.mode == "shift":
                over[p] = current[p] + x
            else:
                over[p] = x
    return over


def _scenario_hashes(
    name, base, base_data, points, point_overrides, policies
) -> dict[tuple[int, str], str]:
    """Every (point, policy) scenario, validated by the engine, by its digest (built as
    :mod:`~aimarket.experiments.engine.variants` of one reference scenario per policy)."""
    variants = {pname: Variants(base, base_data, pol) for pname, pol in policies.items()}
    hashes = {}
    for i, over in enumerate(point_overrides):
        for pname, made in variants.items():
            try:
                scenario = made.build(over)
            except ScenarioError as exc:
                row = points.iloc[[i]].to_dict("records")[0]
                shown = ", ".join(f"{k}={_plain(v)!r}" for k, v in row.items())
                raise checks.prefix_error(
                    f"sweep '{name}': design point {i} ({shown}), policy '{pname}'", exc
                ) from None
            hashes[(i, pname)] = made.digest(scenario)
    return hashes
