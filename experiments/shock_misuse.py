"""Shock experiment: misuse incidents and the regulation of open release.

Incidents happen with a monthly chance proportional to how far the best open model is
above a risky capability level; an incident brings regulation with probability one half:
a tax on open-weight tokens or a cap on open release. The swept parameter is the
incident rate; the lever is the form of the regulation. Question: how much of the open
model's position and of the platform's payoff survives regulation, and which form costs
developers more?

    python experiments/shock_misuse.py --quick
"""

from aimarket.experiments import Sweep

sweep = Sweep(
    name="shock_misuse",
    description="Misuse incident rate x the form of regulation (tax or cap)",
    base="timeline",
    overrides={"shocks.misuse.capability_threshold": 2.0, "shocks.misuse.tax": 1.0},
    policies={
        "cap": {"shocks.misuse.regulation": "cap"},
        "tax": {"shocks.misuse.regulation": "tax"},
    },
    uncertainties={"shocks.misuse.incident_rate": [0.0, 0.05, 0.1, 0.2]},
    design="grid",
    replicates=5,
    steps=120,
    seed=2811,
    table=("open_token_share", "platform_payoff", "developer_surplus", "closed_margin"),
    reference="tax",
    quick={"replicates": 1, "steps": 48, "overrides": {"developers.count": 500}},
)

if __name__ == "__main__":
    from aimarket.experiments.cli import script_main

    raise SystemExit(script_main(__file__))
