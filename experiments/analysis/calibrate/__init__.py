"""Calibrate baseline parameters to the stylized facts dated up to the end of 2024.

    python -m aimarket.experiments.analysis.calibrate                # fit (~5 min on 2 cores)
    python -m aimarket.experiments.analysis.calibrate --report-only  # evaluate the baseline
    python -m aimarket.experiments.analysis.calibrate --quick --report /tmp/c.md \\
        --toml /tmp/calibrated.toml

The fit (:mod:`.search`) varies the parameters in :data:`PARAMETERS` within bounds inside
their declared ranges and minimizes the squared normalized misses of the targets
(:mod:`aimarket.experiments.analysis.targets`) on the ``timeline`` scenario's first 24
months, by differential evolution on fixed seeds. The fitted values are the model's data:
they are written into ``simulation/data/calibrated.toml`` (:mod:`.values`; nested TOML
merged over ``firms.toml`` to make the baseline), from which the calibration also reads
the current values. The report, ``docs/calibration.md`` (:mod:`.report`), gives each
target measured on independent replicates of the full 48-month timeline (:mod:`.measures`,
intervals from :mod:`aimarket.experiments.analysis.stats`) and the timeline's 2025-2026
path, an untuned forecast. ``--report-only`` evaluates the baseline as it is.
"""

from aimarket.experiments.analysis.calibrate.cli import REPORT, main
from aimarket.experiments.analysis.calibrate.measures import Evaluation, evaluate, summary
from aimarket.experiments.analysis.calibrate.report import render
from aimarket.experiments.analysis.calibrate.search import (
    PARAMETERS,
    UNDEFINED_MISS,
    Fit,
    Objective,
    Parameter,
    check_bounds,
    field_info,
    fit,
    loss,
)
from aimarket.experiments.analysis.calibrate.values import (
    CALIBRATED,
    read_calibrated,
    write_calibrated,
)

__all__ = [
    "CALIBRATED",
    "PARAMETERS",
    "REPORT",
    "UNDEFINED_MISS",
    "Evaluation",
    "Fit",
    "Objective",
    "Parameter",
    "check_bounds",
    "evaluate",
    "field_info",
    "fit",
    "loss",
    "main",
    "read_calibrated",
    "render",
    "summary",
    "write_calibrated",
]
