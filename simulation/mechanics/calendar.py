"""Calendar months: steps are months from ``market.start`` (step 1 is that month).

Dates are pandas timestamps, which end in April 2262; so a run is at most a century
(:data:`MAX_STEPS`) and starts between 1900 and 2100 (:data:`START_YEARS`), and every
date a run can reach is representable.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from aimarket.simulation.errors import ScenarioError

MAX_STEPS = 1200
START_YEARS = (1900, 2100)


def check_start(start: str, where: str = "market.start") -> None:
    """Refuse a start month that is not YYYY-MM within :data:`START_YEARS`."""
    first, last = START_YEARS
    match = re.fullmatch(r"(\d{4})-(\d{2})", start)
    if not match or not (first <= int(match[1]) <= last and 1 <= int(match[2]) <= 12):
        raise ScenarioError(
            f"{where} = {start!r} must be a month as YYYY-MM between {first}-01 and {last}-12"
        )


def dates(start: str, steps: pd.Series, horizon: int) -> pd.Series:
    """First day of the month of each step (1-based), for runs of ``horizon`` steps."""
    months = pd.period_range(start, periods=max(int(horizon), 1), freq="M")
    stamps = months.to_timestamp()
    return pd.Series(stamps[steps.to_numpy(dtype=np.int64) - 1], index=steps.index, name="date")


def check_steps(steps: object, where: str = "steps") -> int:
    """``steps`` as an int in [0, :data:`MAX_STEPS`]; a ScenarioError otherwise (a run
    of ``run(10**9)`` would never return, and ``run(-1)`` would silently do nothing)."""
    if isinstance(steps, bool) or not isinstance(steps, int | np.integer):
        raise ScenarioError(f"{where} = {steps!r} must be an integer in [0, {MAX_STEPS}]")
    if not 0 <= steps <= MAX_STEPS:
        raise ScenarioError(f"{where} = {steps!r} is out of range: allowed [0, {MAX_STEPS}]")
    return int(steps)
