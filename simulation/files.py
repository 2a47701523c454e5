"""Checks on the files and folders a command is given, made before any simulation runs."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from aimarket.simulation.errors import ScenarioError


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
