"""A results folder's layout: its files and their names, and the manifest saying whose it is.

Layout::

    DIR/manifest.json          format, sweep spec and its hash, code fingerprint, sessions
    DIR/plan.parquet           every planned run: id, policy, point, replicate, seed, parameters
    DIR/batches.jsonl          the journal: one line per committed batch (runs, files, sizes)
    DIR/runs/part-B.parquet    one row per finished run: status, timing, final outcomes
    DIR/market/part-B.parquet  market time series of batch B's successful runs
    DIR/vendors/part-B.parquet vendor time series of batch B's successful runs
    DIR/failures/part-B.parquet failed runs of batch B with their tracebacks
    DIR/damaged/B/...          files of damaged batches, moved aside by a resume
    DIR/.lock                  held by the sweep session writing to the folder

A batch ``B`` is named by a sequence number and a random suffix (``000003-ab12cd34``);
see :mod:`aimarket.experiments.engine.journal`. The manifest records the store
:data:`FORMAT`; a folder of another format is refused (:func:`read_manifest`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import shlex
from pathlib import Path

import pandas as pd

from aimarket.simulation.errors import ScenarioError

#: Version of the folder layout and encoding. 2: journal, code fingerprint, compact
#: series (see :mod:`aimarket.experiments.engine.encoding`). Folders of another format are refused.
FORMAT = 2
TABLES = ("runs", "market", "vendors", "failures")
SERIES = ("market", "vendors")
JOURNAL = "batches.jsonl"
DAMAGED = "damaged"
_PART = re.compile(r"^part-(\d+)-([0-9a-f]+)\.parquet$")


def now() -> str:
    """The current UTC time, to the second, as the manifest and the journal record it."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def parts(folder: Path) -> list[tuple[int, str, Path]]:
    """(sequence, batch id, path) of the part files in ``folder``, in batch order."""
    if not folder.is_dir():
        return []
    out = []
    for p in folder.iterdir():
        m = _PART.match(p.name)
        if m:
            out.append((int(m.group(1)), f"{m.group(1)}-{m.group(2)}", p))
    return sorted(out)


def batch_key(batch: str) -> tuple[int, str]:
    """Sort key of a batch id: its sequence number, then its suffix."""
    seq, _, suffix = batch.partition("-")
    return (int(seq) if seq.isdigit() else 0, suffix)


def part_name(batch: str) -> str:
    """The file name of batch ``batch``'s part in each table's folder."""
    return f"part-{batch}.parquet"


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
        for key, kind in MANIFEST_FIELDS.items():
            if key in manifest and not isinstance(manifest[key], kind):
                raise ValueError(f"field '{key}' is not {kind.__name__}")
            item = MANIFEST_ITEMS.get(key)
            if item and not all(isinstance(x, item) for x in manifest.get(key, [])):
                raise ValueError(f"an item of field '{key}' is not {item.__name__}")
    except (ValueError, UnicodeDecodeError, OSError, RecursionError) as exc:
        raise ScenarioError(
            f"{file} is unreadable or damaged ({type(exc).__name__}: {str(exc)[:80]}); "
            "restore it, or re-run the sweep with --force to move this folder aside and "
            "start afresh"
        ) from None
    check_format(Path(path), manifest)
    return manifest


def no_manifest(path: Path) -> ScenarioError:
    """The error for a folder without manifest.json: one that holds results (its manifest
    deleted) says how to recover; any other is not a results folder."""
    path = Path(path)
    try:
        has_results = (path / JOURNAL).exists() or any(parts(path / t) for t in TABLES)
    except OSError:
        has_results = False
    if has_results:
        return ScenarioError(
            f"{path} holds results but its manifest.json is missing, so their sweep and "
            "code cannot be checked: restore it from a backup, or re-run the sweep with "
            "--force to move this folder aside and start afresh"
        )
    return ScenarioError(f"{path} is not a sweep results folder (no manifest.json)")


#: The JSON type of each item of the manifest's lists that a reader relies on.
MANIFEST_ITEMS = {"policies": str, "uncertainties": str, "sessions": dict}


#: The manifest's fields a reader relies on, and their JSON types.
MANIFEST_FIELDS = {
    "format": int,
    "name": str,
    "spec_hash": str,
    "planned_runs": int,
    "policies": list,
    "uncertainties": list,
    "outcomes": list,
    "table": list,
    "code": dict,
    "versions": dict,
    "spec": dict,
    "sessions": list,
    "plan_file": dict,
}


def resume_hint(manifest: dict) -> str:
    """The command that wrote the folder last (to run again), from the manifest."""
    sessions = manifest.get("sessions") or [{}]
    argv = sessions[-1].get("argv") if isinstance(sessions[-1], dict) else None
    if not isinstance(argv, list) or not argv or not all(isinstance(a, str) for a in argv):
        return "the sweep command"
    first = Path(argv[0]).name
    return shlex.join([first, *argv[1:]] if first == "aimarket" else ["python", *argv])


def read_plan(path: Path, manifest: dict) -> pd.DataFrame:
    """The folder's ``plan.parquet``, checked against the checksum the manifest records;
    a ScenarioError in one line, saying how to rebuild it, if it is missing or damaged."""
    file = Path(path) / "plan.parquet"
    again = (
        f"the sweep command rebuilds it from the spec, keeping every run: {resume_hint(manifest)}"
    )
    if not file.exists():
        raise ScenarioError(f"{file} is missing, so the planned runs are unknown; {again}")
    recorded = (manifest.get("plan_file") or {}).get("sha256")
    try:
        if recorded and hashlib.sha256(file.read_bytes()).hexdigest() != recorded:
            raise ValueError("its checksum differs from the one recorded")
        return pd.read_parquet(file)
    except Exception as exc:
        raise ScenarioError(f"{file} is damaged ({str(exc)[:80]}); {again}") from None


def check_format(path: Path, manifest: dict) -> None:
    """Refuse (ScenarioError) a manifest of another store format, saying what to do."""
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
