"""Empirical games (aimarket game): docking against games with known equilibria, through
spec -> engine -> store -> analysis, on function models (issue 24, acceptance 1)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from aimarket.experiments.strategy import equilibria
from aimarket.experiments.strategy.game import load_game_results
from aimarket.experiments.strategy.spec import Game

PRISONERS = {("C", "C"): (3, 3), ("C", "D"): (0, 5), ("D", "C"): (5, 0), ("D", "D"): (1, 1)}
PENNIES = {("H", "H"): (1, -1), ("H", "T"): (-1, 1), ("T", "H"): (-1, 1), ("T", "T"): (1, -1)}
COORDINATION = {("A", "A"): (2, 2), ("A", "B"): (0, 0), ("B", "A"): (0, 0), ("B", "B"): (1, 1)}


def prisoners(row, col, rng):
    a, b = PRISONERS[(row, col)]
    return {"row": a + rng.normal(0, 0.01), "col": b + rng.normal(0, 0.01)}


def pennies(row, col):
    a, b = PENNIES[(row, col)]
    return {"row": a, "col": b}


def coordination(row, col):
    a, b = COORDINATION[(row, col)]
    return {"row": a, "col": b}


def noisy(row, col, gap, rng):
    """The row player gains ``gap`` by playing A (whatever col does), plus seed noise of
    its own for each strategy; col always plays A (a sure gain of 10)."""
    noise = rng.normal(0.0, 1.0, size=2)
    return {"row": gap * (row == "A") + noise[int(row == "B")], "col": 10.0 * (col == "A")}


def three(a, b, c):
    """Three players; each gains 1 by matching the next player's strategy (a cycle):
    (X, X, X) and (Y, Y, Y) are the pure equilibria."""
    return {"a": float(a == b), "b": float(b == c), "c": float(c == a)}


def _game(model, strategies=("C", "D"), **kw):
    players = {"row": list(strategies), "col": list(strategies)}
    return Game(name=model.__name__, model=model, players=players, seeds=kw.pop("seeds", 4), **kw)


def _run(game, tmp_path, name="out"):
    summary, results = game.run(tmp_path / name, executor="serial", progress=False)
    assert summary.exit_code == 0
    return summary, results


def test_prisoners_dilemma_has_the_unique_equilibrium_defect_defect(tmp_path):
    summary, results = _run(_game(prisoners), tmp_path)
    assert summary.ran == 16  # 4 profiles x 4 seeds
    assert list(results.equilibria["profile"]) == ["row=D,col=D"]
    assert results.equilibria["probability"].iloc[0] == 1.0
    best = results.best_responses.query("best")
    assert set(best["strategy"]) == {"D"}  # defect is each player's best response to both
    assert sorted(best["against"]) == ["col=C", "col=D", "row=C", "row=D"]
    mixed = results.mixed
    assert mixed["equilibrium"].nunique() == 1 and mixed["pure"].all()
    regret = results.profiles.set_index("profile")["regret"]
    assert regret["row=C,col=C"] == pytest.approx(2.0, abs=0.05)


def test_matching_pennies_has_no_pure_equilibrium_and_mixes_half_half(tmp_path):
    _, results = _run(_game(pennies, ("H", "T")), tmp_path)
    assert results.equilibria.empty
    assert (results.profiles["probability"] == 0).all()
    mixed = results.mixed
    assert mixed["equilibrium"].nunique() == 1 and not mixed["pure"].any()
    assert np.allclose(mixed["probability"], 0.5)
    assert np.allclose(mixed["payoff"], 0.0)


def test_coordination_game_reports_both_pure_equilibria_and_the_mixed_one(tmp_path):
    _, results = _run(_game(coordination, ("A", "B")), tmp_path)
    assert sorted(results.equilibria["profile"]) == ["row=A,col=A", "row=B,col=B"]
    mixed = results.mixed
    assert mixed["equilibrium"].nunique() == 3
    inner = mixed[~mixed["pure"]]
    assert inner.set_index(["player", "strategy"])["probability"].to_dict() == pytest.approx(
        {("row", "A"): 1 / 3, ("row", "B"): 2 / 3, ("col", "A"): 1 / 3, ("col", "B"): 2 / 3}
    )


def _paired_gap(results) -> tuple[float, float]:
    """The row player's mean paired difference A - B (col plays A) and its standard error."""
    s = results.samples.query("player == 'row'").pivot(
        index="seed", columns="profile", values="payoff"
    )
    d = s["row=A,col=A"] - s["row=B,col=A"]
    return float(d.mean()), float(d.std(ddof=1) / np.sqrt(len(d)))


