"""Bass diffusion of developers into the market.

Developers not yet in the market enter at the continuous-time hazard p + q F(t), where F
is the share of developers using a model (innovation p, imitation q; Bass 1969). A
month is a finite step, so the model uses the hazard integrated exactly over the month:
starting the month at F0, the Bass equation dF/dt = (1 - F)(p + q F) reaches

    F1 = (1 - C e^{-(p+q)}) / (1 + (q/p) C e^{-(p+q)}),   C = (1 - F0) / (1 + (q/p) F0),

so a developer outside the market enters this month with probability
(F1 - F0) / (1 - F0). For small hazards this is p + q F0; unlike that first-order rule it
has no half-step lag, so the simulated adoption path matches the closed-form Bass curve.
"""

from __future__ import annotations

import numpy as np


def entry_probability(p: np.ndarray, q: np.ndarray, share: float) -> np.ndarray:
    """Monthly probability of entering the market, per segment (same shapes as p, q)."""
    p = np.asarray(p, dtype=float)
    q = np.asarray(q, dtype=float)
    f0 = min(max(float(share), 0.0), 1.0)
    if f0 >= 1.0:
        return np.ones_like(p)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        decay = np.exp(-(p + q))
        ratio = q / p
        c = (1.0 - f0) / (1.0 + ratio * f0)
        f1 = (1.0 - c * decay) / (1.0 + ratio * c * decay)
        # p = 0: logistic growth from F0 (no one enters from an empty market)
        logistic = f0 * np.exp(q) / (1.0 - f0 + f0 * np.exp(q))
    f1 = np.where(p > 0, f1, logistic)
    return np.clip((f1 - f0) / (1.0 - f0), 0.0, 1.0)
