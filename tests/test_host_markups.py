"""Differentiated hosts of the same open weights: the logit Bertrand equilibrium among
clouds (ODD section 6.5) is solved to a stated tolerance, and says when it is not."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import optimize

from aimarket.simulation.mechanics.hosting import host_markup_prices


def _independent(cost: np.ndarray, scale: float) -> np.ndarray:
    """The equilibrium prices of one product's hosts by a generic root finder on the first
    order conditions (p - c)(1 - s(p)) = scale."""

    def foc(p):
        e = np.exp(-(p - p.min()) / scale)
        share = e / e.sum()
        return (p - cost) * (1.0 - share) - scale

    return optimize.root(foc, cost + 2.0 * scale, tol=1e-14).x


@pytest.mark.parametrize("cost", [[1.0, 1.0], [1.0, 0.5], [2.0, 0.1, 0.4], [0.3, 0.3, 3.0, 0.05]])
def test_host_prices_solve_the_first_order_conditions(cost):
    cost = np.array(cost)[:, None]
    hosts = np.ones_like(cost, dtype=bool)
    price, share, converged = host_markup_prices(cost, hosts, 0.2)
    assert converged
    markup = price - cost
    assert np.max(np.abs(markup * (1.0 - share) - 0.2)) <= 1e-10
    assert share.sum() == pytest.approx(1.0)
    np.testing.assert_allclose(price[:, 0], _independent(cost[:, 0], 0.2), rtol=1e-9)


@settings(max_examples=60, deadline=None)
@given(
    costs=st.lists(st.floats(0.01, 20.0), min_size=2, max_size=5),
    scale=st.floats(0.001, 5.0),
)
def test_host_prices_converge_for_any_costs(costs, scale):
    # iterating prices (p <- c + scale / (1 - s)) oscillated for unequal costs; iterating
    # markups converges: the cheapest host keeps the largest share and markup
    cost = np.array(costs)[:, None]
    hosts = np.ones_like(cost, dtype=bool)
    price, share, converged = host_markup_prices(cost, hosts, scale)
    assert converged
    markup = price - cost
    assert np.max(np.abs(markup * (1.0 - share) - scale)) <= 1e-9 * max(1.0, scale)
    cheapest = int(np.argmin(cost[:, 0]))
    assert share[cheapest, 0] == pytest.approx(share[:, 0].max())


def test_a_cloud_that_does_not_host_gets_no_price_and_no_share():
    cost = np.array([[1.0, 1.0], [0.5, 2.0], [9.0, 0.7]])
    hosts = np.array([[True, True], [True, False], [False, True]])
    price, share, converged = host_markup_prices(cost, hosts, 0.3)
    assert converged
    assert np.isnan(price[2, 0]) and np.isnan(price[1, 1])
    assert share[2, 0] == 0.0 and share[1, 1] == 0.0
    np.testing.assert_allclose(share.sum(axis=0), 1.0)


def test_an_unfinished_solve_says_so():
    # a host with nearly all the traffic needs the Newton steps; with none allowed the
    # solve reports that it stopped short, and with them it converges
    cost, hosts = np.array([[16.5], [0.5]]), np.ones((2, 1), dtype=bool)
    assert not host_markup_prices(cost, hosts, 0.001953125, iterations=0)[2]
    assert host_markup_prices(cost, hosts, 0.001953125)[2]


@settings(max_examples=300, deadline=None)
@given(
    rows=st.integers(1, 4),
    cols=st.integers(1, 5),
    depth=st.integers(1, 4),
    spread=st.sampled_from([1.0, 30.0, 400.0]),
    seed=st.integers(0, 2**32 - 1),
    axis=st.integers(0, 2),
)
def test_hosting_logsumexp_gives_scipy_s_bits(rows, cols, depth, spread, seed, axis):
    """The hosting solver's log-sum-exp is scipy's arithmetic without its dispatch: the
    same bits, with hosts left out (-inf), whole rows left out and tied largest terms."""
    from scipy.special import logsumexp as scipy_logsumexp

    from aimarket.simulation.mechanics.hosting import logsumexp

    rng = np.random.default_rng(seed)
    a = rng.normal(0.0, spread, size=(rows, cols, depth))
    a[rng.random(a.shape) < 0.3] = -np.inf
    a[..., 0] = np.where(rng.random((rows, cols)) < 0.3, a[..., -1], a[..., 0])  # ties
    with np.errstate(all="ignore"):
        expected = scipy_logsumexp(a, axis=axis)
    assert logsumexp(a, axis).tobytes() == np.asarray(expected).tobytes()
