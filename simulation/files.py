"""Files: checks on the files and folders a command is given (made before any simulation
runs), reading TOML, and writing files atomically (:func:`atomic_write`: a reader never
sees half a file), used by a run's output and by the sweeps' results store."""

from __future__ import annotations

import hashlib
import json
import os
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aimarket.simulation.errors import ScenarioError

if TYPE_CHECKING:
    import pandas as pd


def writable_folder(text: str | Path, option: str = "--out") -> Path:
    """The folder ``text``, created if missing, once it is known that files can be written
    there; a ScenarioError naming ``option`` otherwise (an existing file, no permission,
    a read-only or virtual file system)."""
    path = Path(text)
    if path.exists() and not path.is_dir():
        raise ScenarioError(f"{option} {text}: exists and is not a folder; choose a folder")
    probe = path / f".aimarket-write-test-{os.getpid()}"
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe.write_text("")
        probe.unlink()
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ScenarioError(f"{option} {text}: cannot write there ({reason})") from None
    return path


def read_toml(path: str | Path, what: str) -> dict[str, Any]:
    """A TOML file's tables, with ``name`` defaulting to the file's stem; a missing or
    malformed file is a ScenarioError naming ``what`` it should have been."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ScenarioError(f"{what} file not found: {path}") from None
    except IsADirectoryError:
        raise ScenarioError(f"{what} file {path} is a directory, not a TOML file") from None
    except UnicodeDecodeError:
        raise ScenarioError(f"{path}: not a text (UTF-8) file, so not TOML") from None
    except OSError as exc:
        raise ScenarioError(f"{what} file {path} cannot be read: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{path}: not valid TOML ({exc})") from None
    data.setdefault("name", path.stem)
    return data


def atomic_write(path: Path, write: Callable[[Path], object]) -> dict[str, Any]:
    """Write ``path`` all at once: ``write(tmp)`` fills a temporary file beside it, which is
    flushed to disk and renamed over ``path`` (the folder's entry is flushed too), so a
    reader sees the old file or the whole new one, never part of it, even after a crash.
    Returns the new file's size and SHA-256 (``{"bytes": ..., "sha256": ...}``)."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        write(tmp)
        digest = hashlib.sha256()
        with open(tmp, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_folder(path.parent)
    return {"bytes": path.stat().st_size, "sha256": digest.hexdigest()}


def fsync_folder(folder: Path) -> None:
    """Flush a folder's entries (a rename or a new file in it) to disk."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write_bytes(path: Path, data: bytes) -> dict[str, Any]:
    """:func:`atomic_write` of ``data``."""
    return atomic_write(path, lambda tmp: tmp.write_bytes(data))


def atomic_write_json(path: Path, data: Any, indent: int = 1) -> dict[str, Any]:
    """:func:`atomic_write` of ``data`` as JSON (what JSON lacks is written as its str)."""
    return atomic_write_bytes(path, json.dumps(data, indent=indent, default=str).encode())


def atomic_write_parquet(path: Path, frame: pd.DataFrame, compact: bool = False) -> dict[str, Any]:
    """:func:`atomic_write` of ``frame`` as Parquet, without its index.

    By default as pandas writes it (its pandas schema kept, so any frame reads back the
    same). ``compact`` for many small tables of plain columns (strings, numbers, times):
    zstd, no statistics, no copies of the pandas and Arrow schemas (the Parquet types
    restore the same frame), and a checksum on every page.
    """
    if not compact:
        return atomic_write(path, lambda tmp: frame.to_parquet(tmp, index=False))
    import pyarrow as pa  # here: the command lines' --help need not load it
    import pyarrow.parquet as pq

    arrow = pa.Table.from_pandas(frame, preserve_index=False).replace_schema_metadata(None)
    options = {"compression": "zstd", "write_statistics": False, "store_schema": False}
    return atomic_write(
        path, lambda tmp: pq.write_table(arrow, tmp, write_page_checksum=True, **options)
    )
