"""The game across a set of scenarios: which profile is an equilibrium in how many of them,
and which strategy does well (or least badly) whatever the scenario.

A game with ``uncertainties`` runs every profile on the same seeds at every point of its
scenario design (a sampled design over uncertainties, or the calibration's posterior
draws). Each scenario is then a game of its own (:func:`per_scenario`), analysed like
one; across the set:

* per profile (:func:`profiles`): the share of scenarios in which it is a pure equilibrium
  (on the mean payoffs), the mean over scenarios of its bootstrap probability, and its
  mean and largest regret;
* per player and strategy (:func:`strategies`): its payoff averaged over the scenarios
  and the others' strategies (``mean``), the worst decile over scenarios of its payoff
  averaged over the others' strategies (``worst_decile``), its regret (what a best
  response against the same others would have gained) averaged over the others'
  strategies, as a mean and a maximum over scenarios, and the share of (scenario, others'
  profile) pairs in which it is a best response.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from aimarket.experiments.analysis import stats
from aimarket.experiments.strategy import equilibria
from aimarket.experiments.strategy.equilibria import Table

#: The quantile behind ``worst_decile``.
WORST = 0.10


def per_scenario(table: Table, by_point: np.ndarray) -> list[Table]:
    """The game of each scenario: ``by_point[p, i, k, s]`` is player i's payoff in
    profile p at scenario k on seed s."""
    return [
        Table(table.players, table.strategies, table.profiles, by_point[:, :, k, :])
        for k in range(by_point.shape[2])
    ]


def _verdicts(tables: list[Table]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per scenario k: mean payoffs [k, p, i], best responses, regret and equilibria [k, p]."""
    means = np.stack([t.samples.mean(axis=2) for t in tables])
    best, regret = np.zeros(means.shape, dtype=bool), np.zeros(means.shape)
    eq = np.zeros(means.shape[:2], dtype=bool)
    for k, t in enumerate(tables):
        b, r, complete = equilibria.verdicts(t, means[k][:, :, None])
        best[k], regret[k] = b[:, :, 0], r[:, :, 0]
        eq[k] = b[:, :, 0].all(axis=1) & complete
    return means, best, regret, eq


def profiles(tables: list[Table], resamples: int, seed: int) -> pd.DataFrame:
    """Per profile across the scenarios (see the module docstring)."""
    _, _, regret, eq = _verdicts(tables)
    prob = np.stack(
        [equilibria.analyse(t, resamples, seed).profiles["probability"] for t in tables]
    )
    worst = regret.max(axis=2)  # [k, p]: the profile's regret in each scenario
    return (
        tables[0]
        .columns()
        .assign(
            share_equilibrium=eq.mean(axis=0),
            mean_probability=prob.mean(axis=0),
            regret_mean=worst.mean(axis=0),
            regret_max=worst.max(axis=0),
            scenarios=len(tables),
        )
    )


def strategies(tables: list[Table]) -> pd.DataFrame:
    """Per player and strategy across the scenarios (see the module docstring)."""
    means, best, regret, _ = _verdicts(tables)
    t = tables[0]
    prof = np.array(t.profiles)
    rows = []
    for i, (player, names) in enumerate(zip(t.players, t.strategies, strict=True)):
        for s, name in enumerate(names):
            mask = prof[:, i] == s
            if not mask.any():
                continue
            payoff = means[:, mask, i].mean(axis=1)  # per scenario, over the others
            lost = regret[:, mask, i].mean(axis=1)
            rows.append(
                {"player": player, "strategy": name, "mean": float(payoff.mean()),
                 "worst_decile": stats.at_share(payoff, WORST),
                 "regret_mean": float(lost.mean()), "regret_max": float(lost.max()),
                 "share_best_response": float(best[:, mask, i].mean()),
                 "scenarios": len(tables)}
            )  # fmt: skip
    return pd.DataFrame(rows)
