"""The committed strategy study's generated section (``aimarket.experiments.strategy.study``):
what it writes from a game and a search, and where, on function models (the study itself
runs the market at full size and is not run in CI)."""

from __future__ import annotations

import pytest

from aimarket.experiments.strategy import study
from aimarket.experiments.strategy.optimize import optimize
from aimarket.experiments.strategy.search_spec import OptimizeSpec
from aimarket.experiments.strategy.spec import Game

STAG = {("S", "S"): (4, 4), ("S", "H"): (0, 3), ("H", "S"): (3, 0), ("H", "H"): (3, 3)}


def stag(row, col, rng):
    a, b = STAG[(row, col)]
    return {"row": a + rng.normal(0, 0.01), "col": b + rng.normal(0, 0.01)}


def peak(t, rng):
    return 50.0 - (t - 7) ** 2 + rng.normal(0.0, 0.01)


def _inputs(tmp_path):
    game = Game(name="stag", model=stag, players={"row": ["S", "H"], "col": ["S", "H"]}, seeds=3)
    _, results = game.run(tmp_path / "game", executor="serial", progress=False)
    spec = OptimizeSpec(name="peak", model=peak, levers={"t": [0, 12]},
                        objectives=[{"outcome": "peak"}], seeds=2, budget=13, startup=13,
                        sampler="random")  # fmt: skip
    return results, optimize(spec, progress=False)


def test_the_block_names_both_equilibria_the_payoffs_and_the_best_switch(tmp_path):
    results, search = _inputs(tmp_path)
    text = study.block(results, search)
    assert "pure equilibrium: row=S,col=S" in text and "pure equilibrium: row=H,col=H" in text
    assert "| profile" in text and "P(equilibrium)" in text
    best = search.best.iloc[0]
    assert f"month **{int(best['t'])}**" in text
    assert int(best["t"]) == int(search.evaluations.loc[search.evaluations["peak"].idxmax(), "t"])
    assert "figures/strategy_payoffs.png" in text and "figures/strategy_switch.png" in text


def test_the_block_replaces_only_what_is_between_the_markers(tmp_path):
    doc = tmp_path / "strategy.md"
    doc.write_text(f"intro\n{study.BEGIN}\nold\n{study.END}\nafter\n", encoding="utf-8")
    study.write_block("new table", doc)
    assert doc.read_text() == f"intro\n{study.BEGIN}\nnew table\n{study.END}\nafter\n"
    bare = tmp_path / "bare.md"
    bare.write_text("no markers\n", encoding="utf-8")
    with pytest.raises(SystemExit, match="lacks the study markers"):
        study.write_block("x", bare)
