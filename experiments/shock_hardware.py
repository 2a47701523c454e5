"""Shock experiment: specialized inference hardware for open weights.

A new cloud arrives in January 2024 with hardware that serves open weights at a fraction
of the usual cost (Groq-like). The swept parameter is that fraction
(`open_cost_multiplier`, 1 = no advantage); the lever is whether the platform opens its
weights (the timeline) or stays closed. Question: does cheap inference for open models
widen the open share and the platform's gain from opening?

    python experiments/shock_hardware.py --quick
"""

from aimarket.experiments import Sweep

sweep = Sweep(
    name="shock_hardware",
    description="Inference-hardware cost advantage x the platform's release",
    base="timeline",
    overrides={
        # no inference-hardware cloud but the shock's
        "clouds.groq.remove": True,
        # its cost multiplier is the swept uncertainty below
        "shocks.fast_inference": {"new": True, "kind": "inference_hardware", "step": 13},
    },
    policies={
        "platform_opens": {},
        "platform_stays_closed": {"shocks.llama2_open.step": -1},
    },
    uncertainties={"shocks.fast_inference.open_cost_multiplier": [0.1, 0.3, 0.6, 1.0]},
    design="grid",
    replicates=5,
    steps=60,
    seed=2401,
    table=("open_price", "open_token_share", "platform_payoff", "cloud_revenue"),
    reference="platform_stays_closed",
    quick={"replicates": 1, "steps": 36, "overrides": {"developers.count": 500}},
)

if __name__ == "__main__":
    from aimarket.experiments.cli import script_main

    raise SystemExit(script_main(__file__))
