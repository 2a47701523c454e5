"""Calibration as inference: ABC-SMC over the stylized facts dated up to the end of 2024.

    python -m aimarket.experiments.analysis.calibrate            # the full calibration
    python -m aimarket.experiments.analysis.calibrate --quick --data /tmp/d --docs /tmp/docs

* :mod:`.problem`: priors from the calibrated uncertainty records, the simulator (the
  ``timeline``'s first 24 months, seeded from each draw) and the distance to the bands of
  :mod:`aimarket.experiments.analysis.targets`;
* :mod:`.scan`: which parameters the facts can move (a one-at-a-time scan);
* :mod:`.smc`: ABC-SMC with MCMC moves on the unit cube, resumable generation by generation;
* :mod:`.abc`: that inference over the calibration problem, on a process pool, with the
  health of its population (effective sample size, distinct particles);
* :mod:`.sbc`: simulation-based calibration of the inference on synthetic truths;
* :mod:`.ensemble`: runs across the posterior draws x seeds;
* :mod:`.identify`: each parameter's posterior against its prior, the targets' intervals;
* :mod:`.answers`: the headline answers across the posterior;
* :mod:`.forecast`: the 2025-2026 path, an untuned forecast;
* :mod:`.report` and :mod:`.cli`: the documents and the command.

The posterior ships as data (``simulation/data/posterior.csv``, read by
:mod:`aimarket.simulation.posterior`) with its median in ``calibrated.toml`` (:mod:`.values`).
"""

from aimarket.experiments.analysis.calibrate.values import (
    CALIBRATED,
    read_calibrated,
    write_calibrated,
)

__all__ = ["CALIBRATED", "read_calibrated", "write_calibrated"]
