"""Approximate Bayesian computation (ABC-SMC, pyabc) over the calibration problem.

pyabc draws parameter sets from the priors of :mod:`.problem`, simulates each, keeps those
whose distance to the facts is below a threshold that falls generation by generation (the
median distance of the previous generation), and moves the kept population with a
multivariate normal kernel. Every generation is written to an SQLite store; a run that is
killed resumes from the last finished generation (:func:`infer` with the same ``store``).
Its result is a weighted population: the posterior ensemble.

pyabc's workers reseed themselves from the operating system, so two calibrations differ in
their draws (the posterior shipped as data is what the model uses); each simulation is
seeded from its own parameter values, so a draw always gives the same run.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pyabc
from pyabc.parameters import Parameter
from pyabc.population import Particle
from pyabc.sampler import MulticoreEvalParallelSampler, SingleCoreSampler

from aimarket.experiments.analysis import stats
from aimarket.experiments.analysis import targets as tg
from aimarket.experiments.analysis.calibrate import problem
from aimarket.simulation.errors import ScenarioError


@dataclass(frozen=True)
class Budget:
    """How long an inference may run: generations, population, minutes (of wall time,
    honoured within a generation too), simulations, and the distance at which it stops
    early; ``developers`` per simulation."""

    population: int = 400
    generations: int = 12
    minutes: float = 30.0
    simulations: int = 200_000
    min_distance: float = 0.9
    developers: int = 2000
    workers: int = 2


#: Small enough for CI (seconds), still two generations.
QUICK = Budget(population=16, generations=2, minutes=2.0, simulations=2000, min_distance=0.0,
               developers=200, workers=1)  # fmt: skip


def prior() -> pyabc.Distribution:
    """Uniform (or log-uniform) over each calibrated record's range."""
    rvs = {}
    for u in problem.records():
        if u.log_scale:
            rvs[u.name] = pyabc.RV("loguniform", u.lo, u.hi)
        else:
            rvs[u.name] = pyabc.RV("uniform", u.lo, u.hi - u.lo)
    return pyabc.Distribution(**rvs)


#: The clock of the wall-time budget (monotonic, shared by forked workers on Linux).
_now = time.monotonic


class _Deadline:
    """pyabc's ``simulate_one`` that, once ``deadline`` has passed, starts no simulation:
    it returns at once a rejected particle, so the generation's sampling loop ends."""

    def __init__(self, simulate_one, deadline: float):
        self.simulate_one, self.deadline = simulate_one, deadline

    def __call__(self) -> Particle:
        if _now() >= self.deadline:
            return Particle(m=0, parameter=Parameter(), weight=0.0, sum_stat={},
                            distance=np.inf, accepted=False)  # fmt: skip
        return self.simulate_one()


class _Budgeted:
    """A pyabc sampler that honours the wall-time budget *within* a generation (pyabc
    checks ``max_walltime`` only between generations): past the deadline its evaluations
    are instant rejections, and at most ``cap`` evaluations end the generation unfinished
    (pyabc then stops and keeps the generations already stored)."""

    deadline: float = np.inf
    cap: int = 1

    def sample_until_n_accepted(self, n, simulate_one, t, *, max_eval=np.inf, **kwargs):
        if kwargs.get("all_accepted"):  # the prior sample that sets the first threshold:
            return super().sample_until_n_accepted(  # exactly n runs, all of them needed
                n, simulate_one, t, max_eval=max_eval, **kwargs
            )
        limit = min(max_eval, self.cap)
        wrapped = _Deadline(simulate_one, self.deadline)
        return super().sample_until_n_accepted(n, wrapped, t, max_eval=limit, **kwargs)


class _SingleCore(_Budgeted, SingleCoreSampler):
    pass


class _MultiCore(_Budgeted, MulticoreEvalParallelSampler):
    pass


def _sampler(budget: Budget, deadline: float):
    """The sampler for ``budget.workers``, stopping at ``deadline`` (a :data:`_now` time)
    and after ``budget.simulations`` evaluations in one generation."""
    if budget.workers <= 1:
        sampler = _SingleCore(check_max_eval=True)
    else:
        sampler = _MultiCore(n_procs=budget.workers, check_max_eval=True)
    sampler.deadline, sampler.cap = deadline, budget.simulations
    return sampler


