"""The ``aimarket`` command line.

    aimarket scenarios                      list built-in scenarios
    aimarket run [--scenario NAME|FILE] [--set PATH=VALUE ...] [--steps N] [--seed S]
                 [--developers N] [--out DIR]
    aimarket report DIR [--out DIR]         Markdown report with figures of a sweep folder

Experiment commands (``sweep``, ``status``, ...) are registered by
:mod:`experiments.cli`. Bad input exits with status 2 and a one-line message.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from simulation.errors import ScenarioError

EXIT_BAD_INPUT = 2


class _Parser(argparse.ArgumentParser):
    """argparse that reports bad input in one line with status 2 (its default status)."""

    def error(self, message: str) -> None:  # pragma: no cover - argparse plumbing
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message}\n")


def _parse_sets(pairs: list[str]) -> dict[str, str]:
    out = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ScenarioError(f"--set expects PATH=VALUE, got {pair!r}")
        out[key.strip()] = value.strip()
    return out


def cmd_scenarios(args: argparse.Namespace) -> int:
    from simulation.scenarios import BUILTIN

    width = max(len(n) for n in BUILTIN)
    for name, (description, _, _) in BUILTIN.items():
        print(f"{name:<{width}}  {description}")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from simulation import MarketModel, load_scenario
    from simulation.report import summary_table, write_run

    overrides = _parse_sets(args.set)
    if args.developers is not None:
        overrides["developers.count"] = args.developers
    scenario = load_scenario(args.scenario, overrides)
    steps = args.steps if args.steps is not None else scenario.steps
    if steps < 1:
        raise ScenarioError(f"--steps = {steps} is out of range: allowed [1, 100000]")
    print(
        f"aimarket: scenario '{scenario.name}', {steps} months from {scenario.market.start}, "
        f"{scenario.developers.count:,} developers, seed {args.seed}"
    )
    started = time.perf_counter()
    model = MarketModel(scenario, rng=args.seed)
    model.run(steps, progress=not args.quiet)
    elapsed = time.perf_counter() - started
    print(summary_table(model))
    print(f"ran {steps} months in {elapsed:.2f} s")
    if args.out:
        out = write_run(model, Path(args.out), seed=args.seed, figures=not args.no_plots)
        report = out / "report.md"
        print(f"wrote {report if report.exists() else out}")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from experiments.report import write_report

    path = Path(args.dir)
    if not (path / "manifest.json").is_file():
        raise ScenarioError(f"{path} is not a sweep results folder (no manifest.json)")
    print(write_report(path, args.out))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="aimarket",
        description="Agent-based simulation of the AI foundation-model market.",
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p = sub.add_parser("scenarios", help="list built-in scenarios")
    p.set_defaults(func=cmd_scenarios)

    p = sub.add_parser("run", help="run one simulation and write its metrics")
    p.add_argument("--scenario", default="baseline", help="built-in name or TOML file")
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="PATH=VALUE",
        help="override a parameter, e.g. vendors.meta.policy=closed (repeatable)",
    )
    p.add_argument("--steps", type=int, help="months to simulate (default: the scenario's)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--developers", type=int, help="shorthand for --set developers.count=N")
    p.add_argument("--out", help="folder for metrics (Parquet) and the resolved scenario")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--no-plots", action="store_true", help="skip report.md and its figures")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("report", help="write a Markdown report with figures for a sweep folder")
    p.add_argument("dir", help="sweep results folder (made by 'aimarket sweep')")
    p.add_argument("--out", help="folder for report.md and its PNG figures (default DIR/report)")
    p.set_defaults(func=cmd_report)

    try:
        from experiments.cli import add_commands
    except ImportError:  # the experiments package is optional for the engine
        pass
    else:
        add_commands(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    args.argv = sys.argv[1:] if argv is None else list(argv)  # to say how to resume a sweep
    try:
        return int(args.func(args) or 0)
    except ScenarioError as exc:
        print(f"aimarket: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("aimarket: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into `head` and the like
        sys.stderr.close()
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
