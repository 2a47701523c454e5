"""Which uncertainties decide whether opening pays for the platform vendor, and where it
does not: a Sobol study of the calibrated model (``docs/sensitivity.md``).

Twelve uncertainties, each varied independently over its record's whole range
(:mod:`aimarket.simulation.uncertainties`; the calibrated values are only the base of the
others): the platform's complement business (strength, saturation), the community
(quality, cap), imitation of open weights, the platform's R&D budget, developers' taste
for open weights in each segment, the growth of token volumes, venture inflow and how
close to the frontier frontier work must be. Saltelli's design of N = 64 base points
(64 x 26 = 1,664 points), each run twice (replicates on common seeds) under both
policies on the same seeds: 6,656 runs of 10,000 developers and 120 months.

    python experiments/sensitivity_open.py --workers 2          # about 18 min on 2 cores
    aimarket sensitivity results/sensitivity_open --outcome platform_payoff \\
        --contrast policy:open-closed
    aimarket discover results/sensitivity_open --outcome platform_payoff --below 0 \\
        --contrast policy:open-closed

``--quick`` runs N = 8 with 2,000 developers and 36 months (a few minutes).
"""

from aimarket.experiments import Sweep
from aimarket.experiments.cli import script_main

UNCERTAINTIES = (
    "complement_strength",
    "complement_half",
    "community_quality",
    "community_cap",
    "imitation_speed",
    "platform_rd_horizon",
    "enterprise_openness",
    "startup_openness",
    "hobbyist_openness",
    "volume_growth",
    "vc_inflow",
    "frontier_need",
)

sweep = Sweep(
    name="sensitivity_open",
    description="Sobol study: which uncertainties decide whether open release pays",
    base="baseline",
    policies={
        "closed": {"vendors.meta.policy": "closed"},
        "open": {"vendors.meta.policy": "open"},
    },
    uncertainties=list(UNCERTAINTIES),
    design="saltelli",
    n=64,
    replicates=2,
    steps=120,
    seed=2024,
    outcomes=["platform_payoff", "closed_margin", "vc_funding", "open_token_share"],
    table=["platform_payoff", "closed_margin", "vc_funding", "open_token_share"],
    reference="closed",
    series=(),
    quick={"n": 8, "steps": 36, "overrides": {"developers.count": 2000}},
)

if __name__ == "__main__":
    raise SystemExit(script_main(__file__))
