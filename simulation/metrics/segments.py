"""The developer-segment metrics: one row per month per segment (registry
:data:`SEGMENTS`, in this order); each computes an array over segments."""

from __future__ import annotations

import numpy as np

from aimarket.simulation.metrics import SEGMENTS, Metric, Month


def _per_token(m: Month, amount: np.ndarray) -> np.ndarray:
    total = m.segment_total
    return np.where(total > 0, amount / np.where(total > 0, total, 1.0), 0.0)


def _adoption(m: Month) -> np.ndarray:
    dev = m.model.developers
    users = dev.segment_usage[:, : m.model.products.n].sum(axis=1)
    return users / np.maximum(dev.segment_sizes, 1)


DEFINITIONS = [
    Metric("adoption_rate", "share", "adoption rate",
           "share of the segment's developers using a model", _adoption),
    Metric("tokens", "Ttok/month", "tokens", "tokens bought by the segment",
           lambda m: m.segment_total),
    Metric("open_token_share", "share", "open share of tokens",
           "share of the segment's tokens on open weights",
           lambda m: _per_token(m, m.segment_tokens[:, m.is_open].sum(axis=1))),
    Metric("mean_price", "$/Mtok", "mean price paid", "token-weighted mean price paid",
           lambda m: _per_token(m, m.segment_tokens @ m.price)),
    Metric("surplus", "$M/month", "developer surplus", "logit log-sum surplus",
           lambda m: m.surplus),
]  # fmt: skip

for _metric in DEFINITIONS:
    SEGMENTS.add(_metric)
