"""The model the dashboard steps: one market, or the same market twice (compare mode).

Compare mode runs the platform open and the platform closed on the same seed: the
model derives one random stream per mechanism from the seed
(:mod:`aimarket.simulation.mechanics.streams`), so the two runs draw the same numbers
(common random numbers) and their difference is the policy's effect, not noise.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import mesa
import pandas as pd

from aimarket.dashboard import controls
from aimarket.simulation.model import MarketModel
from aimarket.simulation.scenarios import load_scenario

#: Release policies compare mode sets the platform to, in this order.
COMPARED = ("open", "closed")


@dataclass(frozen=True)
class Frames:
    """A run's metric frames (``market_frame``, ``vendor_frame``, ``segment_frame``)."""

    market: pd.DataFrame
    vendors: pd.DataFrame
    segments: pd.DataFrame


@dataclass(frozen=True)
class Run:
    """One market the dashboard steps: ``key`` names it in element ids."""

    key: str
    label: str
    model: MarketModel


class DashboardModel(mesa.Model):
    """What SolaraViz steps and resets: the controls' values in, one or two markets out.

    ``scenario`` is a built-in name or a TOML file; ``compare`` runs the platform open
    and closed; ``seed`` seeds every run; the other keywords are the controls of
    :func:`aimarket.dashboard.controls.model_params` (``defaults``: their starting
    values, so that untouched controls keep the scenario's own values). Mesa's
    SolaraViz requires the catch-all to be called ``kwargs``.
    """

    def __init__(
        self,
        scenario: str = "baseline",
        compare: bool = False,
        seed: int = 0,
        defaults: Mapping[str, Any] | None = None,
        **kwargs: Any,
    ):
        super().__init__(rng=int(seed))
        base = load_scenario(scenario)
        changes = controls.overrides(base, kwargs, defaults or {})
        self.scenario = load_scenario(scenario, changes)
        self.seed = int(seed)
        self.platform = controls.platform(base)
        self.compare = bool(compare) and self.platform is not None
        self.runs: list[Run] = []
        if self.compare:
            for policy in COMPARED:
                chosen = {**changes, f"vendors.{self.platform}.policy": policy}
                market = MarketModel(load_scenario(scenario, chosen), rng=self.seed)
                self.runs.append(Run(policy, f"{self.platform} {policy}", market))
        else:
            self.runs.append(Run("run", self.scenario.name, MarketModel(self.scenario, rng=seed)))
        self.horizon = self.scenario.steps
        self._frames: dict[str, tuple[int, Frames]] = {}

    def step(self) -> None:
        """One month of every run; the dashboard stops at the scenario's horizon."""
        for run in self.runs:
            run.model.step()
        if self.steps >= self.horizon:
            self.running = False

    def frames(self, run: Run) -> Frames:
        """The run's metric frames, read once a month."""
        cached = self._frames.get(run.key)
        if cached is None or cached[0] != run.model.steps:
            m = run.model
            if m.steps == 0:  # nothing recorded yet
                frames = Frames(pd.DataFrame(), pd.DataFrame(), pd.DataFrame())
            else:
                frames = Frames(m.market_frame(), m.vendor_frame(), m.segment_frame())
            cached = (m.steps, frames)
            self._frames[run.key] = cached
        return cached[1]

    def policy(self, run: Run) -> str:
        """The platform's release policy this month in ``run`` ('' without a platform)."""
        if self.platform is None:
            return ""
        vendor = run.model.vendor_named(self.platform)
        return vendor.policy if vendor is not None else "exited"

    def readout(self) -> dict[str, Any]:
        """The numbers beside the charts: the month and, per run, the platform's policy,
        the open share of tokens and the platform's cumulative payoff ($M); in compare
        mode, the payoff's paired difference (open - closed)."""
        out: dict[str, Any] = {"month": int(self.steps), "date": self.date()}
        for run in self.runs:
            market = self.frames(run).market
            last = market.iloc[-1] if len(market) else None
            out[run.key] = {
                "label": run.label,
                "policy": self.policy(run),
                "open_share": float(last["open_token_share"]) if last is not None else 0.0,
                "payoff": float(last["platform_payoff"]) if last is not None else 0.0,
            }
        if self.compare:
            out["payoff_difference"] = out["open"]["payoff"] - out["closed"]["payoff"]
        return out

    def date(self) -> str:
        """The month last run as YYYY-MM (the scenario's start month before the first
        step, which runs it)."""
        start = pd.Period(self.scenario.market.start, "M")
        return str(start + max(int(self.steps) - 1, 0))
