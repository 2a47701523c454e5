"""Shock experiment: how efficient must an entrant be to shake the market?

The timeline's efficient entrant (DeepSeek-V3/R1, Jan 2025; SF #11) arrives near the
frontier at a fraction of the usual serving cost. The swept parameter is its cost
multiplier (`efficiency`: 1 is an ordinary lab, 0.1 is DeepSeek-like); the lever is
whether it releases open weights or sells a closed API. Question: what does a cheap
entrant do to closed prices, margins, VC money and the platform's payoff, and does it
matter that it is open?

    python experiments/shock_entrant.py --quick
"""

from aimarket.experiments import Sweep

sweep = Sweep(
    name="shock_entrant",
    description="Efficient entrant's serving cost x open or closed release",
    base="timeline",
    policies={
        "open_entrant": {"shocks.deepseek.policy": "open"},
        "closed_entrant": {"shocks.deepseek.policy": "closed"},
    },
    uncertainties={"shocks.deepseek.efficiency": [0.05, 0.1, 0.25, 0.5, 1.0]},
    design="grid",
    replicates=5,
    steps=60,
    seed=2501,
    table=("closed_price", "closed_margin", "vc_funding", "platform_payoff"),
    reference="closed_entrant",
    quick={"replicates": 1, "steps": 36, "overrides": {"developers.count": 500}},
)

if __name__ == "__main__":
    from aimarket.experiments.cli import script_main

    raise SystemExit(script_main(__file__))
