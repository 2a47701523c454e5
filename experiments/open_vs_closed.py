"""Flagship experiment: should the platform vendor release its weights?

The platform vendor (Meta-like: it earns from a complement business, not from selling
tokens) chooses a release policy, the lever:

* ``closed``: keep the weights, sell API access;
* ``open``: release frontier weights;
* ``open_lagged``: release weights one generation (12 months) behind its frontier;
* ``open_then_closed``: open while it builds a lead, close once it has led the best rival
  open weights by 0.5 frontier-years with 30% of developers for 12 months (the policy's
  defaults; the ``pivot`` scenario asks a lead of 0.4); developers anticipate it (a
  discount on its weights until the switch) and then hold the trust penalty against its
  models.

Across uncertainty in the market conditions the answer depends on:

* ``complement_strength``: how much better AI lifts the complement business;
* ``community_improvement``: how fast the community improves open weights (quality and
  serving cost), as a multiple of the baseline rates;
* ``openness_preference``: developers' taste for open weights, a multiple of every
  segment's (never negative: open weights are never worth less than the same model
  closed);
* ``imitation``: how fast followers absorb the best open weights (the speed of
  imitation, as a multiple of the baseline's).

Each design point runs with several replicates; the four policies of one point and
replicate share a seed, so policy differences are paired. Run it with

    python experiments/open_vs_closed.py --quick            # 144 runs, about 35 s on 2 cores
    aimarket sweep experiments/open_vs_closed.py --workers 2 # the full design

and read the results with ``aimarket.experiments.load("results/open_vs_closed")`` (the quick
design goes to ``results/open_vs_closed-quick``, its own folder).
"""

from aimarket.experiments import Sweep, Uncertainty

PLATFORM = "vendors.meta"
SEGMENTS = ("enterprise", "startup", "hobbyist")

sweep = Sweep(
    name="open_vs_closed",
    description="The platform vendor's release policy across market uncertainty",
    base="baseline",
    policies={
        "closed": {f"{PLATFORM}.policy": "closed"},
        "open": {f"{PLATFORM}.policy": "open"},
        "open_lagged": {f"{PLATFORM}.policy": "open_lagged", f"{PLATFORM}.open_lag": 12},
        "open_then_closed": {
            f"{PLATFORM}.policy": "open_then_closed",
            f"{PLATFORM}.switch_share": 0.3,
        },
    },
    uncertainties={
        "complement_strength": Uncertainty(
            "complement_strength", paths=(f"{PLATFORM}.complement_strength",), lo=0.0, hi=0.06
        ),
        "community_improvement": Uncertainty(
            "community_improvement",
            paths=("innovation.community_quality", "innovation.community_efficiency"),
            lo=0.25,
            hi=3.0,
            mode="scale",
        ),
        "openness_preference": Uncertainty(
            "openness_preference",
            paths=tuple(f"developers.segments.{s}.openness_preference" for s in SEGMENTS),
            lo=0.25,
            hi=2.0,
            mode="scale",
        ),
        "imitation": Uncertainty(
            "imitation", paths=("innovation.imitation_speed",), lo=0.25, hi=2.5, mode="scale"
        ),
    },
    design="lhs",
    n=48,
    replicates=5,
    steps=120,
    seed=20250101,
    table=(
        "platform_value",
        "platform_payoff",
        "closed_margin",
        "vc_funding",
        "entrants",
        "developer_surplus",
    ),
    reference="closed",
    quick={"n": 12, "replicates": 3, "overrides": {"developers.count": 2000}},
)


if __name__ == "__main__":
    from aimarket.experiments.cli import script_main

    raise SystemExit(script_main(__file__))
