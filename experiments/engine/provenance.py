"""Where results come from: package versions, the git commit, and the code fingerprint.

A results folder records, when it is created, a fingerprint of the code that makes its
results (:func:`code_fingerprint`): the aimarket version, a hash of the installed
package's result-determining source, a hash of the outcome definitions the sweep
uses (a user's outcome function by its whole module file, so the helpers it calls and the
constants they read count), the same of a function model's module file, and the
installed versions of aimarket's dependencies (:func:`dependency_versions`). Resuming
the folder with code whose fingerprint differs is refused, so one folder never mixes the
results of two codes.

The source hash is taken over the syntax tree of each module with its docstrings
removed, so comments, docstrings and formatting never change it; it reads the installed
files, so it works the same for a wheel install (no git) as for a checkout. Modules that
cannot change a run's numbers are left out: they are listed in :data:`NOT_HASHED`, and
experiment scripts (modules that declare a module-level ``sweep``) are left out too,
since the sweep spec hash already covers what they declare.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import hashlib
import importlib.util
import inspect
import platform
import re
import subprocess
import textwrap
from collections.abc import Iterable, Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

import aimarket.simulation
from aimarket.experiments.engine import outcomes
from aimarket.simulation.mechanics import kernels

#: The packages of the aimarket distribution (the subpackages live in their own folders
#: of a source checkout, so each is walked; a module found twice counts once).
PACKAGES = ("aimarket", "aimarket.simulation", "aimarket.agents", "aimarket.experiments")

#: Modules whose code cannot change a run's results, so editing them never blocks
#: resuming a results folder: presentation (reports, figures, plots, summaries,
#: calibration targets and search, command lines, generated docs) and plumbing that
#: moves results without computing them. The outcome definitions are hashed on their own
#: (see :func:`outcomes_digest`). Every other module of :data:`PACKAGES` is hashed.
NOT_HASHED = frozenset(
    {
        # presentation
        "aimarket.cli",
        "aimarket.simulation.paramdoc",
        "aimarket.simulation.plots",
        "aimarket.simulation.report",
        "aimarket.experiments.analysis.aggregate",
        "aimarket.experiments.analysis.aggregate.contrasts",
        "aimarket.experiments.analysis.aggregate.shares",
        "aimarket.experiments.analysis.aggregate.summaries",
        "aimarket.experiments.analysis.calibrate",
        "aimarket.experiments.analysis.calibrate.__main__",
        "aimarket.experiments.analysis.calibrate.cli",
        "aimarket.experiments.analysis.calibrate.abc",
        "aimarket.experiments.analysis.calibrate.answers",
        "aimarket.experiments.analysis.calibrate.ensemble",
        "aimarket.experiments.analysis.calibrate.forecast",
        "aimarket.experiments.analysis.calibrate.identify",
        "aimarket.experiments.analysis.calibrate.problem",
        "aimarket.experiments.analysis.calibrate.report",
        "aimarket.experiments.analysis.calibrate.sbc",
        "aimarket.experiments.analysis.calibrate.scan",
        "aimarket.experiments.analysis.calibrate.smc",
        "aimarket.experiments.analysis.calibrate.values",
        "aimarket.experiments.analysis.console",
        "aimarket.experiments.analysis.figures",
        "aimarket.experiments.analysis.figures.common",
        "aimarket.experiments.analysis.figures.outcomes",
        "aimarket.experiments.analysis.figures.phase",
        "aimarket.experiments.analysis.figures.series",
        "aimarket.experiments.analysis.figures.shares",
        "aimarket.experiments.analysis.export",
        "aimarket.experiments.analysis.report",
        "aimarket.experiments.analysis.sensitivity",
        "aimarket.experiments.analysis.sensitivity.__main__",
        "aimarket.experiments.analysis.sensitivity.api",
        "aimarket.experiments.analysis.sensitivity.data",
        "aimarket.experiments.analysis.sensitivity.discovery",
        "aimarket.experiments.analysis.sensitivity.figures",
        "aimarket.experiments.analysis.sensitivity.indices",
        "aimarket.experiments.analysis.sensitivity.report",
        "aimarket.experiments.analysis.stats",
        "aimarket.experiments.analysis.tables",
        "aimarket.experiments.analysis.targets",
        "aimarket.experiments.cli",
        "aimarket.experiments.ema",  # EMA Workbench's runs, not a sweep's
        "aimarket.experiments.meta_pairs",
        "aimarket.experiments.strategy.cli",
        "aimarket.experiments.strategy.figures",
        "aimarket.experiments.strategy.report",
        "aimarket.experiments.strategy.search_cli",
        "aimarket.experiments.strategy.search_figures",
        "aimarket.experiments.strategy.study",
        # plumbing
        "aimarket.experiments.engine.encoding",
        "aimarket.experiments.engine.executors",
        "aimarket.experiments.engine.faults",
        "aimarket.experiments.engine.journal",
        "aimarket.experiments.engine.layout",
        "aimarket.experiments.engine.provenance",
        "aimarket.experiments.engine.results",
        "aimarket.experiments.engine.runner",
        "aimarket.experiments.engine.store",
        # hashed separately, as the outcome definitions
        "aimarket.experiments.engine.outcomes",
    }
)


def package_versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    names = ("aimarket", "mesa", "numpy", "numba", "pandas", "scipy", "pyarrow")
    for name in (*names, "dask", "distributed"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            out[name] = metadata.version(name)
    return out


def git_commit() -> dict[str, Any]:
    """The commit of the source tree the engine was imported from, and whether it is dirty
    (both None outside a git checkout, e.g. for a wheel install)."""
    root = Path(aimarket.simulation.__file__).resolve().parent.parent
    try:
        head = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return {"commit": None, "dirty": None}
    return {"commit": head, "dirty": bool(dirty)}


# -- source hashing ------------------------------------------------------------------------
def _strip_docstrings(tree: ast.AST) -> ast.AST:
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            first = body[0] if body else None
            if (
                isinstance(first, ast.Expr)
                and isinstance(first.value, ast.Constant)
                and isinstance(first.value.value, str)
            ):
                node.body = body[1:] or [ast.Pass()]
    return tree


def source_digest(text: str) -> str:
    """SHA-256 of Python source as code: comments, docstrings and layout do not count."""
    tree = _strip_docstrings(ast.parse(textwrap.dedent(text)))
    return hashlib.sha256(ast.dump(tree, include_attributes=False).encode()).hexdigest()


def _declares_sweep(tree: ast.Module) -> bool:
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else []
        if isinstance(node, ast.AnnAssign):
            targets = [node.target]
        if any(isinstance(t, ast.Name) and t.id in ("sweep", "SWEEP") for t in targets):
            return True
    return False


def package_modules(packages: Iterable[str] = PACKAGES) -> dict[str, Path]:
    """Module name -> installed file of every ``.py`` module of ``packages``."""
    out: dict[str, Path] = {}
    for package in packages:
        spec = importlib.util.find_spec(package)
        if spec is None or not spec.submodule_search_locations:
            continue
        for root in spec.submodule_search_locations:
            for path in sorted(Path(root).rglob("*.py")):
                rel = path.relative_to(root).with_suffix("")
                parts = [package, *rel.parts]
                if parts[-1] == "__init__":
                    parts = parts[:-1]
                out.setdefault(".".join(parts), path)
    return out


def source_fingerprint(modules: Mapping[str, Path]) -> tuple[str, int]:
    """Hash of the result-determining modules among ``modules``, and how many there are."""
    digests = []
    for name in sorted(modules):
        if name in NOT_HASHED:
            continue
        text = modules[name].read_text(encoding="utf-8")
        tree = ast.parse(text)
        if _declares_sweep(tree):  # an experiment script: its sweep has its own spec hash
            continue
        digests.append(f"{name}:{source_digest(text)}")
    return hashlib.sha256("\n".join(digests).encode()).hexdigest()[:16], len(digests)


@functools.lru_cache(maxsize=1)
def _installed_source() -> tuple[str, int]:
    return source_fingerprint(package_modules())


def _function_source(ref: Mapping[str, str]) -> str:
    """Hash of the whole module file a user's function lives in: the function, the helpers
    it calls and the constants they read (a function without a file: its own source)."""
    file = Path(ref.get("file") or "")
    try:
        if not file.is_file():
            return source_digest(inspect.getsource(outcomes.resolve_ref(dict(ref))))
        return source_digest(file.read_text(encoding="utf-8"))
    except (OSError, TypeError, ImportError, AttributeError, SyntaxError, UnicodeDecodeError):
        return "?"


def dependency_versions() -> dict[str, str]:
    """Python's version and the installed version of each of aimarket's own (not
    optional) dependencies: what the lock file pins, as installed."""
    out = {"python": platform.python_version()}
    try:
        required = metadata.requires("aimarket") or []
    except metadata.PackageNotFoundError:
        required = []
    for line in required:
        if "extra ==" in line:
            continue
        name = re.split(r"[<>=!~;\[ ]", line, maxsplit=1)[0]
        with contextlib.suppress(metadata.PackageNotFoundError):
            out[name] = metadata.version(name)
    return out


def outcomes_digest(names: Iterable[str], refs: Iterable[Mapping[str, str]]) -> str:
    """Hash of the outcome definitions in use: the built-in registry's source, the names
    kept, and the source of each user outcome function."""
    parts = [source_digest(Path(outcomes.__file__).read_text(encoding="utf-8"))]
    parts += [f"builtin:{n}" for n in names]
    parts += [f"function:{r['name']}:{_function_source(r)}" for r in refs]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def code_fingerprint(plan) -> dict[str, Any]:
    """What makes the results of ``plan`` (a :class:`~aimarket.experiments.engine.plan.Plan`)."""
    source, count = _installed_source()
    try:
        version = metadata.version("aimarket")
    except metadata.PackageNotFoundError:
        version = "unknown"
    model = getattr(plan, "model_ref", None)
    return {
        "version": version,
        "source": source,
        "modules": count,
        "outcomes": outcomes_digest(plan.outcome_names, plan.outcome_refs),
        **({"model": _function_source(model)} if model else {}),
        "dependencies": dependency_versions(),
        "kernels": kernels.backend(),
    }


def code_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """What differs between two fingerprints, in words (empty if they match)."""
    changes = []
    if old.get("version") != new.get("version"):
        changes.append(f"aimarket version {old.get('version')} -> {new.get('version')}")
    if old.get("source") != new.get("source"):
        changes.append(f"model source hash {old.get('source')} -> {new.get('source')}")
    if old.get("outcomes") != new.get("outcomes"):
        changes.append(f"outcome definitions hash {old.get('outcomes')} -> {new.get('outcomes')}")
    if old.get("model") != new.get("model"):
        changes.append(f"model function's module hash {old.get('model')} -> {new.get('model')}")
    if old.get("kernels", "numpy") != new.get("kernels", "numpy"):
        changes.append(f"kernel backend {old.get('kernels', 'numpy')} -> {new.get('kernels')}")
    was, now = old.get("dependencies") or {}, new.get("dependencies") or {}
    for name in sorted(set(was) | set(now)):
        if was.get(name) != now.get(name):
            changes.append(f"{name} {was.get(name, 'absent')} -> {now.get(name, 'absent')}")
    return changes
