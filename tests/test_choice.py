"""The developers' choice kernel (``simulation/choice.py``) against its definition.

The definition: cumulative logit probabilities over every product ever added (withdrawn
ones at V = -inf), one row per (segment, current product), and a developer draws the
first column whose entry is not below its uniform number, found by comparing against
every column. The kernel keeps only the products on offer and searches the row by
bisection; both must give the same floats and the same draws.
"""

from __future__ import annotations

import numpy as np
from conftest import run_model, small_scenario
from hypothesis import given, settings
from hypothesis import strategies as st

from aimarket.simulation.mechanics import choice

BELOW_ONE = np.nextafter(1.0, 0.0)  # the largest uniform number numpy draws
ABOVE_ONE = np.nextafter(1.0, 2.0)


def full_width_cdf(v: np.ndarray, v0: np.ndarray, switching_cost: np.ndarray) -> np.ndarray:
    """The definition, shape (S, J + 1, J + 1): [segment, current + 1, option + 1] over
    every product, whatever its availability (the engine's table before it kept only the
    products on offer)."""
    n_prod = v.shape[1]
    full = np.concatenate([v0[:, None], v], axis=1)
    u = np.repeat(full[:, None, :], n_prod + 1, axis=1)
    move = np.ones((n_prod + 1, n_prod + 1), dtype=bool)
    move[0, :] = False
    move[:, 0] = False
    np.fill_diagonal(move, False)
    u = u - switching_cost[:, None, None] * move[None, :, :]
    top = np.max(u, axis=-1, keepdims=True)
    top = np.where(np.isfinite(top), top, 0.0)
    e = np.exp(u - top)
    total = e.sum(axis=-1, keepdims=True)
    cdf = np.cumsum(e / np.where(total > 0, total, 1.0), axis=-1)
    cdf[cdf[..., -1] == 0.0] = 1.0
    cdf[..., -1] = 1.0
    return cdf


def linear_draw(cdf: np.ndarray, row: np.ndarray, uniform: np.ndarray) -> np.ndarray:
    """The column drawn, by comparing each uniform number against every column."""
    return (cdf[row] < uniform[:, None]).sum(axis=1)


# -- the bisection draw ------------------------------------------------------------------


@st.composite
def cdf_tables(draw) -> np.ndarray:
    """Tables whose rows are CDFs as the engine builds them: nondecreasing entries below
    1 (with ties, within a row and across rows), then entries of 1 or a rounding above it
    in any order, often ending at exactly 1; or all 1 (nothing to choose)."""
    width = draw(st.integers(1, 70))
    n_rows = draw(st.integers(1, 5))
    below_one = st.floats(0.0, 1.0, exclude_max=True)
    shared = draw(st.lists(below_one, min_size=1, max_size=4))
    rows = []
    for _ in range(n_rows):
        k = draw(st.integers(0, width))
        head = draw(st.lists(st.sampled_from(shared) | below_one, min_size=k, max_size=k))
        tail = draw(
            st.lists(st.sampled_from([1.0, ABOVE_ONE, 1.5]), min_size=width - k, max_size=width - k)
        )
        if tail and draw(st.booleans()):
            tail[-1] = 1.0
        rows.append(sorted(head) + tail)
    return np.array(rows, dtype=float)


@settings(max_examples=300, deadline=None)
@given(data=st.data(), cdf=cdf_tables())
def test_bisection_draws_the_column_a_comparison_with_every_column_draws(data, cdf):
    n_rows, width = cdf.shape
    entries = sorted({float(x) for x in cdf.ravel() if x < 1.0})
    uniform = st.floats(0.0, 1.0, exclude_max=True) | st.sampled_from(
        [0.0, BELOW_ONE, *entries]  # ties: a uniform number equal to an entry
    )
    draws = data.draw(st.lists(st.tuples(st.integers(0, n_rows - 1), uniform), max_size=40))
    row = np.array([r for r, _ in draws], dtype=np.int64)
    u = np.array([x for _, x in draws], dtype=float)
    drawn = choice.inverse_cdf(cdf, row, u)
    assert drawn.tolist() == linear_draw(cdf, row, u).tolist()
    assert ((drawn >= 0) & (drawn <= width)).all()


def test_bisection_at_power_of_two_widths_and_their_neighbours():
    rng = np.random.default_rng(5)
    for width in (1, 2, 3, 4, 7, 8, 9, 31, 32, 33, 64, 65, 128):
        p = rng.random((4, width)) * (rng.random((4, width)) < 0.6)  # many zero steps
        cdf = np.cumsum(p, axis=1) / max(p.sum(axis=1).max(), 1e-300)
        cdf[:, -1] = 1.0
        row = rng.integers(0, 4, 500)
        u = np.concatenate([rng.random(497), [0.0, BELOW_ONE, cdf[0, 0]]])
        assert choice.inverse_cdf(cdf, row, u).tolist() == linear_draw(cdf, row, u).tolist()


