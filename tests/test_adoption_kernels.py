"""The compiled adoption month (``mechanics/adoption.py``, ``mechanics/logit_table.py``)
against its numpy twin: the same choice tables, choices and counts, bit for bit."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import frame_digest, small_scenario
from hypothesis import given, settings
from hypothesis import strategies as st
from test_choice import random_market

from aimarket import MarketModel
from aimarket.simulation.mechanics import adoption, choice, kernels, logit_table


@pytest.fixture(autouse=True)
def restore_backend():
    yield
    kernels.use(None)


def both_backends(fn):
    """``fn()`` under numba, then under numpy."""
    out = []
    for name in kernels.BACKENDS:
        kernels.use(name)
        out.append(fn())
    return out


# markets with up to 300 products ever added: past numpy's 128-entry summation block
markets = (
    st.integers(0, 2**32 - 1)
    .map(np.random.default_rng)
    .map(lambda rng: random_market(rng, max_products=300))
)


def test_rows_past_numpys_summation_block_are_normalised_in_numpys_order():
    rng = np.random.default_rng(4)
    for width in (1, 7, 8, 9, 16, 127, 128, 129, 130, 257, 300, 1000):
        e = np.exp(rng.normal(0, 8, (3, width))) * (rng.random((3, width)) < 0.5)
        plan = logit_table.sum_plan(width)

        def normalised(e=e, width=width, plan=plan):
            out = np.empty((3, width))
            logit_table.cumulative(e, np.arange(3), np.arange(width), width, plan, out)
            return out

        compiled, fallback = both_backends(normalised)
        assert compiled.tobytes() == fallback.tobytes()


@settings(max_examples=150, deadline=None)
@given(market=markets)
def test_choice_tables_are_the_same_bytes_on_both_backends(market):
    _, v, v0, switching, available = market
    compiled, fallback = both_backends(lambda: choice.choice_table(v, v0, switching, available))
    assert compiled.cdf.tobytes() == fallback.cdf.tobytes()
    assert compiled.options.tolist() == fallback.options.tolist()


@settings(max_examples=150, deadline=None)
@given(market=markets, n=st.integers(0, 3_000))
def test_a_random_population_makes_the_same_choices_on_both_backends_and_full_tables(market, n):
    rng, v, v0, switching, available = market
    n_groups, n_prod = v.shape
    group = np.sort(rng.integers(0, n_groups, n))
    aware = rng.random(n) < rng.random()
    current = np.where(aware, rng.integers(-1, max(n_prod, 1), n), -1) if n_prod else -1
    current = np.broadcast_to(current, n).astype(np.int64)
    uniforms = rng.random((3, n))
    uniforms[:, : n // 50] = np.nextafter(1.0, 0.0)  # the largest uniform number
    rates = np.stack([rng.random(n_groups), rng.random(n_groups) * (rng.random() < 0.9)])

    def month(rows_only=True):
        crowd = [aware.copy(), current.copy(), group, uniforms, rates, available]
        options, states = choice.offer(available)
        rows = adoption.rows_needed(*crowd, states, len(options)) if rows_only else None
        table = choice.choice_table(v, v0, switching, available, rows=rows)
        in_market = np.zeros(n_groups, dtype=np.int64)
        usage = np.zeros((n_groups, n_prod), dtype=np.int64)
        adopters = adoption.adopt(*crowd, table.cdf, table.state, table.options, in_market, usage)
        return [*crowd[:2], in_market, usage, adopters, rows]

    compiled, fallback = both_backends(month)
    for a, b in zip(compiled, fallback, strict=True):
        assert np.array_equal(a, b)
    for a, b in zip(compiled[:5], month(rows_only=False)[:5], strict=True):
        assert np.array_equal(a, b)  # the rows drawn from are all the table needs
    chosen = compiled[1]
    assert compiled[4] == (chosen >= 0).sum() == compiled[3].sum()
    assert available[chosen[chosen >= 0]].all()  # nobody is left on a withdrawn product


def test_group_sums_add_rows_in_order_on_both_backends():
    rng = np.random.default_rng(9)
    values = np.exp(rng.normal(0, 20, (40, 7)))
    index = np.sort(rng.integers(0, 5, 40))

    def summed():
        out = np.zeros((5, 7))
        adoption.group_sum(values, index, out)
        return out

    compiled, fallback = both_backends(summed)
    assert compiled.tobytes() == fallback.tobytes()


def test_a_baseline_run_is_the_same_bytes_with_either_adoption_backend():
    """24 months of the baseline, the adoption phase on numba in one model and on numpy
    in the other (the other phases as the process chooses): same developers every month,
    same frames."""
    scenario = small_scenario("baseline", developers=3_000)
    models = {name: MarketModel(scenario, rng=12) for name in kernels.BACKENDS}
    for name, model in models.items():
        phase = model.adoption

        def adopt_on(name=name, phase=phase):
            kernels.use(name)
            try:
                phase()
            finally:
                kernels.use(None)

        model.adoption = adopt_on
    for _ in range(24):
        for model in models.values():
            model.step()
        compiled, fallback = (m.developers for m in models.values())
        assert np.array_equal(compiled.choice, fallback.choice)
        assert np.array_equal(compiled.aware, fallback.aware)
        assert compiled.group_tokens.tobytes() == fallback.group_tokens.tobytes()
    frames = [(m.market_frame(), m.vendor_frame()) for m in models.values()]
    assert [frame_digest(f) for f in frames[0]] == [frame_digest(f) for f in frames[1]]
    assert compiled.adopters > 0
