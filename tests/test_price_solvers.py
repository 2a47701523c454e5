"""The price solvers converge, and their numba and numpy kernels agree.

* Every best response (``pricing.solve_prices``) and every hosting equilibrium
  (``hosting.host_markup_prices``) of every month of ``baseline`` and ``timeline``, and of
  1,000 markets drawn from ``tests/test_choice.py``'s strategy, meets its first-order
  condition to a relative residual of 1e-12, checked here in the test's own arithmetic;
  the run's count of unconverged solves stays 0.
* The two kernel backends give the same prices to a relative 1e-10 on random inputs, and
  the same 24-month baseline frames to a relative 1e-9 (see :func:`assert_frames_close`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import run_model, small_scenario
from hypothesis import given, settings
from scipy.special import logsumexp
from test_choice import markets, random_market

from aimarket import MarketModel, load_scenario
from aimarket.simulation.mechanics import hosting, kernels, pricing

TOL = 1e-12


@pytest.fixture
def restore_backend():
    yield
    kernels.use(None)


# -- residuals, from the definitions -------------------------------------------------------


def price_residuals(base, rest, x, coef, weights, cost, elasticity):
    """Each usable product's first-order condition of profit (x - c) sum_s W_s s_s x^eps,
    divided by x^eps, relative to its demand sum_s W_s s_s (NaN where no group can use
    it), and the rounding of that evaluation (relative to the same demand)."""
    finite = np.isfinite(base)
    z = np.where(finite, base - coef[:, None] * x[None, :], -np.inf)
    own = np.exp(np.minimum(z, 700.0))
    alone = rest <= 0
    total = np.where(alone, 1.0, own + rest)
    share = np.where(alone, finite * 1.0, own / total)
    others = np.where(alone, 0.0, rest / total)  # 1 - share, without cancellation
    m = x - cost
    terms = weights[:, None] * share * (1.0 + m * elasticity / x - m * coef[:, None] * others)
    demand = (weights[:, None] * share).sum(axis=0)
    size = (weights[:, None] * share * (1.0 + np.abs(m * coef[:, None] * others))).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        residual = np.abs(terms.sum(axis=0)) / demand
        rounding = 1e-14 * size / demand
    return np.where(finite.any(axis=0), residual, np.nan), rounding


def assert_prices_solve_their_conditions(base, rest, x, coef, weights, cost, elasticity):
    residual, rounding = price_residuals(base, rest, x, coef, weights, cost, elasticity)
    check = np.isfinite(residual) & (x < pricing.PRICE_CEILING)  # at the ceiling F > 0
    assert (residual[check] <= TOL + rounding[check]).all(), (residual, x)


def host_residuals(cost, hosts, scale, price):
    """Each host's condition ln m + ln(1 - s) - ln scale, (clouds, products), with
    ln(1 - s) from its rivals' log-sum (0 where a cloud does not host), and the solver's
    stated limit: 1e-12, or 1e-14 x the largest |utility| where utilities are large."""
    on = hosts & (hosts.sum(axis=0) >= 2)[None, :]
    markup = np.where(on, price - cost, 1.0)
    u = np.where(on, -price / scale, -np.inf)
    everyone = logsumexp(u, axis=0)
    out = np.zeros(cost.shape)
    for i in range(cost.shape[0]):
        rivals = logsumexp(np.delete(u, i, axis=0), axis=0)
        with np.errstate(invalid="ignore"):
            g = np.log(markup[i]) + rivals - everyone - np.log(scale)
        out[i] = np.where(on[i], g, 0.0)
    limit = max(TOL, 1e-14 * float(np.max(np.abs(np.where(on, u, 0.0)), initial=0.0)))
    return np.abs(out), limit + 1e-15


# -- every solve of two full runs ------------------------------------------------------------


@pytest.mark.parametrize("name", ["baseline", "timeline"])
def test_every_solve_of_a_full_run_converges(name, monkeypatch):
    prices, hosts = [], []
    solve, host = pricing.solve_prices, hosting.host_markup_prices

    def record_prices(base, rest, price, coef, weights, cost, elasticity=0.0, *args):
        x, unsolved = solve(base, rest, price, coef, weights, cost, elasticity, *args)
        prices.append((*(np.array(a) for a in (base, rest, x, coef, weights, cost)), elasticity))
        return x, unsolved

    def record_hosts(cost, on, scale, **kwargs):
        price, share, converged = host(cost, on, scale, **kwargs)
        hosts.append((np.array(cost), np.array(on), scale, price, converged))
        return price, share, converged

    monkeypatch.setattr(pricing, "solve_prices", record_prices)
    monkeypatch.setattr(hosting, "host_markup_prices", record_hosts)
    model = MarketModel(load_scenario(name), rng=7).run()
    assert model.state.unconverged == 0
    assert len(prices) >= model.steps and hosts  # the newcomers' valuations too
    for base, rest, x, coef, weights, cost, elasticity in prices:
        assert_prices_solve_their_conditions(base, rest, x, coef, weights, cost, elasticity)
    for cost, on, scale, price, converged in hosts:
        residual, limit = host_residuals(cost, on, scale, price)
        assert converged and residual.max() <= limit


# -- 1,000 markets ----------------------------------------------------------------------------


def market_prices(market):
    """A pricing problem over a market of ``test_choice``'s strategy: its mean utilities
    and outside options, with prices, costs, price weights, demand weights and a token
    elasticity drawn from its generator."""
    rng, v, v0, _, _ = market
    n_seg, n_prod = v.shape
    cost = 10.0 ** rng.uniform(-3.0, 1.0, n_prod) * (rng.random(n_prod) < 0.95)
    price = cost * rng.uniform(0.5, 4.0, n_prod) + 1e-3 * rng.random(n_prod)
    coef = 10.0 ** rng.uniform(-1.0, 1.5, n_seg)
    weights = rng.exponential(1.0, n_seg) * 10.0 ** rng.uniform(-2.0, 3.0)
    weights[rng.random(n_seg) < 0.1] = 0.0  # a segment nobody is in yet
    elasticity = float(rng.choice([0.0, -0.3, -0.7, -0.95]))
    return v, price, v0, coef, weights, cost, elasticity


def market_hosts(market):
    """Hosting problems over the same market: 2-5 clouds, each hosting each product with
    probability 3/4, with costs from 1e-3 to 20 $/Mtok and a price scale from 1e-3 to 5."""
    rng, v, _, _, _ = market
    n_clouds = int(rng.integers(2, 6))
    cost = 10.0 ** rng.uniform(-3.0, 1.3, (n_clouds, v.shape[1]))
    hosts = rng.random(cost.shape) < 0.75
    return cost, hosts, float(10.0 ** rng.uniform(-3.0, 0.7))


@settings(max_examples=1000, deadline=None)
@given(market=markets)
def test_solves_converge_in_random_markets(market):
    v, price, v0, coef, weights, cost, elasticity = market_prices(market)
    x, unsolved = pricing.best_response(v, price, v0, coef, weights, cost, elasticity)
    assert unsolved == 0
    base, rest = pricing._prepare_numpy(v, price, v0, coef)
    assert_prices_solve_their_conditions(base, rest, x, coef, weights, cost, elasticity)
    cost, hosts, scale = market_hosts(market)
    several = hosts & (hosts.sum(axis=0) >= 2)[None, :]
    price, share, converged = hosting.host_markup_prices(cost, several, scale)
    residual, limit = host_residuals(cost, several, scale, price)
    assert converged and residual.max(initial=0.0) <= limit
    np.testing.assert_allclose(share.sum(axis=0)[several.any(axis=0)], 1.0, rtol=0, atol=limit)


# -- numba against numpy -----------------------------------------------------------------------


def both_backends(fn, *args, **kwargs):
    out = []
    for backend in ("numba", "numpy"):
        kernels.use(backend)
        out.append(fn(*args, **kwargs))
    kernels.use(None)
    return out


def test_backends_give_the_same_prices(restore_backend):
    # The same iterations and the same order of sums: they differ by the last bit of exp
    # (numpy's own against libm's), carried through the solve by the conditioning of F.
    # Observed on these 300 markets: 3e-15 (prices), 4e-16 (hosting); 1e-10 is the bound
    # the 1e-12 residual allows for a product whose F is flat near its root.
    rng = np.random.default_rng(22)
    for seed in rng.integers(0, 2**32, 300):
        market = random_market(np.random.default_rng(seed))
        v, price, v0, coef, weights, cost, elasticity = market_prices(market)
        (x1, u1), (x2, u2) = both_backends(
            pricing.best_response, v, price, v0, coef, weights, cost, elasticity
        )
        assert u1 == u2 == 0
        np.testing.assert_allclose(x1, x2, rtol=1e-10, atol=0.0)
        cost, hosts, scale = market_hosts(market)
        several = hosts & (hosts.sum(axis=0) >= 2)[None, :]
        (p1, s1, c1), (p2, s2, c2) = both_backends(hosting.host_markup_prices, cost, several, scale)
        assert c1 and c2
        np.testing.assert_allclose(p1, p2, rtol=1e-10, atol=0.0)
        np.testing.assert_allclose(s1, s2, rtol=1e-10, atol=1e-15)
        lone = cost.min(axis=0) * rng.uniform(0.0, 2.0, cost.shape[1])
        paid = both_backends(hosting.host_payments, cost, hosts, lone, p1, s1)
        for a, b in zip(*paid, strict=True):  # the same sums in the same order
            np.testing.assert_array_equal(a, b)


def assert_frames_close(a: pd.DataFrame, b: pd.DataFrame) -> None:
    """Equal labels and non-numeric columns; numbers within a relative 1e-9 (absolute:
    1e-9 of the column's largest magnitude), except the ledger's drift, which is rounding
    itself (about 1e-11 $M): within 1e-6 $M."""
    pd.testing.assert_index_equal(a.columns, b.columns)
    pd.testing.assert_index_equal(a.index, b.index)
    for col in a.columns:
        x, y = a[col].to_numpy(), b[col].to_numpy()
        if x.dtype.kind not in "fiu":
            assert x.tolist() == y.tolist(), col
            continue
        scale = 1e3 if col == "money_drift" else float(np.nanmax(np.abs(x), initial=0.0))
        np.testing.assert_allclose(y, x, rtol=1e-9, atol=1e-9 * scale, err_msg=col)


def test_backends_give_the_same_baseline_run(restore_backend):
    scenario = small_scenario("baseline", developers=2_000)
    runs = both_backends(run_model, scenario, 7, 24)
    assert all(m.state.unconverged == 0 for m in runs)
    for frame in ("market_frame", "vendor_frame"):
        assert_frames_close(getattr(runs[0], frame)(), getattr(runs[1], frame)())
