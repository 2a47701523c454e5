"""The home-cloud bonus the model keeps between calls follows hosting and closed models."""

import numpy as np
import pytest

from aimarket import MarketModel, load_scenario


def fresh_bonus(model: MarketModel) -> np.ndarray:
    """The bonus computed from scratch: a group's home cloud serves a closed model of a
    vendor partnered with it, or hosts the open weights."""
    dev, n = model.developers, model.products.n
    native = np.isfinite(model.hosting[:, :n])
    for v in model.vendors:
        if v.closed_product is not None:
            native[v.cloud.index, v.closed_product] = True
    rows = np.zeros((dev.n_groups, n), dtype=bool)
    homes = dev.group_home >= 0
    rows[homes] = native[dev.group_home[homes]]
    return dev.bonus[:, None] * rows


@pytest.fixture
def model() -> MarketModel:
    return MarketModel(load_scenario("baseline", {"developers.count": 1000}), rng=3).run(12)


def test_bonus_follows_a_new_host(model):
    before = model._native_bonus().copy()
    dev = model.developers
    group = int(np.flatnonzero((dev.group_home >= 0) & (dev.bonus > 0))[0])
    home = dev.group_home[group]
    j = int(np.flatnonzero(before[group] == 0.0)[0])  # not yet native on its home cloud
    model.hosting[home, j] = 1.0  # the home cloud starts hosting product j
    after = model._native_bonus()
    np.testing.assert_array_equal(after, fresh_bonus(model))
    assert not np.array_equal(before, after)


def test_bonus_follows_an_exit(model):
    vendor = next(v for v in model.vendors if v.closed_product is not None)
    model._native_bonus()
    vendor.alive = False
    np.testing.assert_array_equal(model._native_bonus(), fresh_bonus(model))


def test_bonus_over_a_run_matches_a_fresh_computation(model):
    for _ in range(6):
        model.step()
        np.testing.assert_array_equal(model._native_bonus(), fresh_bonus(model))
