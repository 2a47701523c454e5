"""The kernel backend switch: numba by default, numpy on request, a bad value refused."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from aimarket.simulation.errors import ScenarioError
from aimarket.simulation.mechanics import kernels


def _sum_loop(x):
    total = 0.0
    for v in x:
        total += v * v
    return total


def _sum_numpy(x):
    return float((x * x).sum())


SQUARES = kernels.Kernel(_sum_loop, _sum_numpy)


@pytest.fixture
def restore_backend():
    yield
    kernels.use(None)


def test_both_backends_compute_the_same_thing(restore_backend):
    x = np.linspace(0.0, 1.0, 101)
    kernels.use("numba")
    compiled = SQUARES(x)
    kernels.use("numpy")
    fallback = SQUARES(x)
    assert compiled == pytest.approx(fallback, rel=1e-12)
    assert compiled == pytest.approx(101 * (2 * 100 + 1) / (6 * 100), rel=1e-12)  # sum (k/100)^2


def test_numba_is_the_default_and_numpy_is_chosen_by_the_environment(monkeypatch, restore_backend):
    monkeypatch.delenv(kernels.ENV, raising=False)
    kernels.use(None)
    assert kernels.backend() == "numba"
    monkeypatch.setenv(kernels.ENV, "NumPy ")
    kernels.use(None)
    assert kernels.backend() == "numpy"


def test_a_bad_backend_is_a_one_line_error(monkeypatch, restore_backend):
    monkeypatch.setenv(kernels.ENV, "fast")
    kernels.use(None)
    with pytest.raises(ScenarioError, match=r"AIMARKET_KERNELS=.fast.*allowed: numba, numpy"):
        kernels.backend()
    with pytest.raises(ScenarioError, match="allowed"):
        kernels.use("jax")


def test_the_command_line_refuses_a_bad_backend_before_running():
    env = {**__import__("os").environ, kernels.ENV: "fast"}
    done = subprocess.run(
        [sys.executable, "-m", "aimarket", "run", "--steps", "2", "--out", "/nonexistent/x"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "aimarket: error: AIMARKET_KERNELS='fast' is not a kernel backend; allowed: numba, numpy"
    ]


def test_a_read_only_package_caches_compiled_code_in_the_users_cache(monkeypatch, tmp_path):
    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(kernels.os, "access", lambda path, mode: False)
    kernels._ensure_cache_dir()
    assert kernels.os.environ["NUMBA_CACHE_DIR"] == str(tmp_path / "aimarket" / "numba")
    assert (tmp_path / "aimarket" / "numba").is_dir()
    monkeypatch.setenv("NUMBA_CACHE_DIR", "/somewhere/chosen")
    kernels._ensure_cache_dir()  # the user's own choice is kept
    assert kernels.os.environ["NUMBA_CACHE_DIR"] == "/somewhere/chosen"


def test_a_results_folder_records_the_backend_and_refuses_the_other_one(restore_backend):
    from aimarket.experiments.engine import provenance

    class Plan:
        outcome_names, outcome_refs, model_ref = ("platform_payoff",), (), None

    kernels.use("numba")
    made = provenance.code_fingerprint(Plan())
    kernels.use("numpy")
    now = provenance.code_fingerprint(Plan())
    assert made["kernels"] == "numba" and now["kernels"] == "numpy"
    assert provenance.code_changes(made, now) == ["kernel backend numba -> numpy"]
