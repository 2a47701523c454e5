"""The strategy profiles a game runs: every one (``full``), or a candidate profile and
each player's unilateral deviations from it (``deviations``), counted against the game's
run limit before anything is built."""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from typing import TYPE_CHECKING

from aimarket.simulation.errors import ScenarioError

if TYPE_CHECKING:
    from aimarket.experiments.strategy.spec import Game

#: Design kinds: every profile, or a candidate profile and its unilateral deviations.
DESIGNS = ("full", "deviations")


def design_kind(game: Game) -> tuple[str, dict[str, str]]:
    """The design's kind and its candidate profile (player -> strategy name)."""
    design = game.design
    if isinstance(design, str):
        return design, {}
    if not isinstance(design, Mapping):
        raise ScenarioError(f"game '{game.name}': design = {design!r} must be a kind or a table")
    unknown = sorted(set(design) - {"kind", "profile"})
    if unknown:
        raise ScenarioError(f"game '{game.name}': design has unknown key '{unknown[0]}'")
    return str(design.get("kind", "full")), dict(design.get("profile") or {})


def profiles(game, who, players, strategies) -> list[tuple[int, ...]]:
    """Every profile (full design), or a candidate and its unilateral deviations; the
    size is checked against ``max_runs`` from the arithmetic before anything is built."""
    kind, candidate = design_kind(game)
    if kind not in DESIGNS:
        raise ScenarioError(
            f"{who}: design kind {kind!r} is unknown; choose one of: full, deviations"
        )
    sizes = [len(strategies[p]) for p in players]
    full = math.prod(sizes)
    reduced = 1 + sum(k - 1 for k in sizes)
    n = full if kind == "full" else reduced
    if n * game.seeds > game.max_runs:
        shape = " x ".join(map(str, sizes))
        hint = (
            f"; or run only the unilateral deviations from a candidate profile, design = "
            f'{{ kind = "deviations", profile = {{ ... }} }}: {reduced:,} profiles, '
            f"{reduced * game.seeds:,} runs"
            if kind == "full"
            else ""
        )
        raise ScenarioError(
            f"{who} has {shape} = {n:,} profiles x {game.seeds} seeds = {n * game.seeds:,} "
            f"runs, more than the limit of {game.max_runs:,} (raise it with --max-runs{hint})"
        )
    if kind == "full":
        return list(itertools.product(*(range(k) for k in sizes)))
    return deviations(who, players, strategies, candidate)


def deviations(who, players, strategies, candidate) -> list[tuple[int, ...]]:
    for player in candidate:
        if player not in players:
            raise ScenarioError(
                f"{who}: design profile names '{player}', which is not a player; "
                f"players: {', '.join(players)}"
            )
    start = []
    for player in players:
        names = list(strategies[player])
        if player not in candidate:
            raise ScenarioError(f"{who}: design profile gives no strategy for player '{player}'")
        if candidate[player] not in names:
            raise ScenarioError(
                f"{who}: design profile: player '{player}' has no strategy "
                f"{candidate[player]!r}; its strategies: {', '.join(names)}"
            )
        start.append(names.index(candidate[player]))
    out = [tuple(start)]
    for i, player in enumerate(players):
        for k in range(len(strategies[player])):
            if k != start[i]:
                out.append(tuple([*start[:i], k, *start[i + 1 :]]))
    return out
