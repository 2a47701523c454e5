"""Policy search: the best levers of a release policy (a switch time, thresholds) by a
maintained optimiser, on common seeds, deterministic under its seed and resumable.

:func:`optimize` runs a search (:class:`~aimarket.experiments.strategy.search_spec.
OptimizeSpec`): optuna's sampler (TPE for one objective, NSGA-II for several) proposes a
candidate, the candidate runs on the search's common seeds as one small sweep into
``OUT/evals/NNNN`` (the sweep engine's store, resume and executors; one worker pool is
kept for the whole search), the mean over the seeds is told to the sampler, and so on
until the budget is spent. Asks and tells happen one at a time in a fixed order, so the
same optimiser seed proposes the same candidates whatever the executor or the number of
workers. Resuming replays the search: each stored evaluation is read back instead of run
again (a partly run one runs only its missing seeds), which rebuilds the sampler's state
exactly; a larger ``budget`` goes on from where a search stopped.

Results (:class:`SearchResult`) are tidy DataFrames: ``evaluations`` (one row per
candidate: levers, each objective's mean over the seeds with its 95% seed band, the best
candidate or the Pareto set) and ``runs`` (one row per candidate and seed).
"""

from __future__ import annotations

import json
import shutil
import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from filelock import FileLock, Timeout
from tqdm.auto import tqdm

from aimarket.experiments.engine import seeds
from aimarket.experiments.engine.executors import check_executor, open_executor
from aimarket.experiments.engine.layout import now, read_manifest
from aimarket.experiments.engine.runner import run_sweep
from aimarket.experiments.engine.store import load
from aimarket.experiments.engine.worker import execute
from aimarket.experiments.strategy.search_checks import check_spec
from aimarket.experiments.strategy.search_frames import evaluation_frame, runs_frame
from aimarket.experiments.strategy.search_spec import OptimizeSpec, Problem, load_optimize_spec
from aimarket.simulation.errors import ScenarioError
from aimarket.simulation.files import atomic_write_json

#: An evaluation: (index, candidate) -> its per-seed objectives (None if a run failed).
Evaluate = Callable[[int, dict[str, Any]], pd.DataFrame | None]
STUDY_FILE = "study.json"


@dataclass
class SearchResult:
    """A search's candidates (``evaluations``) and their runs (``runs``), tidy."""

    problem: Problem
    evaluations: pd.DataFrame
    runs: pd.DataFrame
    out: Path | None = None
    interrupted: bool = False
    failed: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def best(self) -> pd.DataFrame:
        """The best candidate (one objective) or the Pareto set (several), by mean."""
        col = "best" if len(self.problem.objectives) == 1 else "pareto"
        frame = self.evaluations
        return frame[frame[col]] if len(frame) else frame

    @property
    def exit_code(self) -> int:
        return 130 if self.interrupted else (1 if self.failed else 0)


