"""How the results store keeps time series small, and gives them back as the model made them.

A batch of runs' market or vendor frames is stored as one Parquet table:

* ``date`` is not stored when it is the calendar month of ``step`` counted from each
  run's ``market.start`` (always, for the model's frames); the start of each run is kept
  in the file's metadata and the column is rebuilt on reading;
* a column that equals a formula of two others in every row (:data:`DERIVED`, e.g. a
  vendor's ``revenue`` is its API plus complement revenue) is not stored, and recomputed;
* integers take the smallest integer type that holds them; strings are dictionary
  encoded; vendor rows are stored vendor by vendor (each time series in one piece, which
  compresses better) and put back in the model's order (by step, then vendor);
* floats are compressed with zstd after splitting their bytes into streams
  (``BYTE_STREAM_SPLIT``), or dictionary encoded where few values repeat a lot;
* the series tables keep floats at single precision (:data:`SINGLE_PRECISION`: 7
  significant digits, a relative error below 6e-8; reports and figures never need
  more); runs' outcomes, computed from the exact frames, keep full double precision. A
  run's exact frames can always be made again from its scenario and seed.

Every transformation is checked on the data before it is applied (a column is dropped
only if it is rebuilt exactly); what was done is written into the file's metadata, and
:func:`decode` undoes it: the columns, their order, their dtypes and the row order come
back as the model's ``market_frame()`` and ``vendor_frame()`` make them.

Where the work is done: a sweep's worker encodes each run's frames as it finishes
(:func:`encode_frame`, an :class:`Encoded` table), and the driver appends its batch's
runs as they are (:func:`combine`; integers widened where runs differ) and writes the
file, so the driver's CPU per run stays small. Runs encoded differently (a column
dropped in one run and not in another) are decoded and encoded again as one batch
(:func:`batch`); both ways the files decode to the same frames.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

#: Key of the file metadata that says how a table was encoded.
META_KEY = b"aimarket"
#: Series tables stored with single-precision floats.
SINGLE_PRECISION = frozenset({"market", "vendors"})
_OPS = {"add": np.add, "subtract": np.subtract}
#: Columns not stored where they equal ``left OP right`` exactly, per table.
DERIVED: dict[str, dict[str, tuple[str, str, str]]] = {
    "market": {"capability_gap": ("closed_frontier", "subtract", "open_frontier")},
    "vendors": {"revenue": ("api_revenue", "add", "complement_revenue")},
}
#: The model's row order within a run, per table, where it differs from the stored one
#: (vendor rows are stored vendor by vendor, each time series contiguous).
ROW_ORDER: dict[str, tuple[str, str]] = {"vendors": ("step", "vendor")}
#: Write options: zstd at a level that costs little time per batch.
COMPRESSION, LEVEL = "zstd", 9
#: Read options: check every page's CRC, so a corrupted file fails loudly.
READ_OPTIONS = {"page_checksum_verification": True}


def month_dates(starts: pd.Series, steps: pd.Series) -> pd.Series:
    """First day of the calendar month of each step; step 1 is the run's ``start``
    (``YYYY-MM``), as :func:`aimarket.simulation.metrics._dates` makes it."""
    out = pd.Series(pd.NaT, index=steps.index, dtype="datetime64[us]")
    step = steps.to_numpy(dtype=np.int64)
    for start in pd.unique(starts):
        rows = (starts == start).to_numpy()
        months = pd.period_range(start, periods=int(step[rows].max()), freq="M")
        out[rows] = months.to_timestamp()[step[rows] - 1]
    return out


def run_start(task: Mapping[str, Any]) -> str:
    """A run's ``market.start`` (its time series' step 1), from its task."""
    over = task.get("overrides") or {}
    return str(over.get("market.start", (task.get("base") or {}).get("market", {}).get("start")))


def _smallest_int(values: np.ndarray) -> np.dtype:
    if values.size == 0:
        return np.dtype(np.int8)
    lo, hi = int(values.min()), int(values.max())
    for dtype in (np.int8, np.int16, np.int32):
        info = np.iinfo(dtype)
        if info.min <= lo and hi <= info.max:
            return np.dtype(dtype)
    return np.dtype(np.int64)


def _run_codes(run_ids: pd.Series) -> np.ndarray:
    """Each row's run, numbered in order of first appearance."""
    codes, _ = pd.factorize(run_ids, sort=False)
    return codes


@dataclass
class Encoded:
    """A series table encoded for the store, not yet written: one run's, encoded in the
    worker that made it (:func:`encode_frame`), or a batch's (:func:`combine`).

    ``arrow``: the stored columns; ``meta``: what was done (the file metadata of
    :func:`decode`); ``floats``: per float column the statistics that choose its Parquet
    encoding (distinct values, rows, zstd bytes stored plain and byte-split), which add up
    over the runs of a batch. Small and cheap to pickle: a worker returns it, and the
    driver only appends it to its batch's table."""

    table: str
    arrow: pa.Table
    meta: dict
    floats: dict[str, list[int]]


