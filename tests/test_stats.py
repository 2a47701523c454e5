"""One statistics module: every interval the project prints comes from
``aimarket.experiments.analysis.stats`` (textbook values, the bootstrap's method, and
checks that no other module computes an interval by hand)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from aimarket.experiments import meta_pairs
from aimarket.experiments.analysis import aggregate as agg
from aimarket.experiments.analysis import stats

REPO = Path(__file__).resolve().parent.parent

#: Student's sleep data (Cushny and Peebles, 1904; Student, 1908): extra hours of sleep
#: under drug 2 minus drug 1 for ten patients, the classic paired t example. Its 95%
#: interval of the mean difference is 0.7001142 to 2.4598858 (R: t.test(..., paired=TRUE)).
SLEEP_DIFFS = [1.2, 2.4, 1.3, 1.3, 0.0, 1.0, 1.8, 0.8, 4.6, 1.4]


def test_t_interval_matches_the_textbook_paired_example():
    lo, hi = stats.t_interval(SLEEP_DIFFS)
    assert lo == pytest.approx(0.7001142, abs=5e-8)
    assert hi == pytest.approx(2.4598858, abs=5e-8)
    assert float(stats.t_critical(10)) == pytest.approx(2.262157, abs=5e-7)
    c = stats.contrast(SLEEP_DIFFS)
    assert (c.n, c.lo, c.hi) == (10, lo, hi)
    assert c.mean == pytest.approx(1.58)
    assert (c.p_positive, c.p_negative) == (0.9, 0.0)  # one patient gained nothing


def test_intervals_are_undefined_below_two_values_and_skip_non_finite():
    assert all(np.isnan(stats.t_interval([1.0])))
    assert all(np.isnan(stats.bootstrap_interval([1.0, np.nan])))
    assert all(np.isnan(stats.spread([])))
    assert stats.t_interval([*SLEEP_DIFFS, np.nan, np.inf]) == stats.t_interval(SLEEP_DIFFS)
    with pytest.raises(ValueError, match="method"):
        stats.mean_interval(SLEEP_DIFFS, method="bca")


def test_describe_gives_per_group_the_same_interval_and_spread():
    frame = pd.DataFrame({"g": ["a"] * 10 + ["b"] * 3, "v": [*SLEEP_DIFFS, 1.0, 2.0, 4.0]})
    out = stats.describe(frame.groupby("g")["v"])
    for group, values in frame.groupby("g")["v"]:
        row = out.loc[group]
        assert (row["lo"], row["hi"]) == pytest.approx(stats.t_interval(values), rel=1e-14)
        assert (row["q_lo"], row["q_hi"]) == pytest.approx(stats.spread(values), rel=1e-14)
        assert row["n"] == len(values)


def test_bootstrap_is_scipy_s_percentile_method_seeded():
    rng = np.random.default_rng(5)
    x = rng.lognormal(0.0, 1.0, 30)  # skewed: percentile and BCa intervals differ
    ours = stats.bootstrap_interval(x, resamples=4000, seed=11)
    assert ours == stats.bootstrap_interval(x, resamples=4000, seed=11)  # reproducible
    assert ours != stats.bootstrap_interval(x, resamples=4000, seed=12)
    kwargs = {"n_resamples": 4000, "rng": np.random.default_rng(11)}
    pct = sps.bootstrap((x,), np.mean, method="percentile", **kwargs).confidence_interval
    assert ours == (pct.low, pct.high)
    # the meaning is the project's old resampler's: percentiles of resampled means
    means = x[rng.integers(0, len(x), size=(40_000, len(x)))].mean(axis=1)
    by_hand = np.percentile(means, [2.5, 97.5])
    assert np.allclose(ours, by_hand, atol=0.05 * (by_hand[1] - by_hand[0]))


# -- every interval-printing path goes through stats -------------------------------------
#: Code that computes an interval or a spread by hand, or reaches scipy.stats directly.
HAND_MADE = {
    "scipy.stats imported": r"from scipy import stats|import scipy\.stats|from scipy\.stats",
    "a distribution's quantile": r"\.ppf\(|\bt\.interval\(",
    "a bootstrap": r"\.bootstrap\(",
    "resampling by hand": r"\.integers\(|\.choice\(",
    "percentiles by hand": r"percentile\(|quantile\(",
    "a standard deviation or error by hand": r"ddof|\.std\(|\.sem\(",
}


def _code_cells(path: Path) -> str:
    cells = json.loads(path.read_text())["cells"]
    return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")


def test_no_interval_is_computed_outside_the_statistics_module():
    """Analysis, experiment scripts (meta_pairs) and notebooks; the sweep engine prints no
    interval (it samples designs with scipy.stats.qmc)."""
    engine = REPO / "experiments" / "engine"
    sources = {
        p: p.read_text()
        for p in sorted((REPO / "experiments").rglob("*.py"))
        if engine not in p.parents
    }
    sources |= {p: _code_cells(p) for p in sorted((REPO / "notebooks").glob("*.ipynb"))}
    found = []
    for path, text in sources.items():
        if path == REPO / "experiments" / "analysis" / "stats.py":
            continue
        if path == REPO / "experiments" / "analysis" / "calibrate" / "smc.py":
            # the inference's own resampling of particles (rng.choice), not an interval
            text = text.replace("rng.choice(len(alive), size=len(dead))", "")
        for what, pattern in HAND_MADE.items():
            for match in re.finditer(pattern, text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{path.relative_to(REPO)}:{line}: {what}")
    assert not found, "\n".join(found)


def test_printed_intervals_take_their_critical_value_from_stats(monkeypatch):
    """With the t critical value patched to 0 in stats, every t interval shrinks to its
    mean: summaries, series bands, paired contrasts and meta_pairs' table all get theirs
    from stats.t_critical."""
    monkeypatch.setattr(stats, "t_critical", lambda n, level=stats.LEVEL: np.zeros(np.shape(n)))
    rng = np.random.default_rng(2)
    runs = pd.DataFrame(
        {"policy": ["closed", "open"] * 6, "point": np.repeat(range(3), 4),
         "replicate": np.tile([0, 0, 1, 1], 3), "y": rng.normal(size=12), "step": 1}
    )  # fmt: skip
    summary = agg.summarize_runs(runs, ["y"])
    assert np.allclose(summary["lo"], summary["mean"]) and (summary["q_lo"] < summary["mean"]).all()
    series = agg.summarize_series(runs, ["y"])
    assert np.allclose(series["hi"], series["mean"])
    contrasts = agg.paired_contrasts(runs, "closed", ["y"])
    assert np.allclose(contrasts[["lo", "hi"]].to_numpy(), contrasts["mean_diff"].to_numpy()[0])
    table = meta_pairs.paired_table(
        pd.DataFrame({"x": [1.0, 3.0]}), pd.DataFrame({"x": [0.0, 0.0]})
    )
    assert "| +2 to +2 " in table
