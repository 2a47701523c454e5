"""The calibration's command line: infer, ship the posterior, write the documents.

    python -m aimarket.experiments.analysis.calibrate --ship     # the full calibration, shipped
    python -m aimarket.experiments.analysis.calibrate --quick    # into results/calibration/

One command runs every stage; a stage whose store is complete is not run again, so a
killed calibration resumes where it stopped (``--fresh`` starts over, moving the old
stores aside); Ctrl-C and SIGTERM stop it in one line, the stores kept. Stages: the
ABC-SMC fit on the 2024 targets and the one on the 2023 quantities (:mod:`.abc`, stores in
``--store``); the calibrated point and draws written to ``--data`` (``calibrated.toml``,
``posterior.csv``); the runs across the posterior (targets, headline answers, forecast)
and the documents in ``--docs`` (``calibration.md``, ``forecast.md``,
``figures/forecast.png`` and the headline-answers block of ``ODD.md``). ``--data`` and
``--docs`` default to ``STORE/data`` and ``STORE/docs``; only ``--ship`` writes the
model's own data (``simulation/data/``) and the repository's ``docs/``. Every argument
is checked before anything runs (exit 2, one line).
"""

from __future__ import annotations

import argparse
import json
import math
import shlex
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from aimarket.experiments.analysis import targets as tg
from aimarket.experiments.analysis.calibrate import (
    abc,
    answers,
    ensemble,
    forecast,
    identify,
    problem,
    report,
)
from aimarket.experiments.analysis.calibrate.values import write_calibrated
from aimarket.experiments.engine import interrupts
from aimarket.simulation.errors import EXIT_BAD_INPUT, ScenarioError
from aimarket.simulation.files import (
    atomic_write_bytes,
    atomic_write_json,
    check_path_text,
    writable_folder,
)
from aimarket.simulation.posterior import POSTERIOR, SIDECAR
from aimarket.simulation.scenarios import DATA

PROG = "python -m aimarket.experiments.analysis.calibrate"
#: The repository's docs/ (in a source checkout).
DOCS = Path(__file__).resolve().parents[3] / "docs"
#: Posterior draws shipped as data.
SHIPPED = 200
#: Seed of the prior's draws in the posterior predictive checks.
PRIOR_SEED = 20221231
#: The largest value each count argument may take (developers: the scenario's own limit;
#: draws: the draws shipped).
LIMITS = {"developers": 50_000_000, "draws": SHIPPED, "seeds": 1000, "workers": 256,
          "generations": 10_000, "population": 100_000}  # fmt: skip
MAX_MINUTES = 7 * 24 * 60
#: The particles nearest the facts that are candidates for the calibrated point, and the
#: seeds each is run on to choose among them.
CANDIDATES, CANDIDATE_SEEDS = 20, 8


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog=PROG,
        description="Calibrate the model to the facts up to 2024 (ABC-SMC); write the "
        "posterior and the reports.",
    )
    p.add_argument("--quick", action="store_true", help="a tiny calibration (CI: about a minute)")
    p.add_argument("--fresh", action="store_true", help="start over: move old stores aside")
    p.add_argument("--store", type=Path, default=Path("results/calibration"),
                   help="folder of the inference stores (resumable)")  # fmt: skip
    p.add_argument("--ship", action="store_true", help="write the posterior into the model's "
                   "own data (simulation/data/) and the documents into docs/")  # fmt: skip
    p.add_argument("--data", type=Path, help="where calibrated.toml and posterior.csv go "
                   "(default: STORE/data; with --ship, the model's own data)")  # fmt: skip
    p.add_argument("--docs", type=Path, help="where the documents go (default: STORE/docs; "
                   "with --ship, the repository's docs/)")  # fmt: skip
    p.add_argument("--workers", type=int, default=2, help="processes")
    p.add_argument("--minutes", type=float, default=abc.Budget.minutes,
                   help="minutes for the 2024 fit, counted across resumes (the backtest "
                   "gets a 2.5th of them)")  # fmt: skip
    p.add_argument("--generations", type=int, default=abc.Budget.generations,
                   help="ABC-SMC generations of the 2024 fit (more: resume)")  # fmt: skip
    p.add_argument("--population", type=int, default=abc.Budget.population,
                   help="particles per generation of the 2024 fit")  # fmt: skip
    p.add_argument("--draws", type=int, default=100, help="posterior draws in the reports")
    p.add_argument("--seeds", type=int, default=2, help="seeds per draw in the reports")
    p.add_argument("--developers", type=int, default=10_000, help="developers in report runs")
    return p


def _budgets(args) -> tuple[abc.Budget, abc.Budget]:
    if args.quick:
        return abc.QUICK, abc.QUICK
    full = abc.Budget(minutes=args.minutes, workers=args.workers,
                      generations=args.generations, population=args.population)  # fmt: skip
    return full, replace(full, population=300, generations=10, minutes=args.minutes / 2.5)


