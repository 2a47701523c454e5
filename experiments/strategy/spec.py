"""The game spec: players, their strategy sets and payoffs, the market and the seeds.

A game is declared as a TOML file (``experiments/examples/release_game.toml``) or, in
Python, as a :class:`Game`. Each player is a vendor of the base scenario; each of its
strategies is a table of overrides of that vendor's table (``policy = "open_then_closed"``,
``switch_step = 24``), or just a release policy's name; its payoff is a per-vendor metric
(:data:`aimarket.simulation.metrics.VENDORS`, by default ``firm_value``) read in the
vendor's last month in the market (at exit, if it exits). A game may instead name a
function model (Python only): a top-level function taking each player's strategy name
by the player's name (plus fixed ``arguments`` and ``rng``) and returning each player's
payoff in a dict; this is how the analysis is docked against games with known answers.

:meth:`Game.plan` checks everything and lays the game out as a
:class:`~aimarket.experiments.engine.spec.Sweep` (each strategy profile a policy, the
seeds its replicates, shared by every profile) in a :class:`GamePlan`; a problem is one
ScenarioError naming it, before anything runs.
"""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aimarket.experiments.engine import checks
from aimarket.experiments.engine.outcomes import function_ref
from aimarket.experiments.engine.plan import Plan
from aimarket.experiments.engine.spec import Sweep, known_fields, load_file, quick_changes
from aimarket.experiments.strategy.game import run_game
from aimarket.experiments.strategy.profiles import design_kind
from aimarket.experiments.strategy.profiles import profiles as game_profiles
from aimarket.simulation import metrics
from aimarket.simulation.errors import ScenarioError
from aimarket.simulation.files import read_toml
from aimarket.simulation.merging import flatten
from aimarket.simulation.policies import POLICIES
from aimarket.simulation.scenarios import load_scenario

#: The most runs (profiles x seeds) a game may have unless told otherwise (--max-runs).
MAX_RUNS = 5000
#: The default payoff of every player: its firm value (discounted profits plus terminal).
DEFAULT_PAYOFF = "firm_value"
#: What a game's ``quick`` table may replace (``--quick``).
QUICK_KEYS = ("seeds", "steps", "developers", "overrides", "seed")
#: Market outcomes every run of a market game also keeps, for context (the payoffs are
#: read from the vendor series).
CONTEXT = ("developer_surplus", "open_token_share", "closed_margin", "entrants")
#: Vendor metrics that are not numbers, so no payoff.
NOT_NUMERIC = ("name", "business_model", "policy")


def payoff_metrics() -> list[str]:
    """The per-vendor metrics a payoff may be."""
    return [m for m in metrics.VENDORS.names() if m not in NOT_NUMERIC]


@dataclass(frozen=True)
class Game:
    """An empirical game over release policies (see the module docstring).

    ``players``: vendor name -> ``{"strategies": {name: {overrides}} or [policy names],
    "payoff": metric}``. ``payoff``: every player's default metric. ``seeds``: paired seeds
    per profile. ``developers``, ``steps``: market size and months. ``design``: ``"full"``
    or ``{"kind": "deviations", "profile": {player: strategy}}``. ``model``: a function
    model instead of the market (its ``arguments`` fixed). ``max_runs``: the size limit.
    ``uncertainties`` and ``scenarios``: a set of scenarios (a sweep's uncertainties and
    design, ``{"kind": "lhs", "n": 8}`` or ``{"kind": "posterior", "n": 8}``) every
    profile runs in, on the same seeds (:mod:`aimarket.experiments.strategy.robustness`).
    """

    name: str = "game"
    players: Mapping[str, Any] = field(default_factory=dict)
    base: str = "baseline"
    overrides: Mapping[str, Any] = field(default_factory=dict)
    payoff: str = DEFAULT_PAYOFF
    seeds: int = 10
    seed: int = 0
    steps: int | None = None
    developers: int | None = None
    design: str | Mapping[str, Any] = "full"
    max_runs: int = MAX_RUNS
    quick: Mapping[str, Any] | None = None
    description: str = ""
    model: Callable | None = None
    arguments: Mapping[str, Any] = field(default_factory=dict)
    uncertainties: Mapping[str, Any] | Sequence[Any] = field(default_factory=dict)
    scenarios: str | Mapping[str, Any] = "grid"

    def variant(self, *, quick: bool = False, **changes: Any) -> Game:
        """This game in quick mode and/or with fields replaced (None: kept)."""
        game = self
        if quick and self.quick:
            who = f"game '{self.name}'"
            changes_q = quick_changes(who, self.quick, QUICK_KEYS, self.overrides)
            game = dataclasses.replace(game, **changes_q)
        return dataclasses.replace(game, **{k: v for k, v in changes.items() if v is not None})

    def plan(self) -> GamePlan:
        """Check everything and lay the game out as a sweep; ScenarioError on a bad spec."""
        return GamePlan.build(self)

    def run(self, out: str | Path, **options: Any):
        """Run the game into the results folder ``out`` (resumable) and analyse it:
        :func:`aimarket.experiments.strategy.game.run_game`."""
        return run_game(self, out, **options)

    @classmethod
    def from_toml(cls, path: str | Path) -> Game:
        return cls.from_dict(read_toml(path, "game"), root=Path(path).parent)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], root: Path | None = None) -> Game:
        known = {f.name for f in dataclasses.fields(cls)} - {"model"}
        return cls(**known_fields(data, known, "game", root))


