"""Shock experiment: open now, closed later (docs/brief.md, question 4).

In the timeline the platform opens in July 2023 and leads the open market by 2025. Here
it may close again in July 2025 (the `meta_recloses` pivot), and developers then hold a
trust penalty against its models. The swept parameter is that penalty (utility units);
the lever is whether the platform re-closes at all. (The flagship's `open_then_closed`
lever instead closes once the platform has led the best rival open weights by 0.5
frontier-years with 30% of developers for 12 months; the `pivot` scenario.) Question:
does opening while catching up and closing once dominant beat staying open, and what does
the switch cost in trust?

    python experiments/shock_pivot.py --quick
"""

from aimarket.experiments import Sweep

sweep = Sweep(
    name="shock_pivot",
    description="Trust cost of re-closing x whether the platform re-closes",
    base="timeline",
    policies={
        "stays_open": {},
        "recloses": {"shocks.meta_recloses.step": 31},  # July 2025
    },
    uncertainties={"shocks.meta_recloses.trust_penalty": [0.0, 0.5, 1.0, 2.0]},
    design="grid",
    replicates=5,
    steps=120,
    seed=2607,
    table=("platform_payoff", "platform_token_share", "developer_surplus", "closed_margin"),
    reference="stays_open",
    quick={"replicates": 1, "steps": 48, "overrides": {"developers.count": 500}},
)

if __name__ == "__main__":
    from aimarket.experiments.cli import script_main

    raise SystemExit(script_main(__file__))
