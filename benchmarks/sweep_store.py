"""The results store at scale: the CLI's peak memory at the end of a sweep, and bytes per run.

    .venv/bin/python benchmarks/sweep_store.py end-memory [--runs 1000 10000] [--report]
    .venv/bin/python benchmarks/sweep_store.py end-memory --real --runs 1000
    .venv/bin/python benchmarks/sweep_store.py footprint DIR [DIR ...]

``end-memory`` measures the peak resident memory (max RSS, from ``wait4``) of
``aimarket sweep SPEC --out DIR`` run on a folder that already holds every run of the
sweep: the command finds nothing left to run and does what a sweep does at its end (check
the folder, count the runs, load the results, print the policy comparison), then
``aimarket status DIR`` (and with ``--report``, ``aimarket report DIR``). The runs are
cheap (100 developers) but keep 120 months, so their series are full size. The folder's
contents are synthetic by default: 8 real runs are made and their results are written
again under every planned run id, through the store's own writer (so encoding, batches and
journal are real; 10,000 real runs would take about an hour on 2 cores). With
``--real`` the sweep is run for real by the same command, and the figure is that
command's whole peak (driver and workers).

``footprint`` prints the bytes per run of results folders, by table.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SPEC = """
name = "store_scale"
steps = 120
seed = 1
replicates = 5
design = {{ kind = "lhs", n = {n} }}

[overrides]
"developers.count" = 100

[policies.closed]
"vendors.meta.policy" = "closed"
[policies.open]
"vendors.meta.policy" = "open"

[uncertainties]
"innovation.imitation_speed" = [0.05, 0.2]
"""
BATCH = 64


#: Runs a command and prints its peak RSS in KiB. It runs in a small process of its own:
#: a child's ru_maxrss also counts the pages of the process it was forked from, so
#: measuring straight from this (large) benchmark process would add this one's memory.
WRAPPER = """
import os, subprocess, sys
proc = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
_, status, usage = os.wait4(proc.pid, 0)
sys.stderr.write(proc.stderr.read().decode())
print(usage.ru_maxrss, os.waitstatus_to_exitcode(status))
"""


def peak_mib(cmd: list[str]) -> tuple[float, float, int]:
    """Peak RSS (MiB) of ``cmd`` and its waited-for children, wall seconds, exit status."""
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", WRAPPER, *cmd], capture_output=True, text=True)
    kib, code = (int(x) for x in proc.stdout.split())
    if code not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed:\n{proc.stderr}")
    return kib / 1024, time.perf_counter() - t0, code


def synthetic_folder(spec: Path, out: Path, real: int = 8) -> None:
    """Every planned run's results, copied from ``real`` real runs (new run ids)."""
    from aimarket.experiments import load_spec
    from aimarket.experiments.engine.store import Store
    from aimarket.experiments.engine.worker import execute

    plan = load_spec(spec).plan()
    runs = list(plan.runs())
    made = [execute(plan.task(r)) for r in runs[:real]]
    store = Store(out)
    store.open_session(plan, info={"argv": ["benchmarks/sweep_store.py (synthetic)"]})
    for start in range(0, len(runs), BATCH):
        chunk = runs[start : start + BATCH]
        tasks = {r["run_id"]: plan.task(r) for r in chunk}
        results = []
        for k, run in enumerate(chunk):
            res = dict(made[k % real], run_id=run["run_id"])
            for table in ("market", "vendors"):
                res[table] = res[table].assign(run_id=run["run_id"])
            results.append(res)
        store.write_batch(results, tasks)
    store.close_session({"synthetic": True})


def folder_bytes(path: Path) -> dict[str, int]:
    tables = ("runs", "market", "vendors", "failures")
    out = {t: sum(p.stat().st_size for p in (path / t).glob("part-*")) for t in tables}
    out["other"] = sum(p.stat().st_size for p in path.glob("*") if p.is_file())
    return out


def end_memory(args: argparse.Namespace) -> None:
    cli = [sys.executable, "-m", "aimarket"]
    print(f"{'runs':>6}  {'contents':9}  {'sweep end MiB':>13}  {'status MiB':>10}", end="")
    print(f"  {'report MiB':>10}" if args.report else "", end="")
    print(f"  {'folder MB':>9}  seconds (sweep end, status)")
    for runs in args.runs:
        with tempfile.TemporaryDirectory(prefix="sweep-store-") as tmp:
            spec, out = Path(tmp) / "store_scale.toml", Path(tmp) / "out"
            spec.write_text(SPEC.format(n=max(1, runs // 10)))
            sweep = [*cli, "sweep", str(spec), "--out", str(out), "--no-progress"]
            if args.real:
                sweep += ["--workers", str(args.workers)]
            else:
                synthetic_folder(spec, out)
            end, t_end, _ = peak_mib(sweep)
            status, t_status, _ = peak_mib([*cli, "status", str(out)])
            line = f"{runs:>6}  {'real' if args.real else 'synthetic':9}  {end:>13.0f}  "
            line += f"{status:>10.0f}"
            if args.report:
                report, _, _ = peak_mib([*cli, "report", str(out)])
                line += f"  {report:>10.0f}"
            size = sum(folder_bytes(out).values()) / 1e6
            print(f"{line}  {size:>9.1f}  {t_end:.1f}, {t_status:.1f}", flush=True)


def footprint(args: argparse.Namespace) -> None:
    import pyarrow.parquet as pq

    for path in map(Path, args.dirs):
        runs = sum(pq.read_metadata(p).num_rows for p in (path / "runs").glob("part-*"))
        sizes = folder_bytes(path)
        total = sum(sizes.values())
        shown = ", ".join(f"{t} {b / max(runs, 1) / 1e3:.1f}" for t, b in sizes.items() if b)
        print(f"{path}: {runs} runs, {total / 1e6:.2f} MB, {total / max(runs, 1) / 1e3:.1f} KB "
              f"per run ({shown} KB)")  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="command", required=True)
    p = sub.add_parser("end-memory", help="peak memory of the CLI at the end of a sweep")
    p.add_argument("--runs", type=int, nargs="+", default=[1000, 10000])
    p.add_argument("--real", action="store_true", help="run the sweep for real")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--report", action="store_true", help="also measure `aimarket report`")
    p.set_defaults(func=end_memory)
    p = sub.add_parser("footprint", help="bytes per run of results folders")
    p.add_argument("dirs", nargs="+")
    p.set_defaults(func=footprint)
    args = ap.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()