def load_game(path: str | Path) -> Game:
    """A game from a ``.toml`` file or a ``.py`` script defining ``game = Game(...)``."""
    return load_file(path, Game, "game", ("game",))


@dataclass
class GamePlan:
    """A checked game: its players, strategies (name -> overrides or arguments), payoff
    metrics, profiles (tuples of strategy indices) and the sweep that runs them."""

    game: Game
    players: list[str]
    strategies: dict[str, dict[str, dict[str, Any]]]
    payoffs: dict[str, str]
    profiles: list[tuple[int, ...]]
    sweep: Sweep
    sweep_plan: Plan

    @classmethod
    def build(cls, game: Game) -> GamePlan:
        who = f"game '{game.name}'"
        checks.check_name(game.name, "game")
        _check_numbers(game, who)
        players, strategies = _players(game, who)
        if game.model is None:
            payoffs = _market_players(game, who, players, strategies)
        else:
            payoffs = _function_players(game, who, players, strategies)
        profiles = game_profiles(game, who, players, strategies)
        names = {p: list(strategies[p]) for p in players}
        policies = {}
        for prof in profiles:
            label = ",".join(f"{p}={names[p][k]}" for p, k in zip(players, prof, strict=True))
            policies[label] = {
                key: value
                for p, k in zip(players, prof, strict=True)
                for key, value in strategies[p][names[p][k]].items()
            }
        sweep = _sweep(game, policies)
        try:
            sweep_plan = sweep.plan()
        except ScenarioError as exc:
            raise checks.prefix_error(who, exc) from None
        if len(sweep_plan) > game.max_runs:
            raise ScenarioError(
                f"{who} has {len(profiles):,} profiles x {game.seeds} seeds x "
                f"{len(sweep_plan.points):,} scenarios = {len(sweep_plan):,} runs, more than "
                f"the limit of {game.max_runs:,} (raise it with --max-runs, or use fewer "
                "scenarios or the deviation design)"
            )
        return cls(game, players, strategies, payoffs, profiles, sweep, sweep_plan)

    def record(self) -> dict[str, Any]:
        """What the results folder keeps of the game (``game.json``): enough to analyse it."""
        return {
            "name": self.game.name,
            "description": self.game.description,
            "players": self.players,
            "strategies": {p: list(s) for p, s in self.strategies.items()},
            "payoffs": self.payoffs,
            "profiles": [list(p) for p in self.profiles],
            "function_model": self.game.model is not None,
            "design": design_kind(self.game)[0],
            "seeds": int(self.game.seeds),
            "scenarios": len(self.sweep_plan.points),
            "parameters": [u.name for u in self.sweep_plan.uncertainties],
        }


def _check_numbers(game: Game, who: str) -> None:
    for name, low in (("seeds", 2), ("max_runs", 1)):
        value = getattr(game, name)
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise ScenarioError(f"{who}: {name} = {value!r} must be an integer >= {low}")
    if game.developers is not None and (
        isinstance(game.developers, bool) or not isinstance(game.developers, int)
    ):
        raise ScenarioError(f"{who}: developers = {game.developers!r} must be an integer")


