"""Every value a record allows runs without a traceback (issue 25, acceptance 10): each
numeric field at both ends of its declared range, one at a time, and the pairs of fields
that enter one formula at all four corners, with the invariants of
``tests/test_properties.py`` checked after every month. Random draws reach these corners
only by chance; this test visits them every time."""

from __future__ import annotations

import itertools

import pytest
from test_properties import FIELDS, VARIED, concrete_paths, run_and_check

from aimarket import load_scenario

SMALL = {"developers.count": 50, "steps": 3}

#: Fields that enter one formula together (their corners are where a formula can break:
#: a division, an exponent, a logarithm of a ratio).
PAIRS = [
    ("innovation.compute_scale", "vendors.google.capability"),  # exp((q - 1) / kappa)
    ("innovation.compute_scale", "innovation.frontier_stock"),
    ("innovation.efficiency_growth", "vendors.openai.rd_horizon"),
    ("innovation.imitation_speed", "innovation.imitation_capacity"),
    ("market.volume_growth", "market.volume_growth_halflife"),
    ("market.volume_growth_long", "market.volume_growth_halflife"),
    ("market.token_elasticity", "market.reference_price"),
    ("market.token_elasticity", "developers.segments.startup.price_weight"),
    ("market.host_sensitivity", "developers.segments.hobbyist.price_weight"),
    ("market.serving_cost", "market.compute_cost_decline"),
    ("innovation.community_quality", "innovation.community_cap"),
    ("innovation.community_efficiency", "innovation.min_efficiency"),
    ("entry.erosion", "entry.lp_elasticity"),
    ("entry.powder_months", "entry.deal_share"),
    ("entry.runway", "entry.burn"),
]


def _ends(pattern: str) -> list:
    field, tp = FIELDS[pattern]
    lo, hi = field.metadata.get("lo"), field.metadata.get("hi")
    if tp not in (int, float) or lo is None or hi is None:
        return []
    return [tp(lo), tp(hi)]


def _first_of_each(patterns) -> list[tuple[str, str]]:
    """One concrete path per pattern (the first named record it applies to)."""
    seen, out = set(), []
    for path, pattern in concrete_paths(patterns):
        if pattern not in seen:
            seen.add(pattern)
            out.append((path, pattern))
    return out


ENDS = [
    (path, value)
    for path, pattern in _first_of_each(VARIED)
    if not pattern.startswith("developers.segments.<name>.share")
    for value in _ends(pattern)
]


@pytest.mark.parametrize(("path", "value"), ENDS, ids=[f"{p}={v:g}" for p, v in ENDS])
def test_each_field_runs_at_both_ends_of_its_range(path, value):
    run_and_check(load_scenario("baseline", {**SMALL, path: value}), seed=1)


def _pattern_of(path: str) -> str:
    parts = path.split(".")
    for pattern in FIELDS:
        bits = pattern.split(".")
        if len(bits) == len(parts) and all(
            b in ("<name>", p) for b, p in zip(bits, parts, strict=True)
        ):
            return pattern
    raise KeyError(path)


CORNERS = [
    (a, x, b, y)
    for a, b in PAIRS
    for x, y in itertools.product(_ends(_pattern_of(a)), _ends(_pattern_of(b)))
]


@pytest.mark.parametrize(
    ("a", "x", "b", "y"), CORNERS, ids=[f"{a}={x:g},{b}={y:g}" for a, x, b, y in CORNERS]
)
def test_fields_of_one_formula_run_at_every_corner(a, x, b, y):
    run_and_check(load_scenario("baseline", {**SMALL, a: x, b: y}), seed=1)


def test_every_numeric_field_is_visited():
    numeric = {p for p in VARIED if _ends(p)}
    visited = {pattern for _, pattern in _first_of_each(VARIED) if _ends(pattern)}
    assert numeric == visited and len(ENDS) >= 2 * (len(numeric) - 1)
