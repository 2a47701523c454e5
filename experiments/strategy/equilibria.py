"""Equilibria of an empirical game: pure Nash equilibria, best responses and regret, with
the probability that each holds under seed noise, and mixed equilibria of two-player
games (nashpy).

The input is a :class:`Table`: per strategy profile, per player, the payoffs on the
game's paired seeds (every profile ran on the same seeds). Means decide what *is* an
equilibrium; the probability that it *holds* is the share of bootstrap resamples of the
seeds (the same resampled seeds for every profile, so the pairing is kept; a fixed
bootstrap seed, so it reproduces) in which it is one. All of this is computed here, in
numpy, for any number of players; only mixed equilibria need a library, and only for
two players (nashpy's support enumeration). pygambit, which would solve games of more
players, ships no wheel for Python 3.11 here, so games of three or more players get pure
equilibria, best responses and regret only.

A profile's deviations for player ``i`` are the profiles that differ from it in player
``i``'s strategy only. Where a design leaves some out (a deviation-reduced design), a
profile is reported an equilibrium only if all of its deviations were run (``complete``).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from aimarket.experiments.analysis import stats

#: Bootstrap resamples of the seeds behind every probability, and their generator's seed.
RESAMPLES = 1000
BOOTSTRAP_SEED = 0
#: Two payoffs closer than this share of the table's largest payoff are a tie.
TIE = 1e-9


@dataclass
class Table:
    """The payoffs of an empirical game: ``samples[p, i, s]`` is player ``i``'s payoff in
    profile ``profiles[p]`` (a tuple of strategy indices) on seed ``s``."""

    players: list[str]
    strategies: list[list[str]]
    profiles: list[tuple[int, ...]]
    samples: np.ndarray
    _groups: list[list[tuple[list[int], bool]]] | None = field(default=None, repr=False)

    def label(self, p: int) -> str:
        return ",".join(
            f"{pl}={self.strategies[i][k]}"
            for i, (pl, k) in enumerate(zip(self.players, self.profiles[p], strict=True))
        )

    def groups(self) -> list[list[tuple[list[int], bool]]]:
        """Per player, the sets of profiles that differ only in that player's strategy,
        each with whether it holds all of the player's strategies."""
        if self._groups is None:
            self._groups = []
            for i, names in enumerate(self.strategies):
                by_others: dict[tuple, list[int]] = {}
                for p, prof in enumerate(self.profiles):
                    by_others.setdefault(prof[:i] + prof[i + 1 :], []).append(p)
                self._groups.append([(g, len(g) == len(names)) for g in by_others.values()])
        return self._groups

    def columns(self) -> pd.DataFrame:
        """One row per profile: its label and each player's strategy."""
        rows = [
            {
                "profile": self.label(p),
                **{pl: self.strategies[i][prof[i]] for i, pl in enumerate(self.players)},
            }
            for p, prof in enumerate(self.profiles)
        ]
        return pd.DataFrame(rows)


def verdicts(table: Table, means: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For payoff means ``means[p, i, b]`` (b: resamples): whether each profile is a best
    response of each player (``best[p, i, b]``), each profile's regret (``regret[p, i, b]``,
    the most player i gains by deviating) and whether all its deviations were run."""
    tol = TIE * max(1.0, float(np.nanmax(np.abs(means))) if means.size else 1.0)
    best = np.zeros(means.shape, dtype=bool)
    regret = np.zeros(means.shape)
    complete = np.ones(len(table.profiles), dtype=bool)
    for i, groups in enumerate(table.groups()):
        for members, full in groups:
            values = means[members, i, :]
            top = values.max(axis=0)
            best[members, i, :] = values >= top - tol
            regret[members, i, :] = top - values
            if not full:
                complete[members] = False
    return best, regret, complete


def _bootstrap_means(table: Table, resamples: int, seed: int) -> np.ndarray:
    n = table.samples.shape[2]
    idx = stats.paired_resamples(n, resamples, seed)
    return table.samples[:, :, idx].mean(axis=3)


@dataclass
class Analysis:
    """Tidy tables of an empirical game's analysis (see :func:`analyse`)."""

    payoffs: pd.DataFrame
    profiles: pd.DataFrame
    equilibria: pd.DataFrame
    best_responses: pd.DataFrame
    mixed: pd.DataFrame
    notes: list[str]


