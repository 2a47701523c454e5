"""What the sweep-running commands (``aimarket sweep``, ``game``, ``optimize``) share: the
default results folder of a design size and the one line that says a run was interrupted
and how to resume it. In the engine layer so that every command module can use it."""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import signal
import sys
from pathlib import Path


def default_out(
    name: str,
    quick: bool = False,
    replicates: int | None = None,
    steps: int | None = None,
    seed: int | None = None,
) -> Path:
    """The results folder of a design size: ``results/NAME[-quick][-rN][-sN][-seedS]``."""
    parts = [name, "quick" if quick else None]
    parts += [f"r{replicates}" if replicates is not None else None]
    parts += [f"s{steps}" if steps is not None else None]
    parts += [f"seed{seed}" if seed is not None else None]
    return Path("results") / "-".join(p for p in parts if p)


def interrupted(summary, args: argparse.Namespace, out: Path, planned: int, prog: str) -> int:
    """Say that a sweep was interrupted, how far it got and how to resume; its exit code."""
    c = summary.store_counts
    failed = f" ({c.get('failed', 0)} failed)" if c.get("failed") else ""
    print(
        f"{prog}: interrupted by {signal.Signals(summary.signum).name}: "
        f"{c.get('done', 0)} of {c.get('planned', planned)} runs done{failed} in {out}; "
        f"resume with:\n  {_resume_command(args, out)}",
        file=sys.stderr,
    )
    return summary.exit_code


def _resume_command(args: argparse.Namespace, out: Path) -> str:
    """The command line that resumes this sweep: the one that started this process when it
    was started as this command (``args.argv``, its own arguments), else ``aimarket`` or
    ``python SCRIPT`` with the arguments; ``--out`` is added when it was not given."""
    argv = getattr(args, "argv", None)
    if argv is not None and argv == sys.argv[1:]:
        words = _own_command_line()
    elif getattr(args, "script", None):
        words = ["python", args.script, *(argv or [])]
    else:
        words = ["aimarket", *argv] if argv else ["aimarket", "sweep", str(args.spec)]
    if not any(w == "--out" or w.startswith("--out=") for w in words):
        words += ["--out", str(out)]
    return shlex.join(words)


def _own_command_line() -> list[str]:
    """This process's command line as typed (``sys.orig_argv``), an installed entry point
    (``aimarket``) without the interpreter in front of it."""
    orig = list(getattr(sys, "orig_argv", [sys.executable, *sys.argv]))
    cut = len(orig) - (len(sys.argv) - 1)
    head, rest = orig[:cut], orig[cut:]
    script = sys.argv[0]
    if head and head[-1] == script and not script.endswith(".py"):
        name = os.path.basename(script)
        head = [name if shutil.which(name) == os.path.abspath(script) else script]
    return [*head, *rest]
