"""The results store: a folder a sweep streams into as runs finish.

Layout::

    DIR/manifest.json          format, sweep spec and its hash, code fingerprint, sessions
    DIR/plan.parquet           every planned run: id, policy, point, replicate, seed, parameters
    DIR/batches.jsonl          the journal: one line per committed batch (runs, files, sizes)
    DIR/runs/part-B.parquet    one row per finished run: status, timing, final outcomes
    DIR/market/part-B.parquet  market time series of batch B's successful runs
    DIR/vendors/part-B.parquet vendor time series of batch B's successful runs
    DIR/failures/part-B.parquet failed runs of batch B with their tracebacks
    DIR/damaged/B/...          files of damaged batches, moved aside by a resume

Runs are written in small batches ``B`` (a sequence number and a random suffix). Each
file is written under a temporary name and renamed into place, so no half-written file is
ever visible; the batch's ``runs`` part is renamed last and is its commit: a run counts
as done only once that file exists. Then a line naming the batch's runs and the size and
checksum of each of its files is appended to the journal. Parts of a batch that never
committed (a crash between renames) are removed by the next session; a batch that
committed but missed its journal line (a crash just after the commit) is recorded then.

Every reader checks the parts against the journal. A batch with a missing, truncated or
unreadable file is *damaged*: ``status`` names each damaged file, ``load`` refuses the
folder (unless ``allow_damaged=True``: its runs then count as pending), and the next
sweep session moves the batch's files aside to ``DIR/damaged/`` (nothing is deleted)
and runs those runs again.

The manifest records the store ``format``, the sweep spec and a fingerprint of the code
(:mod:`aimarket.experiments.engine.provenance`). A session refuses a folder of another
spec, of other
code or of another format; ``force=True`` moves the old folder aside to
``DIR.replaced-<UTC time>`` and starts afresh. Time series are read lazily, by column
and run (:meth:`Results.series`); summaries read only the runs table.

A folder is used by one sweep session at a time (an advisory lock, released by the OS
even when the process is killed).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import functools
import hashlib
import json
import os
import re
import uuid
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from aimarket.experiments.engine import encoding
from aimarket.experiments.engine.outcomes import RESERVED
from aimarket.experiments.engine.provenance import (
    code_changes,
    code_fingerprint,
    git_commit,
    package_versions,
)
from aimarket.simulation.errors import ScenarioError

#: Version of the folder layout and encoding. 2: journal, code fingerprint, compact
#: series (see :mod:`aimarket.experiments.engine.encoding`). Folders of another format are refused.
FORMAT = 2
TABLES = ("runs", "market", "vendors", "failures")
SERIES = ("market", "vendors")
JOURNAL = "batches.jsonl"
DAMAGED = "damaged"
_PART = re.compile(r"^part-(\d+)-([0-9a-f]+)\.parquet$")
#: Runs-table columns that are not parameters or outcomes (the bookkeeping).
RUN_COLUMNS = RESERVED


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _commit_file(tmp: Path, path: Path) -> dict[str, Any]:
    """fsync ``tmp``, rename it to ``path``; its size and SHA-256 for the journal."""
    digest = hashlib.sha256()
    with open(tmp, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)
    return {"bytes": path.stat().st_size, "sha256": digest.hexdigest()}


def _tmp(path: Path) -> Path:
    return path.with_name(f".{path.name}.tmp-{os.getpid()}")


def atomic_write_parquet(frame: pd.DataFrame, path: Path) -> dict[str, Any]:
    """Write a small table (runs, failures, plan) compressed, without the per-file copies
    of the pandas and Arrow schemas (its Parquet types restore the same frame)."""
    tmp = _tmp(path)
    arrow = pa.Table.from_pandas(frame, preserve_index=False).replace_schema_metadata(None)
    pq.write_table(
        arrow,
        tmp,
        compression="zstd",
        write_statistics=False,
        store_schema=False,
        write_page_checksum=True,
    )
    return _commit_file(tmp, path)


def atomic_write_json(data: Any, path: Path) -> None:
    tmp = _tmp(path)
    tmp.write_text(json.dumps(data, indent=1, default=str))
    _commit_file(tmp, path)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _parts(folder: Path) -> list[tuple[int, str, Path]]:
    """(sequence, batch id, path) of part files, in batch order."""
    if not folder.is_dir():
        return []
    out = []
    for p in folder.iterdir():
        m = _PART.match(p.name)
        if m:
            out.append((int(m.group(1)), f"{m.group(1)}-{m.group(2)}", p))
    return sorted(out)


def _batch_key(batch: str) -> tuple[int, str]:
    seq, _, suffix = batch.partition("-")
    return (int(seq) if seq.isdigit() else 0, suffix)


def _part_name(batch: str) -> str:
    return f"part-{batch}.parquet"


def _describe_spec(spec: dict) -> str:
    base = spec.get("base", {})
    developers = base.get("developers", {}).get("count", "?")
    return (
        f"{spec.get('design', '?')} design, {len(spec.get('points') or [])} points x "
        f"{spec.get('replicates', '?')} replicates x {len(spec.get('policies') or {})} "
        f"policies, {spec.get('steps', '?')} months, {developers} developers"
    )


@dataclass
class Problem:
    """A damaged batch's file: what is wrong with it and the runs it holds."""

    batch: str
    file: str  # relative to the folder, e.g. "market/part-000003-ab12cd34.parquet"
    what: str
    runs: list[str] = field(default_factory=list)

    def line(self) -> str:
        runs = f"{len(self.runs)} runs" if self.runs else "runs unknown"
        return f"{self.file} is {self.what} (batch {self.batch}, {runs})"