@dataclass
class Inference:
    """A finished (or stopped) inference: the final weighted population and its record."""

    store: Path
    population: pd.DataFrame  # one row per particle, one column per parameter
    weights: np.ndarray
    generations: pd.DataFrame  # t, epsilon, samples, particles
    simulations: int
    seconds: float
    budget: Budget


def infer(
    store: Path,
    targets: Sequence[tg.Target] = tg.TARGETS,
    budget: Budget = Budget(),
    log=print,
) -> Inference:
    """Run (or resume) ABC-SMC on ``targets``, storing generations in ``store``."""
    logging.getLogger("ABC").setLevel(logging.WARNING)
    logging.getLogger("Sampler").setLevel(logging.WARNING)
    store = Path(store)
    store.parent.mkdir(parents=True, exist_ok=True)
    abc = pyabc.ABCSMC(
        models=problem.Simulator(developers=budget.developers),
        parameter_priors=prior(),
        distance_function=problem.Distance(targets),
        population_size=budget.population,
        sampler=_sampler(budget, _now() + 60.0 * budget.minutes),
        eps=pyabc.QuantileEpsilon(alpha=0.5),
    )
    db = f"sqlite:///{store}"
    t0 = time.perf_counter()
    done = 0
    if store.exists() and pyabc.History(db).max_t >= 0:
        history = abc.load(db, 1)
        done = history.max_t + 1
        log(f"resuming {store.name} after generation {done} of {budget.generations}")
    else:
        abc.new(db, problem.observed(targets))
    history = abc.history
    if done < budget.generations and not _converged(history, budget):
        history = abc.run(
            minimum_epsilon=budget.min_distance,
            max_nr_populations=budget.generations - done,
            max_walltime=timedelta(minutes=budget.minutes),
            max_total_nr_simulations=budget.simulations,
        )
    if history.max_t < 0:
        raise ScenarioError(
            f"{store.name}: the time budget ({budget.minutes:g} minutes) ended before the "
            "first generation was complete; give it more minutes"
        )
    frame, weights = history.get_distribution(m=0, t=history.max_t)
    pops = history.get_all_populations()
    pops = pops[pops["t"] >= 0].reset_index(drop=True)
    pops["ess"] = [kish(history.get_distribution(m=0, t=int(t))[1]) for t in pops["t"]]
    return Inference(
        store=store,
        population=frame[[u.name for u in problem.records()]].reset_index(drop=True),
        weights=np.asarray(weights, dtype=float),
        generations=pops[["t", "epsilon", "samples", "particles", "ess"]],
        simulations=int(history.total_nr_simulations),
        seconds=time.perf_counter() - t0,
        budget=budget,
    )


def kish(weights) -> float:
    """Kish's effective sample size of a weighted population, (sum w)^2 / sum w^2: the
    number of equally weighted particles that would carry as much information (1 when
    one particle holds all the weight)."""
    w = np.asarray(weights, dtype=float)
    return float(w.sum() ** 2 / (w * w).sum()) if w.size and (w > 0).any() else 0.0


@dataclass(frozen=True)
class Health:
    """Whether a posterior may be shipped: the final population's Kish effective sample
    size, the number of distinct rows among the shipped draws, and the least of each it
    needs (100 each for the full calibration; a quarter of the population for ``--quick``)."""

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
    distinct = len(draws.drop_duplicates())
    return Health(ess=kish(inference.weights), distinct=distinct, needed=needed)


def _converged(history: pyabc.History, budget: Budget) -> bool:
    pops = history.get_all_populations()
    eps = pops.loc[pops["t"] >= 0, "epsilon"]
    return bool(len(eps)) and float(eps.iloc[-1]) <= budget.min_distance


def median(inference: Inference) -> dict[str, float]:
    """The weighted posterior median of each parameter (four significant figures)."""
    return {
        name: float(
            f"{stats.weighted_median(inference.population[name].to_numpy(), inference.weights):.4g}"
        )
        for name in inference.population.columns
    }


def resample(inference: Inference, n: int, seed: int = 0) -> pd.DataFrame:
    """``n`` equally weighted draws from the weighted population (systematic resampling
    with a fixed seed: the same population gives the same draws)."""
    w = inference.weights / inference.weights.sum()
    u = (np.random.default_rng(seed).random() + np.arange(n)) / n
    idx = np.minimum(np.searchsorted(np.cumsum(w), u), len(w) - 1)
    return inference.population.iloc[idx].reset_index(drop=True)
