"""A results folder's batch journal, the checks of its batches, and damaged batches.

Runs are written in small batches (:meth:`aimarket.experiments.engine.store.Store.write_batch`).
Each file is written under a temporary name and renamed into place, so no half-written
file is ever visible; the batch's ``runs`` part is renamed last and is its commit: a run
counts as done only once that file exists. Then a line naming the batch's runs and the
size and checksum of each of its files is appended to the journal (``batches.jsonl``).
When a sweep session opens the folder, parts of a batch that never committed (a crash
between renames) are removed (:func:`clean`), and a batch that committed but missed its
journal line (a crash just after the commit) is recorded then (:func:`reconcile`).

Every reader checks the parts against the journal (:func:`scan`). A batch with a
missing, truncated or unreadable file is *damaged*: ``status`` names each damaged file,
``load`` refuses the folder (unless ``allow_damaged=True``: its runs then count as
pending), and the next sweep session moves the batch's files aside to ``DIR/damaged/``
(:func:`move_damaged`; nothing is deleted) and runs those runs again.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from aimarket.experiments.engine import encoding
from aimarket.experiments.engine.layout import (
    DAMAGED,
    JOURNAL,
    SERIES,
    TABLES,
    batch_key,
    now,
    part_name,
    parts,
)

#: What a batch holding runs another sweep planned is (see :func:`scan`).
FOREIGN = "from another sweep (its runs are not in this folder's plan)"


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


# -- the journal ---------------------------------------------------------------------------
def read(folder: Path) -> tuple[dict[str, dict], list[str]]:
    """Journal entries of batches still in place (in order), and notes on bad lines."""
    entries: dict[str, dict] = {}
    notes: list[str] = []
    path = folder / JOURNAL
    if not path.exists():
        return entries, notes
    for n, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
            batch = entry["batch"]
            if not _well_formed(entry):
                raise TypeError("not a journal entry")
        except (ValueError, KeyError, TypeError, RecursionError):
            notes.append(f"{JOURNAL} line {n} is unreadable and was skipped")
            continue
        if entry.get("moved"):
            entries.pop(batch, None)
        else:
            entries[batch] = entry
    return entries, notes


def _well_formed(entry: dict) -> bool:
    """A journal entry as written: a batch id, and (unless it records a move) a list of
    run ids and a table of files, each with its size and checksum."""
    if not isinstance(entry.get("batch"), str):
        return False
    if entry.get("moved"):
        return True
    files = entry.get("files", {})
    return (
        isinstance(entry.get("runs", []), list)
        and isinstance(files, dict)
        and all(isinstance(f, dict) for f in files.values())
    )


def append(folder: Path, entry: dict) -> None:
    """Append one line to the journal, on disk before this returns."""
    with open(folder / JOURNAL, "a") as fh:
        fh.write(json.dumps(entry, separators=(",", ":")) + "\n")
        fh.flush()
        os.fsync(fh.fileno())


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


# -- repairs when a session opens the folder -------------------------------------------------
def reconcile(folder: Path, planned: set[str] | None = None) -> None:
    """Drop a torn last journal line, and journal batches that committed (their runs
    part exists) but missed their line in a crash; a runs part holding runs that are
    not ``planned`` (copied from another sweep) is not adopted (the checks then flag
    it, and the session moves it aside)."""
    path = folder / JOURNAL
    data = path.read_bytes() if path.exists() else b""
    if data and not data.endswith(b"\n"):
        # A crash mid-append left a partial last line: drop it; its batch is recorded
        # again below from the batch's committed files.
        with open(path, "rb+") as fh:
            fh.truncate(data.rfind(b"\n") + 1)
            os.fsync(fh.fileno())
    journal, _ = read(folder)
    for _, batch, runs_part in parts(folder / "runs"):
        if batch in journal:
            continue
        try:
            run_ids = pq.read_table(runs_part, columns=["run_id"]).column(0).to_pylist()
        except Exception:  # unreadable: found by the check and moved aside
            continue
        if planned is not None and not set(run_ids) <= planned:
            continue
        files = {}
        for t in TABLES:
            p = folder / t / part_name(batch)
            if p.exists():
                files[t] = {"bytes": p.stat().st_size, "sha256": sha256(p)}
        entry = {"batch": batch, "committed": now(), "runs": run_ids, "files": files}
        append(folder, {**entry, "reconciled": True})


def clean(folder: Path) -> None:
    """Remove temporary files and parts of batches that never committed."""
    journal, _ = read(folder)
    committed = set(journal) | {b for _, b, _ in parts(folder / "runs")}
    for t in TABLES:
        for p in (folder / t).iterdir():
            if p.name.startswith(".") and ".tmp-" in p.name:
                p.unlink(missing_ok=True)
        for _, batch, p in parts(folder / t):
            if batch not in committed:
                p.unlink(missing_ok=True)
    for p in folder.glob(".*.tmp-*"):
        p.unlink(missing_ok=True)


def move_damaged(folder: Path, planned: set[str] | None = None) -> list[str]:
    """Move every file of each damaged batch (or of another sweep: runs not ``planned``)
    aside to ``DIR/damaged/B/`` and journal it; the batch's runs are then pending and run
    again. Returns one notice per batch."""
    checked = scan(folder, deep=True, planned=planned)
    notices = []
    for batch in checked.damaged:
        problems = [p for p in checked.problems if p.batch == batch]
        target = folder / DAMAGED / batch
        moved = []
        for t in TABLES:
            src = folder / t / part_name(batch)
            if src.exists():
                (target / t).mkdir(parents=True, exist_ok=True)
                os.replace(src, target / t / src.name)
                moved.append(f"{t}/{src.name}")
        append(
            folder,
            {
                "batch": batch,
                "moved": f"{DAMAGED}/{batch}",
                "at": now(),
                "problems": [p.line() for p in problems],
                "files": moved,
            },
        )
        runs = len({r for p in problems for r in p.runs})
        notices.append(
            f"damaged batch {batch} ({problems[0].file} is {problems[0].what}): moved its "
            f"files aside to {target}; its {runs} runs will run again"
        )
    return notices


# -- checking ------------------------------------------------------------------------------
def scan(folder: Path, deep: bool = False, planned: set[str] | None = None) -> Scan:
    """Check every committed batch's files against the journal and read the runs table
    of the intact ones. The checksums of the runs and failures parts are always
    compared (every byte read is checked); ``deep`` compares those of the time series
    too (which :class:`~aimarket.experiments.engine.results.Results` otherwise checks
    when it reads one). A batch whose runs are not all ``planned`` belongs to another
    sweep and is a problem too."""
    # Parts first, then the journal: a batch committed in between (a sweep writing
    # now) is then in the journal, never a part without its line.
    runs_parts = {b: p for _, b, p in parts(folder / "runs")}
    journal, notes = read(folder)
    committed = sorted(set(journal) | set(runs_parts), key=batch_key)
    problems: list[Problem] = []
    frames: list[pd.DataFrame] = []
    for batch in committed:
        entry = journal.get(batch, {})
        runs_part = runs_parts.get(batch, folder / "runs" / part_name(batch))
        found, frame = _check_batch(folder, batch, entry, runs_part, deep)
        if not found and planned is not None and not set(frame.get("run_id", [])) <= planned:
            where = f"runs/{part_name(batch)}"
            found, frame = [Problem(batch, where, FOREIGN, list(frame["run_id"]))], pd.DataFrame()
        problems += found
        frames.append(frame)
    unjournaled = [b for b in committed if b not in journal]
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


def _check_batch(
    folder: Path, batch: str, entry: dict, runs_part: Path, deep: bool
) -> tuple[list[Problem], pd.DataFrame]:
    """One batch's problems, and its runs table if it has none (else an empty frame)."""
    files = entry.get("files") or {"runs": {}}
    run_ids = list(entry.get("runs", []))
    found = []
    for t, recorded in files.items():
        what = check_file(folder / t / part_name(batch), recorded, deep or t not in SERIES)
        if what:
            found.append(Problem(batch, f"{t}/{part_name(batch)}", what, run_ids))
    if found:
        return found, pd.DataFrame()
    try:
        return [], pd.read_parquet(runs_part, **encoding.READ_OPTIONS)
    except Exception as exc:
        what = f"unreadable ({type(exc).__name__})"
        return [Problem(batch, f"runs/{part_name(batch)}", what, run_ids)], pd.DataFrame()


def check_file(path: Path, recorded: dict, deep: bool) -> str:
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
    if deep and recorded.get("sha256") and sha256(path) != recorded["sha256"]:
        return "changed since it was written (checksum differs)"
    return ""


def counts(planned: Iterable[str], runs: pd.DataFrame) -> dict[str, int]:
    """Planned, done, failed and pending runs, given the planned run ids and the latest
    attempt of each recorded run."""
    planned = set(planned)
    status = runs.set_index("run_id")["status"] if not runs.empty else pd.Series(dtype=str)
    ok = int((status == "ok").sum())
    failed = int((status != "ok").sum())
    pending = len(planned - set(status.index))
    return {"planned": len(planned), "done": ok, "failed": failed, "pending": pending}
