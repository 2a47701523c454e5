"""Runs across the posterior ensemble: draws x seeds, on a process pool with a progress bar.

Every run is seeded from its draw's values and its replicate number
(:func:`aimarket.experiments.analysis.calibrate.problem.draw_seed`), so the same draw and
replicate give the same run in every analysis (the targets, the answers, the forecast), and
the policies compared in :mod:`.answers` share their seeds (common random numbers).
"""

from __future__ import annotations

import multiprocessing as mp
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import pandas as pd
from tqdm import tqdm

from aimarket.experiments.analysis.calibrate import problem

#: Root of the seeds of every run of the reports (the fit's simulator uses its own).
REPORT_ROOT = 20250101


def jobs(draws: pd.DataFrame, seeds: int) -> list[tuple[int, int, dict[str, float]]]:
    """(draw index, replicate, values) for every draw and replicate."""
    rows = draws.to_dict("records")
    return [(i, r, dict(v)) for i, v in enumerate(rows) for r in range(seeds)]


def seed_of(values: Mapping[str, float], replicate: int) -> int:
    return problem.draw_seed(values, REPORT_ROOT + replicate)


def run_all(
    fn: Callable[[Any], dict], items: Sequence[Any], workers: int, label: str
) -> list[dict]:
    """``fn`` over ``items`` (in order), on ``workers`` forked processes."""
    bar = dict(total=len(items), desc=label, unit="run", leave=False, mininterval=1.0)
    if workers <= 1 or len(items) < 4:
        return [fn(x) for x in tqdm(items, **bar)]
    with mp.get_context("fork").Pool(workers) as pool:
        out = list(tqdm(pool.imap(fn, items, chunksize=2), **bar))
        pool.close()  # let the workers end on their own: terminating them (what leaving
        pool.join()  # the block does) would run the command's SIGTERM handler in each
    return out


def frame(results: Iterable[dict]) -> pd.DataFrame:
    return pd.DataFrame(list(results))


class TargetJob:
    """One run's target and backtest quantities, tagged with its draw and replicate."""

    def __init__(self, developers: int):
        self.developers = developers

    def __call__(self, job: tuple[int, int, dict[str, float]]) -> dict:
        i, r, values = job
        out = problem.measure(values, seed_of(values, r), self.developers)
        return {"draw": i, "replicate": r, **out}


def targets(draws: pd.DataFrame, seeds: int, developers: int, workers: int) -> pd.DataFrame:
    """Every target quantity on draws x seeds (one row per run)."""
    return frame(run_all(TargetJob(developers), jobs(draws, seeds), workers, "targets"))
