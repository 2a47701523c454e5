"""The month's mean utilities in one compiled pass (``choice.market_utilities``) against
the numpy steps they replace (``mean_utilities``, then ``restrict_and_reward``): the same
bytes on both kernel backends."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aimarket.simulation.mechanics import choice, kernels


@pytest.fixture(autouse=True)
def restore_backend():
    yield
    kernels.use(None)


def market(seed: int, groups: int, products: int, bonus: bool, need: str):
    rng = np.random.default_rng(seed)
    per_group = [rng.normal(1.0, 2.0, groups) for _ in range(4)]
    capability = rng.normal(5.0, 3.0, products)
    if products:  # ties with another product
        capability[rng.random(products) < 0.2] = capability[0]
    is_open = rng.random(products) < 0.5
    ecosystem, price = rng.random(products), np.exp(rng.normal(0.0, 2.0, products))
    penalty = np.where(rng.random(products) < 0.3, rng.random(products), 0.0)
    available = rng.random(products) < 0.8
    needs = {"none": np.full(groups, np.inf), "some": rng.choice([np.inf, 0.5, 2.0], groups)}
    extra = rng.random((groups, products)) * (rng.random((groups, products)) < 0.5)
    return (
        *per_group, capability, is_open, ecosystem, price, penalty, available,
        needs[need], extra if bonus else None,
    )  # fmt: skip


def reference(args):
    *utility_args, need, bonus = args
    v = choice.mean_utilities(*utility_args)
    capability, available = utility_args[4], utility_args[9]
    return choice.restrict_and_reward(v, capability, available, need, bonus)


@settings(max_examples=120, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    groups=st.integers(1, 30),
    products=st.integers(0, 60),
    bonus=st.booleans(),
    need=st.sampled_from(["none", "some"]),
)
def test_one_pass_gives_the_numpy_steps_bytes_on_both_backends(seed, groups, products, bonus, need):
    args = market(seed, groups, products, bonus, need)
    expected = reference(args).tobytes()
    for name in kernels.BACKENDS:
        kernels.use(name)
        assert choice.market_utilities(*args[-2:], *args[:-2]).tobytes() == expected


def test_groups_too_far_behind_the_best_available_model_cannot_use_it():
    args = list(market(3, groups=2, products=3, bonus=False, need="none"))
    args[4] = np.array([1.0, 4.0, 9.0])  # capability; the best (9) is unavailable
    args[9] = np.array([True, True, False])
    args[10] = np.array([np.inf, 2.0])  # the second group needs within 2 of 4
    for name in kernels.BACKENDS:
        kernels.use(name)
        v = choice.market_utilities(*args[-2:], *args[:-2])
        assert np.isfinite(v[0, :2]).all() and np.isneginf(v[:, 2]).all()
        assert np.isneginf(v[1, 0]) and np.isfinite(v[1, 1])
