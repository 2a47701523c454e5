"""The calibration's ABC-SMC (experiments/analysis/calibrate/smc.py) docked against a
posterior known in closed form, and its store: determinism, resume, refusal."""

from __future__ import annotations

import hashlib
import itertools

import numpy as np
import pytest

from aimarket.experiments.analysis.calibrate import smc
from aimarket.simulation.errors import ScenarioError

#: Two parameters with flat priors on [-10, 10] and [0, 20]; one noisy observation of each,
#: y1 ~ N(theta1, 1) seen at 1 and y2 ~ N(theta2, 2^2) seen at 8. The posterior is (up to
#: a truncation far in the tails) N(1, 1) x N(8, 2^2).
LO, HI = np.array([-10.0, 0.0]), np.array([10.0, 20.0])
SIGMA, SEEN = np.array([1.0, 2.0]), np.array([1.0, 8.0])


def _noise(u_row: np.ndarray) -> np.ndarray:
    """Noise seeded from the point itself, as the model's runs are seeded from their draw."""
    seed = int.from_bytes(hashlib.sha256(u_row.tobytes()).digest()[:8], "little")
    return np.random.default_rng(seed).standard_normal(2)


def gaussian(u: np.ndarray) -> np.ndarray:
    theta = LO + u * (HI - LO)
    y = theta + SIGMA * np.array([_noise(row) for row in u]).reshape(len(u), 2)
    return np.sqrt((((y - SEEN) / SIGMA) ** 2).sum(axis=1))


SETTINGS = smc.Settings(population=1000, generations=40, seed=7)


def test_recovers_a_known_posterior(tmp_path):
    """Posterior means within 0.1 standard deviations, standard deviations within 20%."""
    state = smc.run(tmp_path / "s", gaussian, 2, SETTINGS, {"model": "gaussian"}, lambda *_: 0)
    theta = LO + state.u * (HI - LO)
    mean, sd = theta.mean(axis=0), theta.std(axis=0)
    assert np.all(np.abs(mean - SEEN) < 0.1 * SIGMA), mean
    assert np.all(np.abs(sd / SIGMA - 1) < 0.2), sd
    ess, distinct = smc.distinct_ess(state.u)
    assert distinct >= 800 and ess >= 600  # the population did not collapse
    assert state.rows[-1]["acceptance"] < SETTINGS.min_acceptance or state.t == 39  # its rule


def _timeless(state: smc.State) -> list[dict]:
    """The generations' record without their wall times."""
    return [{k: v for k, v in r.items() if k != "seconds"} for r in state.rows]


def test_same_seed_same_population_and_a_resumed_run_matches_an_unbroken_one(tmp_path):
    s = smc.Settings(population=200, generations=6, seed=3)
    whole = smc.run(tmp_path / "a", gaussian, 2, s, {}, lambda *_: 0)
    again = smc.run(tmp_path / "b", gaussian, 2, s, {}, lambda *_: 0)
    assert np.array_equal(whole.u, again.u) and _timeless(whole) == _timeless(again)
    short = smc.Settings(population=200, generations=3, seed=3)
    smc.run(tmp_path / "c", gaussian, 2, short, {}, lambda *_: 0)
    resumed = smc.run(tmp_path / "c", gaussian, 2, s, {}, lambda *_: 0)
    assert np.array_equal(whole.u, resumed.u) and _timeless(whole) == _timeless(resumed)
    assert [r["t"] for r in resumed.rows] == list(range(6))


def test_thresholds_fall_and_every_particle_is_within_the_last_one(tmp_path):
    state = smc.run(tmp_path / "s", gaussian, 2, smc.Settings(population=300, generations=8),
                    {}, lambda *_: 0)  # fmt: skip
    eps = [r["epsilon"] for r in state.rows[1:]]
    assert all(b <= a for a, b in itertools.pairwise(eps)) and eps[-1] < eps[0]
    assert np.all(state.d <= eps[-1] + 1e-12) and np.all((state.u >= 0) & (state.u <= 1))


def test_a_store_for_another_problem_is_refused_in_one_line(tmp_path):
    smc.run(tmp_path / "s", gaussian, 2, smc.Settings(population=50, generations=2),
            {"targets": ["a"]}, lambda *_: 0)  # fmt: skip
    with pytest.raises(ScenarioError, match="differs in targets") as info:
        smc.run(tmp_path / "s", gaussian, 2, smc.Settings(population=50, generations=3),
                {"targets": ["b"]}, lambda *_: 0)  # fmt: skip
    assert "\n" not in str(info.value)


def test_a_deadline_before_the_first_generation_is_one_line(tmp_path):
    with pytest.raises(ScenarioError, match="before the first generation"):
        smc.run(tmp_path / "s", lambda u: None, 2, smc.Settings(population=10), {}, print)


def test_a_deadline_mid_run_keeps_the_finished_generations(tmp_path):
    calls = []

    def evaluate(u):
        calls.append(len(u))
        return gaussian(u) if len(calls) <= 30 else None  # a generation takes <= 21

    state = smc.run(tmp_path / "s", evaluate, 2, smc.Settings(population=40), {}, print)
    assert 1 <= state.t < 39 and smc.load(tmp_path / "s").t == state.t


def test_distinct_ess_merges_equal_rows():
    u = np.array([[0.1, 0.2]] * 3 + [[0.3, 0.4]])
    assert smc.distinct_ess(u) == (pytest.approx(16 / 10), 2)
    assert smc.distinct_ess(np.eye(5)) == (pytest.approx(5.0), 5)
    assert smc.kish([3.0, 1.0]) == pytest.approx(1.6) and smc.kish([]) == 0.0


def test_moves_give_a_copy_a_99_percent_chance_to_move():
    assert smc.moves_for(0.5, 10) == 7  # 1 - 0.5^7 > 0.99 > 1 - 0.5^6
    assert smc.moves_for(1.0, 10) == 1 and smc.moves_for(0.0, 10) == 10
    assert smc.moves_for(0.01, 6) == 6
