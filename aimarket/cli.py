"""The ``aimarket`` command line: the engine's commands and the experiment commands.

    aimarket scenarios | run ...            one market (aimarket.simulation.cli)
    aimarket sweep | status | report ...    sweeps and their results (aimarket.experiments.cli)
    aimarket dashboard ...                  watch and compare live (aimarket.dashboard.cli)

Bad input exits with status 2 and a one-line message; Ctrl-C with 130.
"""

from __future__ import annotations

import argparse
import sys
from importlib import metadata

from aimarket.dashboard import cli as dashboard_cli
from aimarket.experiments import cli as experiments_cli
from aimarket.simulation import cli as simulation_cli
from aimarket.simulation.errors import EXIT_BAD_INPUT, ScenarioError
from aimarket.simulation.files import check_path_text
from aimarket.simulation.mechanics import kernels


class Parser(argparse.ArgumentParser):
    """argparse that reports bad input in one line with status 2 (its default status)."""

    def error(self, message: str) -> None:  # pragma: no cover - argparse plumbing
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message}\n")


def version() -> str:
    try:
        return metadata.version("aimarket")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "unknown (not installed)"


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="aimarket",
        description="Agent-based simulation of the AI foundation-model market.",
    )
    parser.add_argument("--version", action="version", version=f"aimarket {version()}")
    sub = parser.add_subparsers(dest="command", parser_class=Parser)
    simulation_cli.add_commands(sub)
    experiments_cli.add_commands(sub)
    dashboard_cli.add_commands(sub)
    return parser


#: Arguments that name files or folders.
PATH_ARGUMENTS = ("scenario", "out", "spec", "dir")


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    args.argv = sys.argv[1:] if argv is None else list(argv)  # to say how to resume a sweep
    if args.command is None:  # no command: say what there is
        parser.print_help()
        return 0
    try:
        kernels.backend()  # a bad AIMARKET_KERNELS is refused before anything runs
        for dest in PATH_ARGUMENTS:  # a path the file system would refuse by its length
            if isinstance(getattr(args, dest, None), str):
                check_path_text(getattr(args, dest), f"--{dest}" if dest != "dir" else "DIR")
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
