"""The results store: a folder a sweep streams into as runs finish.

A sweep session (:meth:`Store.open_session`) locks the folder, checks that it belongs to
this sweep and this code, repairs what a crash left and moves damaged batches aside; then
the runner writes finished runs in small batches (:meth:`Store.write_batch`), each file
renamed into place whole and the batch's ``runs`` part last, as its commit. The folder's
files are listed in :mod:`aimarket.experiments.engine.layout`; the batch journal, its
checks and damaged batches are :mod:`aimarket.experiments.engine.journal`; reading is
:mod:`aimarket.experiments.engine.results` (:func:`load` and :class:`Results`, importable
from here too).

The manifest records the store ``format``, the sweep spec and a fingerprint of the code
(:mod:`aimarket.experiments.engine.provenance`). A session refuses a folder of another
spec, of other code or of another format; ``force=True`` moves the old folder aside to
``DIR.replaced-<UTC time>`` and starts afresh.

A folder is used by one sweep session at a time (a lock on ``DIR/.lock``, released by the
OS even when the process is killed).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import os
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from filelock import FileLock, Timeout

from aimarket.experiments.engine import encoding, journal
from aimarket.experiments.engine.journal import Scan
from aimarket.experiments.engine.layout import (
    DAMAGED,
    FORMAT,
    JOURNAL,
    SERIES,
    TABLES,
    batch_key,
    now,
    part_name,
    parts,
    read_manifest,
    read_plan,
)
from aimarket.experiments.engine.provenance import (
    code_changes,
    code_fingerprint,
    git_commit,
    package_versions,
)
from aimarket.experiments.engine.results import RUN_COLUMNS, Results, load
from aimarket.simulation.errors import ScenarioError
from aimarket.simulation.files import atomic_write, atomic_write_json, atomic_write_parquet

__all__ = ["DAMAGED", "FORMAT", "JOURNAL", "RUN_COLUMNS", "Results", "Store", "load"]


@dataclass
class Store:
    """One results folder. Use :meth:`open_session` to write, :func:`load` to read."""

    path: Path
    _lock: FileLock | None = field(default=None, repr=False)
    _seq: int = 0
    #: What the last session opening did that the user should hear about.
    notices: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.path = Path(self.path)

    # -- sessions --------------------------------------------------------------------------
    def open_session(self, plan, *, force: bool = False, info: dict | None = None) -> dict:
        """Lock the folder, check it belongs to this sweep and code, record the session.

        Returns the manifest. Refuses (ScenarioError) a folder written by a different
        spec, by different code or in another format, unless ``force``: then the old
        folder is moved aside to ``DIR.replaced-<UTC time>`` (see :attr:`notices`) and a
        fresh one is started. Damaged batches are moved aside to ``DIR/damaged/`` so
        their runs run again. Refuses a folder another session is writing to.
        """
        self.notices = []
        self._lock_folder(force)
        try:
            manifest = self._check_owner(plan)
            planned = {r["run_id"] for r in plan.runs()}
            journal.reconcile(self.path, planned)
            journal.clean(self.path)
            self.notices += journal.move_damaged(self.path, planned)
        except BaseException:
            self.close()
            raise
        created = not manifest
        session = {"started": now(), "git": git_commit(), "versions": package_versions()}
        if created:
            manifest = _new_manifest(plan, session)
        manifest["sessions"].append({**session, **(info or {})})
        manifest["updated"] = now()
        try:
            read_plan(self.path, manifest)
        except ScenarioError:  # new, missing or damaged: written again from the plan
            written = atomic_write_parquet(self.path / "plan.parquet", plan.table(), compact=True)
            manifest["plan_file"] = written
        atomic_write_json(self.path / "manifest.json", manifest)
        batches = [b for _, b, _ in parts(self.path / "runs")] + list(journal.read(self.path)[0])
        self._seq = max((batch_key(b)[0] for b in batches), default=0)
        return manifest

    def _lock_folder(self, force: bool) -> None:
        """Take the folder's lock (moving the folder aside first with ``force``), and lay
        out its table folders."""
        if self.path.is_dir():
            self._acquire()
            if force and self._has_results():
                self._replace()
        self.path.mkdir(parents=True, exist_ok=True)
        for t in TABLES:
            (self.path / t).mkdir(exist_ok=True)
        if self._lock is None:
            self._acquire()

    def _has_results(self) -> bool:
        return (self.path / "manifest.json").exists() or self._has_parts()

    def _has_parts(self) -> bool:
        return (self.path / JOURNAL).exists() or any(parts(self.path / t) for t in TABLES)

    def _replace(self) -> None:
        """Move the folder aside to a sibling ``NAME.replaced-<UTC time>`` (``--force``)."""
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        target = self.path.with_name(f"{self.path.name}.replaced-{stamp}")
        k = 1
        while target.exists():
            k += 1
            target = self.path.with_name(f"{self.path.name}.replaced-{stamp}-{k}")
        os.replace(self.path, target)
        self.close()  # the lock moved with the old folder
        self.notices.append(f"moved the previous results in {self.path} aside to {target}")

    def _check_owner(self, plan) -> dict:
        manifest = read_manifest(self.path)
        if not manifest:
            if self._has_parts():
                raise ScenarioError(
                    f"{self.path} holds results but no manifest.json, so their sweep and code "
                    "cannot be checked; choose another --out, or pass --force to move the "
                    "folder aside and start afresh"
                )
            return {}
        fresh = (
            f"choose another --out, or pass --force to move the folder aside to "
            f"{self.path.name}.replaced-<UTC time> and start afresh"
        )
        if manifest.get("spec_hash") != plan.spec_hash:
            raise ScenarioError(
                f"{self.path} holds results of a different sweep spec "
                f"('{manifest.get('name')}', spec hash {manifest.get('spec_hash')}; this one "
                f"is {plan.spec_hash}); {fresh}"
            )
        changes = code_changes(manifest.get("code") or {}, code_fingerprint(plan))
        if changes:
            raise ScenarioError(
                f"{self.path} holds results made by different code ({'; '.join(changes)}), "
                f"and resuming would mix the results of two codes; {fresh}"
            )
        return manifest

    def close_session(self, summary: dict) -> None:
        with contextlib.suppress(ScenarioError):
            manifest = read_manifest(self.path)
            if manifest.get("sessions"):
                manifest["sessions"][-1].update({"finished": now(), **summary})
                manifest["updated"] = now()
                atomic_write_json(self.path / "manifest.json", manifest)
        self.close()

    def close(self) -> None:
        """Release the folder's lock (if this store holds it)."""
        if self._lock is not None:
            with contextlib.suppress(OSError):
                self._lock.release()
            self._lock = None

    def _acquire(self) -> None:
        lock = FileLock(self.path / ".lock", thread_local=False)
        try:
            lock.acquire(blocking=False)
        except Timeout:
            raise ScenarioError(
                f"{self.path} is in use by another sweep session; wait for it or stop it"
            ) from None
        self._lock = lock

    # -- writing ---------------------------------------------------------------------------
    def write_batch(self, results: list[dict], runs: dict[str, dict]) -> str:
        """Persist finished runs (``runs``: each run's task, by run id): time series and
        failures first, the runs part last (the commit), then the batch's journal line."""
        self._seq += 1
        batch = f"{self._seq:06d}-{uuid.uuid4().hex[:8]}"
        name = part_name(batch)
        rows = [_run_row(res, runs[res["run_id"]], batch) for res in results]
        failed = [res for res in results if res["status"] != "ok"]
        failures = [_failure_row(res, runs[res["run_id"]], batch) for res in failed]
        files: dict[str, dict] = {}
        starts = {row["run_id"]: encoding.run_start(runs[row["run_id"]]) for row in rows}
        for t in SERIES:
            series = [res[t] for res in results if res.get(t) is not None]
            if series:  # each run's frame, or its table as the worker encoded it
                arrow, options = encoding.batch(t, series, starts)
                write = functools.partial(encoding.write, arrow, options=options)
                files[t] = atomic_write(self.path / t / name, write)
        if failures:
            frame = pd.DataFrame(failures)
            files["failures"] = atomic_write_parquet(
                self.path / "failures" / name, frame, compact=True
            )
        frame = pd.DataFrame(rows)
        files["runs"] = atomic_write_parquet(self.path / "runs" / name, frame, compact=True)
        run_ids = [r["run_id"] for r in rows]
        entry = {"batch": batch, "committed": now(), "runs": run_ids, "files": files}
        journal.append(self.path, entry)
        return batch

    # -- reading ---------------------------------------------------------------------------
    def manifest(self) -> dict:
        return read_manifest(self.path)

    def scan(self, deep: bool = False) -> Scan:
        """The folder's batches checked against the journal (:func:`journal.scan`)."""
        return journal.scan(self.path, deep, set(self._planned()))

    def run_status(self) -> pd.DataFrame:
        """run_id and status of the latest attempt of every recorded run (intact batches)."""
        return self.scan().runs[["run_id", "status"]]

    def counts(self, scan: Scan | None = None) -> dict[str, int]:
        """Planned, done, failed and pending runs, read from the small tables only. Runs
        of damaged batches count as pending."""
        return journal.counts(self._planned(), (scan or self.scan()).runs)

    def _planned(self) -> pd.Series:
        return read_plan(self.path, read_manifest(self.path))["run_id"]