def _fresh(store: Path) -> None:
    if store.exists() and any(store.iterdir()):
        aside = store.with_name(f"{store.name}.old-{time.strftime('%Y%m%d-%H%M%S')}")
        store.rename(aside)
        print(f"moved the old stores aside to {aside}")


#: Exit status of a calibration that refuses to ship a degenerate posterior.
EXIT_DEGENERATE = 3


class Degenerate(Exception):
    """The final population is too degenerate to ship; the message says how and why."""


def calibrated_point(fit: abc.Inference, targets, developers: int, workers: int) -> dict:
    """The calibrated point: of the :data:`CANDIDATES` particles nearest the facts in the
    fit, the one whose quantities, averaged over :data:`CANDIDATE_SEEDS` seeds at
    ``developers``, are nearest (in a population of equal weights the coordinate-wise
    median need not be a point the posterior favours)."""
    candidates = abc.nearest(fit, CANDIDATES)
    runs = ensemble.targets(candidates, CANDIDATE_SEEDS, developers, workers)
    means = runs.groupby("draw").mean(numeric_only=True)
    distance = problem.Distance(targets)
    best = min(means.index, key=lambda i: distance(means.loc[i].to_dict()))
    return {k: float(f"{v:.4g}") for k, v in candidates.iloc[int(best)].items()}


def _ship(
    fit: abc.Inference, data: Path, choose: Callable[[], dict], developers: int, quick: bool
) -> tuple[pd.DataFrame, dict]:
    """Write the calibrated point (calibrated.toml), the draws (posterior.csv) and their
    health record (posterior.json: Kish ESS, distinct draws, the threshold and ESS of
    every generation) to ``data``; refuse (:class:`Degenerate`), writing nothing, when the
    final population is degenerate (:func:`abc.health`) before ``choose`` runs anything;
    return the draws and the calibrated point ``choose`` gives."""
    draws = abc.resample(fit, SHIPPED).map(lambda x: float(f"{x:.6g}"))
    health = abc.health(fit, draws, quick)
    if not health.healthy:
        raise Degenerate(
            f"refused to ship the posterior: {health.sentence()}; nothing written to {data}; "
            f"the store {fit.store} is kept: rerun with more --generations, --population or "
            "--minutes to resume it"
        )
    point = choose()
    data.mkdir(parents=True, exist_ok=True)
    write_calibrated(data / "calibrated.toml", problem.overrides(point), [
        f"The calibrated point: of the {CANDIDATES} particles of the ABC-SMC posterior "
        f"({fit.simulations:,} simulations) nearest the facts, the one nearest on average "
        f"over {CANDIDATE_SEEDS} seeds at {developers:,} developers; the draws are in "
        "posterior.csv.",
    ])  # fmt: skip
    atomic_write_bytes(data / POSTERIOR.name, draws.to_csv(index=False).encode())
    record = {"ess": health.ess, "distinct": health.distinct, "needed": health.needed,
              "population": fit.budget.population, "simulations": fit.simulations,
              "shipped_generation": int(fit.generations["t"].iloc[-1]
                                        if fit.generation is None else fit.generation),
              "generations": json.loads(fit.generations.to_json(orient="records"))}  # fmt: skip
    atomic_write_json(data / SIDECAR.name, record, indent=2)
    return draws, point


def _prior_draws(n: int) -> pd.DataFrame:
    """``n`` draws from the prior (a fixed seed: the same draws in every calibration)."""
    return abc.to_values(np.random.default_rng(PRIOR_SEED).random((n, len(problem.records()))))


def _at(values: dict[str, float]) -> pd.DataFrame:
    return pd.DataFrame([values])


