"""The game's section of the report: ``DIR/report/report.md`` with the payoff table,
the equilibria and best responses with their probabilities, mixed equilibria and the
heat map (``aimarket game`` writes it; ``aimarket report DIR`` writes it again)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from aimarket.experiments.analysis.figures.common import save
from aimarket.experiments.strategy.figures import payoff_heatmap
from aimarket.experiments.strategy.game import GameResults, load_game_results
from aimarket.simulation.files import atomic_write_bytes


def _cell(row: pd.Series) -> str:
    return f"{row['mean']:.4g} [{row['lo']:.4g}, {row['hi']:.4g}]"


def payoff_lines(results: GameResults) -> list[str]:
    """The payoff table: per profile, each player's mean payoff and interval, the regret
    and the probability that the profile is an equilibrium."""
    pay = results.payoffs
    wide = pay.assign(cell=pay.apply(_cell, axis=1)).pivot(
        index="profile", columns="player", values="cell"
    )
    prof = results.profiles.set_index("profile")
    wide = wide.loc[prof.index, results.record["players"]]
    wide["regret"] = prof["regret"].map(lambda x: f"{x:.4g}")
    wide["P(equilibrium)"] = prof["probability"].map(lambda x: f"{x:.2f}")
    return [wide.reset_index().to_markdown(index=False)]


def summary_lines(results: GameResults) -> list[str]:
    """A few lines: the pure equilibria with their probabilities, the most likely
    profile, and the mixed equilibria of a two-player game."""
    rec, prof = results.record, results.profiles
    k = int(rec.get("scenarios", 1))
    n = results.table.samples.shape[2] // k
    lines = [
        f"game '{rec['name']}': {len(rec['players'])} players, {len(prof)} profiles x "
        f"{n} paired seeds" + (f" x {k} scenarios" if k > 1 else "")
    ]
    eq = results.equilibria
    if eq.empty:
        lines.append("pure equilibria: none")
    for _, row in eq.iterrows():
        lines.append(
            f"pure equilibrium: {row['profile']} "
            f"(probability {row['probability']:.2f} under seed noise)"
        )
    likely = prof.sort_values(["probability", "regret"], ascending=[False, True]).iloc[0]
    lines.append(
        f"most often an equilibrium: {likely['profile']} ({likely['probability']:.2f}); "
        f"least regret {prof['regret'].min():.4g}"
    )
    mixed = results.mixed
    mixed = mixed[~mixed["pure"].astype(bool)] if not mixed.empty else mixed
    for e, block in mixed.groupby("equilibrium"):
        parts = [
            f"{player}: "
            + ", ".join(
                f"{s}={p:.3f}" for s, p in zip(g["strategy"], g["probability"], strict=True)
            )
            for player, g in block.groupby("player", sort=False)
        ]
        lines.append(f"mixed equilibrium {e}: " + "; ".join(parts))
    if not results.robust_profiles.empty:
        rp = results.robust_profiles.sort_values("share_equilibrium", ascending=False).iloc[0]
        lines.append(
            f"across {rp['scenarios']} scenarios: most often an equilibrium {rp['profile']} "
            f"(in {rp['share_equilibrium']:.0%} of them)"
        )
    lines += [f"note: {x}" for x in results.notes]
    return lines


def _best_lines(results: GameResults) -> list[str]:
    br = results.best_responses
    best = br[br["best"]][["player", "against", "strategy", "payoff", "probability"]]
    return [best.to_markdown(index=False, floatfmt=".4g")] if not best.empty else ["(none)"]


def _robust_lines(results: GameResults) -> list[str]:
    if results.robust_profiles.empty:
        return []
    n = results.record.get("scenarios")
    return [
        f"## Across the {n} scenarios",
        "",
        "Per profile: the share of scenarios in which it is a pure equilibrium, the mean "
        "of its probability, its mean and largest regret. Per strategy: its payoff averaged "
        "over the others' strategies (mean over scenarios, and worst decile), its regret "
        "(mean and largest over scenarios) and the share of cases it is a best response.",
        "",
        results.robust_profiles.to_markdown(index=False, floatfmt=".4g"),
        "",
        results.robust_strategies.to_markdown(index=False, floatfmt=".4g"),
        "",
    ]


def write_game_report(results: GameResults | str | Path, out: str | Path | None = None) -> Path:
    """Write ``report.md`` and ``payoffs.png`` for a game's results folder; its path."""
    if not isinstance(results, GameResults):
        results = load_game_results(results)
    out = Path(out) if out is not None else results.path / "report"
    out.mkdir(parents=True, exist_ok=True)
    figure = save(payoff_heatmap(results.table, results.analysis), out / "payoffs.png")
    rec = results.record
    payoffs = ", ".join(f"{p}: {m}" for p, m in rec["payoffs"].items())
    lines = [
        f"# Game: {rec['name']}",
        "",
        rec.get("description") or "",
        "",
        *[f"- {x}" for x in summary_lines(results)],
        f"- payoffs: {payoffs}" if not rec["function_model"] else "- payoffs: the function model's",
        f"- design: {rec['design']}",
        "",
        "## Payoff table",
        "",
        "Mean payoff over the paired seeds with its 95% t interval, per player; regret: the "
        "most a player gains by deviating alone; P(equilibrium): the share of bootstrap "
        "resamples of the seeds in which the profile is a pure equilibrium.",
        "",
        *payoff_lines(results),
        "",
        "## Best responses",
        "",
        "Each player's best strategy against each profile of the others, with the "
        "probability that it is a best response under seed noise.",
        "",
        *_best_lines(results),
        "",
    ]
    if not results.mixed.empty:
        lines += ["## Equilibria in mixed strategies (nashpy)", ""]
        lines += [results.mixed.to_markdown(index=False, floatfmt=".4g"), ""]
    lines += _robust_lines(results)
    lines += ["## Figure", "", f"![payoffs]({figure.name})", "", "*" + _CAPTION + "*", ""]
    report = out / "report.md"
    atomic_write_bytes(report, "\n".join(lines).encode())
    return report


_CAPTION = (
    "Payoff table: each cell is a profile with the players' mean payoffs; colour: its "
    "regret (white: an equilibrium); framed: a pure equilibrium and its probability; "
    "arrows: a player's best response to the others (blue: rows, red: columns)."
)