def _new_manifest(plan, session: dict) -> dict[str, Any]:
    """The manifest of a folder created for ``plan`` by ``session``."""
    return {
        "format": FORMAT,
        "created": now(),
        "name": plan.sweep.name,
        "spec_hash": plan.spec_hash,
        "planned_runs": len(plan),
        "policies": plan.policy_names,
        "uncertainties": [u.name for u in plan.uncertainties],
        "outcomes": plan.outcome_names + [r["name"] for r in plan.outcome_refs],
        "table": list(plan.sweep.table or []),
        "reference": plan.sweep.reference,
        "code": code_fingerprint(plan),
        "versions": session["versions"],
        "git": session["git"],
        "spec": plan.spec,
        "sessions": [],
    }


def _run_keys(res: dict, run: dict) -> dict[str, Any]:
    """The first columns of a result's rows: its run id, policy, point and replicate."""
    return {
        "run_id": res["run_id"],
        "policy": run["policy"],
        "point": run["point"],
        "replicate": run["replicate"],
    }


def _run_row(res: dict, run: dict, batch: str) -> dict[str, Any]:
    """A result's row of the runs table (its task ``run`` gives the keys and parameters)."""
    return {
        **_run_keys(res, run),
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


def _failure_row(res: dict, run: dict, batch: str) -> dict[str, Any]:
    """A failed result's row of the failures table, with its traceback."""
    keys = _run_keys(res, run)
    return {**keys, "error": res["error"], "traceback": res["traceback"], "batch": batch}
