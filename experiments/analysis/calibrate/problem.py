"""The calibration problem: priors, the simulator and the distance.

* **Priors** come from the uncertainty records marked ``calibrated``
  (:func:`aimarket.simulation.uncertainties.calibrated`): uniform over each record's range,
  or log-uniform for a record with ``log_scale``. A draw therefore never leaves the range
  its record states (acceptance: every parameter keeps its meaning).
* **The simulator** runs the ``timeline`` scenario (Jan 2023 onwards) for 24 months at a
  fixed number of developers with one draw's values, and measures every quantity of
  :data:`~aimarket.experiments.analysis.targets.TARGETS` and
  :data:`~aimarket.experiments.analysis.targets.BACKTEST`, as the mean over a few
  replicate runs. Each run is seeded from its own draw (SHA-256 of the values and a root
  seed): a worker forked with a copy of a generator would repeat its numbers, a seed
  derived from the draw cannot.
* **The distance** of a run to the facts is the root mean square of the quantities'
  normalized misses (:meth:`~aimarket.experiments.analysis.targets.Target.miss`: the
  acceptance band maps to [-1, 1]), each clipped to [-3, 3]; an undefined quantity counts
  as 3. A run inside every band has a distance of at most 1.
"""

from __future__ import annotations

import hashlib
import math
import struct
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from aimarket.experiments.analysis import targets as tg
from aimarket.simulation.model import MarketModel
from aimarket.simulation.scenarios import load_scenario
from aimarket.simulation.uncertainties import UncertainParameter, calibrated

SCENARIO = "timeline"
MONTHS = tg.FIT_MONTHS
#: The largest normalized miss a quantity contributes (and what an undefined one costs).
CLIP = 3.0


def records() -> list[UncertainParameter]:
    """The calibrated parameters, in a fixed order."""
    return sorted(calibrated(), key=lambda u: u.name)


def overrides(values: Mapping[str, float]) -> dict[str, float]:
    """Scenario overrides (dotted paths) of one draw of the calibrated parameters."""
    out: dict[str, float] = {}
    for u in records():
        for path in u.paths:
            out[path] = float(values[u.name])
    return out


def draw_seed(values: Mapping[str, float], root: int) -> int:
    """A run's seed, derived from its draw's values and the root seed."""
    h = hashlib.sha256(struct.pack("<q", int(root)))
    for name in sorted(values):
        h.update(name.encode())
        h.update(struct.pack("<d", float(values[name])))
    return int.from_bytes(h.digest()[:8], "little")


@dataclass(frozen=True)
class Simulator:
    """Picklable simulator: one draw of the calibrated parameters -> the measured
    quantities (a dict), each the mean over ``replicates`` runs seeded from the draw
    (replicate ``r`` with root ``root + r``), so seed luck weighs less in the distance."""

    developers: int = 2000
    root: int = 20230101
    months: int = MONTHS
    replicates: int = 1

    def __call__(self, values: Mapping[str, float]) -> dict[str, float]:
        values = {u.name: float(values[u.name]) for u in records()}
        runs = [
            measure(values, draw_seed(values, self.root + r), self.developers, self.months)
            for r in range(self.replicates)
        ]
        if len(runs) == 1:
            return runs[0]
        return {k: _mean([run[k] for run in runs]) for k in runs[0]}


def _mean(xs: list[float]) -> float:
    """The mean of the finite values (NaN when there is none)."""
    finite = [x for x in xs if math.isfinite(x)]
    return sum(finite) / len(finite) if finite else float("nan")


def measure(values: Mapping[str, float], seed: int, developers: int, months: int = MONTHS):
    """Every target and backtest quantity on one run of the timeline with ``values``."""
    patch = {**overrides(values), "developers.count": int(developers)}
    scenario = load_scenario(SCENARIO, patch)
    model = MarketModel(scenario, rng=np.random.SeedSequence(seed))
    frames = tg.Frames.of(model.run(months))
    return tg.measure_all(frames, (*tg.TARGETS, *tg.BACKTEST))


def clipped_miss(target: tg.Target, value: float) -> float:
    """A quantity's normalized miss clipped to [-CLIP, CLIP]; CLIP when undefined."""
    z = target.miss(value)
    return CLIP if not math.isfinite(z) else max(-CLIP, min(CLIP, z))


class Distance:
    """Root mean square of the clipped normalized misses of ``targets`` (called with the
    simulated quantities; the facts are in the targets)."""

    def __init__(self, targets: Sequence[tg.Target] = tg.TARGETS):
        self.targets = tuple(targets)

    def __call__(self, simulated: Mapping[str, float]) -> float:
        misses = [clipped_miss(t, float(simulated[t.key])) for t in self.targets]
        return float(math.sqrt(sum(z * z for z in misses) / len(misses)))


def observed(targets: Sequence[tg.Target]) -> dict[str, float]:
    """The published figures, in the simulator's keys (their distance is 0)."""
    return {t.key: t.value for t in targets}
