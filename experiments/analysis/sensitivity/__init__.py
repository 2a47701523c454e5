"""Global sensitivity analysis (SALib: Sobol indices, Morris screening) and scenario
discovery (PRIM) on sweep folders; see ``docs/sensitivity.md``."""

from aimarket.experiments.analysis.sensitivity.api import (
    discover,
    sensitivity,
    write_discovery,
    write_sensitivity,
)

__all__ = ["discover", "sensitivity", "write_discovery", "write_sensitivity"]