def encode_frame(table: str, frame: pd.DataFrame, starts: Mapping[str, str]) -> Encoded:
    """A series frame (with ``run_id``) as compact Arrow columns and what was done to them.
    ``starts``: each run's ``market.start``."""
    meta: dict[str, Any] = {
        "table": table,
        "columns": list(frame.columns),
        "dtypes": {c: str(d) for c, d in frame.dtypes.items()},
        "derived": {},
    }
    kept = list(frame.columns)
    if {"date", "step", "run_id"} <= set(frame.columns) and starts:
        run_starts = frame["run_id"].map(starts)
        if run_starts.notna().all():
            rebuilt = month_dates(run_starts, frame["step"])
            same = rebuilt.to_numpy("datetime64[us]") == frame["date"].to_numpy("datetime64[us]")
            if same.all():
                kept.remove("date")
                meta["starts"] = {r: starts[r] for r in pd.unique(frame["run_id"])}
    for col, (left, op, right) in DERIVED.get(table, {}).items():
        if {col, left, right} <= set(kept):
            value = _OPS[op](frame[left].to_numpy(), frame[right].to_numpy())
            if np.array_equal(value, frame[col].to_numpy(), equal_nan=True):
                kept.remove(col)
                meta["derived"][col] = [left, op, right]
    rows = None  # the stored row order (None: as given)
    order = ROW_ORDER.get(table)
    if order and {"run_id", *order} <= set(kept) and len(frame):
        runs = _run_codes(frame["run_id"])
        a, b = (pd.factorize(frame[c], sort=True)[0] for c in order)
        if np.array_equal(np.lexsort((b, a, runs)), np.arange(len(frame))):
            rows = np.lexsort((a, b, runs))  # run, then the second key, then the first
            meta["order"] = list(order)
    arrays = [_stored_array(table, frame[col], rows) for col in kept]
    arrow = pa.Table.from_arrays([a for a, _ in arrays], names=kept)
    floats = {
        col: _float_stats(v) for col, (_, v) in zip(kept, arrays, strict=True) if v is not None
    }
    return Encoded(table, arrow, meta, floats)


def _stored_array(table: str, column: pd.Series, rows: np.ndarray | None):
    """A column as stored (integers in their smallest type, floats of the series tables
    in single precision; rows in the stored order), as Arrow makes it from pandas, and
    its values if they are floats (else None)."""
    dtype = column.dtype
    numeric = isinstance(dtype, np.dtype) and dtype.kind in "iuf"
    if not numeric:  # strings, dates, booleans: as pandas gives them to Arrow
        column = column if rows is None else column.iloc[rows]
        array = pa.array(column.reset_index(drop=True), from_pandas=True)
        if pa.types.is_floating(array.type):
            return array, column.to_numpy()
        return array, None
    values = column.to_numpy()
    values = values if rows is None else values[rows]
    if dtype.kind in "iu":
        values = values.astype(_smallest_int(values))
    elif table in SINGLE_PRECISION:
        values = values.astype(np.float32)
    return pa.array(values, from_pandas=True), values if dtype.kind == "f" else None


def encode(table: str, frame: pd.DataFrame, starts: Mapping[str, str]) -> tuple[pa.Table, dict]:
    """A batch's series frame (with ``run_id``) as a compact Arrow table, and its
    Parquet write options. ``starts``: each run's ``market.start``."""
    return finish(encode_frame(table, frame, starts))


def finish(enc: Encoded) -> tuple[pa.Table, dict]:
    """The Arrow table to write (its metadata in the schema) and its Parquet options."""
    arrow = enc.arrow.replace_schema_metadata({META_KEY: json.dumps(enc.meta).encode()})
    plain, split = [], []
    for name, stats in enc.floats.items():
        kind = _float_encoding(*stats)
        (split if kind == "split" else plain if kind == "plain" else []).append(name)
    options = {
        "compression": COMPRESSION,
        "compression_level": LEVEL,
        "use_dictionary": [c for c in arrow.column_names if c not in plain + split],
        "use_byte_stream_split": split,
        "write_statistics": False,
        "store_schema": False,
        "write_page_checksum": True,  # readers verify each page (READ_OPTIONS)
    }
    return arrow, options


def write(arrow: pa.Table, where, options: Mapping[str, Any]) -> None:
    """Write an encoded table (its metadata in the file footer, no Arrow schema copy)."""
    meta = arrow.schema.metadata or {}
    arrow = arrow.replace_schema_metadata(None)
    with pq.ParquetWriter(where, arrow.schema, **options) as writer:
        writer.write_table(arrow)
        if meta:
            writer.add_key_value_metadata(meta)


def _float_stats(values: np.ndarray) -> list[int]:
    """Distinct values, rows, and zstd bytes of the column stored plain and with its bytes
    split into streams (``BYTE_STREAM_SPLIT``)."""
    raw = np.ascontiguousarray(values)
    if len(raw) == 0:
        return [0, 0, 0, 0]
    streams = np.ascontiguousarray(raw.view(np.uint8).reshape(len(raw), -1).T)
    plain, split = (
        len(pa.compress(buf.tobytes(), codec=COMPRESSION, asbytes=True)) for buf in (raw, streams)
    )
    return [len(pd.unique(raw)), len(raw), plain, split]