def _players(game: Game, who: str) -> tuple[list[str], dict[str, dict[str, dict]]]:
    """The players and each one's strategies as name -> overrides of its own table."""
    if not isinstance(game.players, Mapping) or len(game.players) < 2:
        raise ScenarioError(f"{who}: players must name at least two players (vendors)")
    strategies = {}
    for player, entry in game.players.items():
        checks.check_name(player, "player")
        entry = entry if isinstance(entry, Mapping) else {"strategies": entry}
        unknown = sorted(set(entry) - {"strategies", "payoff"})
        if unknown:
            raise ScenarioError(
                f"{who}: player '{player}' has unknown key '{unknown[0]}'; allowed: "
                "strategies, payoff"
            )
        given = entry.get("strategies")
        if isinstance(given, list | tuple):
            given = {str(s): {} if game.model else {"policy": s} for s in given}
        if not isinstance(given, Mapping) or not given:
            raise ScenarioError(
                f"{who}: player '{player}' has an empty strategy set; give at least one "
                "strategy (a policy name, or a table of overrides of its vendor table)"
            )
        for name, over in given.items():
            if not isinstance(name, str) or "=" in name or "," in name:
                raise ScenarioError(
                    f"{who}: player '{player}': strategy name {name!r} is not allowed"
                )
            checks.check_name(name, f"player '{player}': strategy")
            if not isinstance(over, Mapping):
                raise ScenarioError(
                    f"{who}: player '{player}': strategy '{name}' must be a table of "
                    f"overrides of vendors.{player}, got {over!r}"
                )
        strategies[str(player)] = {str(n): flatten(dict(o)) for n, o in given.items()}
    return list(strategies), strategies


def _market_players(game, who, players, strategies) -> dict[str, str]:
    """Check each player is a vendor, each strategy applies, each payoff is per-vendor;
    rewrite the strategies as full dotted paths. The payoff metric of each player."""
    try:
        base = load_scenario(game.base)
    except ScenarioError as exc:
        raise checks.prefix_error(f"{who}: base", exc) from None
    vendors = base.vendor_names()
    payoffs = {}
    for player in players:
        if player not in vendors:
            raise ScenarioError(
                f"{who}: player '{player}' is not a vendor of the base scenario; "
                f"vendors: {', '.join(vendors)}"
            )
        for name, over in strategies[player].items():
            policy = over.get("policy")
            if policy is not None and policy not in POLICIES.names():
                raise ScenarioError(
                    f"{who}: player '{player}': strategy '{name}' names policy {policy!r}, "
                    f"which is unknown; policies: {', '.join(POLICIES.names())}"
                )
            full = {f"vendors.{player}.{k}": v for k, v in over.items()}
            try:
                base.with_overrides(full)
            except ScenarioError as exc:
                raise checks.prefix_error(
                    f"{who}: player '{player}': strategy '{name}'", exc
                ) from None
            strategies[player][name] = full
        entry = game.players[player]
        metric = entry.get("payoff", game.payoff) if isinstance(entry, Mapping) else game.payoff
        if metric not in payoff_metrics():
            where = "a market-wide metric" if metric in metrics.MARKET.names() else "not a metric"
            raise ScenarioError(
                f"{who}: player '{player}': payoff {metric!r} is {where}, not a per-vendor "
                f"one; per-vendor metrics: {', '.join(payoff_metrics())}"
            )
        payoffs[player] = metric
    return payoffs


def _function_players(game, who, players, strategies) -> dict[str, str]:
    """A function model's players are its arguments; each strategy passes its name."""
    try:
        function_ref(game.model)
    except ScenarioError:
        raise ScenarioError(f"{who}: model must be a top-level function") from None
    accepted = inspect.signature(game.model).parameters
    for player in players:
        if player not in accepted:
            raise ScenarioError(
                f"{who}: player '{player}' is not an argument of {game.model.__name__}()"
            )
        strategies[player] = {name: {player: name} for name in strategies[player]}
    return {p: p for p in players}


def _sweep(game: Game, policies: dict[str, dict[str, Any]]) -> Sweep:
    scenarios = game.scenarios
    if isinstance(scenarios, str):
        scenarios = {"kind": scenarios}
    if not isinstance(scenarios, Mapping) or set(scenarios) - {"kind", "n"}:
        raise ScenarioError(
            f"game '{game.name}': scenarios = {game.scenarios!r} must be a design kind or "
            "a table with kind and n"
        )
    common = {
        "name": game.name,
        "description": game.description,
        "policies": policies,
        "replicates": int(game.seeds),
        "seed": int(game.seed),
        "design": scenarios.get("kind", "grid"),
        "n": scenarios.get("n"),
    }
    if game.model is not None:
        fixed = {k: [v] for k, v in dict(game.arguments).items()}
        return Sweep(model=game.model, uncertainties={**fixed, **game.uncertainties}, **common)
    overrides = dict(game.overrides)
    if game.developers is not None:
        overrides["developers.count"] = int(game.developers)
    return Sweep(
        base=game.base,
        overrides=overrides,
        steps=game.steps,
        uncertainties=game.uncertainties,
        outcomes=list(CONTEXT),
        series=["vendors"],
        **common,
    )
