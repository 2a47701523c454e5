"""The month is the declared tuple of phases.

``MarketModel.step`` calls the method of each phase of ``MarketModel.PHASES`` in order,
and nothing else; the tuple is what ODD section 2.4 lists (tests/test_docs.py).
"""

from __future__ import annotations

import pytest

from aimarket import MarketModel
from aimarket.simulation.schedule import PHASES
from tests.conftest import small_scenario


@pytest.fixture
def model() -> MarketModel:
    """A small baseline two months in: products priced, hosts set, tokens bought."""
    return MarketModel(small_scenario(), rng=3).run(2)


def record_phases(model: MarketModel) -> list[str]:
    """Wrap every phase method of ``model`` so each call is recorded (and still runs)."""
    calls: list[str] = []
    for method in {phase.method for phase in PHASES}:
        original = getattr(model, method)

        def recorded(original=original, method=method):
            calls.append(method)
            return original()

        setattr(model, method, recorded)
    return calls


def test_every_phase_is_a_distinct_method_of_the_model():
    assert [p.name for p in PHASES] == [p.name for p in MarketModel.PHASES]
    assert len({p.name for p in PHASES}) == len(PHASES)
    assert len({p.method for p in PHASES}) == len(PHASES)
    for phase in PHASES:
        assert callable(getattr(MarketModel, phase.method, None)), phase
        assert phase.doc.endswith("."), phase.name


def test_step_runs_exactly_the_phases_of_the_tuple_in_order(model):
    calls = record_phases(model)
    model.step()
    model.step()
    assert calls == [p.method for p in PHASES] * 2
    assert model.steps == 4


def test_step_follows_the_tuple_it_is_given(model):
    """The step has no order of its own: a model given another tuple runs that one."""
    calls = record_phases(model)
    model.PHASES = (PHASES[0], PHASES[-1])
    model.step()
    assert calls == [PHASES[0].method, PHASES[-1].method]
