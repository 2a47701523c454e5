"""Checks on the files and folders a command is given, made before any simulation runs."""

from __future__ import annotations

import os
from pathlib import Path

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