@pytest.mark.parametrize(("gap_se", "low", "high"), [(0.1, 0.2, 0.8), (5.0, 0.95, 1.0)])
def test_equilibrium_probability_follows_the_gap_in_standard_errors(tmp_path, gap_se, low, high):
    seeds = 20
    game = _game(noisy, ("A", "B"), seeds=seeds, arguments={"gap": 0.0})
    _, null = _run(game, tmp_path, "null")
    d0, se = _paired_gap(null)
    # The noise depends on the seed only: shifting the gap moves the paired difference
    # of the same seeds by exactly that much, so it is now gap_se standard errors.
    game = _game(noisy, ("A", "B"), seeds=seeds, arguments={"gap": gap_se * se - d0})
    _, results = _run(game, tmp_path, "gap")
    d, se_again = _paired_gap(results)
    assert d == pytest.approx(gap_se * se) and se_again == pytest.approx(se)
    p = results.profiles.set_index("profile").loc["row=A,col=A", "probability"]
    assert low < p <= high if high == 1.0 else low < p < high
    assert list(results.equilibria["profile"]) == ["row=A,col=A"]


def test_a_finished_game_resumes_without_running_again(tmp_path):
    game = _game(prisoners)
    _run(game, tmp_path)
    summary, results = _run(game, tmp_path)
    assert summary.ran == 0 and summary.skipped == 16
    again = load_game_results(tmp_path / "out")
    pd.testing.assert_frame_equal(again.profiles, results.profiles)


def test_three_players_and_the_deviation_design(tmp_path):
    players = {p: ["X", "Y"] for p in "abc"}
    full = Game(name="three", model=three, players=players, seeds=2)
    _, results = _run(full, tmp_path, "full")
    assert sorted(results.equilibria["profile"]) == ["a=X,b=X,c=X", "a=Y,b=Y,c=Y"]
    assert results.mixed.empty  # mixed equilibria: two players only
    design = {"kind": "deviations", "profile": {"a": "X", "b": "X", "c": "X"}}
    reduced = Game(name="three", model=three, players=players, seeds=2, design=design)
    summary, results = _run(reduced, tmp_path, "reduced")
    assert summary.ran == 2 * 4  # the candidate and one deviation per player
    prof = results.profiles.set_index("profile")
    assert prof.loc["a=X,b=X,c=X", "equilibrium"] and prof.loc["a=X,b=X,c=X", "complete"]
    assert not prof.drop("a=X,b=X,c=X")["complete"].any()
    assert results.notes  # says that the other profiles cannot be judged


def test_tables_export_as_csv_and_parquet(tmp_path):
    _, results = _run(_game(prisoners), tmp_path)
    for fmt in ("csv", "parquet"):
        paths = results.export(tmp_path / fmt, fmt)
        assert {p.stem for p in paths} == set(results.tables())
    back = pd.read_parquet(tmp_path / "parquet" / "payoffs.parquet")
    assert len(back) == 8 and {"profile", "player", "mean", "lo", "hi"} <= set(back.columns)


def test_bootstrap_probabilities_reproduce_under_the_fixed_seed():
    rng = np.random.default_rng(3)
    profiles = [(0, 0), (0, 1), (1, 0), (1, 1)]
    table = equilibria.Table(["r", "c"], [["A", "B"]] * 2, profiles, rng.normal(size=(4, 2, 10)))
    first = equilibria.analyse(table, resamples=200)
    second = equilibria.analyse(table, resamples=200)
    pd.testing.assert_frame_equal(first.profiles, second.profiles)
    assert first.profiles["probability"].between(0, 1).all()


def shifting(row, col, x):
    """Each player's A pays x - 1.5 whatever the other does, B pays 0: A is dominant where
    x > 1.5, B where x < 1.5."""
    return {"row": (x - 1.5) * (row == "A"), "col": (x - 1.5) * (col == "A")}


def test_across_scenarios_shares_of_equilibria_worst_decile_and_regret(tmp_path):
    game = _game(shifting, ("A", "B"), seeds=2, uncertainties={"x": [0.0, 1.0, 2.0, 4.0]})
    summary, results = _run(game, tmp_path)
    assert summary.ran == 4 * 2 * 4  # profiles x seeds x scenarios
    share = results.robust_profiles.set_index("profile")["share_equilibrium"]
    assert share.to_dict() == {"row=A,col=A": 0.5, "row=A,col=B": 0.0,
                               "row=B,col=A": 0.0, "row=B,col=B": 0.5}  # fmt: skip
    row = results.robust_strategies.query("player == 'row'").set_index("strategy")
    assert row.loc["A", "mean"] == pytest.approx(0.25)  # mean of -1.5, -0.5, 0.5, 2.5
    assert row.loc["A", "worst_decile"] == pytest.approx(-1.2)
    assert row.loc["A", ["regret_mean", "regret_max"]].tolist() == pytest.approx([0.5, 1.5])
    assert row.loc["B", ["regret_mean", "regret_max"]].tolist() == pytest.approx([0.75, 2.5])
    assert row.loc["A", "share_best_response"] == 0.5
    assert list(results.equilibria["profile"]) == ["row=A,col=A"]  # of the pooled game