@dataclass
class Scan:
    """The folder's committed batches, checked against the journal."""

    journal: dict[str, dict]  # batch -> its journal entry
    committed: list[str]  # every committed batch (journaled or with a runs part), in order
    problems: list[Problem]
    unjournaled: list[str]  # committed batches missing their journal line
    notes: list[str]
    runs: pd.DataFrame  # latest attempt of every run in the intact batches

    @property
    def damaged(self) -> list[str]:
        return list(dict.fromkeys(p.batch for p in self.problems))

    @property
    def intact(self) -> list[str]:
        bad = set(self.damaged)
        return [b for b in self.committed if b not in bad]

    def damaged_runs(self) -> set[str]:
        present = set(self.runs["run_id"])
        return {r for p in self.problems for r in p.runs} - present

    def message(self, path: Path) -> str:
        """One line: what is damaged and what to do."""
        shown = "; ".join(p.line() for p in self.problems[:3])
        more = f"; and {len(self.problems) - 3} more" if len(self.problems) > 3 else ""
        return (
            f"{path} has {len(self.damaged)} damaged batch(es): {shown}{more}; run the sweep "
            f"command again to move them aside to {path / DAMAGED} and re-run their runs, "
            "or load(..., allow_damaged=True) to read the intact runs"
        )


def read_manifest(path: Path) -> dict:
    """The folder's manifest ({} if there is none); ScenarioError if it is unreadable or
    of another store format."""
    file = Path(path) / "manifest.json"
    if not file.exists():
        return {}
    try:
        manifest = json.loads(file.read_text())
        if not isinstance(manifest, dict):
            raise ValueError("not a JSON object")
    except (ValueError, UnicodeDecodeError, OSError) as exc:
        raise ScenarioError(
            f"{file} is unreadable ({type(exc).__name__}: {str(exc)[:80]}); restore it, or "
            "re-run the sweep with --force to move this folder aside and start afresh"
        ) from None
    check_format(Path(path), manifest)
    return manifest


def check_format(path: Path, manifest: dict) -> None:
    found = manifest.get("format", 1)
    if found == FORMAT:
        return
    if isinstance(found, int) and found > FORMAT:
        raise ScenarioError(
            f"{path} was written in results format {found} by a newer aimarket (this one "
            f"reads format {FORMAT}); upgrade aimarket to read it"
        )
    raise ScenarioError(
        f"{path} was written in results format {found} by an older aimarket (this one reads "
        f"format {FORMAT}); re-run the sweep with --force (the old folder is moved aside to "
        f"{path.name}.replaced-<time>), or read it with the aimarket version that wrote it"
    )


