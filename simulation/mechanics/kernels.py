"""Compiled hot loops: numba by default, a pure-numpy twin on request.

A few loops of the month stay hot after vectorizing (the price solvers on arrays of a
handful of products, the developers' choice over every chooser). Each is written twice:
as an explicit loop compiled by numba (``nopython``, no ``fastmath``, no ``parallel``:
runs are one per core, and results must not depend on the machine's vector width), and as
the numpy function it replaces. :class:`Kernel` holds both and calls the one the
environment chooses:

``AIMARKET_KERNELS=numba`` (the default) or ``AIMARKET_KERNELS=numpy``.

The choice is an environment variable, not a scenario field, because it changes how a
number is computed, not what the model is: the two agree to a stated tolerance (the
tests compare them), the numba path is the one the baseline hashes pin, and the backend is
recorded in each run's provenance (``run.json``, a sweep's code fingerprint).

numba compiles a kernel on its first call (lazily: a process that never prices pays
nothing) and caches the machine code on disk (``cache=True``), so a fresh worker loads it
in milliseconds. The cache lives next to the source (``__pycache__``) where the package
folder is writable; where it is not (a system-wide install), :func:`backend` points
``NUMBA_CACHE_DIR`` at a per-user folder before numba is imported, unless the user set it.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from aimarket.simulation.errors import ScenarioError

#: The environment variable that chooses the backend, and its allowed values.
ENV = "AIMARKET_KERNELS"
BACKENDS = ("numba", "numpy")

_chosen: str | None = None  # the backend read from the environment, once per process


def backend() -> str:
    """The backend of this process: ``numba`` or ``numpy`` (read once from
    ``AIMARKET_KERNELS``; a value outside :data:`BACKENDS` is a one-line error)."""
    global _chosen
    if _chosen is None:
        value = os.environ.get(ENV, "").strip().lower() or "numba"
        if value not in BACKENDS:
            raise ScenarioError(
                f"{ENV}={os.environ[ENV]!r} is not a kernel backend; allowed: {', '.join(BACKENDS)}"
            )
        _chosen = value
    return _chosen


def use(name: str | None) -> None:
    """Switch this process's backend (``None``: read the environment again). For tests
    and benchmarks that compare the two paths in one process."""
    global _chosen
    if name is not None and name not in BACKENDS:
        raise ScenarioError(f"kernel backend {name!r}; allowed: {', '.join(BACKENDS)}")
    _chosen = name


def _ensure_cache_dir() -> None:
    """Point numba's cache at a per-user folder when the package folder is read-only."""
    if os.environ.get("NUMBA_CACHE_DIR"):
        return
    here = Path(__file__).resolve().parent
    if os.access(here, os.W_OK):
        return
    base = os.environ.get("XDG_CACHE_HOME") or (Path.home() / ".cache")
    target = Path(base) / "aimarket" / "numba"
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError:
        target = Path(tempfile.gettempdir()) / f"aimarket-numba-{os.getuid()}"
        target.mkdir(parents=True, exist_ok=True)
    os.environ["NUMBA_CACHE_DIR"] = str(target)


def _compile(loop: Callable) -> Callable:
    if "numba" not in sys.modules:
        _ensure_cache_dir()
    import numba  # lazily: a process that never calls a kernel does not pay numba's import

    return numba.njit(cache=True, nogil=True)(loop)


class Kernel:
    """One hot loop: ``loop`` (compiled by numba on first use) and ``fallback``, the
    numpy function with the same signature and results (to the stated tolerance)."""

    def __init__(self, loop: Callable, fallback: Callable):
        self.loop = loop
        self.fallback = fallback
        self._compiled: Callable | None = None
        self.__name__ = loop.__name__
        self.__doc__ = loop.__doc__

    def compiled(self) -> Callable:
        """The numba-compiled loop (compiled, or loaded from the cache, on first call)."""
        if self._compiled is None:
            self._compiled = _compile(self.loop)
        return self._compiled

    def __call__(self, *args):
        if (_chosen or backend()) == "numba":
            return (self._compiled or self.compiled())(*args)
        return self.fallback(*args)


def kernel(fallback: Callable) -> Callable[[Callable], Kernel]:
    """Decorator: ``@kernel(fallback=numpy_version)`` over the loop version."""

    def wrap(loop: Callable) -> Kernel:
        return Kernel(loop, fallback)

    return wrap