# -- the table over products on offer ----------------------------------------------------


def random_market(rng: np.random.Generator, max_products: int = 45):
    """Mean utilities of a market where some products were withdrawn (V = -inf, as
    ``choice.mean_utilities`` makes them) and now and then one on offer is worth -inf;
    returns (rng, v, v0, switching costs, available)."""
    n_seg = int(rng.integers(1, 5))
    n_prod = int(rng.integers(0, max_products))
    scale = rng.choice([0.1, 1.0, 5.0, 30.0])  # up to probabilities far below rounding
    v = rng.normal(0.0, scale, (n_seg, n_prod))
    available = rng.random(n_prod) < rng.random()
    v[:, ~available] = -np.inf
    if n_prod and rng.random() < 0.2:
        v[:, rng.integers(n_prod)] = -np.inf
    v0 = rng.normal(0.0, scale, n_seg)
    if rng.random() < 0.2:  # outside option switched off
        v0[:] = -np.inf
    switching = rng.exponential(1.0, n_seg) * (rng.random() < 0.8)
    return rng, v, v0, switching, available


markets = st.integers(0, 2**32 - 1).map(np.random.default_rng).map(random_market)


@settings(max_examples=200, deadline=None)
@given(market=markets)
def test_table_over_products_on_offer_has_the_full_width_floats(market):
    _, v, v0, switching, available = market
    n_seg = v.shape[0]
    table = choice.choice_table(v, v0, switching, available)
    cols = np.concatenate([[0], np.flatnonzero(available) + 1])
    assert table.options.tolist() == (cols - 1).tolist()
    width = len(cols)
    got = table.cdf.reshape(n_seg, width, width)
    want = full_width_cdf(v, v0, switching)[:, cols][:, :, cols]
    # Bit for bit, except where the full-width table ends on a withdrawn product: then
    # its last 1.0 is there and this table's is on the last product on offer.
    assert got[..., :-1].tobytes() == want[..., :-1].tobytes()
    assert (got[..., -1] == 1.0).all()
    if available.all():
        assert got.tobytes() == want.tobytes()


@settings(max_examples=200, deadline=None)
@given(market=markets)
def test_draws_over_products_on_offer_match_the_full_width_draws(market):
    rng, v, v0, switching, available = market
    n_seg, n_prod = v.shape
    on_offer = np.concatenate([[choice.NONE], np.flatnonzero(available)])
    n = 2_000
    segment = rng.integers(0, n_seg, n)
    current = rng.choice(on_offer, n)
    u = rng.random(n)
    drawn = choice.choice_table(v, v0, switching, available).draw(segment, current, u)
    rows = segment * (n_prod + 1) + current + 1
    full = full_width_cdf(v, v0, switching).reshape(n_seg * (n_prod + 1), n_prod + 1)
    assert drawn.tolist() == (linear_draw(full, rows, u) - 1).tolist()


# -- withdrawn products ------------------------------------------------------------------


def test_a_uniform_number_just_below_one_never_draws_a_withdrawn_product():
    # Two products on offer and a withdrawn third: the probabilities on offer sum to
    # 1 - 2**-52 after rounding, so the full-width table's last column (the withdrawn
    # product, set to 1) is the first one not below the largest uniform number.
    v = np.array([[2.0, 0.6, -np.inf]])
    v0 = np.array([0.0])
    k = np.array([0.0])
    available = np.array([True, True, False])
    u = np.array([BELOW_ONE])
    full = full_width_cdf(v, v0, k)[0]
    assert linear_draw(full, np.array([0]), u)[0] - 1 == 2  # the definition's edge
    table = choice.choice_table(v, v0, k, available)
    for current in (choice.NONE, 0, 1):
        assert table.draw(np.array([0]), np.array([current]), u).tolist() == [1]


def test_no_developer_is_left_on_a_withdrawn_product_after_choosing():
    # openai opens its weights in month 30: its API model is withdrawn under its users
    opens = {"new": True, "kind": "policy_pivot", "step": 30, "vendor": "openai", "policy": "open"}
    scenario = small_scenario("timeline", developers=2_000, shocks__openai_opens=opens)
    model = run_model(scenario, seed=3, steps=0)
    adoption = model.adoption
    stranded = []

    def checked_adoption():
        dev, products = model.developers, model.products
        on = dev.choice >= 0
        stranded.append(int((~products.available[dev.choice[on]]).sum()))
        adoption()
        on = dev.choice >= 0
        assert products.available[dev.choice[on]].all(), model.steps

    model.adoption = checked_adoption
    model.run(120)
    assert sum(stranded) > 0  # withdrawals did strand users, who all chose again
