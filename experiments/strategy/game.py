"""Running an empirical game and reading it back: :func:`run_game` and :class:`GameResults`.

A game runs as a sweep (:mod:`aimarket.experiments.engine`): every strategy profile is a
policy, the seeds are its replicates, so every profile runs on the same seeds; its
results folder is a sweep folder (resumable, any executor) plus ``game.json``, the game's
record. :func:`load_game_results` rebuilds the payoff samples from the folder: a function
model's payoffs are its outcomes; a market game's are each player's payoff metric in its
last month in the market (its value at exit if it exits), read from the stored vendor
series. Only seeds on which every profile has finished count (the pairing is kept).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from aimarket.experiments.engine.runner import SweepSummary, run_sweep
from aimarket.experiments.engine.store import load
from aimarket.experiments.strategy import equilibria
from aimarket.simulation.errors import ScenarioError

if TYPE_CHECKING:
    from aimarket.experiments.strategy.spec import Game, GamePlan

#: The game's record in its results folder.
RECORD = "game.json"


@dataclass
class GameResults:
    """A game's payoff samples and their analysis, as tidy DataFrames.

    ``samples``: one row per profile, seed and player (the payoff of one run).
    ``payoffs``: per profile and player, the mean over seeds with its interval.
    ``profiles``: per profile, its regret, whether it is a pure equilibrium and the
    probability that it is one under seed noise. ``equilibria``: the pure equilibria.
    ``best_responses``: per player and opponents' profile, each strategy's payoff, whether
    it is a best response and the probability that it is. ``mixed``: equilibria of a
    two-player game in mixed strategies (nashpy). ``record``: the game (``game.json``).
    """

    path: Path
    record: dict[str, Any]
    table: equilibria.Table
    samples: pd.DataFrame
    analysis: equilibria.Analysis

    def __getattr__(self, name: str) -> Any:
        if name in ("payoffs", "profiles", "equilibria", "best_responses", "mixed", "notes"):
            return getattr(self.analysis, name)
        raise AttributeError(name)

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every tidy table by name (what :meth:`export` writes)."""
        named = ("payoffs", "profiles", "equilibria", "best_responses", "mixed")
        return {"samples": self.samples, **{k: getattr(self.analysis, k) for k in named}}

    def export(self, folder: str | Path, fmt: str = "csv") -> list[Path]:
        """Write every table as CSV or Parquet into ``folder``; the paths written."""
        if fmt not in ("csv", "parquet"):
            raise ScenarioError(f"format {fmt!r} is unknown; choose csv or parquet")
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        paths = []
        for name, frame in self.tables().items():
            path = folder / f"{name}.{fmt}"
            if fmt == "csv":
                frame.to_csv(path, index=False)
            else:
                frame.to_parquet(path, index=False)
            paths.append(path)
        return paths


def run_game(
    game: Game | GamePlan,
    out: str | Path,
    *,
    executor: str = "process",
    workers: int | None = None,
    force: bool = False,
    progress: bool = True,
    argv: list[str] | None = None,
    resamples: int = equilibria.RESAMPLES,
) -> tuple[SweepSummary, GameResults | None]:
    """Run ``game`` into ``out`` (resuming what is there) and analyse the seeds every
    profile has finished: the session's summary and the results (None if no seed is
    complete yet, e.g. when interrupted early)."""
    plan = game.plan() if callable(getattr(game, "plan", None)) else game
    summary = run_sweep(
        plan.sweep_plan, out, executor=executor, workers=workers, force=force,
        progress=progress, argv=argv,
    )  # fmt: skip
    (Path(out) / RECORD).write_text(json.dumps(plan.record(), indent=1) + "\n")
    try:
        return summary, load_game_results(out, resamples=resamples)
    except ScenarioError:
        if summary.interrupted or summary.exit_code:
            return summary, None
        raise


def load_game_results(path: str | Path, resamples: int = equilibria.RESAMPLES) -> GameResults:
    """A game's results folder, read and analysed."""
    path = Path(path)
    file = path / RECORD
    if not file.is_file():
        raise ScenarioError(f"{path} is not a game results folder (no {RECORD})")
    record = json.loads(file.read_text())
    results = load(path)
    runs = _payoff_runs(results, record)
    table, samples = _table(record, runs)
    return GameResults(path, record, table, samples, equilibria.analyse(table, resamples))


def _payoff_runs(results, record: dict) -> pd.DataFrame:
    """One row per successful run: its profile, replicate and each player's payoff."""
    ok = results.ok
    players = record["players"]
    if ok.empty:
        raise ScenarioError(f"{results.path}: no run has finished yet")
    if record["function_model"]:
        missing = [p for p in players if p not in ok.columns]
        if missing:
            raise ScenarioError(f"the game's model returned no payoff for player '{missing[0]}'")
        return ok[["policy", "replicate", *players]].copy()
    metrics = sorted(set(record["payoffs"].values()))
    series = results.series("vendors", columns=metrics)
    series = series[series["vendor"].isin(players)]
    last = series.sort_values("step").groupby(["run_id", "vendor"], sort=False).tail(1)
    wide = {p: last[last["vendor"] == p].set_index("run_id")[record["payoffs"][p]] for p in players}
    out = ok[["run_id", "policy", "replicate"]].set_index("run_id")
    for p in players:
        out[p] = wide[p].reindex(out.index)
    return out.reset_index(drop=True)


def _table(record: dict, runs: pd.DataFrame) -> tuple[equilibria.Table, pd.DataFrame]:
    """The paired payoff samples of the seeds every profile finished."""
    players, names = record["players"], record["strategies"]
    profiles = [tuple(p) for p in record["profiles"]]
    labels = [
        ",".join(f"{pl}={names[pl][k]}" for pl, k in zip(players, prof, strict=True))
        for prof in profiles
    ]
    per_seed = runs.groupby("replicate")["policy"].nunique()
    seeds = sorted(per_seed[per_seed == len(profiles)].index)
    if not seeds:
        raise ScenarioError("no seed has been run for every profile yet")
    runs = runs[runs["replicate"].isin(seeds)].set_index(["policy", "replicate"])
    samples = np.empty((len(profiles), len(players), len(seeds)))
    for p, label in enumerate(labels):
        block = runs.loc[label].loc[seeds]
        samples[p] = block[players].to_numpy(dtype=float).T
    table = equilibria.Table(players, [list(names[p]) for p in players], profiles, samples)
    tidy = runs.reset_index().melt(
        id_vars=["policy", "replicate"], value_vars=players, var_name="player",
        value_name="payoff",
    ).rename(columns={"policy": "profile", "replicate": "seed"})  # fmt: skip
    return table, tidy.sort_values(["profile", "player", "seed"]).reset_index(drop=True)
