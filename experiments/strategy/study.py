"""The committed strategy study on the calibrated model (``docs/strategy.md``).

    python -m aimarket.experiments.strategy.study [--workers 2] [--out results/strategy-study]

Runs the two shipped specs at full size: the release game
(``experiments/examples/release_game.toml``: the platform, a closed lab and an open-lagged
startup, 20 paired seeds, 10,000 developers, 120 months) and the search for the platform's
switch time (``experiments/examples/switch_time.toml``). Both are stored under ``--out``
and resume like any game or search. It then writes the study's tables between the
``study`` markers of ``docs/strategy.md`` and its two figures into ``docs/figures/``. The
prose around the markers, what the study says and what it rests on, is written by hand
from them.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from aimarket.experiments.analysis.figures.common import save
from aimarket.experiments.strategy.figures import payoff_heatmap
from aimarket.experiments.strategy.game import GameResults
from aimarket.experiments.strategy.optimize import SearchResult, optimize
from aimarket.experiments.strategy.report import (
    _best_lines,
    payoff_lines,
    summary_lines,
)
from aimarket.experiments.strategy.search_figures import plot_levers
from aimarket.experiments.strategy.spec import Game
from aimarket.simulation.errors import ScenarioError
from aimarket.simulation.files import atomic_write_bytes

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "experiments" / "examples"
GAME, SEARCH = EXAMPLES / "release_game.toml", EXAMPLES / "switch_time.toml"
DOC = REPO / "docs" / "strategy.md"
FIGURES = REPO / "docs" / "figures"
BEGIN, END = "<!-- study:begin -->", "<!-- study:end -->"
COMMAND = "python -m aimarket.experiments.strategy.study --workers 2"


def search_lines(search: SearchResult) -> list[str]:
    """The best switch time and the candidates nearest it in value."""
    ev = search.evaluations[search.evaluations["state"] == "ok"]
    lever, col = search.problem.levers[0].name, search.problem.names[0]
    best = ev[ev["best"]].iloc[0]
    # the sampler may propose a month again (a repeat is the same runs): one row a month
    top = ev.drop_duplicates(lever).sort_values(col, ascending=False).head(8)
    shown = top[[lever, col, f"{col}_lo", f"{col}_hi"]].rename(
        columns={lever: "switch month", col: "mean", f"{col}_lo": "lo", f"{col}_hi": "hi"}
    )
    return [
        f"{len(ev)} candidates of `{lever}`, each on the same {int(best['seeds'])} seeds; "
        f"the best: month **{int(best[lever])}**, the platform's firm value "
        f"{best[col]:,.0f} $M ({best[f'{col}_lo']:,.0f} to {best[f'{col}_hi']:,.0f}, 95% over "
        "seeds). The eight best months:",
        "",
        shown.to_markdown(index=False, floatfmt=",.0f"),
    ]


def block(results: GameResults, search: SearchResult) -> str:
    """The generated part of the study's section."""
    return "\n".join([
        f"Made by `{COMMAND}` (the game and the search resume from `results/strategy-study`).",
        "",
        *(f"- {line}" for line in summary_lines(results)),
        "",
        "**Payoffs** (each player's firm value at month 120 or at its exit, $M: mean [95% "
        "interval over seeds]), each profile's regret and the probability, over bootstrap "
        "resamples of the seeds, that it is a pure equilibrium:",
        "",
        *payoff_lines(results),
        "",
        "![the release game's payoff table](figures/strategy_payoffs.png)",
        "",
        "**Best responses** (per player, against each profile of the others; probability "
        "that it stays the best under seed noise):",
        "",
        *_best_lines(results),
        "",
        "**When to close** (`switch_time.toml`, optuna's TPE):",
        "",
        *search_lines(search),
        "",
        "![the platform's value by switch month](figures/strategy_switch.png)",
    ])  # fmt: skip


def write_block(text: str, doc: Path = DOC) -> None:
    body = doc.read_text(encoding="utf-8")
    if BEGIN not in body or END not in body:
        raise SystemExit(f"error: {doc} lacks the study markers {BEGIN} ... {END}")
    head, rest = body.split(BEGIN, 1)
    tail = rest.split(END, 1)[1]
    atomic_write_bytes(doc, (head + BEGIN + "\n" + text + "\n" + END + tail).encode())


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m aimarket.experiments.strategy.study",
                                description=__doc__.splitlines()[0])  # fmt: skip
    p.add_argument("--workers", type=int, default=2, help="processes (at least 1)")
    p.add_argument("--out", type=Path, default=Path("results/strategy-study"),
                   help="where the game and the search are stored (resumable)")  # fmt: skip
    args = p.parse_args(argv)
    if args.workers < 1:
        p.error("--workers must be at least 1")
    try:
        game = Game.from_toml(GAME)
        summary, results = game.run(args.out / "game", workers=args.workers)
        if results is None or summary.exit_code:
            print("the game did not finish; run the same command again to resume", file=sys.stderr)
            return summary.exit_code or 1
        search = optimize(SEARCH, args.out / "switch", workers=args.workers)
    except ScenarioError as err:  # e.g. a folder of other code: one line, nothing run
        print(f"error: {err}", file=sys.stderr)
        return 2
    if search.exit_code:
        print("the search did not finish; run the same command again to resume", file=sys.stderr)
        return search.exit_code
    FIGURES.mkdir(parents=True, exist_ok=True)
    save(payoff_heatmap(results.table, results.analysis), FIGURES / "strategy_payoffs.png")
    save(plot_levers(search), FIGURES / "strategy_switch.png")
    write_block(block(results, search))
    print(f"wrote the study into {DOC} and its figures into {FIGURES}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
