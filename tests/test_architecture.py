"""The package's shape: one import name, layers without cycles, small modules.

* every module imports on its own, in a fresh interpreter;
* the import-linter contracts of ``pyproject.toml`` hold (layers, pure mechanics);
* no module imports the package's own modules inside a function (but the command lines,
  which load lazily to start fast);
* no module is over 400 lines and no function over 60;
* a wheel of the project installs one top-level import name, ``aimarket``.
"""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
#: Repository folder -> its import name.
PACKAGES = {
    "aimarket": "aimarket",
    "simulation": "aimarket.simulation",
    "agents": "aimarket.agents",
    "experiments": "aimarket.experiments",
    "dashboard": "aimarket.dashboard",
}
#: Command-line modules: they may import lazily, to start fast.
LAZY_OK = {
    "aimarket.cli",
    "aimarket.simulation.cli",
    "aimarket.experiments.cli",
    "aimarket.dashboard.cli",
    "aimarket.experiments.strategy.search_cli",
}
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60


def modules() -> dict[str, Path]:
    """Import name -> source file of every module of the package."""
    out = {}
    for folder, package in PACKAGES.items():
        for path in sorted((REPO / folder).rglob("*.py")):
            rel = path.relative_to(REPO / folder).with_suffix("")
            parts = [*package.split("."), *rel.parts]
            if parts[-1] == "__init__":
                parts = parts[:-1]
            out[".".join(parts)] = path
    return out


MODULES = modules()


#: Third-party packages a forking parent loads first, so that each child pays only for the
#: aimarket modules it imports (none of aimarket is loaded before the fork).
PRELOAD = ("numpy", "pandas", "scipy.stats", "matplotlib.pyplot", "pyarrow.parquet", "mesa")
#: Each module is imported in a child forked from a parent that has loaded no aimarket
#: module: every import starts from an interpreter without any of the package.
FORKING_IMPORTER = """
import importlib, os, sys
names, preload = sys.argv[1].split(","), sys.argv[2].split(",")
sys.argv = sys.argv[:1]  # as `python -c "import NAME"` sees it (aimarket.__main__ runs)
for lib in preload:
    importlib.import_module(lib)
assert not any(m == "aimarket" or m.startswith("aimarket.") for m in sys.modules)
for name in names:
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        quiet = os.open(os.devnull, os.O_WRONLY)
        os.dup2(quiet, 1)  # what a module prints (a __main__'s usage) is not a failure
        os.dup2(quiet, 2)
        try:
            importlib.import_module(name)
            message = ""
        except SystemExit as exc:  # a __main__ module: fine if it exits cleanly
            message = "" if exc.code in (0, None) else f"{name}: SystemExit({exc.code})"
        except BaseException as exc:
            message = f"{name}: {type(exc).__name__}: {exc}"
        os.write(write, message.encode()[:60000])
        os._exit(0)
    os.close(write)
    out = b""
    while chunk := os.read(read, 65536):
        out += chunk
    os.close(read)
    os.waitpid(pid, 0)
    if out:
        print(out.decode())
"""


