"""The sweep driver and its workers under signals: SIGKILL of the driver alone leaves no
worker behind; SIGTERM is handled like Ctrl-C; Ctrl-C (SIGINT to the whole process group,
as a terminal sends it) prints one line and the resume command, with the process pool and
with Dask; the folder then resumes to the result of an uninterrupted sweep.

Every signal is sent at a point the test controls (``aimarket.experiments.engine.faults``), never by
timing; waiting for processes to exit polls against a generous deadline.
"""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from test_sweep_kill import SPEC, VOLATILE, committed_runs, sweep_cmd
from test_sweep_run import FAILING_SCRIPT

from aimarket.experiments import load
from aimarket.experiments.engine.faults import MARKER, PAUSE_VARIABLE

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")

PLANNED = 8 * 3 * 2
EXECUTORS = ["process", "dask"]


@pytest.fixture(scope="module")
def spec(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("spec") / "killable.toml"
    path.write_text(SPEC)
    return path


@pytest.fixture(scope="module")
def reference(spec, tmp_path_factory):
    """The same sweep, uninterrupted, serially."""
    out = tmp_path_factory.mktemp("reference")
    done = subprocess.run(
        sweep_cmd(spec, out, "--executor", "serial"), capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    return load(out)


def _stat(pid: int) -> tuple[int, str, int] | None:
    """(parent pid, state, start time) of a live process, None once it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    fields = text[text.rindex(")") + 2 :].split()  # after the command name, which has spaces
    return int(fields[1]), fields[0], int(fields[19])


def descendants(pid: int) -> dict[int, int]:
    """Every process below ``pid``, as {pid: start time} (a reused pid is another one)."""
    parent = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (st := _stat(int(entry.name))) is not None:
            parent[int(entry.name)] = st
    found, frontier = {}, [pid]
    while frontier:
        p = frontier.pop()
        for child, (ppid, _, start) in parent.items():
            if ppid == p and child not in found:
                found[child] = start
                frontier.append(child)
    return found


def survivors(procs: dict[int, int], deadline_s: float = 60) -> list[int]:
    """The processes of ``procs`` still running once they are all gone or the (generous)
    deadline has passed; a zombie counts as gone."""
    deadline = time.monotonic() + deadline_s
    while True:
        alive = [
            pid
            for pid, start in procs.items()
            if (st := _stat(pid)) is not None and st[2] == start and st[1] != "Z"
        ]
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.05)


def ignores_sigint(pid: int) -> bool:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("SigIgn:"):
            return bool(int(line.split()[1], 16) & (1 << (signal.SIGINT - 1)))
    raise AssertionError(f"no SigIgn line for process {pid}")


# Start the sweep with Ctrl-C's default disposition, as from a terminal: the tests may run
# in a background job, which ignores SIGINT, and the driver keeps a SIGINT it was started
# ignoring ignored.
DEFAULT_SIGINT = (
    "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); "
    "os.execv(sys.executable, [sys.executable, *sys.argv[1:]])"
)


def paused_sweep(spec: Path, out: Path, executor: str) -> tuple[subprocess.Popen, dict]:
    """A sweep with 2 workers, stopped by itself once 10 runs are committed (see
    ``aimarket.experiments.engine.faults``), and its worker processes. Its stderr goes to
    ``out.log``."""
    if executor == "dask":
        pytest.importorskip("distributed")
    cmd = sweep_cmd(spec, out, "--workers", "2", "--executor", executor)
    proc = subprocess.Popen(
        [sys.executable, "-c", DEFAULT_SIGINT, *cmd[1:]],
        stdout=subprocess.DEVNULL,
        stderr=out.with_suffix(".log").open("w"),  # a file: no pipe for a worker to hold
        env={**os.environ, PAUSE_VARIABLE: "10"},
        start_new_session=True,  # its own process group, as a terminal's foreground job
    )
    deadline = time.monotonic() + 240
    while not (out / MARKER).exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            kill_all(proc, descendants(proc.pid))
            raise AssertionError(f"the sweep did not pause (exit status {proc.wait()})")
        time.sleep(0.02)
    procs = descendants(proc.pid)
    assert len(procs) >= 2, procs  # the two workers (and multiprocessing's helper)
    return proc, procs


def kill_all(proc: subprocess.Popen, procs: dict[int, int]) -> None:
    """Clean-up after a failure: the driver and whatever is left of its workers."""
    if proc.poll() is None:
        proc.kill()
        proc.wait()
    for pid in survivors(procs, deadline_s=0):
        os.kill(pid, signal.SIGKILL)


def stopped(proc: subprocess.Popen, out: Path) -> tuple[int, list[str]]:
    """Exit status and stderr lines of a stopped sweep (its stdout was discarded)."""
    status = proc.wait(timeout=120)
    return status, out.with_suffix(".log").read_text().splitlines()


def assert_same(a, b) -> None:
    def stable(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
        frame = frame.drop(columns=[c for c in VOLATILE if c in frame])
        return frame.sort_values(keys).reset_index(drop=True)

    assert a.runs["run_id"].is_unique
    assert a.counts() == {"planned": PLANNED, "done": PLANNED, "failed": 0, "pending": 0}
    pd.testing.assert_frame_equal(stable(a.runs, ["run_id"]), stable(b.runs, ["run_id"]))
    for name, keys in (("market", ["run_id", "step"]), ("vendors", ["run_id", "step", "vendor"])):
        pd.testing.assert_frame_equal(
            stable(getattr(a, name), keys), stable(getattr(b, name), keys)
        )


def resume(lines: list[str], out: Path, reference) -> None:
    """Run the resume command the interrupted sweep printed; the folder must then hold
    exactly what the uninterrupted sweep produced."""
    saved = committed_runs(out)
    assert 10 <= saved < PLANNED
    env = {k: v for k, v in os.environ.items() if k != PAUSE_VARIABLE}
    again = subprocess.run(
        shlex.split(lines[-1]), capture_output=True, text=True, timeout=300, env=env
    )
    assert again.returncode == 0, again.stderr
    assert f"{saved} already done" in again.stdout
    assert_same(load(out), reference)


@pytest.mark.parametrize("executor", EXECUTORS)
def test_workers_exit_when_the_driver_alone_is_killed(spec, tmp_path, executor):
    proc, procs = paused_sweep(spec, tmp_path / "out", executor)
    try:
        ignoring = {pid: ignores_sigint(pid) for pid in procs}
        os.kill(proc.pid, signal.SIGKILL)  # the driver only, not its process group
        assert proc.wait(timeout=60) == -signal.SIGKILL
        assert survivors(procs) == []
        # Workers leave Ctrl-C to the driver: they ignore SIGINT.
        assert all(ignoring.values()), ignoring
    finally:
        kill_all(proc, procs)


def assert_one_line_and_resume_command(lines: list[str], signum: int, out: Path) -> None:
    assert len(lines) == 2, "\n".join(lines)
    head, command = lines
    assert head.startswith(f"aimarket: interrupted by {signal.Signals(signum).name}: "), head
    assert head.endswith(f"in {out}; resume with:"), head
    assert command.startswith("  ") and "sweep" in command and str(out) in command, command


@pytest.mark.parametrize(
    "executor, signum, group",
    [
        ("process", signal.SIGINT, True),  # Ctrl-C at a terminal: the whole process group
        ("dask", signal.SIGINT, True),
        ("process", signal.SIGTERM, False),  # kill PID
        ("dask", signal.SIGTERM, False),
        ("process", signal.SIGTERM, True),  # a batch system or service manager stopping a job
    ],
    ids=["process-ctrl-c", "dask-ctrl-c", "process-term", "dask-term", "process-term-group"],
)
def test_interrupted_sweep_says_how_to_resume_and_resumes_to_the_same_result(
    spec, reference, tmp_path, executor, signum, group
):
    out = tmp_path / "out"
    proc, procs = paused_sweep(spec, out, executor)
    try:
        (os.killpg if group else os.kill)(proc.pid, signum)
        status, lines = stopped(proc, out)
        assert status == 128 + signum, "\n".join(lines)
        assert_one_line_and_resume_command(lines, signum, out)
        assert survivors(procs) == []
    finally:
        kill_all(proc, procs)
    assert load(out).manifest["sessions"][-1]["signal"] == signal.Signals(signum).name
    resume(lines, out, reference)


# test_sweep_run's script whose outcome function fails for strong communities, made to
# kill its worker process instead (as the kernel does when memory runs out), when asked.
RAISE = 'raise FloatingPointError("community too strong for this model")'
assert RAISE in FAILING_SCRIPT
CRASHING_SCRIPT = "import os\n" + FAILING_SCRIPT.replace(
    RAISE, 'if os.environ.get("CRASH_WORKERS"):\n            os._exit(3)'
)


def test_a_dying_worker_fails_the_runs_in_flight_and_the_sweep_resumes(tmp_path):
    script, out = tmp_path / "fragile.py", tmp_path / "out"
    script.write_text(CRASHING_SCRIPT)
    cmd = [*sweep_cmd(script, out), "--workers", "2"]
    crashed = subprocess.run(
        cmd, capture_output=True, text=True, timeout=300, env={**os.environ, "CRASH_WORKERS": "1"}
    )
    assert crashed.returncode == 1, crashed.stderr
    assert "sweep aborted: a worker process died" in crashed.stderr
    first = load(out)
    counts = first.counts()
    assert counts["failed"] >= 1 and sum(counts[k] for k in ("done", "failed", "pending")) == 8
    assert first.failures["error"].str.contains("BrokenProcessPool").all()

    again = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    runs = load(out).runs
    assert len(runs) == 8 and runs["run_id"].is_unique and (runs["status"] == "ok").all()