def _float_encoding(unique: int, rows: int, plain: int, split: int) -> str:
    """How to store a float column: ``dictionary`` where few values repeat a lot (zeros,
    plateaus), else ``split`` (bytes split into streams) or ``plain``, whichever zstd
    compresses smaller. Over a batch of runs, the distinct values are those of each run
    added up (at least the batch's)."""
    if rows == 0 or unique <= 0.1 * rows:
        return "dictionary"
    return "split" if split < plain else "plain"


def combine(parts: list[Encoded]) -> Encoded | None:
    """The runs' encoded tables as one batch table, appended without re-encoding; None
    if they were not encoded alike (then the batch is encoded from their frames).

    Integer columns stored at different widths take the widest; the float encoding
    statistics add up."""
    first = parts[0]
    shape = {k: v for k, v in first.meta.items() if k != "starts"}
    names = first.arrow.column_names
    for part in parts[1:]:
        if part.arrow.column_names != names or part.table != first.table:
            return None
        if {k: v for k, v in part.meta.items() if k != "starts"} != shape:
            return None
        if ("starts" in part.meta) != ("starts" in first.meta):
            return None
    schema = []
    for k, name in enumerate(names):
        types = {part.arrow.schema.field(k).type for part in parts}
        if len(types) > 1 and not all(pa.types.is_signed_integer(t) for t in types):
            return None
        widest = max(types, key=lambda t: t.bit_width) if len(types) > 1 else types.pop()
        schema.append(pa.field(name, widest))
    target = pa.schema(schema)
    arrow = pa.concat_tables([part.arrow.cast(target) for part in parts])
    meta = dict(first.meta)
    if "starts" in first.meta:
        meta["starts"] = {r: s for part in parts for r, s in part.meta["starts"].items()}
    floats = {
        name: np.sum([p.floats[name] for p in parts], axis=0).tolist() for name in first.floats
    }
    return Encoded(first.table, arrow, meta, floats)


def batch(table: str, parts: list, starts: Mapping[str, str]) -> tuple[pa.Table, dict]:
    """A batch's series table and its Parquet options, from each run's :class:`Encoded`
    table (appended as it is) or frame (encoded here)."""
    if all(isinstance(p, Encoded) for p in parts):
        combined = combine(parts)
        if combined is not None:
            return finish(combined)
    frames = [decode(p.arrow, p.meta) if isinstance(p, Encoded) else p for p in parts]
    return encode(table, pd.concat(frames, ignore_index=True), starts)


def read_meta(schema: pa.Schema) -> dict:
    """How a stored table was encoded (empty for a table written without encoding)."""
    raw = (schema.metadata or {}).get(META_KEY)
    return json.loads(raw) if raw else {}


def stored_columns(meta: Mapping[str, Any], wanted: Iterable[str] | None) -> list[str] | None:
    """The stored columns needed to rebuild ``wanted`` (None: all)."""
    if wanted is None:
        return None
    need = {"run_id"}
    for col in wanted:
        if col == "date" and "starts" in meta:
            need.add("step")
        elif col in meta.get("derived", {}):
            left, _, right = meta["derived"][col]
            need.update((left, right))
        else:
            need.add(col)
    if "order" in meta:
        need.update(meta["order"])
    return [c for c in meta.get("columns", []) if c in need]


def decode(arrow: pa.Table, meta: Mapping[str, Any], wanted: Iterable[str] | None = None):
    """The frame as the model made it: ``run_id`` and the ``wanted`` columns (default all),
    in the model's column and row order."""
    frame = arrow.to_pandas()
    for col in frame.columns:
        if isinstance(frame[col].dtype, pd.CategoricalDtype):
            frame[col] = frame[col].astype(object)
    if not meta:
        return frame if wanted is None else frame[[c for c in wanted if c in frame.columns]]
    if "order" in meta and len(frame):
        a, b = (pd.factorize(frame[c], sort=True)[0] for c in meta["order"])
        frame = frame.iloc[np.lexsort((b, a, _run_codes(frame["run_id"])))]
        frame = frame.reset_index(drop=True)
    dtypes = meta.get("dtypes", {})
    for col in frame.columns:
        if col in dtypes and str(frame[col].dtype) != dtypes[col]:
            frame[col] = frame[col].astype(dtypes[col])
    wanted = list(meta["columns"]) if wanted is None else ["run_id", *wanted]
    if "date" in wanted and "starts" in meta and "date" not in frame.columns:
        frame["date"] = month_dates(frame["run_id"].map(meta["starts"]), frame["step"])
    for col, (left, op, right) in meta.get("derived", {}).items():
        if col in wanted and col not in frame.columns:
            frame[col] = _OPS[op](frame[left].to_numpy(), frame[right].to_numpy())
    return frame[[c for c in meta["columns"] if c in wanted]]
