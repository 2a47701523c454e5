"""Sweep commands for the ``aimarket`` command line, and the entry point of scripts.

    aimarket sweep SPEC [--out DIR] [--workers N] [--executor serial|process|dask|dask://H:P]
                        [--replicates N] [--steps N] [--seed S] [--quick] [--force]
    aimarket status DIR [--verify]

``SPEC`` is a ``.py`` experiment script (defining ``sweep = Sweep(...)``) or a ``.toml``
sweep file. An experiment script ends with ``raise SystemExit(script_main(__file__))``
under ``if __name__ == "__main__":`` and then takes the same options itself:
``python experiments/open_vs_closed.py --quick``.

Each design size has its own default results folder (:func:`default_out`): the full
design writes to ``results/NAME``, ``--quick`` to ``results/NAME-quick``, and
``--replicates``/``--steps``/``--seed`` add their values to the name.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

from aimarket.experiments.engine.commands import default_out, interrupted
from aimarket.simulation.errors import EXIT_BAD_INPUT, ScenarioError
from aimarket.simulation.files import writable_folder
from aimarket.simulation.merging import parse_assignments


def _add_sweep_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--out", help="results folder (default: results/<sweep name>[-quick][-r N][-s N][-seed S])"
    )
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="PATH=VALUE",
        help="fix a parameter for every run, e.g. developers.count=500 (repeatable); "
        "refused if a lever or an uncertainty sets the same path",
    )
    p.add_argument("--workers", type=int, help="parallel workers (default: all cores)")
    p.add_argument(
        "--executor",
        default="process",
        help="serial, process (default), dask (a LocalCluster) or dask://HOST:PORT",
    )
    p.add_argument("--replicates", type=int, help="replicates per design point")
    p.add_argument("--steps", type=int, help="months per run")
    p.add_argument("--seed", type=int, help="root seed of the sweep")
    p.add_argument("--quick", action="store_true", help="the spec's quick variant")
    p.add_argument(
        "--force",
        action="store_true",
        help="start afresh: move an existing results folder aside to DIR.replaced-<UTC time>",
    )
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--no-table", action="store_true", help="do not print the policy comparison")


def add_commands(sub) -> None:
    """Register ``sweep`` and ``status`` on the ``aimarket`` subparsers."""
    p = sub.add_parser("sweep", help="run a parameter sweep (resumable) into a results folder")
    p.add_argument("spec", help="experiment script (.py) or sweep file (.toml)")
    _add_sweep_options(p)
    p.set_defaults(func=cmd_sweep)

    p = sub.add_parser("report", help="write a Markdown report with figures for a sweep folder")
    p.add_argument("dir", help="sweep results folder (made by 'aimarket sweep')")
    p.add_argument("--out", help="folder for report.md and its PNG figures (default DIR/report)")
    p.set_defaults(func=cmd_report)

    _add_study_commands(sub)
    from aimarket.experiments.strategy.search_cli import add_optimize_command

    add_optimize_command(sub)

    p = sub.add_parser("game", help="an empirical game over release policies: equilibria")
    p.add_argument("spec", help="game file (.toml) or script (.py) defining game = Game(...)")
    _add_sweep_options(p)  # --replicates: paired seeds per strategy profile
    p.add_argument("--max-runs", type=int, help="the game's run limit (default 5,000)")
    p.add_argument("--format", default="csv", choices=("csv", "parquet"), help="tables (csv)")
    p.set_defaults(func=cmd_game)

    p = sub.add_parser("status", help="summarize a sweep results folder")
    p.add_argument("dir", help="results folder")
    p.add_argument(
        "--verify",
        action="store_true",
        help="kept for scripts: status always checks every file's checksum",
    )
    p.set_defaults(func=cmd_status)


def _add_study_commands(sub) -> None:
    """``sensitivity``, ``discover`` and ``export`` on a results folder."""
    p = sub.add_parser("sensitivity", help="Sobol indices or Morris screening of a sweep folder")
    p.add_argument("dir", help="results folder of a 'saltelli' or 'morris' design")
    p.add_argument("--outcome", required=True, help="outcome to analyse, e.g. platform_payoff")
    p.add_argument("--contrast", help="paired policy contrast, e.g. policy:open-closed")
    p.add_argument("--method", choices=("sobol", "morris"), help="default: the design's")
    p.add_argument("--second-order", action="store_true", help="also S2 (Sobol)")
    p.add_argument(
        "--transform",
        choices=("rank", "positive"),
        help="analyse the values' ranks (heavy tails) or whether they are above zero",
    )
    p.add_argument("--out", help="folder for tables and figures (default DIR/analysis)")
    p.set_defaults(func=cmd_sensitivity)

    p = sub.add_parser("discover", help="PRIM: where in uncertainty space an outcome crosses V")
    p.add_argument("dir", help="results folder of a design over uncertainties")
    p.add_argument("--outcome", required=True, help="outcome, e.g. platform_payoff")
    side = p.add_mutually_exclusive_group(required=True)
    side.add_argument("--below", type=float, metavar="V", help="cases: outcome below V")
    side.add_argument("--above", type=float, metavar="V", help="cases: outcome above V")
    p.add_argument("--contrast", help="paired policy contrast, e.g. policy:open-closed")
    p.add_argument("--density", type=float, default=0.8, help="min density of the box (0.8)")
    p.add_argument("--out", help="folder for tables and figures (default DIR/analysis)")
    p.set_defaults(func=cmd_discover)

    p = sub.add_parser("export", help="write a sweep folder's tidy tables for spreadsheets")
    p.add_argument("dir", help="results folder")
    p.add_argument("--format", default="csv", choices=("csv", "parquet"), help="default csv")
    p.add_argument("--out", help="folder for the tables (default DIR/export)")
    p.set_defaults(func=cmd_export)


def cmd_sensitivity(args: argparse.Namespace) -> int:
    from aimarket.experiments.analysis.sensitivity import sensitivity, write_sensitivity
    from aimarket.experiments.analysis.sensitivity.report import summary_lines

    table = sensitivity(
        args.dir,
        args.outcome,
        contrast=args.contrast,
        method=args.method,
        second_order=args.second_order,
        transform=args.transform,
    )
    paths = write_sensitivity(table, writable_folder(args.out or Path(args.dir) / "analysis"))
    print("\n".join(summary_lines(table)))
    print("wrote " + ", ".join(str(p) for p in paths))
    return 0


def cmd_discover(args: argparse.Namespace) -> int:
    from aimarket.experiments.analysis.sensitivity import discover, write_discovery
    from aimarket.experiments.analysis.sensitivity.report import box_lines

    box = discover(
        args.dir,
        args.outcome,
        below=args.below,
        above=args.above,
        contrast=args.contrast,
        min_density=args.density,
    )
    paths = write_discovery(box, writable_folder(args.out or Path(args.dir) / "analysis"))
    print("\n".join(box_lines(box)))
    print("wrote " + ", ".join(str(p) for p in paths))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from aimarket.experiments.analysis.export import export
    from aimarket.experiments.analysis.sensitivity.data import open_folder

    results = open_folder(args.dir)
    paths = export(results, writable_folder(args.out or Path(args.dir) / "export"), args.format)
    print("wrote " + ", ".join(str(p) for p in paths))
    return 0


def cmd_sweep(args: argparse.Namespace) -> int:
    from aimarket.experiments.engine.spec import load_spec

    return _sweep(load_spec(args.spec), args)


def _sweep(sweep, args: argparse.Namespace, prog: str = "aimarket") -> int:
    from aimarket.experiments.analysis.console import format_comparison
    from aimarket.experiments.engine.executors import check_executor, describe
    from aimarket.experiments.engine.runner import run_sweep
    from aimarket.experiments.engine.store import load

    variant = sweep.variant(
        quick=args.quick, replicates=args.replicates, steps=args.steps, seed=args.seed
    )
    if args.set:
        sets = parse_assignments(args.set)
        variant = dataclasses.replace(variant, overrides={**variant.overrides, **sets})
    plan = variant.plan()  # validate before touching the results folder
    check_executor(args.executor, args.workers)
    out = writable_folder(
        args.out or default_out(sweep.name, args.quick, args.replicates, args.steps, args.seed)
    )
    n_points = len(plan.points)
    print(
        f"aimarket: sweep '{variant.name}': {len(plan.policies)} policies x {n_points} points "
        f"x {variant.replicates} replicates = {len(plan)} runs of {plan.steps} months "
        f"({describe(args.executor, args.workers)}) -> {out}"
    )
    summary = run_sweep(
        plan,
        out,
        executor=args.executor,
        workers=args.workers,
        force=args.force,
        progress=not args.no_progress,
        argv=sys.argv,
    )
    if summary.interrupted:  # Ctrl-C or SIGTERM: one line, and how to go on
        return interrupted(summary, args, out, len(plan), prog)
    if not args.no_table and summary.store_counts.get("done"):
        print()
        print(format_comparison(load(out)))
        print()
    stream = sys.stderr if summary.exit_code else sys.stdout
    print(summary.text(), file=stream)
    return summary.exit_code


def cmd_game(args: argparse.Namespace) -> int:
    from aimarket.experiments.strategy.cli import run_command

    return run_command(args)


def cmd_report(args: argparse.Namespace) -> int:
    from aimarket.experiments.analysis.report import write_report
    from aimarket.experiments.engine.layout import no_manifest

    path = Path(args.dir)
    if (path / "game.json").is_file():  # an empirical game (aimarket game): its report
        from aimarket.experiments.strategy.report import write_game_report

        print(write_game_report(path, args.out))
        return 0
    if not (path / "manifest.json").is_file():
        raise no_manifest(path)
    print(write_report(path, args.out, progress=_say))
    return 0


def _say(message: str) -> None:
    """Progress of a long command, on stderr when it is a terminal (stdout keeps its
    result; logs and pipes keep only errors, in one line)."""
    if _interactive():
        print(f"aimarket report: {message} ...", file=sys.stderr, flush=True)


def _interactive() -> bool:
    return sys.stderr.isatty()


def cmd_status(args: argparse.Namespace) -> int:
    from aimarket.experiments.engine.layout import no_manifest
    from aimarket.experiments.engine.store import load

    path = Path(args.dir)
    if not (path / "manifest.json").exists():
        raise no_manifest(path)
    results = load(path, allow_damaged=True, verify=True)  # every byte: series parts too
    m = results.manifest
    c = results.counts()
    print(f"sweep '{m.get('name')}' in {path} (spec hash {m.get('spec_hash')})")
    sessions = m.get("sessions", [])
    print(f"  created {m.get('created')}, updated {m.get('updated')}, git {_git(m.get('git'))}")
    code = m.get("code") or {}
    print(
        f"  code: aimarket {code.get('version')}, source hash {code.get('source')}, "
        f"outcomes hash {code.get('outcomes')}"
    )
    print(
        f"  policies: {', '.join(m.get('policies', []))}; "
        f"uncertainties: {', '.join(m.get('uncertainties', [])) or '-'}"
    )
    damaged = results.damaged_runs
    extra = f" ({len(damaged)} of them in damaged batches)" if damaged else ""
    print(
        f"  {c['planned']} planned: {c['done']} done, {c['failed']} failed, "
        f"{c['pending']} pending{extra}"
    )
    if not results.runs.empty and c["done"]:
        ok = results.ok
        print(
            f"  run time: {ok['elapsed_s'].sum():.1f} s of compute, "
            f"{ok['elapsed_s'].mean():.2f} s per run"
        )
        if "warnings" in ok and ok["warnings"].sum():
            noisy = int((ok["warnings"] > 0).sum())
            print(
                f"  numerical warnings (overflow and the like) in {noisy} run(s): see runs.warnings"
            )
    if sessions:
        last = sessions[-1]
        state = "running or killed" if "finished" not in last else f"finished {last['finished']}"
        print(
            f"  {len(sessions)} session(s); last started {last.get('started')} "
            f"(git {_git(last.get('git'))}), {state}"
        )
    if c["failed"]:
        failed = results.runs[results.runs["status"] != "ok"].head(5)
        print("  failures (first few):")
        for _, row in failed.iterrows():
            print(f"    {row['run_id']} policy {row['policy']}: {row['error']}")
    for note in results.notes:
        print(f"  note: {note}")
    if results.problems:
        print("  damaged (run the sweep command again to move these aside and re-run them):")
        for problem in results.problems:
            print(f"    {problem.line()}")
    return 1 if c["failed"] or results.problems else 0


def _git(info: dict | None) -> str:
    info = info or {}
    return (info.get("commit") or "unknown")[:12] + (" (dirty)" if info.get("dirty") else "")


def script_main(path: str, argv: list[str] | None = None) -> int:
    """``python SCRIPT.py [options]``: run the script's sweep with the sweep options."""

    parser = argparse.ArgumentParser(prog=Path(path).name, description=__doc__.splitlines()[0])
    _add_sweep_options(parser)
    args = parser.parse_args(argv)
    args.argv, args.script = (sys.argv[1:] if argv is None else list(argv)), path
    from aimarket.experiments.engine.spec import load_spec

    try:
        return _sweep(load_spec(path), args, prog=Path(path).name)
    except ScenarioError as exc:
        print(f"{Path(path).name}: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print(f"{Path(path).name}: interrupted", file=sys.stderr)
        return 130
