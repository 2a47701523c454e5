"""ABC-SMC with MCMC moves on the unit cube (replenishment ABC-SMC).

The algorithm is that of Drovandi & Pettitt (2011, *Biometrics* 67: 225-233), an
adaptive form of Del Moral, Doucet & Jasra (2012, *Statistics and Computing* 22:
1009-1020). Parameters live on the unit cube ``[0, 1]^D`` (a uniform prior there: each
calibrated parameter maps to its record's range, linearly or on a log scale), and every
particle carries one distance to the facts.

1. Generation 0 draws ``N`` particles from the prior and computes their distances.
2. Each later generation sets the threshold to the ``alpha`` quantile of the distances,
   drops the particles above it and refills their places with copies of the survivors;
   each copy then takes Metropolis-Hastings moves: a Gaussian step on the logit scale of
   the cube (so no step leaves it) with the survivors' covariance there times
   ``2.38^2 / D``, accepted with the prior's density ratio on that scale (the Jacobian of
   the logistic map) and only when its distance is within the threshold; the prior's
   ratio is tested first, so a move it rejects costs no simulation. The number of moves
   is set from the first move's acceptance rate so that a copy moves at least once with
   probability 0.99 (at most ``max_moves``).
3. It stops when the acceptance rate falls below ``min_acceptance``, the threshold
   reaches ``min_distance``, the generations or evaluations are spent, or the deadline
   passes (then the last finished generation stands).

Unlike importance-weighted ABC-SMC (PMC-ABC, what pyabc implements), every particle of
a generation carries the same weight, so the population cannot collapse onto a few
particles; what can go wrong instead is that moves stop being accepted, which leaves
copies: :func:`distinct_ess` counts them (Kish's effective sample size of the
population with equal copies merged).

Each generation is stored (``gen-NNNN.npz`` in the store folder, written atomically), so
a killed run resumes from the last one; generation ``t``'s random numbers come from
``SeedSequence([seed, t])``, so a resumed run gives the same generations as one that
was never stopped.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from aimarket.simulation.errors import ScenarioError
from aimarket.simulation.files import atomic_write

#: Distances of a batch of points on the cube, or None once the deadline has passed.
Evaluate = Callable[[np.ndarray], "np.ndarray | None"]


@dataclass(frozen=True)
class Settings:
    """Population size, survivors' share, stopping rules and the random seed."""

    population: int = 1000
    generations: int = 40
    alpha: float = 0.5
    min_acceptance: float = 0.1
    min_distance: float = 0.0
    max_moves: int = 20
    evaluations: int = 10**7
    seed: int = 20230101


@dataclass
class State:
    """One finished generation: the particles on the cube, their distances and the
    record of every generation so far."""

    t: int
    u: np.ndarray
    d: np.ndarray
    rows: list[dict]

    @property
    def evaluations(self) -> int:
        return int(sum(r["evaluations"] for r in self.rows))

    @property
    def seconds(self) -> float:
        """Wall time spent on the stored generations (across resumes)."""
        return float(sum(r.get("seconds", 0.0) for r in self.rows))


def kish(weights) -> float:
    """Kish's effective sample size, (sum w)^2 / sum w^2 (0 for no positive weight)."""
    w = np.asarray(weights, dtype=float)
    return float(w.sum() ** 2 / (w * w).sum()) if w.size and (w > 0).any() else 0.0


def distinct_ess(u: np.ndarray, weights=None) -> tuple[float, int]:
    """Kish's effective sample size of a population whose equal rows are merged (their
    weights summed), and the number of distinct rows: ``N`` equally weighted distinct
    particles give ``N``; ``N`` copies of one give 1."""
    u = np.asarray(u, dtype=float)
    w = np.ones(len(u)) if weights is None else np.asarray(weights, dtype=float)
    if not len(u):
        return 0.0, 0
    _, inverse = np.unique(u, axis=0, return_inverse=True)
    merged = np.bincount(inverse.ravel(), weights=w)
    return kish(merged), len(merged)


def _row(t, eps, sims, accepted, proposals, moves, u) -> dict:
    ess, distinct = distinct_ess(u)
    rate = accepted / proposals if proposals else None
    return {"t": t, "epsilon": float(eps), "evaluations": int(sims), "acceptance": rate,
            "moves": int(moves), "ess": ess, "distinct": distinct}  # fmt: skip


# -- the store ---------------------------------------------------------------------------------
def _save(store: Path, state: State) -> None:
    def write(tmp: Path) -> None:
        with open(tmp, "wb") as fh:
            np.savez(fh, u=state.u, d=state.d, rows=json.dumps(state.rows))

    atomic_write(store / f"gen-{state.t:04d}.npz", write)


def load(store: Path, t: int | None = None) -> State | None:
    """The last stored generation of ``store``, or generation ``t`` (None when there is
    none)."""
    files = sorted(Path(store).glob("gen-*.npz"))
    if t is not None:
        files = [f for f in files if f.name == f"gen-{t:04d}.npz"]
    if not files:
        return None
    with np.load(files[-1]) as z:
        rows = json.loads(str(z["rows"]))
        return State(t=rows[-1]["t"], u=z["u"], d=z["d"], rows=rows)


