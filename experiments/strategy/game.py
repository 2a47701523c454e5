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
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from aimarket.experiments.engine.runner import SweepSummary, run_sweep
from aimarket.experiments.engine.store import load
from aimarket.experiments.strategy import equilibria, robustness
from aimarket.simulation.errors import ScenarioError
from aimarket.simulation.files import atomic_write_json

if TYPE_CHECKING:
    from aimarket.experiments.strategy.spec import Game, GamePlan

#: The game's record in its results folder.
RECORD = "game.json"


@dataclass
class GameResults:
    """A game's payoff samples and their analysis, as tidy DataFrames.

    ``samples``: one row per profile, scenario, seed and player (the payoff of one run).
    ``payoffs``: per profile and player, the mean over seeds with its interval.
    ``profiles``: per profile, its regret, whether it is a pure equilibrium and the
    probability that it is one under seed noise. ``equilibria``: the pure equilibria.
    ``best_responses``: per player and opponents' profile, each strategy's payoff, whether
    it is a best response and the probability that it is. ``mixed``: equilibria of a
    two-player game in mixed strategies (nashpy). ``record``: the game (``game.json``).
    With a set of scenarios, these are of the game pooled over them (each scenario and
    seed a paired unit), and ``robust_profiles`` and ``robust_strategies`` hold the
    analyses across the set (:mod:`aimarket.experiments.strategy.robustness`).
    """

    path: Path
    record: dict[str, Any]
    table: equilibria.Table
    samples: pd.DataFrame
    analysis: equilibria.Analysis
    robust_profiles: pd.DataFrame = field(default_factory=pd.DataFrame)
    robust_strategies: pd.DataFrame = field(default_factory=pd.DataFrame)

    def __getattr__(self, name: str) -> Any:
        if name in ("payoffs", "profiles", "equilibria", "best_responses", "mixed", "notes"):
            return getattr(self.analysis, name)
        raise AttributeError(name)

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every tidy table by name (what :meth:`export` writes)."""
        named = ("payoffs", "profiles", "equilibria", "best_responses", "mixed")
        tables = {"samples": self.samples, **{k: getattr(self.analysis, k) for k in named}}
        if not self.robust_profiles.empty:
            tables["robust_profiles"] = self.robust_profiles
            tables["robust_strategies"] = self.robust_strategies
        return tables

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
    atomic_write_json(Path(out) / RECORD, plan.record())
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
    table, by_point, samples = _table(record, runs)
    found = GameResults(path, record, table, samples, equilibria.analyse(table, resamples))
    if by_point.shape[2] > 1:  # a set of scenarios: the game in each, and across them
        tables = robustness.per_scenario(table, by_point)
        found.robust_profiles = robustness.profiles(tables, resamples, equilibria.BOOTSTRAP_SEED)
        found.robust_strategies = robustness.strategies(tables)
    return found


def _payoff_runs(results, record: dict) -> pd.DataFrame:
    """One row per successful run: its profile, scenario (point), replicate and each
    player's payoff."""
    ok = results.ok
    players = record["players"]
    if ok.empty:
        raise ScenarioError(f"{results.path}: no run has finished yet")
    keys = ["policy", "point", "replicate"]
    if record["function_model"]:
        missing = [p for p in players if p not in ok.columns]
        if missing:
            raise ScenarioError(f"the game's model returned no payoff for player '{missing[0]}'")
        return ok[[*keys, *players]].copy()
    metrics = sorted(set(record["payoffs"].values()))
    series = results.series("vendors", columns=metrics)
    series = series[series["vendor"].isin(players)]
    last = series.sort_values("step").groupby(["run_id", "vendor"], sort=False).tail(1)
    wide = {p: last[last["vendor"] == p].set_index("run_id")[record["payoffs"][p]] for p in players}
    out = ok[["run_id", *keys]].set_index("run_id")
    for p in players:
        out[p] = wide[p].reindex(out.index)
    return out.reset_index(drop=True)


def _table(record: dict, runs: pd.DataFrame) -> tuple[equilibria.Table, np.ndarray, pd.DataFrame]:
    """The paired payoff samples of the seeds every profile finished at every scenario:
    the pooled table (scenarios x seeds as its paired units), the samples by scenario
    ``[profile, player, scenario, seed]``, and the tidy samples."""
    players, names = record["players"], record["strategies"]
    profiles = [tuple(p) for p in record["profiles"]]
    labels = [
        ",".join(f"{pl}={names[pl][k]}" for pl, k in zip(players, prof, strict=True))
        for prof in profiles
    ]
    points = int(record.get("scenarios", 1))
    per_seed = runs.groupby("replicate").size()
    seeds = sorted(per_seed[per_seed == len(profiles) * points].index)
    if not seeds:
        raise ScenarioError("no seed has been run for every profile yet")
    runs = runs[runs["replicate"].isin(seeds)].set_index(["policy", "point", "replicate"])
    by_point = np.empty((len(profiles), len(players), points, len(seeds)))
    for p, label in enumerate(labels):
        block = runs.loc[label].sort_index()
        values = block[players].to_numpy(dtype=float)  # (points x seeds, players)
        by_point[p] = values.T.reshape(len(players), points, len(seeds))
    pooled = by_point.reshape(len(profiles), len(players), points * len(seeds))
    table = equilibria.Table(players, [list(names[p]) for p in players], profiles, pooled)
    tidy = runs.reset_index().melt(
        id_vars=["policy", "point", "replicate"], value_vars=players, var_name="player",
        value_name="payoff",
    ).rename(columns={"policy": "profile", "point": "scenario", "replicate": "seed"})  # fmt: skip
    tidy = tidy.sort_values(["profile", "player", "scenario", "seed"]).reset_index(drop=True)
    return table, by_point, tidy
