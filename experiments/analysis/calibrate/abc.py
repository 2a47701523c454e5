"""Approximate Bayesian computation over the calibration problem (ABC-SMC with MCMC moves).

The algorithm is in :mod:`.smc`; this module maps its unit cube to the calibrated
parameters (uniform, or log-uniform for a record with ``log_scale``, over each record's
range), evaluates particles on a process pool with the problem's simulator and distance
(:mod:`.problem`: each particle is the mean of ``replicates`` seeded runs), honours the
wall-time budget within a generation, and reports the population with its health: Kish's
effective sample size with equal copies merged, and the number of distinct particles.

Why not pyabc (used before, issue 23): its ABC-SMC weighs each particle by prior over
proposal density; with 16 calibrated parameters those weights collapsed (the shipped
posterior of ec6fa75 had an effective sample size of about 1: 199 of 200 draws the same,
and the quick calibration 1.1 of 16). Moving copies by MCMC within the threshold keeps
equal weights and many distinct particles; the whole algorithm is a page (:mod:`.smc`),
deterministic under its seed, and tested against a posterior known in closed form.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, replace
from multiprocessing import get_context
from pathlib import Path

import numpy as np
import pandas as pd

from aimarket.experiments.analysis import targets as tg
from aimarket.experiments.analysis.calibrate import problem, smc
from aimarket.experiments.analysis.calibrate.smc import kish

__all__ = [
    "QUICK", "Budget", "Inference", "health", "infer", "kish", "last_healthy", "nearest",
    "resample",
]  # fmt: skip


@dataclass(frozen=True)
class Budget:
    """How long an inference may run and how: particles, generations, minutes of wall
    time (honoured within a generation), simulations, the threshold at which it stops,
    developers and seeded replicates per particle, processes, and the :mod:`.smc`
    settings (survivors' share, the acceptance rate at which it stops, moves, seed)."""

    population: int = 600
    generations: int = 60
    minutes: float = 35.0
    simulations: int = 2_000_000
    min_distance: float = 0.0
    developers: int = 2000
    workers: int = 2
    replicates: int = 2
    alpha: float = 0.5
    min_acceptance: float = 0.03
    max_moves: int = 20
    seed: int = 20230101

    def settings(self) -> smc.Settings:
        return smc.Settings(
            population=self.population, generations=self.generations, alpha=self.alpha,
            min_acceptance=self.min_acceptance, min_distance=self.min_distance,
            max_moves=self.max_moves, evaluations=max(1, self.simulations // self.replicates),
            seed=self.seed,
        )  # fmt: skip


#: Small enough for CI (seconds), still three generations.
QUICK = Budget(population=24, generations=3, minutes=2.0, simulations=5000, developers=200,
               workers=1, replicates=1, min_acceptance=0.0)  # fmt: skip


def to_values(u: np.ndarray) -> pd.DataFrame:
    """Points of the unit cube as calibrated parameter values (one column per record)."""
    u = np.atleast_2d(np.asarray(u, dtype=float))
    cols = {}
    for j, rec in enumerate(problem.records()):
        if rec.log_scale:
            cols[rec.name] = np.exp(math.log(rec.lo) + u[:, j] * math.log(rec.hi / rec.lo))
        else:
            cols[rec.name] = rec.lo + u[:, j] * (rec.hi - rec.lo)
    return pd.DataFrame(cols)


def to_cube(values: pd.DataFrame) -> np.ndarray:
    """The inverse of :func:`to_values`."""
    out = []
    for rec in problem.records():
        x = values[rec.name].to_numpy(dtype=float)
        if rec.log_scale:
            out.append(np.log(x / rec.lo) / math.log(rec.hi / rec.lo))
        else:
            out.append((x - rec.lo) / (rec.hi - rec.lo))
    return np.column_stack(out)


#: The clock of the wall-time budget (monotonic).
_now = time.monotonic


def _distances(sim: problem.Simulator, facts: tuple, rows: list[dict]) -> list[float]:
    """Distances of a chunk of particles (a module function: a pool worker runs it).
    ``facts`` are the targets' (key, value, lo, hi): a target's measure is a lambda, which
    does not pickle, and a synthetic target (simulation-based calibration) moves its band."""
    targets = [replace(tg.by_key(k), value=v, lo=lo, hi=hi) for k, v, lo, hi in facts]
    distance = problem.Distance(targets)
    return [distance(sim(values)) for values in rows]


class Evaluator:
    """Distances of batches of cube points: in this process for one worker, else on a
    process pool in chunks; past ``deadline`` it starts nothing and returns None."""

    CHUNK = 4

    def __init__(self, budget: Budget, targets: Sequence[tg.Target], deadline: float):
        self.sim = problem.Simulator(developers=budget.developers, replicates=budget.replicates)
        self.facts = tuple((t.key, t.value, t.lo, t.hi) for t in targets)
        self.deadline = deadline
        self.pool = None
        if budget.workers > 1:
            self.pool = ProcessPoolExecutor(budget.workers, mp_context=get_context("fork"))
        self.inflight = 2 * max(1, budget.workers)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)

    def __call__(self, u: np.ndarray) -> np.ndarray | None:
        rows = to_values(u).to_dict(orient="records")
        if self.pool is None:
            out = []
            for values in rows:
                if _now() >= self.deadline:
                    return None
                out.extend(_distances(self.sim, self.facts, [values]))
            return np.asarray(out, dtype=float)
        return self._pooled(rows)

    def _pooled(self, rows: list[dict]) -> np.ndarray | None:
        chunks = [rows[i : i + self.CHUNK] for i in range(0, len(rows), self.CHUNK)]
        results: list = [None] * len(chunks)
        running: dict = {}
        nxt = 0
        while nxt < len(chunks) or running:
            while nxt < len(chunks) and len(running) < self.inflight:
                if _now() >= self.deadline:
                    for f in running:
                        f.cancel()
                    return None
                running[self.pool.submit(_distances, self.sim, self.facts, chunks[nxt])] = nxt
                nxt += 1
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for f in done:
                results[running.pop(f)] = f.result()
        return np.asarray([d for chunk in results for d in chunk], dtype=float)


#: The record of each generation.
GENERATION_COLUMNS = ("t", "epsilon", "simulations", "acceptance", "moves", "ess", "distinct")


@dataclass
class Inference:
    """A finished (or stopped) inference: the final population (equal weights after the
    moves; a weighted population is allowed too) and its record."""

    store: Path
    population: pd.DataFrame  # one row per particle, one column per parameter
    weights: np.ndarray
    generations: pd.DataFrame  # t, epsilon, simulations, acceptance, moves, ess, distinct
    simulations: int
    seconds: float  # wall time of the stored generations, across resumes
    budget: Budget
    distances: np.ndarray | None = None  # each particle's distance in the fit
    #: the generation whose population this is, when not the last one run
    #: (:func:`last_healthy`); the record ``generations`` keeps every generation run
    generation: int | None = None


def infer(
    store: Path, targets: Sequence[tg.Target] = tg.TARGETS, budget: Budget = Budget(), log=print
) -> Inference:
    """Run (or resume) the inference on ``targets``, storing generations in ``store``."""
    names = [u.name for u in problem.records()]
    spec = {"targets": [[t.key, t.value, t.lo, t.hi] for t in targets], "parameters": names,
            "developers": budget.developers, "replicates": budget.replicates,
            "months": problem.MONTHS}  # fmt: skip
    stored = smc.load(Path(store))  # --minutes is the fit's time across resumes
    spent = 0.0 if stored is None else stored.seconds
    evaluator = Evaluator(budget, targets, _now() + 60.0 * budget.minutes - spent)
    try:
        state = smc.run(Path(store), evaluator, len(names), budget.settings(), spec, log)
    finally:
        evaluator.close()
    rows = pd.DataFrame(state.rows)
    rows["simulations"] = rows["evaluations"] * budget.replicates
    return Inference(
        store=Path(store),
        population=to_values(state.u),
        weights=np.ones(len(state.u)),
        generations=rows[list(GENERATION_COLUMNS)],
        simulations=int(rows["simulations"].sum()),
        seconds=state.seconds,  # the fit's wall time, across resumes
        budget=budget,
        distances=np.asarray(state.d, dtype=float),
    )


@dataclass(frozen=True)
class Health:
    """Whether a posterior may be shipped: the final population's effective sample size
    (Kish, equal copies merged), the number of distinct rows among the shipped draws, and
    the least of each it needs (100 each for the full calibration; a quarter of the
    population for ``--quick``)."""

    ess: float
    distinct: int
    needed: float

    @property
    def healthy(self) -> bool:
        return self.ess >= self.needed and self.distinct >= self.needed

    def sentence(self) -> str:
        return (
            f"Kish effective sample size {self.ess:.1f} and {self.distinct} distinct draws "
            f"(at least {self.needed:g} of each needed)"
        )


#: The least ESS and distinct draws a shipped posterior needs.
MIN_HEALTHY = 100


def health(inference: Inference, draws: pd.DataFrame, quick: bool = False) -> Health:
    """How healthy the final population of ``inference`` is, for its shipped ``draws``."""
    needed = inference.budget.population / 4 if quick else MIN_HEALTHY
    ess, _ = smc.distinct_ess(inference.population.to_numpy(), inference.weights)
    return Health(ess=ess, distinct=len(draws.drop_duplicates()), needed=needed)


def last_healthy(inference: Inference, quick: bool = False, log=print) -> Inference:
    """The population to ship: the final one if it is healthy, else the last stored
    generation whose Kish ESS and distinct particles both reach what a shipped posterior
    needs (an SMC population at a looser threshold is still a posterior, only wider);
    the final one again when none does (the caller then refuses it). When the moves
    stop mixing, a last generation can collapse onto a few copies after healthy ones."""
    needed = inference.budget.population / 4 if quick else MIN_HEALTHY
    ess, distinct = smc.distinct_ess(inference.population.to_numpy(), inference.weights)
    rows = inference.generations
    ok = rows[(rows["t"] > 0) & (rows["ess"] >= needed) & (rows["distinct"] >= needed)]
    if (ess >= needed and distinct >= needed) or ok.empty:
        return inference
    row = ok.iloc[-1]
    state = smc.load(inference.store, int(row["t"]))
    if state is None:
        return inference
    log(
        f"      generation {int(rows['t'].iloc[-1])} collapsed (Kish ESS {ess:.1f}, "
        f"{distinct} distinct): shipping generation {int(row['t'])}, the last healthy one "
        f"(threshold {row['epsilon']:.3f}, ESS {row['ess']:.1f})"
    )
    return replace(
        inference,
        population=to_values(state.u),
        weights=np.ones(len(state.u)),
        distances=np.asarray(state.d, dtype=float),
        generation=int(row["t"]),
    )


def nearest(inference: Inference, k: int) -> pd.DataFrame:
    """The ``k`` distinct particles nearest the facts in the fit (candidates for the
    calibrated point; all particles' order when the distances are unknown)."""
    order = np.argsort(inference.distances if inference.distances is not None
                       else np.zeros(len(inference.population)), kind="stable")  # fmt: skip
    return inference.population.iloc[order].drop_duplicates().head(k).reset_index(drop=True)


def resample(inference: Inference, n: int, seed: int = 0) -> pd.DataFrame:
    """``n`` equally weighted draws from the weighted population (systematic resampling
    with a fixed seed: the same population gives the same draws)."""
    w = inference.weights / inference.weights.sum()
    u = (np.random.default_rng(seed).random() + np.arange(n)) / n
    idx = np.minimum(np.searchsorted(np.cumsum(w), u), len(w) - 1)
    return inference.population.iloc[idx].reset_index(drop=True)
