"""The results store: a folder a sweep streams into as runs finish.

Layout::

    DIR/manifest.json         the sweep spec, its hash, package versions, git commit, sessions
    DIR/plan.parquet          every planned run: id, policy, point, replicate, seed, parameters
    DIR/runs/part-B.parquet   one row per finished run: status, timing, final outcomes
    DIR/market/part-B.parquet market time series of batch B's successful runs
    DIR/vendors/part-B.parquet vendor time series of batch B's successful runs
    DIR/failures/part-B.parquet failed runs of batch B with their tracebacks

Runs are written in small batches ``B`` (a sequence number and a random suffix). Each file
is written under a temporary name and renamed into place, so no half-written file is
ever visible; the batch's ``runs`` part is renamed last and is its commit: a run counts
as done only once that file exists. Parts of a batch without a ``runs`` part (a crash
between renames) are ignored and removed on the next session. Reading consolidates the
parts lazily; nothing is rewritten, so memory stays flat while a sweep runs.

A folder is used by one sweep session at a time (an advisory lock, released by the OS
even when the process is killed).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import platform
import re
import subprocess
import uuid
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

from simulation.errors import ScenarioError

FORMAT = 1
TABLES = ("runs", "market", "vendors", "failures")
_PART = re.compile(r"^part-(\d+)-([0-9a-f]+)\.parquet$")
#: Runs-table columns that are not parameters or outcomes.
RUN_COLUMNS = (
    "run_id",
    "policy",
    "point",
    "replicate",
    "seed",
    "status",
    "error",
    "started",
    "elapsed_s",
    "worker",
    "batch",
)


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _fsync_replace(tmp: Path, path: Path) -> None:
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def atomic_write_parquet(frame: pd.DataFrame, path: Path) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    frame.to_parquet(tmp, index=False)
    _fsync_replace(tmp, path)


def atomic_write_json(data: Any, path: Path) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_text(json.dumps(data, indent=1, default=str))
    _fsync_replace(tmp, path)


def package_versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in ("aimarket", "mesa", "numpy", "pandas", "scipy", "pyarrow", "dask", "distributed"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            out[name] = metadata.version(name)
    return out


def git_commit() -> dict[str, Any]:
    """The commit of the source tree the engine was imported from, and whether it is dirty."""
    import simulation

    root = Path(simulation.__file__).resolve().parent.parent
    try:
        head = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return {"commit": None, "dirty": None}
    return {"commit": head, "dirty": bool(dirty)}


def _parts(folder: Path) -> list[tuple[int, str, Path]]:
    """(sequence, batch id, path) of committed-looking part files, in batch order."""
    if not folder.is_dir():
        return []
    out = []
    for p in folder.iterdir():
        m = _PART.match(p.name)
        if m:
            out.append((int(m.group(1)), f"{m.group(1)}-{m.group(2)}", p))
    return sorted(out)


def _read(paths: list[Path]) -> pd.DataFrame:
    frames = [pd.read_parquet(p) for p in paths]
    frames = [f for f in frames if not f.empty]
    if not frames:
        return pd.DataFrame()
    return pd.concat(frames, ignore_index=True)


@dataclass
class Store:
    """One results folder. Use :meth:`open_session` to write, :func:`load` to read."""

    path: Path
    _lock: Any = field(default=None, repr=False)
    _seq: int = 0

    def __post_init__(self) -> None:
        self.path = Path(self.path)

    # -- sessions --------------------------------------------------------------------------
    def open_session(self, plan, *, force: bool = False, info: dict | None = None) -> dict:
        """Lock the folder, check it belongs to this sweep, record the session.

        Returns the manifest. Refuses (ScenarioError) a folder written by a different
        spec unless ``force``, and a folder another session is writing to.
        """
        self.path.mkdir(parents=True, exist_ok=True)
        for t in TABLES:
            (self.path / t).mkdir(exist_ok=True)
        self._acquire()
        manifest = self.manifest()
        if manifest and manifest.get("spec_hash") != plan.spec_hash and not force:
            self.close()
            raise ScenarioError(
                f"{self.path} holds results of a different sweep spec "
                f"('{manifest.get('name')}', spec hash {manifest.get('spec_hash')}; this one "
                f"is {plan.spec_hash}); choose another --out, or pass --force to resume "
                "anyway (runs with the same id are kept, the others are run)"
            )
        self._clean()
        session = {"started": now(), **(info or {})}
        if manifest:
            if manifest.get("spec_hash") != plan.spec_hash:
                manifest.setdefault("previous_specs", []).append(
                    {"spec_hash": manifest["spec_hash"], "replaced": now()}
                )
        else:
            manifest = {"format": FORMAT, "created": now(), "sessions": []}
        manifest.update(
            {
                "name": plan.sweep.name,
                "spec_hash": plan.spec_hash,
                "planned_runs": len(plan),
                "policies": plan.policy_names,
                "uncertainties": [u.name for u in plan.uncertainties],
                "outcomes": plan.outcome_names + [r["name"] for r in plan.outcome_refs],
                "table": list(plan.sweep.table or []),
                "reference": plan.sweep.reference,
                "versions": package_versions(),
                "git": git_commit(),
                "spec": plan.spec,
            }
        )
        manifest["sessions"].append(session)
        manifest["updated"] = now()
        atomic_write_parquet(plan.table(), self.path / "plan.parquet")
        atomic_write_json(manifest, self.path / "manifest.json")
        self._seq = max((s for s, _, _ in _parts(self.path / "runs")), default=0)
        return manifest

    def close_session(self, summary: dict) -> None:
        manifest = self.manifest()
        if manifest.get("sessions"):
            manifest["sessions"][-1].update({"finished": now(), **summary})
            manifest["updated"] = now()
            atomic_write_json(manifest, self.path / "manifest.json")
        self.close()

    def close(self) -> None:
        if self._lock is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self._lock, fcntl.LOCK_UN)
            self._lock.close()
            self._lock = None

    def _acquire(self) -> None:
        fh = open(self.path / ".lock", "a+")  # noqa: SIM115 - held for the session
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.close()
            raise ScenarioError(
                f"{self.path} is in use by another sweep session; wait for it or stop it"
            ) from None
        self._lock = fh

    def _clean(self) -> None:
        """Remove temporary files and parts of batches that never committed."""
        committed = {b for _, b, _ in _parts(self.path / "runs")}
        for t in TABLES:
            folder = self.path / t
            for p in folder.iterdir():
                if p.name.startswith("."):
                    p.unlink(missing_ok=True)
            for _, batch, p in _parts(folder):
                if t != "runs" and batch not in committed:
                    p.unlink(missing_ok=True)

    # -- writing ---------------------------------------------------------------------------
    def write_batch(self, results: list[dict], runs: dict[str, dict]) -> str:
        """Persist finished runs: time series and failures first, the runs part last."""
        self._seq += 1
        batch = f"{self._seq:06d}-{uuid.uuid4().hex[:8]}"
        name = f"part-{batch}.parquet"
        rows, failures, market, vendors = [], [], [], []
        for res in results:
            run = runs[res["run_id"]]
            row = {
                "run_id": res["run_id"],
                "policy": run["policy"],
                "point": run["point"],
                "replicate": run["replicate"],
                "seed": run["seed"],
                **run["params"],
                "status": res["status"],
                "error": res["error"],
                "started": pd.Timestamp(res["started"], unit="s", tz="UTC"),
                "elapsed_s": res["elapsed"],
                "warnings": int(res.get("warnings", 0)),
                "worker": res["worker"],
                "batch": batch,
                **res["outcomes"],
            }
            rows.append(row)
            if res["status"] != "ok":
                failures.append(
                    {
                        "run_id": res["run_id"],
                        "policy": run["policy"],
                        "point": run["point"],
                        "replicate": run["replicate"],
                        "error": res["error"],
                        "traceback": res["traceback"],
                        "batch": batch,
                    }
                )
            if res.get("market") is not None:
                market.append(res["market"])
            if res.get("vendors") is not None:
                vendors.append(res["vendors"])
        if market:
            atomic_write_parquet(pd.concat(market, ignore_index=True), self.path / "market" / name)
        if vendors:
            frame = pd.concat(vendors, ignore_index=True)
            atomic_write_parquet(frame, self.path / "vendors" / name)
        if failures:
            atomic_write_parquet(pd.DataFrame(failures), self.path / "failures" / name)
        atomic_write_parquet(pd.DataFrame(rows), self.path / "runs" / name)  # the commit
        return batch

    # -- reading ---------------------------------------------------------------------------
    def manifest(self) -> dict:
        path = self.path / "manifest.json"
        if not path.exists():
            return {}
        return json.loads(path.read_text())

    def run_status(self) -> pd.DataFrame:
        """run_id and status of the latest attempt of every recorded run."""
        paths = [p for _, _, p in _parts(self.path / "runs")]
        frames = [pd.read_parquet(p, columns=["run_id", "status"]) for p in paths]
        if not frames:
            return pd.DataFrame({"run_id": pd.Series(dtype=str), "status": pd.Series(dtype=str)})
        frame = pd.concat(frames, ignore_index=True)
        return frame.drop_duplicates("run_id", keep="last").reset_index(drop=True)

    def counts(self) -> dict[str, int]:
        """Planned, done, failed and pending runs, read from the small tables only."""
        plan_path = self.path / "plan.parquet"
        planned = (
            set(pd.read_parquet(plan_path, columns=["run_id"])["run_id"])
            if (plan_path.exists())
            else set()
        )
        status = self.run_status().set_index("run_id")["status"]
        ok = int((status == "ok").sum())
        failed = int((status != "ok").sum())
        pending = len(planned - set(status.index))
        return {"planned": len(planned), "done": ok, "failed": failed, "pending": pending}

    def table(self, name: str) -> pd.DataFrame:
        committed = {b for _, b, _ in _parts(self.path / "runs")}
        paths = [p for _, b, p in _parts(self.path / name) if b in committed]
        return _read(paths)


@dataclass
class Results:
    """A results folder as pandas DataFrames.

    ``runs``: one row per run (latest attempt): id, policy, point, replicate, seed,
    parameters, status, timing, outcomes. ``market`` and ``vendors``: time series of the
    successful runs, joined to their policy and parameters. ``failures``: every failed
    attempt with its traceback. ``plan``: every planned run. ``manifest``: the spec.
    """

    path: Path
    manifest: dict
    plan: pd.DataFrame
    runs: pd.DataFrame
    market: pd.DataFrame
    vendors: pd.DataFrame
    failures: pd.DataFrame

    @property
    def parameters(self) -> list[str]:
        return list(self.manifest.get("uncertainties", []))

    @property
    def outcomes(self) -> list[str]:
        return [c for c in self.manifest.get("outcomes", []) if c in self.runs.columns]

    @property
    def ok(self) -> pd.DataFrame:
        """Successful runs only."""
        if self.runs.empty:
            return self.runs
        return self.runs[self.runs["status"] == "ok"]

    def counts(self) -> dict[str, int]:
        planned = set(self.plan["run_id"]) if not self.plan.empty else set()
        status = self.runs.set_index("run_id")["status"] if not self.runs.empty else pd.Series()
        ok = int((status == "ok").sum())
        failed = int((status != "ok").sum())
        pending = len(planned - set(status.index))
        return {"planned": len(planned), "done": ok, "failed": failed, "pending": pending}


def load(path: str | Path) -> Results:
    """Read a results folder: runs, time series joined to parameters, failures, manifest."""
    store = Store(Path(path))
    manifest = store.manifest()
    if not manifest:
        raise ScenarioError(f"{path} is not a sweep results folder (no manifest.json)")
    plan_path = store.path / "plan.parquet"
    plan = pd.read_parquet(plan_path) if plan_path.exists() else pd.DataFrame()
    runs = store.table("runs")
    if not runs.empty:
        runs = runs.drop_duplicates("run_id", keep="last").reset_index(drop=True)
    keys = ["run_id", "policy", "point", "replicate", *manifest.get("uncertainties", [])]
    keys = [k for k in keys if k in runs.columns]

    def joined(name: str) -> pd.DataFrame:
        frame = store.table(name)
        if frame.empty or runs.empty:
            return frame
        ok = runs.loc[runs["status"] == "ok", keys]
        # A series column named like a key (the vendor's own release ``policy``) is
        # renamed ``vendor_policy``, so the sweep's policy keeps its name.
        prefix = name.rstrip("s")
        frame = frame.rename(columns={c: f"{prefix}_{c}" for c in keys[1:] if c in frame})
        return ok.merge(frame, on="run_id", how="inner", validate="one_to_many")

    return Results(
        path=store.path,
        manifest=manifest,
        plan=plan,
        runs=runs,
        market=joined("market"),
        vendors=joined("vendors"),
        failures=store.table("failures"),
    )
