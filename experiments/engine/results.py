"""Reading a results folder: :func:`load` and the :class:`Results` it returns.

The runs table is read at once (summaries need nothing else); time series are read
lazily, by column and run (:meth:`Results.series`), or one batch at a time
(:meth:`Results.series_batches`). Every read checks the folder's batches against its
journal first (:func:`aimarket.experiments.engine.journal.scan`): a folder with damaged
batches is refused unless ``allow_damaged=True``.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq

from aimarket.experiments.engine import encoding, journal
from aimarket.experiments.engine.journal import Scan
from aimarket.experiments.engine.layout import (
    SERIES,
    no_manifest,
    part_name,
    read_manifest,
    read_plan,
)
from aimarket.experiments.engine.outcomes import RESERVED
from aimarket.simulation.errors import ScenarioError

#: Runs-table columns that are not parameters or outcomes (the bookkeeping).
RUN_COLUMNS = RESERVED


def describe_spec(spec: dict) -> str:
    """A sweep spec in a few words: design, points, replicates, policies, months, developers."""
    base = spec.get("base", {})
    developers = base.get("developers", {}).get("count", "?")
    return (
        f"{spec.get('design', '?')} design, {len(spec.get('points') or [])} points x "
        f"{spec.get('replicates', '?')} replicates x {len(spec.get('policies') or {})} "
        f"policies, {spec.get('steps', '?')} months, {developers} developers"
    )


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

    def __init__(self, path: Path, manifest: dict, scan: Scan):
        self._scan = scan
        self.path = Path(path)
        self.manifest = manifest
        self.runs = scan.runs
        self.problems = scan.problems
        self.notes = scan.notes
        self._summed: set[Path] = set()

    def __repr__(self) -> str:
        c = self.counts()
        return (
            f"Results({str(self.path)!r}: sweep '{self.manifest.get('name')}', "
            f"{c['done']} done, {c['failed']} failed, {c['pending']} pending)"
        )

    @functools.cached_property
    def plan(self) -> pd.DataFrame:
        """Every planned run; a ScenarioError if ``plan.parquet`` is missing or damaged."""
        return read_plan(self.path, self.manifest)

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
        """The outcome columns: the spec's, or for a function model (whose outcomes are
        what it returns) every numeric column that is not bookkeeping or a parameter."""
        if self.manifest.get("spec", {}).get("model"):
            skip = {*RESERVED, *self.parameters}
            return [
                c
                for c in self.runs.columns
                if c not in skip and pd.api.types.is_numeric_dtype(self.runs[c])
            ]
        return [c for c in self.manifest.get("outcomes", []) if c in self.runs.columns]

    @property
    def ok(self) -> pd.DataFrame:
        """Successful runs only."""
        if self.runs.empty:
            return self.runs
        return self.runs[self.runs["status"] == "ok"]

    def counts(self) -> dict[str, int]:
        """Planned, done, failed and pending runs (runs of damaged batches are pending)."""
        return journal.counts(self.plan["run_id"], self.runs)

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
            path = self.path / table / part_name(batch)
            if path.exists():
                out.append(path)
        return out

    def _read(self, table, path, columns=None, run_ids=None) -> pd.DataFrame:
        self._check_sum(table, path)
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

    def _check_sum(self, table: str, path: Path) -> None:
        """Refuse a file whose bytes differ from those the journal recorded (checked once
        per file; the runs and failures parts were checked by the scan already)."""
        if table not in SERIES or path in self._summed:
            return
        batch = path.name.removeprefix("part-").removesuffix(".parquet")
        recorded = (self._scan.journal.get(batch, {}).get("files") or {}).get(table) or {}
        if recorded.get("sha256") and journal.sha256(path) != recorded["sha256"]:
            raise ScenarioError(
                f"{path} changed since it was written (checksum differs); run the sweep "
                "command again to move its batch aside and re-run its runs"
            )
        self._summed.add(path)

    @staticmethod
    def _concat(frames: Iterable[pd.DataFrame]) -> pd.DataFrame:
        frames = [f for f in frames if not f.empty]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    def series_columns(self, table: str) -> list[str]:
        """The columns :meth:`series` can give for ``table`` (without reading any data)."""
        keys = self._keys()
        for path in self._paths(table):
            self._check_sum(table, path)
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
                path = self.path / table / part_name(batch)
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
    :class:`~aimarket.experiments.engine.plan.Plan`
    the folder should hold; a folder of another spec is refused, naming both. A folder
    with damaged batches (missing, truncated or unreadable files) is refused unless
    ``allow_damaged``: then only the intact batches are read (see ``Results.problems``).
    Runs not yet done (a sweep still running or interrupted) are fine: they are pending.
    ``verify``: also compare every file's checksum with the journal (reads every file).
    """
    folder = Path(path)
    manifest = read_manifest(folder)
    if not manifest:
        raise no_manifest(path)
    if expect is not None:
        plan = expect.plan() if hasattr(expect, "plan") else expect
        if manifest.get("spec_hash") != plan.spec_hash:
            raise ScenarioError(
                f"{path} holds sweep '{manifest.get('name')}' with spec hash "
                f"{manifest.get('spec_hash')} ({describe_spec(manifest.get('spec', {}))}), "
                f"not the expected '{plan.sweep.name}' with spec hash {plan.spec_hash} "
                f"({describe_spec(plan.spec)})"
            )
    planned = set(read_plan(folder, manifest)["run_id"])
    scan = journal.scan(folder, deep=verify, planned=planned)
    if scan.problems and not allow_damaged:
        raise ScenarioError(scan.message(folder))
    return Results(folder, manifest, scan)
