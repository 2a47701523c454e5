"""SIGKILL a sweep part-way, re-run it: nothing completed lost, nothing duplicated."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

from aimarket.experiments import load
from aimarket.experiments.engine.faults import MARKER, PAUSE_VARIABLE

SPEC = """
name = "killable"
steps = 24
seed = 5
replicates = 3
design = { kind = "lhs", n = 8 }

[overrides]
"developers.count" = 60

[policies.closed]
"vendors.meta.policy" = "closed"
[policies.open]
"vendors.meta.policy" = "open"

[uncertainties]
"innovation.imitation_speed" = [0.01, 0.05]
"""

VOLATILE = ["started", "elapsed_s", "worker", "batch"]


def sweep_cmd(spec: Path, out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "aimarket", "sweep", str(spec), "--out", str(out),
            "--no-progress", "--no-table", *extra]  # fmt: skip


def committed_runs(out: Path) -> int:
    parts = list((out / "runs").glob("part-*.parquet")) if (out / "runs").is_dir() else []
    return sum(len(pd.read_parquet(p, columns=["run_id"])) for p in parts)


def start_paused(cmd: list[str], out: Path, after: int) -> subprocess.Popen:
    """Start a sweep that stops itself once ``after`` runs are committed (see
    ``aimarket.experiments.engine.faults``), and wait until it has: the kill comes at a
    known point."""
    proc = subprocess.Popen(
        cmd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, PAUSE_VARIABLE: str(after)},
        start_new_session=True,  # its own process group: the kill takes the workers too
    )
    deadline = time.monotonic() + 240
    while not (out / MARKER).exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            os.killpg(proc.pid, signal.SIGKILL)
            raise AssertionError(f"the sweep did not pause (exit status {proc.poll()})")
        time.sleep(0.02)
    return proc


def test_sigkill_then_resume_equals_uninterrupted(tmp_path):
    spec = tmp_path / "killable.toml"
    spec.write_text(SPEC)
    planned = 8 * 3 * 2
    killed = tmp_path / "killed"
    proc = start_paused(sweep_cmd(spec, killed, "--workers", "2"), killed, after=10)
    # While it runs, a second session on the folder is refused in one line (status 2).
    second = subprocess.run(
        sweep_cmd(spec, killed, "--executor", "serial"), capture_output=True, text=True, timeout=300
    )
    assert second.returncode == 2, second.stderr
    assert len(second.stderr.strip().splitlines()) == 1
    assert "in use by another sweep session" in second.stderr
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    done_at_kill = committed_runs(killed)
    assert 10 <= done_at_kill < planned

    # The killed session's lock went with it: the same command resumes.
    resumed = subprocess.run(
        sweep_cmd(spec, killed, "--workers", "2"), capture_output=True, text=True, timeout=300
    )
    assert resumed.returncode == 0, resumed.stderr
    assert f"{done_at_kill} already done" in resumed.stdout

    clean = tmp_path / "clean"
    straight = subprocess.run(
        sweep_cmd(spec, clean, "--executor", "serial"), capture_output=True, text=True, timeout=300
    )
    assert straight.returncode == 0, straight.stderr

    a, b = load(killed), load(clean)
    assert a.runs["run_id"].is_unique
    assert len(a.runs) == planned
    assert a.counts() == {"planned": planned, "done": planned, "failed": 0, "pending": 0}

    def stable(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
        frame = frame.drop(columns=[c for c in VOLATILE if c in frame])
        return frame.sort_values(keys).reset_index(drop=True)

    pd.testing.assert_frame_equal(stable(a.runs, ["run_id"]), stable(b.runs, ["run_id"]))
    pd.testing.assert_frame_equal(
        stable(a.market, ["run_id", "step"]), stable(b.market, ["run_id", "step"])
    )
    keys = ["run_id", "step", "vendor"]
    pd.testing.assert_frame_equal(stable(a.vendors, keys), stable(b.vendors, keys))
    # No stray temporary or uncommitted files are left behind.
    assert not [p for p in killed.rglob(".*.tmp-*")]
