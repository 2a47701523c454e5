"""Shock experiment: when the weights leak, and whether the platform then opens.

The timeline scenario replays 2023 onward: the LLaMA weights leak (Feb 2023), then the
platform opens Llama 2 (Jul 2023). Here the leak's month is the swept parameter (-1: no
leak), and the lever is whether the platform goes on to open its weights or stays
closed. Question: does a leak make opening more or less worth it for the platform, and
how much of the open share does the leak alone create?

    python experiments/shock_leak.py --quick
"""

from aimarket.experiments import Sweep

sweep = Sweep(
    name="shock_leak",
    description="Month of the weight leak x whether the platform then opens",
    base="timeline",
    policies={
        "platform_opens": {},
        "platform_stays_closed": {"shocks.llama2_open.step": -1},
    },
    uncertainties={"shocks.llama_leak.step": [-1, 2, 6, 12, 24]},
    design="grid",
    replicates=5,
    steps=60,
    seed=2302,
    table=("platform_payoff", "open_token_share", "closed_margin", "vc_funding"),
    reference="platform_stays_closed",
    quick={"replicates": 1, "steps": 36, "overrides": {"developers.count": 500}},
)

if __name__ == "__main__":
    from aimarket.experiments.cli import script_main

    raise SystemExit(script_main(__file__))