def _import_each_alone(names: list[str]) -> str:
    done = subprocess.run(
        [sys.executable, "-c", FORKING_IMPORTER, ",".join(names), ",".join(PRELOAD)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    return done.stdout.strip() if done.returncode == 0 else done.stderr.strip()[-2000:]


def test_every_module_imports_alone_in_a_fresh_interpreter():
    names = sorted(MODULES)
    halves = [names[0::2], names[1::2]]  # two interpreters, one per core
    with ThreadPoolExecutor(max_workers=2) as pool:
        failed = [f for f in pool.map(_import_each_alone, halves) if f]
    assert not failed, "\n".join(failed)


def test_import_linter_contracts_hold():
    """``lint-imports`` at the repository root, as a contributor runs it: the links
    ``aimarket/simulation`` -> ``../simulation`` (and agents, experiments, dashboard) lay
    the package out for it as a wheel installs it, without moving the folders."""
    lint = Path(sys.executable).with_name("lint-imports")
    if not lint.exists():
        pytest.skip("import-linter is not installed (pip install import-linter)")
    for folder in ("simulation", "agents", "experiments", "dashboard"):
        link = REPO / "aimarket" / folder
        assert link.is_symlink() and link.resolve() == REPO / folder, link
    done = subprocess.run(
        [str(lint), "--no-cache"], capture_output=True, text=True, cwd=REPO, timeout=300
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "0 broken" in done.stdout


def own_imports_in_functions(name: str, path: Path) -> list[str]:
    tree = ast.parse(path.read_text())
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for inner in ast.walk(node):
            target = None
            if isinstance(inner, ast.ImportFrom) and inner.level == 0:
                target = inner.module or ""
            elif isinstance(inner, ast.Import):
                target = inner.names[0].name
            if target and (target == "aimarket" or target.startswith("aimarket.")):
                found.append(f"{name}:{inner.lineno} imports {target} in {node.name}()")
    return found


def test_no_function_level_imports_of_the_package_outside_the_command_lines():
    found = []
    for name, path in MODULES.items():
        if name not in LAZY_OK:
            found += own_imports_in_functions(name, path)
    assert not found, "\n".join(found)


def test_modules_and_functions_are_small():
    too_long = []
    for name, path in MODULES.items():
        text = path.read_text()
        lines = text.count("\n")
        if lines > MAX_MODULE_LINES:
            too_long.append(f"module {name}: {lines} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = node.end_lineno - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    too_long.append(f"function {name}.{node.name}: {length} lines")
    assert not too_long, "\n".join(too_long)


def test_files_are_written_atomically_in_one_place():
    """One implementation of writing a file whole (a temporary file renamed into place):
    ``aimarket.simulation.files``; the run output and the results store use it."""
    own = []
    for name, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef) and node.name.startswith("atomic_write"):
                own.append(f"{name}.{node.name}")
    assert own and all(f.startswith("aimarket.simulation.files.") for f in own), own


def test_benchmarks_import_the_installed_package():
    """The package is installed (``pip install -e .``): no benchmark edits ``sys.path``."""
    edits = [
        p.name for p in sorted((REPO / "benchmarks").glob("*.py")) if "sys.path" in p.read_text()
    ]
    assert not edits, edits


def _pylint(root: Path) -> subprocess.CompletedProcess:
    folders = ["aimarket", "simulation", "agents", "experiments", "dashboard"]
    return subprocess.run(
        [sys.executable, "-m", "pylint", "--rcfile", str(REPO / "pyproject.toml"), *folders],
        capture_output=True, text=True, cwd=root, timeout=600,
    )  # fmt: skip


def test_lint_fails_on_a_repeated_block_of_six_lines(tmp_path):
    """`make lint` runs pylint's duplicate-code check (6 similar lines): clean on the
    package, failing once a block of it is pasted into another module."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for folder in ("aimarket", "simulation", "agents", "experiments", "dashboard"):
        shutil.copytree(REPO / folder, tmp_path / folder, ignore=ignore, symlinks=True)
    clean = _pylint(tmp_path)
    assert clean.returncode == 0, clean.stdout[-2000:]
    source = (REPO / "simulation" / "mechanics" / "pricing.py").read_text().splitlines()
    start = next(i for i, line in enumerate(source) if line.startswith("def hosting_prices"))
    pasted = "\n".join(source[start : start + 30]).replace("hosting_prices", "copied")
    (tmp_path / "agents" / "pasted.py").write_text("import numpy as np\n\n\n" + pasted + "\n")
    dirty = _pylint(tmp_path)
    assert dirty.returncode != 0 and "duplicate-code" in dirty.stdout, dirty.stdout[-2000:]


def test_a_wheel_installs_exactly_one_import_name(tmp_path):
    wheels = tmp_path / "wheels"
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-v",
         "-w", str(wheels), str(REPO)],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    if done.returncode and "setuptools" in done.stderr:
        pytest.skip("setuptools is not available to build a wheel offline")
    assert done.returncode == 0, done.stderr
    # a quiet build: no setuptools warning (BuildBackendWarning, SetuptoolsDeprecationWarning...)
    warned = re.findall(r"\b\w+Warning\b.*", done.stdout + done.stderr)
    assert not warned, "\n".join(warned)
    (wheel,) = wheels.glob("aimarket-*.whl")
    site = tmp_path / "site"  # a fresh environment outside the repository
    done = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(site),
         str(wheel)],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    # every top-level name a wheel installs: packages and modules (bin/ holds the script)
    tops = sorted(p.name for p in site.iterdir() if not p.name.endswith(".dist-info"))
    assert [t for t in tops if t != "bin"] == ["aimarket"], tops
    assert (site / "bin" / "aimarket").exists()
    # A clean interpreter (-I -S: no user site, no .pth files, so not the editable
    # install of this checkout) that sees the wheel and the dependencies only.
    deps = [p for p in sys.path if p.endswith("site-packages")]
    check = (
        "import sys; sys.path[:0] = sys.argv[1:]\n"
        "import importlib.util, aimarket\n"
        "assert aimarket.__file__.startswith(sys.argv[1]), aimarket.__file__\n"
        "for name in ('simulation', 'agents', 'experiments', 'dashboard'):\n"
        "    assert importlib.util.find_spec(name) is None, name\n"
        "from aimarket import MarketModel, load_scenario\n"
        "MarketModel(load_scenario('baseline', {'developers.count': 50}), rng=1).run(2)\n"
        "print('ok')\n"
    )
    done = subprocess.run(
        [sys.executable, "-I", "-S", "-c", check, str(site), *deps],
        capture_output=True, text=True, cwd=tmp_path, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def test_every_package_folder_is_listed_for_the_wheel():
    import tomllib

    listed = set(
        tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    found = {name for name, path in MODULES.items() if path.name == "__init__.py"}
    found |= set(data_folders())
    assert found == listed, f"pyproject's packages differ: {sorted(found ^ listed)}"


def data_folders() -> dict[str, Path]:
    """Import name -> folder of every folder of data files (no module) in the package."""
    out = {}
    for folder, package in PACKAGES.items():
        for path in sorted((REPO / folder).rglob("*")):
            if not path.is_dir() or path.name == "__pycache__" or (path / "__init__.py").exists():
                continue
            if any(p.is_file() for p in path.iterdir()):
                rel = path.relative_to(REPO / folder)
                out[".".join([*package.split("."), *rel.parts])] = path
    return out


def test_every_data_file_is_in_the_wheel_s_package_data():
    import fnmatch
    import tomllib

    patterns = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"
    ]
    for name, path in data_folders().items():
        files = [p.name for p in path.iterdir() if p.is_file()]
        missed = [f for f in files if not any(fnmatch.fnmatch(f, g) for g in patterns[name])]
        assert not missed, f"{name}: not in package-data: {missed}"


def test_the_package_and_the_command_line_load_lazily():
    """``import aimarket``, ``aimarket.experiments`` and the command line's parser load no
    numpy, pandas or Mesa (PEP 562 exports, :mod:`aimarket.lazy`: ``--help`` is fast);
    every exported name still resolves, and ``from aimarket import MarketModel`` works."""
    check = (
        "import sys, aimarket, aimarket.experiments, aimarket.cli\n"
        "aimarket.cli.build_parser()\n"
        "heavy = sorted({'numpy', 'pandas', 'mesa', 'matplotlib'} & set(sys.modules))\n"
        "assert not heavy, heavy\n"
        "from aimarket import MarketModel\n"
        "from aimarket.simulation.model import MarketModel as Model\n"
        "assert MarketModel is Model and 'MarketModel' in dir(aimarket)\n"
        "for package in (aimarket, aimarket.experiments):\n"
        "    for name in package.__all__:\n"
        "        getattr(package, name)\n"
        "try:\n"
        "    aimarket.no_such_name\n"
        "except AttributeError as exc:\n"
        "    print(exc)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", check], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "module 'aimarket' has no attribute 'no_such_name'"
