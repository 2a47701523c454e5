"""Tidy tables of a sweep folder for spreadsheet users (``aimarket export DIR``).

Written into ``DIR/export`` (or ``--out``), one file per table:

* ``runs``: one row per successful run: run id, policy, point, replicate, seed and
  seed_point (integers: the run's generator is ``numpy.random.SeedSequence(seed,
  spawn_key=(seed_point, replicate))``, what ``MarketModel(scenario, rng=...)`` takes;
  ``seed_point`` is the point, or 0 for a design with common seeds), the swept
  parameters, then every outcome;
* ``outcomes``: the same values long: one row per run and outcome, with its unit;
* ``summary``: per policy and outcome, the mean with its 95% confidence interval and
  the spread of runs (:mod:`aimarket.experiments.analysis.stats`);
* ``market`` and ``vendors``: the kept time series, one row per run and month (and
  vendor), written one stored batch at a time so memory stays flat;
* ``failures``: failed attempts with their error (tracebacks stay in the folder); only
  when a run failed.

The series are stored at single precision (7 significant digits): they are written so,
without the digits a conversion to double would invent.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from aimarket.experiments.analysis import aggregate as agg
from aimarket.experiments.engine import seeds
from aimarket.experiments.engine.encoding import SINGLE_PRECISION
from aimarket.experiments.engine.layout import SERIES
from aimarket.experiments.engine.store import Results
from aimarket.simulation.errors import ScenarioError

FORMATS = ("csv", "parquet")


def _write(frame: pd.DataFrame, path: Path, fmt: str, append: bool = False) -> None:
    if fmt == "csv":
        frame.to_csv(path, index=False, mode="a" if append else "w", header=not append)
        return
    try:
        frame.to_parquet(path, index=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError) as exc:
        raise ScenarioError(
            f"cannot write {path.name} as Parquet ({type(exc).__name__}: a column mixes "
            "types); use --format csv"
        ) from None


def export(results: Results, out: str | Path, fmt: str = "csv") -> list[Path]:
    """Write the tidy tables of ``results`` into ``out``; the paths written."""
    if fmt not in FORMATS:
        raise ScenarioError(f"--format {fmt!r} is unknown; choose one of: {', '.join(FORMATS)}")
    if results.ok.empty:
        raise ScenarioError(f"{results.path} has no successful runs to export yet")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    outcomes = agg.outcome_columns(results)
    keys = ["run_id", "policy", "point", "replicate", "seed"]
    tables = {
        "runs": _seed_columns(results.ok[[*keys, *agg.parameters(results), *outcomes]]),
        "outcomes": agg.tidy_runs(results, outcomes),
        "summary": agg.summarize_runs(results, outcomes),
        "failures": results.failures.drop(columns=["traceback"], errors="ignore"),
    }
    written = []
    for name, frame in tables.items():
        path = out / f"{name}.{fmt}"
        if name == "failures" and frame.empty:  # nothing failed: no file (nor an old one)
            path.unlink(missing_ok=True)
            continue
        _write(frame, path, fmt)
        written.append(path)
    written += _series(results, out, fmt)
    return written


def _seed_columns(runs: pd.DataFrame) -> pd.DataFrame:
    """The stored seed label (``7/3.1``: entropy/point.replicate) as integer columns."""
    parsed = [seeds.parse_label(label) for label in runs["seed"]]
    out = runs.copy()
    out["seed"] = np.array([entropy for entropy, _ in parsed], dtype=np.int64)
    out.insert(out.columns.get_loc("seed") + 1, "seed_point",
               np.array([key[0] for _, key in parsed], dtype=np.int64))  # fmt: skip
    return out


def _single(frame: pd.DataFrame, keep: list[str]) -> pd.DataFrame:
    """A series table's floats at the single precision they are stored at (but the
    columns ``keep``: the swept parameters, joined at full precision as in ``runs``)."""
    floats = [c for c in frame.select_dtypes("floating").columns if c not in keep]
    return frame.astype(dict.fromkeys(floats, np.float32))


def _series(results: Results, out: Path, fmt: str) -> list[Path]:
    """The time series, batch by batch (CSV appends; Parquet writes one file per batch
    into a folder)."""
    tables = [t for t in SERIES if results.series_columns(t)]
    parameters = agg.parameters(results)
    written: dict[str, Path] = {}
    for k, batch in enumerate(results.series_batches({t: None for t in tables})):
        for table, frame in batch.items():
            if frame.empty:
                continue
            if table in SINGLE_PRECISION:
                frame = _single(frame, parameters)
            if fmt == "csv":
                path = out / f"{table}.csv"
                _write(frame, path, fmt, append=table in written)
            else:
                folder = out / table
                if table not in written:  # parts of an earlier export must not mix in
                    folder.mkdir(exist_ok=True)
                    for old in folder.glob("part-*.parquet"):
                        old.unlink()
                path = folder
                _write(frame, folder / f"part-{k:05d}.parquet", fmt)
            written[table] = path
    return list(written.values())
