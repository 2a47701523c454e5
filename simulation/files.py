"""Files: checks on the files and folders a command is given (made before any simulation
runs), reading TOML, and writing files atomically (:func:`atomic_write`: a reader never
sees half a file), used by a run's output and by the sweeps' results store."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import stat
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from filelock import FileLock, Timeout

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


#: Limits of what an input file or a path may be: nesting of tables and lists (deeper is
#: refused), bytes in a path component and in a whole path (the usual Linux limits).
MAX_DEPTH = 32
NAME_MAX = 255
PATH_MAX = 4096


def check_path_text(text: str | Path, option: str) -> None:
    """Refuse a path the file system would refuse by its length (a component over
    :data:`NAME_MAX` bytes, the whole over :data:`PATH_MAX`) or with a NUL byte."""
    raw = os.fsencode(str(text))
    if b"\0" in raw:
        raise ScenarioError(f"{option}: the path contains a NUL byte")
    if len(raw) > PATH_MAX:
        raise ScenarioError(f"{option}: the path is {len(raw)} bytes; allowed at most {PATH_MAX}")
    longest = max((len(part) for part in raw.split(b"/")), default=0)
    if longest > NAME_MAX:
        raise ScenarioError(
            f"{option} {str(text)[:40]}...: a path component is {longest} bytes; "
            f"allowed at most {NAME_MAX}"
        )


def regular_file(path: str | Path, what: str) -> Path:
    """``path`` once it is known to be a regular file (not a FIFO, device, socket or
    folder, not a symlink loop), checked by its type before anything reads it."""
    path = Path(path)
    check_path_text(path, f"{what} file")
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        raise ScenarioError(f"{what} file not found: {path}") from None
    except OSError as exc:
        reason = "a symlink loop" if exc.errno == errno.ELOOP else exc.strerror
        raise ScenarioError(f"{what} file {path} cannot be read: {reason}") from None
    if stat.S_ISDIR(mode):
        raise ScenarioError(f"{what} file {path} is a directory, not a TOML file")
    if not stat.S_ISREG(mode):
        raise ScenarioError(
            f"{what} file {path} is not a regular file (a FIFO, device or socket); give a file"
        )
    return path


def check_depth(data: Any, where: str) -> None:
    """Refuse tables and lists nested deeper than :data:`MAX_DEPTH` (walked without
    recursion, so any depth is safe to check)."""
    stack = [(data, 1)]
    while stack:
        node, depth = stack.pop()
        children = node.values() if isinstance(node, dict) else node
        if isinstance(node, dict | list):
            if depth > MAX_DEPTH:
                raise ScenarioError(
                    f"{where}: tables and lists nest deeper than {MAX_DEPTH} levels"
                )
            stack.extend((child, depth + 1) for child in children)


def parse_toml(text: str, where: str) -> dict[str, Any]:
    """TOML text parsed, with nesting, over-long integers and syntax errors as one-line
    ScenarioErrors naming ``where``; a leading byte-order mark is ignored."""
    try:
        data = tomllib.loads(text.removeprefix("\ufeff"))
    except RecursionError:
        raise ScenarioError(
            f"{where}: tables and lists nest deeper than {MAX_DEPTH} levels"
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{where}: not valid TOML ({exc})") from None
    except ValueError:  # an integer of more digits than Python converts (4300)
        raise ScenarioError(
            f"{where}: an integer has more digits than allowed ({sys.get_int_max_str_digits()})"
        ) from None
    check_depth(data, where)
    return data


def read_toml(path: str | Path, what: str) -> dict[str, Any]:
    """A TOML file's tables, with ``name`` defaulting to the file's stem; a missing,
    malformed or non-regular file is a ScenarioError naming ``what`` it should have been."""
    path = regular_file(path, what)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ScenarioError(f"{path}: not a text (UTF-8) file, so not TOML") from None
    except OSError as exc:
        raise ScenarioError(f"{what} file {path} cannot be read: {exc.strerror}") from None
    data = parse_toml(text, str(path))
    data.setdefault("name", path.stem)
    return data


#: What a run's folder (``aimarket run --out``) may hold: its own files, figures, the lock.
RUN_FILES = ("market.parquet", "vendors.parquet", "scenario.toml", "run.json", "report.md")


def run_folder(text: str | Path) -> tuple[Path, FileLock]:
    """The folder of ``aimarket run --out``, locked (the lock sweeps take, so neither a
    second run nor a sweep can write into it meanwhile); a ScenarioError if it holds
    anything but a previous run's files, or is in use."""
    out = writable_folder(text)
    foreign = [
        p.name
        for p in out.iterdir()
        if p.name not in (*RUN_FILES, ".lock") and not (p.suffix == ".png" and p.is_file())
    ]
    if foreign:
        raise ScenarioError(
            f"--out {text}: holds other files ({', '.join(sorted(foreign)[:3])}), not only a "
            "previous run's; choose an empty folder or a previous run's folder"
        )
    lock = FileLock(out / ".lock", thread_local=False)
    try:
        lock.acquire(blocking=False)
    except Timeout:
        raise ScenarioError(f"--out {text}: in use by another run or sweep; wait for it") from None
    return out, lock


def replace_folder(out: Path, write: Callable[[Path], object]) -> None:
    """Fill a temporary folder beside ``out`` with ``write(tmp)``, then rename it into
    place of ``out``: ``out`` then holds exactly the new files, never a mix of two runs'
    (a reader sees the old folder or the new one; for a moment, none)."""
    out = Path(out)
    tmp = out.with_name(f".{out.name}.tmp-{os.getpid()}")
    old = out.with_name(f".{out.name}.old-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        tmp.mkdir()
        write(tmp)
        fsync_folder(tmp)
        os.replace(out, old)
        os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    fsync_folder(out.parent)
    shutil.rmtree(old, ignore_errors=True)


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
