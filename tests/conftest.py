"""Shared fixtures and helpers: small scenarios, model runs, frame digests, the CLI."""

from __future__ import annotations

import hashlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from aimarket import MarketModel, Scenario, load_scenario

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent

#: Small enough to run in a fraction of a second, large enough for every mechanism.
SMALL_DEVELOPERS = 300
SMALL_STEPS = 12


def small_scenario(
    name: str = "baseline", developers: int = SMALL_DEVELOPERS, **overrides
) -> Scenario:
    """A built-in scenario with few developers; ``overrides`` are dotted paths given as
    keyword arguments with ``__`` for dots (``vendors__meta__policy="closed"``)."""
    dotted = {k.replace("__", "."): v for k, v in overrides.items()}
    return load_scenario(name, {"developers.count": developers, **dotted})


def run_model(scenario: Scenario, seed: int = 7, steps: int = SMALL_STEPS) -> MarketModel:
    return MarketModel(scenario, rng=seed).run(steps)


def frame_digest(frame: pd.DataFrame) -> str:
    """SHA-256 of a frame's column names, dtypes and raw value bytes (bit for bit)."""
    h = hashlib.sha256()
    for col in frame.columns:
        series = frame[col]
        h.update(f"{col}:{series.dtype}\n".encode())
        values = series.to_numpy()
        if values.dtype.kind in "biufcmM":
            h.update(np.ascontiguousarray(values).tobytes())
        else:
            h.update("\x1f".join(map(str, values)).encode())
    return h.hexdigest()


def numeric_columns(frame: pd.DataFrame) -> list[str]:
    return [c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c])]


def aimarket_command() -> list[str]:
    """The installed ``aimarket`` entry point of the interpreter running the tests, or
    ``python -m aimarket`` if it is not installed next to it."""
    exe = Path(sys.executable).with_name("aimarket")
    if exe.exists():
        return [str(exe)]
    return [sys.executable, "-m", "aimarket"]


def run_cli(args: list[str], cwd: Path | None = None, timeout: float = 300):
    """Run ``aimarket ARGS`` in a fresh process; returns the CompletedProcess."""
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    return subprocess.run(
        [*aimarket_command(), *args],
        capture_output=True,
        text=True,
        cwd=cwd or REPO,
        env=env,
        timeout=timeout,
        check=False,
    )


@pytest.fixture
def make_scenario() -> Callable[..., Scenario]:
    """Factory fixture: ``make_scenario("meta_closed", developers=200, steps=5)``."""
    return small_scenario


@pytest.fixture
def cli_main(capsys):
    """Call ``aimarket.cli.main`` in-process; returns (exit status, stdout, stderr).

    argparse reports its own errors by raising SystemExit; both routes give a status.
    """
    from aimarket.cli import main

    def call(argv: list[str]) -> tuple[int, str, str]:
        try:
            code = main(argv)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        out, err = capsys.readouterr()
        return code, out, err

    return call


#: Runs-table columns that differ between two runs of the same sweep (timing, worker).
VOLATILE = ["started", "elapsed_s", "worker", "batch"]
POLICIES = {"closed": {"vendors.meta.policy": "closed"}, "open": {"vendors.meta.policy": "open"}}


def tiny_sweep(**kw):
    """A sweep of 12 runs (3 points x 2 replicates x 2 policies) of 8 months, 40 developers."""
    from aimarket.experiments import Sweep

    args = dict(
        name="tiny",
        overrides={"developers.count": 40},
        policies=POLICIES,
        uncertainties={"innovation.community_quality": (0.0, 0.05)},
        design="lhs",
        n=3,
        replicates=2,
        steps=8,
        seed=11,
    )
    args.update(kw)
    return Sweep(**args)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_dashboard(port: int, *args: str) -> subprocess.Popen:
    """``aimarket dashboard`` on ``port``, once it answers."""
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    process = subprocess.Popen(
        [*aimarket_command(), "dashboard", "--port", str(port), *args],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        try:  # the socket listens before the server is up: wait for a page
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as page:
                if page.status == 200:
                    return process
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise AssertionError(f"the dashboard did not start: {process.communicate()}")