def _runs(draws, point, seeds, n_median, args) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every target and backtest quantity over draws x seeds, and over seeds at the
    calibrated ``point`` (one set of runs serves both the 2023 and the 2024 quantities)."""
    runs = ensemble.targets(draws, seeds, args.developers, args.workers)
    at_point = ensemble.targets(_at(point), n_median, args.developers, args.workers)
    return runs, at_point


def check_arguments(args: argparse.Namespace) -> None:
    """Refuse (ScenarioError) any argument the calibration could not use, before it runs;
    resolve where the data and the documents go."""
    for name, most in LIMITS.items():
        value = getattr(args, name)
        if not 1 <= value <= most:
            raise ScenarioError(f"--{name} = {value} must be between 1 and {most:,}")
    if not (math.isfinite(args.minutes) and 0 < args.minutes <= MAX_MINUTES):
        raise ScenarioError(
            f"--minutes = {args.minutes} must be above 0 and at most {MAX_MINUTES:,} (a week)"
        )
    if args.data is None:
        args.data = DATA if args.ship else args.store / "data"
    if args.docs is None:
        args.docs = DOCS if args.ship else args.store / "docs"
    if not args.ship and args.data.resolve() == DATA.resolve():
        raise ScenarioError(f"--data {args.data} is the model's own data: pass --ship to write it")
    for option, folder in (("--store", args.store), ("--data", args.data), ("--docs", args.docs)):
        check_path_text(folder, option)
        writable_folder(folder, option)


def main(argv: Sequence[str] | None = None) -> int:
    """The calibration; bad arguments exit 2 and Ctrl-C or SIGTERM 130, each in one line."""
    args = parser().parse_args(argv)
    if args.quick:
        args.draws, args.seeds, args.developers, args.workers = 4, 1, 300, 1
    try:
        check_arguments(args)
        with interrupts.stop_on_signals():
            return _calibrate(args, argv)
    except ScenarioError as exc:
        print(f"calibrate: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except Degenerate as exc:
        print(f"calibrate: {exc}", file=sys.stderr)
        return EXIT_DEGENERATE
    except KeyboardInterrupt as exc:
        name = exc.args[0] if exc.args else "SIGINT"
        print(f"calibrate: interrupted by {name}; the stores in {args.store} are kept: run "
              "the same command to resume", file=sys.stderr)  # fmt: skip
        return 130


def _calibrate(args: argparse.Namespace, argv: Sequence[str] | None) -> int:
    command = f"{PROG} {shlex.join(list(sys.argv[1:] if argv is None else argv))}".strip()
    t0 = time.perf_counter()
    if args.fresh:
        _fresh(args.store)
    budget, backtest_budget = _budgets(args)
    print("[1/5] ABC-SMC on the 2024 targets ...")
    fit = abc.last_healthy(abc.infer(args.store / "fit", tg.TARGETS, budget), args.quick)
    print("[2/5] ABC-SMC on the 2023 quantities (backtest) ...")
    back = abc.infer(args.store / "backtest", tg.BACKTEST, backtest_budget)
    print("      the calibrated point: the best of the particles nearest the facts ...")
    shipped, point = _ship(fit, args.data, lambda: calibrated_point(
        fit, tg.TARGETS, args.developers, args.workers), args.developers, args.quick)  # fmt: skip
    draws = shipped.iloc[: args.draws]
    print(f"wrote {args.data / 'calibrated.toml'} and {args.data / POSTERIOR.name}")
    n_median = max(args.seeds, 4 if args.quick else 20)
    settings = dict(draws=len(draws), seeds=args.seeds, developers=args.developers,
                    median_seeds=n_median, candidates=CANDIDATES,
                    candidate_seeds=CANDIDATE_SEEDS)  # fmt: skip
    print("[3/5] targets and backtest across the posterior and the prior ...")
    prior_runs = ensemble.targets(_prior_draws(len(draws)), args.seeds, args.developers,
                                  args.workers)  # fmt: skip
    runs, at_median = _runs(draws, point, args.seeds, n_median, args)
    quantities = identify.quantities(runs, at_median, tg.TARGETS, prior_runs)
    settings["joint_posterior"] = identify.joint_in_band(runs)
    settings["joint_prior"] = identify.joint_in_band(prior_runs)
    settings["bands_posterior"] = identify.bands_per_run(runs)
    settings["bands_prior"] = identify.bands_per_run(prior_runs)
    back_point = calibrated_point(back, tg.BACKTEST, args.developers, args.workers)
    back_runs = _runs(abc.resample(back, len(draws)), back_point, args.seeds, n_median, args)
    back_fit = identify.quantities(*back_runs, tg.BACKTEST)
    back_pred = identify.quantities(*back_runs, tg.TARGETS)
    print("[4/5] headline answers across the posterior ...")
    runs = answers.run(draws, args.seeds, args.developers, args.workers)
    print("[5/5] forecast ...")
    paths = forecast.run(draws, args.seeds, args.developers, args.workers)
    res = report.Results(command, fit, back, identify.parameters(fit), quantities, back_fit,
                         back_pred, answers.summarize(runs), paths, settings)  # fmt: skip
    written = _write_docs(res, args.docs)
    hits = identify.bands_hit(quantities)
    print(f"bands hit at the calibrated point: {sum(hits.values())} of {len(hits)}")
    print(f"wrote {', '.join(map(str, written))} ({(time.perf_counter() - t0) / 60:.1f} min)")
    return 0


def _write_docs(res: report.Results, docs: Path) -> list[Path]:
    docs.mkdir(parents=True, exist_ok=True)
    fig = forecast.figure(res.paths, docs / "figures" / "forecast.png")
    written = [fig]
    texts = {"calibration.md": report.calibration_md(res),
             "forecast.md": report.forecast_md(res, "figures/forecast.png")}  # fmt: skip
    for name, text in texts.items():
        atomic_write_bytes(docs / name, text.encode())
        written.append(docs / name)
    odd = docs / "ODD.md"
    if odd.is_file():
        block = report.answers_block(res.answers, res.settings)
        text = report.replace_block(odd.read_text(encoding="utf-8"), block)
        atomic_write_bytes(odd, text.encode())
        written.append(odd)
    return written