def _check_store(store: Path, meta: dict) -> None:
    """Write the store's description, or refuse a store made for another problem."""
    path = store / "meta.json"
    if path.exists():
        old = json.loads(path.read_text())
        if old != meta:
            changed = sorted(k for k in set(old) | set(meta) if old.get(k) != meta.get(k))
            raise ScenarioError(
                f"{store}: made for another inference (differs in {', '.join(changed)}); "
                "use --fresh to start over"
            )
    else:
        store.mkdir(parents=True, exist_ok=True)
        atomic_write(path, lambda tmp: tmp.write_text(json.dumps(meta, sort_keys=True)))


# -- the algorithm -----------------------------------------------------------------------------
def run(
    store: Path, evaluate: Evaluate, dim: int, settings: Settings, problem: dict, log=print
) -> State:
    """Run (or resume) the inference of a ``dim``-dimensional problem described by
    ``problem`` (stored and compared on resume) and return its last generation."""
    store = Path(store)
    kept = {k: getattr(settings, k) for k in ("population", "alpha", "max_moves", "seed")}
    _check_store(store, {**problem, "dim": dim, **kept})
    state = load(store)
    t0 = time.monotonic()
    if state is None:
        u = np.random.default_rng([settings.seed, 0]).random((settings.population, dim))
        d = evaluate(u)
        if d is None:
            raise ScenarioError(
                f"{store.name}: the time budget ended before the first generation was "
                "complete; give it more minutes"
            )
        state = State(0, u, np.asarray(d, float), [_row(0, np.max(d), len(u), 0, 0, 0, u)])
        state.rows[-1]["seconds"], t0 = time.monotonic() - t0, time.monotonic()
        _save(store, state)
    elif state.t > 0:
        log(f"resuming {store.name} after generation {state.t}")
    while not _finished(state, settings):
        nxt = _generation(state, evaluate, dim, settings)
        if nxt is None:
            break
        state = nxt
        state.rows[-1]["seconds"], t0 = time.monotonic() - t0, time.monotonic()
        _save(store, state)
        r = state.rows[-1]
        log(
            f"generation {r['t']}: threshold {r['epsilon']:.3f}, acceptance "
            f"{r['acceptance']:.2f}, {r['distinct']} distinct, {r['evaluations']} evaluations"
        )
    return state


def _finished(state: State, s: Settings) -> bool:
    last = state.rows[-1]
    low_acceptance = state.t > 0 and not last["acceptance"] >= s.min_acceptance
    return (
        state.t + 1 >= s.generations
        or low_acceptance
        or (state.t > 0 and last["epsilon"] <= s.min_distance)
        or state.evaluations >= s.evaluations
    )


def moves_for(rate: float, most: int) -> int:
    """Moves so that a copy moves at least once with probability 0.99 at acceptance
    ``rate`` (Drovandi & Pettitt 2011), between 1 and ``most``."""
    if not rate > 0:
        return most
    if rate >= 1:
        return 1
    return int(min(most, max(1, math.ceil(math.log(0.01) / math.log1p(-rate)))))


def _logit(u: np.ndarray) -> np.ndarray:
    u = np.clip(u, 1e-12, 1.0 - 1e-12)
    return np.log(u) - np.log1p(-u)


def _log_prior(z: np.ndarray) -> np.ndarray:
    """Log density of the uniform prior on the cube, seen on the logit scale: the sum
    over coordinates of log(s (1 - s)), s the logistic of z."""
    return -(np.logaddexp(0.0, -z) + np.logaddexp(0.0, z)).sum(axis=1)


def _generation(state: State, evaluate: Evaluate, dim: int, s: Settings) -> State | None:
    rng = np.random.default_rng([s.seed, state.t + 1])
    u, d = state.u.copy(), state.d.copy()
    eps = float(np.sort(d)[max(0, math.ceil(s.alpha * len(d)) - 1)])
    alive, dead = np.flatnonzero(d <= eps), np.flatnonzero(d > eps)
    if not len(dead):  # every particle is within the threshold: nothing left to learn
        return None
    z_alive = _logit(u[alive])
    cov = np.atleast_2d(np.cov(z_alive.T)) * (2.38**2 / dim)
    chol = np.linalg.cholesky(cov + 1e-12 * np.eye(dim))
    src = rng.choice(len(alive), size=len(dead))
    z, dz, x = z_alive[src].copy(), d[alive][src].copy(), u[alive][src].copy()
    accepted = proposals = sims = moves = 0
    budget = 1
    while moves < budget:
        prop = z + rng.standard_normal(z.shape) @ chol.T
        log_u = np.log(rng.random(len(z)))
        passed = np.flatnonzero(log_u < _log_prior(prop) - _log_prior(z))
        cand = _sigmoid(prop[passed])
        dp = evaluate(cand) if len(passed) else np.empty(0)
        if dp is None:
            return None
        dp = np.asarray(dp, dtype=float)
        ok = passed[dp <= eps]
        z[ok], dz[ok], x[ok] = prop[ok], dp[dp <= eps], cand[dp <= eps]
        accepted, proposals, sims = accepted + len(ok), proposals + len(z), sims + len(passed)
        moves += 1
        if moves == 1:  # the first move measures the acceptance rate that sets the rest
            budget = moves_for(accepted / proposals, s.max_moves)
    u[dead], d[dead] = x, dz  # a copy that never moved keeps its parent's exact values
    rows = [*state.rows, _row(state.t + 1, eps, sims, accepted, proposals, moves, u)]
    return State(state.t + 1, u, d, rows)


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))
