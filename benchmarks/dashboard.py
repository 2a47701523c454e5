"""The dashboard's responsiveness: one month's step plus the server-side render of every
chart, at 10,000 developers (the default), one market and compare mode.

    .venv/bin/python benchmarks/dashboard.py [--developers N] [--months M] [--repeat R]

Runs to month ``M`` first (charts grow with the months shown), then times ``R`` months:
``DashboardModel.step()`` and, for each chart of ``aimarket.dashboard.charts.CHARTS``,
drawing the figure and rendering it to the bytes the page sends. Prints the median and
the slowest, and where the time goes. The target (200 ms) lives in docs/performance.md,
never in a test.
"""

from __future__ import annotations

import argparse
import statistics
import time

from aimarket.dashboard.app import start_values
from aimarket.dashboard.charts import CHARTS, render
from aimarket.dashboard.controls import model_params
from aimarket.dashboard.runs import DashboardModel


def month(model: DashboardModel) -> dict[str, float]:
    """Milliseconds of one month: the step, the frames, each chart (draw + render)."""
    spent = {}
    started = time.perf_counter()
    model.step()
    spent["step"] = time.perf_counter() - started
    started = time.perf_counter()
    for run in model.runs:
        model.frames(run)
    spent["frames"] = time.perf_counter() - started
    for name, draw in CHARTS.items():
        started = time.perf_counter()
        render(draw(model))
        spent[name] = time.perf_counter() - started
    return {k: 1000 * v for k, v in spent.items()}


def measure(developers: int, months: int, repeat: int, compare: bool) -> None:
    values = {**start_values(model_params("baseline")), "developers": developers}
    model = DashboardModel(**{**values, "compare": compare})
    for _ in range(months):
        model.step()
    month(model)  # warm-up: fonts, caches
    rows = [month(model) for _ in range(repeat)]
    totals = [sum(r.values()) for r in rows]
    parts = ", ".join(f"{k} {statistics.median(r[k] for r in rows):.0f}" for k in rows[0])
    mode = "compare" if compare else "one market"
    print(f"{mode:>10}, {developers:,} developers, from month {months}: "
          f"median {statistics.median(totals):.0f} ms, slowest {max(totals):.0f} ms "
          f"({parts})")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--developers", type=int, default=10_000)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    for compare in (False, True):
        measure(args.developers, args.months, args.repeat, compare)


if __name__ == "__main__":
    main()