def sampler(problem: Problem):
    """The optuna sampler of ``problem``, seeded by its optimiser seed."""
    import optuna

    spec, seed = problem.spec, problem.spec.optimizer_seed
    kind = problem.sampler
    if kind == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    if kind == "nsga2":
        return optuna.samplers.NSGAIISampler(population_size=spec.population, seed=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # multivariate TPE is "experimental" in optuna
        return optuna.samplers.TPESampler(
            n_startup_trials=spec.startup, multivariate=True, seed=seed
        )


def search(
    problem: Problem,
    evaluate: Evaluate,
    *,
    budget: int | None = None,
    progress: Callable[[dict[str, Any]], None] | None = None,
) -> list[dict[str, Any]]:
    """Ask, evaluate and tell ``budget`` candidates one at a time; one record each
    (index, candidate, per-seed objectives or None)."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    directions = [o.direction for o in problem.objectives]
    study = optuna.create_study(directions=directions, sampler=sampler(problem))
    dists = {lever.name: lever.distribution() for lever in problem.levers}
    records = []
    for index in range(problem.spec.budget if budget is None else budget):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            trial = study.ask(dists)
        params = {k: _plain(v) for k, v in trial.params.items()}
        values = evaluate(index, params)
        if values is None or values.isna().any().any():
            study.tell(trial, state=optuna.trial.TrialState.FAIL)
        else:
            means = [float(values[name].mean()) for name in problem.names]
            study.tell(trial, means if len(means) > 1 else means[0])
        records.append({"index": index, "params": params, "values": values})
        if progress is not None:
            progress(records[-1])
    return records


def direct(problem: Problem) -> Evaluate:
    """Evaluate candidates in this process, storing nothing (docking, notebooks)."""

    def evaluate(index: int, params: dict[str, Any]) -> pd.DataFrame | None:
        plan = problem.sweep(params, index).plan()
        results = [execute(plan.task(run)) for run in plan.runs()]
        if any(r["status"] != "ok" for r in results):
            return None
        runs = pd.DataFrame(
            {**r["outcomes"], "run_id": r["run_id"], "replicate": i} for i, r in enumerate(results)
        )
        vendors = [r["vendors"] for r in results if r["vendors"] is not None]
        return problem.objective_frame(runs, pd.concat(vendors) if vendors else None)

    return evaluate


class StoredEvaluations:
    """Evaluations as sweeps into ``OUT/evals/NNNN`` on one open executor; a stored one
    is read back, a partly run one finishes its missing seeds."""

    def __init__(self, problem: Problem, out: Path, pool, executor: str, workers, argv):
        self.problem, self.out, self.pool = problem, out, pool
        self.executor, self.workers, self.argv = executor, workers, argv
        self.interrupted = False
        self.failed = 0

    def folder(self, index: int) -> Path:
        return self.out / "evals" / f"{index:04d}"

    def __call__(self, index: int, params: dict[str, Any]) -> pd.DataFrame | None:
        if self.interrupted:
            raise KeyboardInterrupt
        plan = self.problem.sweep(params, index).plan()
        folder = self.folder(index)
        if not _complete(folder, plan.spec_hash):
            summary = run_sweep(
                plan,
                folder,
                executor=self.executor,
                workers=self.workers,
                progress=False,
                argv=self.argv,
                pool=self.pool,
            )
            if summary.interrupted:
                self.interrupted = True
                raise KeyboardInterrupt
        results = load(folder)
        ok = results.ok
        if len(ok) < len(results.plan):
            self.failed += 1
            return None
        vendors = results.series("vendors") if "vendors" in plan.sweep.series else None
        return self.problem.objective_frame(ok, vendors)


def _complete(folder: Path, spec_hash: str) -> bool:
    """Whether ``folder`` holds this evaluation with every run done (no session needed)."""
    try:
        manifest = read_manifest(folder)
    except ScenarioError:
        return False
    if not manifest or manifest.get("spec_hash") != spec_hash:
        return False  # the session refuses another spec's folder, naming it
    counts = load(folder).counts()
    return counts["done"] == counts["planned"]


def optimize(
    spec: OptimizeSpec | str | Path,
    out: str | Path | None = None,
    *,
    executor: str = "process",
    workers: int | None = None,
    quick: bool = False,
    budget: int | None = None,
    optimizer_seed: int | None = None,
    force: bool = False,
    progress: bool = True,
    argv: list[str] | None = None,
) -> SearchResult:
    """Run (or resume) a policy search into ``out``; without ``out``, in memory.

    Everything is checked (a one-line ScenarioError) before any run. A folder of another
    search is refused unless ``force``, which moves it aside to ``OUT.replaced-<time>``.
    """
    if isinstance(spec, str | Path):
        spec = load_optimize_spec(spec)
    problem = check_spec(spec.variant(quick=quick, budget=budget, optimizer_seed=optimizer_seed))
    check_executor(executor, workers)
    if out is None:
        records = search(problem, direct(problem))
        return tidy(problem, records)
    out = Path(out)
    lock = _open_study(problem, out, force)
    bar = tqdm(
        total=problem.spec.budget,
        desc=problem.spec.name,
        unit="eval",
        disable=not progress,
        file=sys.stderr,
        dynamic_ncols=True,
    )
    tracker = _Tracker(problem, bar)
    evaluations = None
    try:
        with open_executor(executor, workers) as pool:
            evaluations = StoredEvaluations(problem, out, pool, executor, workers, argv or sys.argv)
            search(problem, evaluations, progress=tracker)
    except KeyboardInterrupt:
        tracker.interrupted = True
    finally:
        bar.close()
        lock.release()
    result = tidy(problem, tracker.records)
    result.out, result.interrupted = out, tracker.interrupted
    result.failed = evaluations.failed if evaluations is not None else 0
    return result


class _Tracker:
    """Collects the evaluations as they finish and shows the best so far."""

    def __init__(self, problem: Problem, bar):
        self.problem, self.bar = problem, bar
        self.records: list[dict[str, Any]] = []
        self.interrupted = False
        self.best: float | None = None

    def __call__(self, record: dict[str, Any]) -> None:
        self.records.append(record)
        values = record["values"]
        self.bar.update(1)
        if values is not None and len(self.problem.objectives) == 1:
            obj = self.problem.objectives[0]
            mean = float(values[obj.name].mean())
            better = max if obj.direction == "maximize" else min
            self.best = mean if self.best is None else better(self.best, mean)
            self.bar.set_postfix({f"best {obj.name}": f"{self.best:.4g}"}, refresh=False)


def _open_study(problem: Problem, out: Path, force: bool) -> FileLock:
    """Lock ``out`` and check it holds this search (or nothing); record the session."""
    out.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(out / ".lock"))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        raise ScenarioError(f"{out} is in use by another optimize session") from None
    import optuna  # another version may propose other candidates: not resumed

    try:
        file = out / STUDY_FILE

        record = {**problem.record, "optuna": optuna.__version__}
        digest = seeds.digest(seeds.canonical(record))
        try:
            study = json.loads(file.read_text()) if file.exists() else None
        except (ValueError, OSError) as exc:
            if not force:
                raise ScenarioError(f"{file} is unreadable ({exc}); see --force") from None
            study = {"name": "unreadable"}
        if study is not None and study.get("hash") != digest:
            if not force:
                raise ScenarioError(
                    f"{out} holds another search ('{study.get('name')}': another spec or "
                    "optuna version); choose another --out, or --force to move it aside"
                )
            lock.release()
            aside = out.with_name(f"{out.name}.replaced-{now().replace(':', '')}")
            shutil.move(str(out), aside)
            return _open_study(problem, out, False)
        if study is None:
            study = {"name": problem.spec.name, "hash": digest, "spec": record}
            study["sessions"] = []
        study["sessions"].append({"started": now(), "budget": problem.spec.budget})
        atomic_write_json(file, study)
    except BaseException:
        lock.release()
        raise
    return lock


def tidy(problem: Problem, records: list[dict[str, Any]]) -> SearchResult:
    """The search's records as tidy frames; see :class:`SearchResult`."""
    runs = runs_frame(problem, records)
    return SearchResult(problem, evaluation_frame(problem, runs), runs)


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value