def analyse(table: Table, resamples: int = RESAMPLES, seed: int = BOOTSTRAP_SEED) -> Analysis:
    """Payoff table with seed intervals, every profile's regret and the probability that it
    is an equilibrium, each player's best responses with their probabilities, the pure
    equilibria, and (two players, every profile run) the mixed equilibria."""
    means = table.samples.mean(axis=2)[:, :, None]
    best, regret, complete = verdicts(table, means)
    boot = _bootstrap_means(table, resamples, seed)
    best_b, _, _ = verdicts(table, boot)
    eq_b = best_b.all(axis=1) & complete[:, None]
    cols = table.columns()
    profiles = cols.assign(
        regret=regret[:, :, 0].max(axis=1),
        complete=complete,
        equilibrium=best[:, :, 0].all(axis=1) & complete,
        probability=eq_b.mean(axis=1),
    )
    for i, pl in enumerate(table.players):
        profiles[f"regret_{pl}"] = regret[:, i, 0]
    notes = []
    if not complete.all():
        notes.append(
            "a deviation-reduced design: only profiles whose every unilateral deviation was "
            "run can be equilibria; the regret of the others is a lower bound"
        )
    return Analysis(
        payoffs=payoff_table(table, cols),
        profiles=profiles,
        equilibria=profiles[profiles["equilibrium"]].reset_index(drop=True),
        best_responses=_best_responses(table, means[:, :, 0], best[:, :, 0], best_b),
        mixed=mixed_equilibria(table),
        notes=notes,
    )


def payoff_table(table: Table, cols: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per profile and player: mean payoff over the seeds, its sd, standard error
    and Student-t interval (``lo``, ``hi``), and the number of seeds."""
    cols = table.columns() if cols is None else cols
    rows = []
    for p in range(len(table.profiles)):
        for i, pl in enumerate(table.players):
            x = stats.finite(table.samples[p, i, :])
            lo, hi = stats.t_interval(x)
            sd = stats.sd(x)
            rows.append(
                {**cols.iloc[p].to_dict(), "player": pl, "strategy": cols.iloc[p][pl],
                 "n": len(x), "mean": float(x.mean()), "sd": sd,
                 "se": sd / np.sqrt(len(x)), "lo": lo, "hi": hi}
            )  # fmt: skip
    return pd.DataFrame(rows)


def _best_responses(table, means, best, best_b) -> pd.DataFrame:
    """Per player and opponents' profile: each strategy's mean payoff, its shortfall from
    the best, whether it is a best response and the probability that it is one."""
    rows = []
    for i, (pl, groups) in enumerate(zip(table.players, table.groups(), strict=True)):
        for members, full in groups:
            others = ",".join(
                f"{q}={table.strategies[j][table.profiles[members[0]][j]]}"
                for j, q in enumerate(table.players) if j != i
            )  # fmt: skip
            top = means[members, i].max()
            for p in members:
                rows.append(
                    {"player": pl, "against": others,
                     "strategy": table.strategies[i][table.profiles[p][i]],
                     "payoff": float(means[p, i]), "shortfall": float(top - means[p, i]),
                     "best": bool(best[p, i]), "probability": float(best_b[p, i].mean()),
                     "complete": full, "profile": table.label(p)}
                )  # fmt: skip
    return pd.DataFrame(rows)


def mixed_equilibria(table: Table) -> pd.DataFrame:
    """The mixed (and pure) equilibria of a two-player game with every profile run, by
    nashpy's support enumeration on the mean payoffs: one row per equilibrium, player and
    strategy with its probability, and the player's expected payoff. Empty otherwise."""
    columns = ["equilibrium", "player", "strategy", "probability", "payoff", "pure"]
    k = [len(s) for s in table.strategies]
    if len(table.players) != 2 or len(table.profiles) != k[0] * k[1]:
        return pd.DataFrame(columns=columns)
    import nashpy  # only here: `aimarket game` on two players

    means = table.samples.mean(axis=2)
    a, b = np.full(k, np.nan), np.full(k, np.nan)
    for p, (r, c) in enumerate(table.profiles):
        a[r, c], b[r, c] = means[p, 0], means[p, 1]
    game = nashpy.Game(a, b)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # degenerate games: nashpy warns, we say so below
        found = list(game.support_enumeration())
    rows, seen = [], set()
    for sigma_r, sigma_c in found:
        key = tuple(np.round(np.concatenate([sigma_r, sigma_c]), 9))
        if key in seen:
            continue
        seen.add(key)
        e = len(seen) - 1
        pure = bool(np.isclose(sigma_r.max(), 1.0) and np.isclose(sigma_c.max(), 1.0))
        values = (float(sigma_r @ a @ sigma_c), float(sigma_r @ b @ sigma_c))
        for i, sigma in enumerate((sigma_r, sigma_c)):
            for s, prob in enumerate(sigma):
                rows.append(
                    {"equilibrium": e, "player": table.players[i],
                     "strategy": table.strategies[i][s], "probability": float(prob),
                     "payoff": values[i], "pure": pure}
                )  # fmt: skip
    return pd.DataFrame(rows, columns=columns)