@dataclass
class Store:
    """One results folder. Use :meth:`open_session` to write, :func:`load` to read."""

    path: Path
    _lock: Any = field(default=None, repr=False)
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
        if self.path.is_dir():
            self._acquire()
            if force and self._has_results():
                self._replace()
        self.path.mkdir(parents=True, exist_ok=True)
        for t in TABLES:
            (self.path / t).mkdir(exist_ok=True)
        if self._lock is None:
            self._acquire()
        try:
            manifest = self._check_owner(plan)
            self._reconcile()
            self._clean()
            self._move_damaged()
        except BaseException:
            self.close()
            raise
        created = not manifest
        session = {"started": now(), "git": git_commit(), "versions": package_versions()}
        if created:
            manifest = {
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
        manifest["sessions"].append({**session, **(info or {})})
        manifest["updated"] = now()
        if created or not (self.path / "plan.parquet").exists():
            atomic_write_parquet(plan.table(), self.path / "plan.parquet")
        atomic_write_json(manifest, self.path / "manifest.json")
        batches = [b for _, b, _ in _parts(self.path / "runs")] + list(self._journal()[0])
        self._seq = max((_batch_key(b)[0] for b in batches), default=0)
        return manifest

    def _has_results(self) -> bool:
        return (self.path / "manifest.json").exists() or self._has_parts()

    def _has_parts(self) -> bool:
        return (self.path / JOURNAL).exists() or any(_parts(self.path / t) for t in TABLES)

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

    # -- the journal -----------------------------------------------------------------------
    def _journal(self) -> tuple[dict[str, dict], list[str]]:
        """Journal entries of batches still in place (in order), and notes on bad lines."""
        entries: dict[str, dict] = {}
        notes: list[str] = []
        path = self.path / JOURNAL
        if not path.exists():
            return entries, notes
        for n, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
            if not line.strip():
                continue
            try:
                entry = json.loads(line)
                batch = entry["batch"]
            except (ValueError, KeyError, TypeError):
                notes.append(f"{JOURNAL} line {n} is unreadable and was skipped")
                continue
            if entry.get("moved"):
                entries.pop(batch, None)
            else:
                entries[batch] = entry
        return entries, notes

    def _append_journal(self, entry: dict) -> None:
        path = self.path / JOURNAL
        with open(path, "a") as fh:
            fh.write(json.dumps(entry, separators=(",", ":")) + "\n")
            fh.flush()
            os.fsync(fh.fileno())

    def _reconcile(self) -> None:
        """Drop a torn last journal line, and journal batches that committed (their runs
        part exists) but missed their line in a crash."""
        path = self.path / JOURNAL
        data = path.read_bytes() if path.exists() else b""
        if data and not data.endswith(b"\n"):
            # A crash mid-append left a partial last line: drop it; its batch is recorded
            # again below from the batch's committed files.
            with open(path, "rb+") as fh:
                fh.truncate(data.rfind(b"\n") + 1)
                os.fsync(fh.fileno())
        journal, _ = self._journal()
        for _, batch, runs_part in _parts(self.path / "runs"):
            if batch in journal:
                continue
            try:
                run_ids = pq.read_table(runs_part, columns=["run_id"]).column(0).to_pylist()
            except Exception:  # unreadable: found by the check and moved aside
                continue
            files = {}
            for t in TABLES:
                p = self.path / t / _part_name(batch)
                if p.exists():
                    files[t] = {"bytes": p.stat().st_size, "sha256": _sha256(p)}
            self._append_journal(
                {
                    "batch": batch,
                    "committed": now(),
                    "runs": run_ids,
                    "files": files,
                    "reconciled": True,
                }
            )

    def _clean(self) -> None:
        """Remove temporary files and parts of batches that never committed."""
        journal, _ = self._journal()
        committed = set(journal) | {b for _, b, _ in _parts(self.path / "runs")}
        for t in TABLES:
            folder = self.path / t
            for p in folder.iterdir():
                if p.name.startswith(".") and ".tmp-" in p.name:
                    p.unlink(missing_ok=True)
            for _, batch, p in _parts(folder):
                if batch not in committed:
                    p.unlink(missing_ok=True)
        for p in self.path.glob(".*.tmp-*"):
            p.unlink(missing_ok=True)

    def _move_damaged(self) -> None:
        """Move every file of each damaged batch aside to ``DIR/damaged/B/`` and journal
        it; the batch's runs are then pending and run again."""
        scan = self.scan(deep=True)
        for batch in scan.damaged:
            problems = [p for p in scan.problems if p.batch == batch]
            target = self.path / DAMAGED / batch
            moved = []
            for t in TABLES:
                src = self.path / t / _part_name(batch)
                if src.exists():
                    (target / t).mkdir(parents=True, exist_ok=True)
                    os.replace(src, target / t / src.name)
                    moved.append(f"{t}/{src.name}")
            self._append_journal(
                {
                    "batch": batch,
                    "moved": f"{DAMAGED}/{batch}",
                    "at": now(),
                    "problems": [p.line() for p in problems],
                    "files": moved,
                }
            )
            runs = len({r for p in problems for r in p.runs})
            self.notices.append(
                f"damaged batch {batch} ({problems[0].file} is {problems[0].what}): moved its "
                f"files aside to {target}; its {runs} runs will run again"
            )

    # -- writing ---------------------------------------------------------------------------
    def write_batch(self, results: list[dict], runs: dict[str, dict]) -> str:
        """Persist finished runs: time series and failures first, the runs part last (the
        commit), then the batch's journal line."""
        self._seq += 1
        batch = f"{self._seq:06d}-{uuid.uuid4().hex[:8]}"
        name = _part_name(batch)
        rows, failures = [], []
        series: dict[str, list[pd.DataFrame]] = {t: [] for t in SERIES}
        for res in results:
            run = runs[res["run_id"]]
            rows.append(
                {
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
            )
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
            for t in SERIES:
                if res.get(t) is not None:
                    series[t].append(res[t])
        files: dict[str, dict] = {}
        starts = {row["run_id"]: _start(runs[row["run_id"]]) for row in rows}
        for t, frames in series.items():
            if frames:
                arrow, options = encoding.encode(t, pd.concat(frames, ignore_index=True), starts)
                path = self.path / t / name
                encoding.write(arrow, _tmp(path), options)
                files[t] = _commit_file(_tmp(path), path)
        if failures:
            files["failures"] = atomic_write_parquet(
                pd.DataFrame(failures), self.path / "failures" / name
            )
        files["runs"] = atomic_write_parquet(pd.DataFrame(rows), self.path / "runs" / name)
        self._append_journal(
            {
                "batch": batch,
                "committed": now(),
                "runs": [r["run_id"] for r in rows],
                "files": files,
            }
        )
        return batch

    # -- reading ---------------------------------------------------------------------------
    def manifest(self) -> dict:
        return read_manifest(self.path)

    def scan(self, deep: bool = False) -> Scan:
        """Check every committed batch's files against the journal and read the runs table
        of the intact ones. ``deep`` also compares each file's checksum (reads it all)."""
        # Parts first, then the journal: a batch committed in between (a sweep writing
        # now) is then in the journal, never a part without its line.
        runs_parts = {b: p for _, b, p in _parts(self.path / "runs")}
        journal, notes = self._journal()
        committed = sorted(set(journal) | set(runs_parts), key=_batch_key)
        problems: list[Problem] = []
        frames: list[pd.DataFrame] = []
        unjournaled = [b for b in committed if b not in journal]
        for batch in committed:
            entry = journal.get(batch, {})
            files = entry.get("files") or {"runs": {}}
            run_ids = list(entry.get("runs", []))
            found = []
            for t, recorded in files.items():
                what = self._check_file(self.path / t / _part_name(batch), recorded, deep)
                if what:
                    found.append(Problem(batch, f"{t}/{_part_name(batch)}", what, run_ids))
            if not found and batch not in runs_parts:  # committed while we were reading
                runs_parts[batch] = self.path / "runs" / _part_name(batch)
            if not found:
                try:
                    frames.append(pd.read_parquet(runs_parts[batch], **encoding.READ_OPTIONS))
                except Exception as exc:
                    what = f"unreadable ({type(exc).__name__})"
                    found.append(Problem(batch, f"runs/{_part_name(batch)}", what, run_ids))
            problems += found
        if unjournaled:
            notes.append(
                f"{len(unjournaled)} committed batch(es) have no {JOURNAL} line yet (being "
                "written now, or a crash just after writing them); the next sweep session "
                "records them"
            )
        frames = [f for f in frames if not f.empty]
        if frames:
            runs = pd.concat(frames, ignore_index=True)
            runs = runs.drop_duplicates("run_id", keep="last").reset_index(drop=True)
        else:
            runs = pd.DataFrame({"run_id": pd.Series(dtype=str), "status": pd.Series(dtype=str)})
        return Scan(journal, committed, problems, unjournaled, notes, runs)

    @staticmethod
    def _check_file(path: Path, recorded: dict, deep: bool) -> str:
        """'' if the file is as the journal recorded it, else what is wrong."""
        if not path.exists():
            return "missing"
        size = path.stat().st_size
        if recorded.get("bytes") is not None and size != recorded["bytes"]:
            return f"truncated or changed ({size} bytes, {recorded['bytes']} written)"
        try:
            pq.read_metadata(path)
        except Exception as exc:
            return f"unreadable ({type(exc).__name__})"
        if deep and recorded.get("sha256") and _sha256(path) != recorded["sha256"]:
            return "changed since it was written (checksum differs)"
        return ""

    def run_status(self) -> pd.DataFrame:
        """run_id and status of the latest attempt of every recorded run (intact batches)."""
        return self.scan().runs[["run_id", "status"]]

    def counts(self, scan: Scan | None = None) -> dict[str, int]:
        """Planned, done, failed and pending runs, read from the small tables only. Runs
        of damaged batches count as pending."""
        return _counts(self._planned(), (scan or self.scan()).runs)

    def _planned(self) -> pd.Series:
        plan_path = self.path / "plan.parquet"
        if not plan_path.exists():
            return pd.Series(dtype=str)
        return pd.read_parquet(plan_path, columns=["run_id"])["run_id"]


def _start(task: dict) -> str:
    """The run's ``market.start`` (its time series' step 1)."""
    over = task.get("overrides") or {}
    return str(over.get("market.start", (task.get("base") or {}).get("market", {}).get("start")))


def _counts(planned: Iterable[str], runs: pd.DataFrame) -> dict[str, int]:
    planned = set(planned)
    status = runs.set_index("run_id")["status"] if not runs.empty else pd.Series(dtype=str)
    ok = int((status == "ok").sum())
    failed = int((status != "ok").sum())
    pending = len(planned - set(status.index))
    return {"planned": len(planned), "done": ok, "failed": failed, "pending": pending}


class Results:
    """A results folder as pandas DataFrames; time series are read when asked for.

    ``runs``: one row per run (latest attempt): id, policy, point, replicate, seed,
    parameters, status, timing, outcomes (read at once: summaries need nothing else).
    ``market`` and ``vendors``: time series of the successful runs, joined to their
    policy and parameters; each is read from disk on first use (all runs, all columns).
    :meth:`series` reads only the columns and runs asked for. ``failures``: every failed
    attempt with its traceback. ``plan``: every planned run. ``manifest``: the spec.
    ``problems``: damaged files (only with ``load(..., allow_damaged=True)``).
    """

    def __init__(self, store: Store, manifest: dict, scan: Scan):
        self._store = store
        self._scan = scan
        self.path = store.path
        self.manifest = manifest
        self.runs = scan.runs
        self.problems = scan.problems
        self.notes = scan.notes

    def __repr__(self) -> str:
        c = self.counts()
        return (
            f"Results({str(self.path)!r}: sweep '{self.manifest.get('name')}', "
            f"{c['done']} done, {c['failed']} failed, {c['pending']} pending)"
        )

    @functools.cached_property
    def plan(self) -> pd.DataFrame:
        path = self.path / "plan.parquet"
        return pd.read_parquet(path) if path.exists() else pd.DataFrame()

    @functools.cached_property
    def market(self) -> pd.DataFrame:
        """Market time series of every successful run (read on first use)."""
        return self.series("market")

    @functools.cached_property
    def vendors(self) -> pd.DataFrame:
        """Vendor time series of every successful run (read on first use)."""
        return self.series("vendors")

    @functools.cached_property
    def failures(self) -> pd.DataFrame:
        return self._concat(self._read("failures", p) for p in self._paths("failures"))

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
        """Planned, done, failed and pending runs (runs of damaged batches are pending)."""
        planned = self.plan["run_id"] if not self.plan.empty else []
        return _counts(planned, self.runs)

    @property
    def damaged_runs(self) -> set[str]:
        """Runs whose only record is in a damaged batch (with ``allow_damaged``)."""
        return self._scan.damaged_runs()

    # -- time series -----------------------------------------------------------------------
    def _keys(self) -> list[str]:
        keys = ["run_id", "policy", "point", "replicate", *self.parameters]
        return [k for k in keys if k in self.runs.columns]

    def _paths(self, table: str, run_ids: set[str] | None = None) -> list[Path]:
        out = []
        for batch in self._scan.intact:
            entry = self._scan.journal.get(batch)
            if entry is not None and table not in entry.get("files", {}):
                continue
            if entry is not None and run_ids is not None and run_ids.isdisjoint(entry["runs"]):
                continue
            path = self.path / table / _part_name(batch)
            if path.exists():
                out.append(path)
        return out

    def _read(self, table, path, columns=None, run_ids=None) -> pd.DataFrame:
        try:
            file = pq.ParquetFile(path)
            meta = encoding.read_meta(file.schema_arrow)
            stored = encoding.stored_columns(meta, columns) if meta else columns
            if stored is not None:
                stored = [c for c in stored if c in file.schema_arrow.names]
            filters = [("run_id", "in", sorted(run_ids))] if run_ids is not None else None
            arrow = pq.read_table(path, columns=stored, filters=filters, **encoding.READ_OPTIONS)
        except Exception as exc:
            raise ScenarioError(
                f"{path} is unreadable ({type(exc).__name__}: {str(exc)[:80]}); run the "
                "sweep command again to move its batch aside and re-run its runs"
            ) from None
        return encoding.decode(arrow, meta, columns)

    @staticmethod
    def _concat(frames: Iterable[pd.DataFrame]) -> pd.DataFrame:
        frames = [f for f in frames if not f.empty]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    def series_columns(self, table: str) -> list[str]:
        """The columns :meth:`series` can give for ``table`` (without reading any data)."""
        keys = self._keys()
        for path in self._paths(table):
            schema = pq.read_schema(path)
            meta = encoding.read_meta(schema)
            names = meta.get("columns") or schema.names
            prefix = table.rstrip("s")
            own = [f"{prefix}_{c}" if c in keys[1:] else c for c in names if c != "run_id"]
            return keys + own
        return []

    def series(
        self,
        table: str,
        columns: Iterable[str] | None = None,
        runs: Iterable[str] | pd.DataFrame | None = None,
    ) -> pd.DataFrame:
        """Time series ``table`` (``market`` or ``vendors``) of successful runs, joined to
        their run keys (run_id, policy, point, replicate, parameters).

        ``columns``: the series columns to read (default all; ``step`` and, for vendors,
        ``vendor`` always come). ``runs``: run ids, or a runs frame (e.g.
        ``results.ok.query("policy == 'open'")``), to read only those runs. Only the
        files holding those runs are opened, and only those columns are decoded. A series
        column named like a run key (the vendor's own ``policy``) is renamed
        ``vendor_policy``.
        """
        if table not in SERIES:
            raise ScenarioError(f"series table {table!r} is unknown; choose from {SERIES}")
        wanted = self._wanted(table, columns)
        cached = self.__dict__.get(table)  # already read in full: slice it
        if cached is not None and runs is None:
            if wanted is None:
                return cached
            keys, renamed = self._keys(), self._renamed(table)
            return cached[[c for c in cached.columns if c in keys or renamed.get(c, c) in wanted]]
        ids = None
        if runs is not None:
            ids = set(runs["run_id"] if isinstance(runs, pd.DataFrame) else runs)
        frame = self._concat(self._read(table, p, wanted, ids) for p in self._paths(table, ids))
        return self._join(table, frame, ids)

    def series_batches(
        self, columns: Mapping[str, Iterable[str] | None]
    ) -> Iterator[dict[str, pd.DataFrame]]:
        """The series tables named in ``columns`` (table -> columns, as :meth:`series`
        takes them), one committed batch at a time: each dict holds the same runs in every
        table. For aggregates whose memory must not grow with the number of runs."""
        for table in columns:
            if table not in SERIES:
                raise ScenarioError(f"series table {table!r} is unknown; choose from {SERIES}")
        wanted = {table: self._wanted(table, cols) for table, cols in columns.items()}
        for batch in self._scan.intact:
            frames = {}
            for table, cols in wanted.items():
                path = self.path / table / _part_name(batch)
                frame = self._read(table, path, cols) if path.exists() else pd.DataFrame()
                frames[table] = self._join(table, frame, None)
            if any(not f.empty for f in frames.values()):
                yield frames

    def _renamed(self, table: str) -> dict[str, str]:
        prefix = table.rstrip("s")
        return {f"{prefix}_{k}": k for k in self._keys()[1:]}

    def _wanted(self, table: str, columns: Iterable[str] | None) -> list[str] | None:
        if columns is None:
            return None
        keys, renamed = self._keys(), self._renamed(table)
        wanted = ["step", *(["vendor"] if table == "vendors" else [])]
        wanted += [renamed.get(c, c) for c in columns if c not in keys]
        return list(dict.fromkeys(wanted))

    def _join(self, table: str, frame: pd.DataFrame, ids: set[str] | None) -> pd.DataFrame:
        keys = self._keys()
        ok = self.ok[keys] if not self.runs.empty else pd.DataFrame(columns=keys)
        if ids is not None:
            ok = ok[ok["run_id"].isin(ids)]
        if frame.empty or ok.empty:
            return frame
        # A series column named like a key (the vendor's own ``policy``) is renamed
        # ``vendor_policy``, so the sweep's policy keeps its name.
        prefix = table.rstrip("s")
        frame = frame.rename(columns={c: f"{prefix}_{c}" for c in keys[1:] if c in frame})
        return ok.merge(frame, on="run_id", how="inner", validate="one_to_many")


def load(
    path: str | Path, *, expect: Any = None, allow_damaged: bool = False, verify: bool = False
) -> Results:
    """Read a results folder: the runs table now, time series when asked for.

    ``expect``: the :class:`~aimarket.experiments.engine.spec.Sweep` or
    :class:`~aimarket.experiments.engine.spec.Plan`
    the folder should hold; a folder of another spec is refused, naming both. A folder
    with damaged batches (missing, truncated or unreadable files) is refused unless
    ``allow_damaged``: then only the intact batches are read (see ``Results.problems``).
    Runs not yet done (a sweep still running or interrupted) are fine: they are pending.
    ``verify``: also compare every file's checksum with the journal (reads every file).
    """
    store = Store(Path(path))
    manifest = store.manifest()
    if not manifest:
        raise ScenarioError(f"{path} is not a sweep results folder (no manifest.json)")
    if expect is not None:
        plan = expect.plan() if hasattr(expect, "plan") else expect
        if manifest.get("spec_hash") != plan.spec_hash:
            raise ScenarioError(
                f"{path} holds sweep '{manifest.get('name')}' with spec hash "
                f"{manifest.get('spec_hash')} ({_describe_spec(manifest.get('spec', {}))}), "
                f"not the expected '{plan.sweep.name}' with spec hash {plan.spec_hash} "
                f"({_describe_spec(plan.spec)})"
            )
    scan = store.scan(deep=verify)
    if scan.problems and not allow_damaged:
        raise ScenarioError(scan.message(store.path))
    return Results(store, manifest, scan)
