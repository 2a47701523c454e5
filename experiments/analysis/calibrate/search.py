"""The calibration's search: which parameters it varies, within which bounds, and the
objective that differential evolution minimizes over them.

The fit runs the ``timeline`` scenario (baseline defaults plus the 2023-2026 history) for
its first 24 months (Jan 2023 to Dec 2024) on a few fixed seeds (common random numbers:
the objective is a deterministic function of the parameters), averages each target's
measure over the seeds (geometric mean for ratio targets), and minimizes the sum of
squared normalized misses (:meth:`aimarket.experiments.analysis.targets.Target.miss`)
with ``scipy.optimize.differential_evolution`` (fixed seed, ``polish=False``, deferred
updating, so it parallelizes over workers).
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import differential_evolution

from aimarket.experiments.analysis import targets as tg
from aimarket.simulation.model import MarketModel
from aimarket.simulation.params import FrozenMap
from aimarket.simulation.scenarios import load_scenario

SCENARIO = "timeline"
FIT_MONTHS = 24  # Jan 2023 to Dec 2024
FIT_SEED = 20230101  # root of the fit's common random numbers
DE_SEED = 1


@dataclass(frozen=True)
class Parameter:
    """A calibrated parameter: dotted path, search bounds and its economic role."""

    path: str
    lo: float
    hi: float
    role: str


PARAMETERS: tuple[Parameter, ...] = (
    Parameter(
        "market.compute_cost_decline",
        0.3,
        0.8,
        "annual fall of the compute cost index: the cost side of LLMflation (SF #1)",
    ),
    Parameter(
        "developers.segments.enterprise.price_sensitivity",
        0.1,
        1.5,
        "enterprise price weight: sets closed vendors' logit markups, hence the "
        "closed/open price ratio (SF #4)",
    ),
    Parameter(
        "developers.segments.enterprise.openness_preference",
        0.0,
        4.0,
        "enterprise taste for open weights (privacy, customization): open share of "
        "enterprise workloads (SF #5)",
    ),
    Parameter(
        "vendors.meta.rd_budget",
        50.0,
        1000.0,
        "the platform's R&D spend on its open model: the open frontier's pace, hence the "
        "open-vs-closed lag (SF #3)",
    ),
    Parameter(
        "innovation.community_quality",
        0.0,
        0.15,
        "community improvements to open weights per developer share: open frontier and "
        "open adoption feed each other (SF #3, #5)",
    ),
    Parameter(
        "entry.runway",
        3.0,
        96.0,
        "months of burn below which a private vendor raises a round: how early large labs "
        "go back to VCs, hence VC concentration (SF #9)",
    ),
)


# -- scenario fields --------------------------------------------------------------------------
def field_info(scenario, dotted: str) -> tuple[float, float | None, float | None, str]:
    """Current value, declared range (lo, hi) and unit of a scenario field by dotted path."""
    node, meta = scenario, None
    for part in dotted.split("."):
        if isinstance(node, FrozenMap):
            node = node[part]
            continue
        fields = {f.name: f for f in dataclasses.fields(node)}
        meta = fields[part].metadata
        node = getattr(node, part)
    meta = meta or {}
    return node, meta.get("lo"), meta.get("hi"), meta.get("unit", "")


def check_bounds(scenario, parameters: Sequence[Parameter] = PARAMETERS) -> None:
    """Every search interval lies inside its field's declared range."""
    for p in parameters:
        _, lo, hi, _ = field_info(scenario, p.path)
        if (lo is not None and p.lo < lo) or (hi is not None and p.hi > hi) or p.lo >= p.hi:
            raise ValueError(f"{p.path}: bounds [{p.lo}, {p.hi}] not inside [{lo}, {hi}]")


def rounded(x: float) -> float:
    """Four significant figures: the value written to the TOML is the one evaluated."""
    return float(f"{x:.4g}")


# -- running ----------------------------------------------------------------------------------
def seeds(root: int, n: int) -> list[np.random.SeedSequence]:
    return [np.random.SeedSequence(root, spawn_key=(i,)) for i in range(n)]


def run_frames(scenario, seed, months: int) -> tg.Frames:
    return tg.Frames.of(MarketModel(scenario, rng=seed).run(months))


def aggregate(values: Sequence[float], log: bool) -> float:
    """Mean over seeds (geometric for ratios), ignoring runs where it is undefined."""
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x) & ((x > 0) if log else True)]
    if not x.size:
        return float("nan")
    return float(np.exp(np.log(x).mean())) if log else float(x.mean())


#: Squared miss charged when a target is undefined on every seed (e.g. no VC money).
UNDEFINED_MISS = 9.0


def loss(values: Mapping[str, float], targets: Sequence[tg.Target] = tg.TARGETS) -> float:
    total = 0.0
    for t in targets:
        if not t.fit:
            continue
        z = t.miss(values[t.key])
        total += z * z if math.isfinite(z) else UNDEFINED_MISS
    return total


class Objective:
    """Picklable objective: parameters -> sum of squared normalized misses (CRN seeds)."""

    def __init__(self, base, parameters, seed_list, months: int = FIT_MONTHS):
        self.base = base
        self.paths = [p.path for p in parameters]
        self.seeds = seed_list
        self.months = months

    def values(self, x: Sequence[float]) -> dict[str, float]:
        scenario = self.base.with_overrides(dict(zip(self.paths, map(float, x), strict=True)))
        runs = [tg.measure_all(run_frames(scenario, s, self.months)) for s in self.seeds]
        return {t.key: aggregate([r[t.key] for r in runs], t.log) for t in tg.TARGETS}

    def __call__(self, x: Sequence[float]) -> float:
        return loss(self.values(x))


@dataclass
class Fit:
    values: dict[str, float]  # fitted parameters (rounded)
    loss_start: float  # at the current baseline
    loss_fit: float
    nfev: int
    nit: int
    seconds: float
    message: str
    settings: dict
    in_sample: dict[str, float]  # targets on the fit's own seeds at the fitted values


def fit(
    *,
    developers: int,
    n_seeds: int,
    maxiter: int,
    popsize: int,
    workers: int,
    parameters: Sequence[Parameter] = PARAMETERS,
    log=print,
) -> Fit:
    base = load_scenario(SCENARIO, {"developers.count": developers})
    check_bounds(base, parameters)
    objective = Objective(base, parameters, seeds(FIT_SEED, n_seeds))
    x0 = [field_info(base, p.path)[0] for p in parameters]
    start = objective(x0)
    log(f"baseline loss {start:.4f}; fitting {len(parameters)} parameters ...")
    t0 = time.perf_counter()
    settings = dict(
        strategy="best1bin",
        maxiter=maxiter,
        popsize=popsize,
        tol=0.01,
        mutation=(0.5, 1.0),
        recombination=0.7,
        seed=DE_SEED,
        polish=False,
        init="latinhypercube",
        updating="deferred",
        workers=workers,
    )
    result = differential_evolution(
        objective,
        bounds=[(p.lo, p.hi) for p in parameters],
        callback=lambda intermediate_result: log(
            f"  f = {intermediate_result.fun:.4f}  ({time.perf_counter() - t0:.0f} s)"
        ),
        **settings,
    )
    seconds = time.perf_counter() - t0
    values = {p.path: rounded(v) for p, v in zip(parameters, result.x, strict=True)}
    in_sample = objective.values(list(values.values()))
    settings.update(developers=developers, seeds=n_seeds, months=FIT_MONTHS, fit_seed=FIT_SEED)
    return Fit(values, start, loss(in_sample), int(result.nfev), int(result.nit), seconds,
               result.message, settings, in_sample)  # fmt: skip
