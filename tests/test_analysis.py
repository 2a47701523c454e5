"""Aggregation and paired contrasts on synthetic results tables with known answers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from aimarket.experiments.analysis import aggregate as agg


def synthetic_runs(
    delta: float = 2.5, points: int = 10, replicates: int = 4, noise: float = 0.3, seed: int = 1
) -> pd.DataFrame:
    """A runs table: outcome ``y`` = point effect + seed effect (shared by both policies
    of a pair, like common random numbers) + ``delta`` under 'open' + small noise;
    ``z`` is the same for both policies."""
    rng = np.random.default_rng(seed)
    rows = []
    for point in range(points):
        level = rng.normal(0, 10)
        param = point / points
        for rep in range(replicates):
            common = rng.normal(0, 5)
            for policy, shift in (("closed", 0.0), ("open", delta)):
                rows.append(
                    {
                        "run_id": f"{policy}-{point}-{rep}",
                        "policy": policy,
                        "point": point,
                        "replicate": rep,
                        "status": "ok",
                        "param": param,
                        "y": level + common + shift + rng.normal(0, noise),
                        "z": level + common,
                    }
                )
    return pd.DataFrame(rows)


def test_paired_contrast_recovers_a_known_difference():
    runs = synthetic_runs(delta=2.5)
    table = agg.paired_contrasts(runs, reference="closed", outcomes=["y", "z"])
    row = table.set_index(["policy", "outcome"]).loc[("open", "y")]
    assert row["n_pairs"] == 40
    assert row["lo"] <= 2.5 <= row["hi"]
    assert abs(row["mean_diff"] - 2.5) < 0.2
    # pairing removes the point and seed effects (sd 10 and 5): the interval is narrow
    assert row["hi"] - row["lo"] < 0.5
    assert row["p_positive"] == 1.0
    assert table.attrs["reference"] == "closed"
    same = table.set_index(["policy", "outcome"]).loc[("open", "z")]
    assert same["mean_diff"] == pytest.approx(0.0, abs=1e-12)


def test_t_interval_matches_the_formula():
    runs = synthetic_runs(delta=-1.0)
    d = agg.paired_differences(runs, "closed", ["y"])["diff"].to_numpy()
    row = agg.paired_contrasts(runs, "closed", ["y"]).iloc[0]
    from scipy import stats

    half = stats.t.ppf(0.975, len(d) - 1) * d.std(ddof=1) / np.sqrt(len(d))
    assert row["mean_diff"] == pytest.approx(d.mean())
    assert row["lo"] == pytest.approx(d.mean() - half)
    assert row["hi"] == pytest.approx(d.mean() + half)
    assert row["lo"] <= -1.0 <= row["hi"]


def test_bootstrap_interval_covers_the_difference_and_is_reproducible():
    runs = synthetic_runs(delta=4.0)
    a = agg.paired_contrasts(runs, "closed", ["y"], method="bootstrap", seed=3)
    b = agg.paired_contrasts(runs, "closed", ["y"], method="bootstrap", seed=3)
    assert a.equals(b)
    assert a["lo"].iloc[0] <= 4.0 <= a["hi"].iloc[0]
    with pytest.raises(ValueError, match="method"):
        agg.paired_contrasts(runs, "closed", ["y"], method="nope")


def test_intervals_cover_the_true_difference_in_most_repetitions():
    # 95% intervals from 40 independent synthetic sweeps: nearly all cover delta
    covered = [
        (lambda r: r["lo"] <= 1.0 <= r["hi"])(
            agg.paired_contrasts(
                synthetic_runs(1.0, points=5, replicates=2, seed=s), "closed", ["y"]
            ).iloc[0]
        )
        for s in range(40)
    ]
    assert sum(covered) >= 33


def test_pairs_are_matched_by_point_and_replicate_not_row_order():
    runs = synthetic_runs(delta=2.5).sample(frac=1.0, random_state=4)
    failed = runs.index[:3]
    runs.loc[failed, "status"] = "failed"  # failed runs drop out with their pair
    table = agg.paired_contrasts(runs, "closed", ["y"])
    row = table.iloc[0]
    assert row["n_pairs"] <= 40 - 1
    assert row["lo"] <= 2.5 <= row["hi"]


def test_contrasts_by_group_and_unknown_reference():
    runs = synthetic_runs(delta=2.5)
    by_point = agg.paired_contrasts(runs, "closed", ["y"], by=["param"])
    assert len(by_point) == 10
    assert (by_point["n_pairs"] == 4).all()
    with pytest.raises(ValueError, match="reference"):
        agg.paired_contrasts(runs, "open_lagged", ["y"])


def test_duplicate_runs_are_refused():
    runs = synthetic_runs()
    with pytest.raises(ValueError, match="more than one run"):
        agg.paired_contrasts(pd.concat([runs, runs.head(1)]), "closed", ["y"])


def test_summarize_runs_long_format():
    runs = synthetic_runs(delta=2.5)
    out = agg.summarize_runs(runs, ["y", "z"])
    assert list(out.columns[:3]) == ["policy", "outcome", "n"]
    assert len(out) == 4
    for row in out.itertuples():
        values = runs.loc[runs["policy"] == row.policy, row.outcome]
        assert row.n == len(values)
        assert row.mean == pytest.approx(values.mean())
        assert row.sd == pytest.approx(values.std(ddof=1))
        assert row.lo < row.mean < row.hi
        assert row.q_lo <= row.lo and row.hi <= row.q_hi  # CI of the mean inside the spread
    per_point = agg.summarize_runs(runs, ["y"], by=("policy", "point"))
    assert len(per_point) == 2 * 10
    assert (per_point["n"] == 4).all()


def test_tidy_runs_is_one_row_per_run_and_outcome():
    runs = synthetic_runs()
    tidy = agg.tidy_runs(runs, ["y", "z"])
    assert len(tidy) == 2 * len(runs)
    assert {"run_id", "policy", "point", "replicate", "outcome", "value"} <= set(tidy.columns)


def synthetic_series(steps: int = 6) -> pd.DataFrame:
    rows = []
    for point in range(3):
        for rep in range(2):
            for policy, shift in (("closed", 0.0), ("open", 1.0)):
                for step in range(1, steps + 1):
                    rows.append(
                        {
                            "run_id": f"{policy}-{point}-{rep}",
                            "policy": policy,
                            "point": point,
                            "replicate": rep,
                            "step": step,
                            "price": 10.0 * point + step + shift,
                        }
                    )
    return pd.DataFrame(rows)


def test_summarize_series_per_step():
    series = synthetic_series()
    out = agg.summarize_series(series, ["price"])
    assert len(out) == 2 * 6
    first = out[(out["policy"] == "open") & (out["step"] == 1)].iloc[0]
    assert first["n"] == 6
    assert first["mean"] == pytest.approx(10.0 + 1 + 1.0)
    assert first["lo"] < first["mean"] < first["hi"]


def test_phase_table_bins_and_differences():
    runs = synthetic_runs(delta=2.5)
    runs["other"] = runs["point"] % 2
    table = agg.phase_table(runs, "y", "param", "other", policy="open", reference="closed", bins=3)
    assert set(table.columns) >= {"param", "other", "value", "n", "n_points"}
    assert table["n"].sum() == 40
    assert table["param"].nunique() == 3
    assert table["other"].nunique() == 2  # grid values are kept as they are
    assert np.allclose(table["value"], 2.5, atol=0.5)


def test_share_series_sums_to_one_with_exited_vendors():
    """Exited vendors' weights come from the market table, including a month in which
    every token is on them and every listed vendor has a share of 0."""
    rows = []
    steps = {1: {"a": 0.6, "b": 0.4}, 2: {"a": 0.5, "entrant1": 0.2}, 3: {"a": 0.0, "b": 0.0}}
    orphaned = {1: 0.0, 2: 0.3, 3: 1.0}
    for step, shares in steps.items():
        for vendor, share in shares.items():
            rows.append(
                {"run_id": "r", "policy": "open", "step": step, "vendor": vendor,
                 "token_share": share}
            )  # fmt: skip
    market = pd.DataFrame(
        {"run_id": "r", "policy": "open", "step": list(orphaned),
         "orphaned_token_share": list(orphaned.values())}
    )  # fmt: skip
    out = agg.share_series(pd.DataFrame(rows), market=market)
    totals = out.groupby("step")["share"].sum()
    assert np.allclose(totals, 1.0)
    step2 = out[out["step"] == 2].set_index("group")["share"]
    assert step2["entrants"] == pytest.approx(0.2)
    assert step2[agg.EXITED] == pytest.approx(0.3)
    assert step2["b"] == 0.0
    step3 = out[out["step"] == 3].set_index("group")["share"]
    assert step3[agg.EXITED] == 1.0


def test_no_analysis_module_is_in_the_result_fingerprint():
    """Analysis computes nothing a run depends on: editing any of its modules (old or
    new) never blocks resuming a results folder."""
    from aimarket.experiments.engine import provenance

    analysis = {
        name: path
        for name, path in provenance.package_modules().items()
        if name.startswith("aimarket.experiments.analysis.")
    }
    assert {"aimarket.experiments.analysis.stats", "aimarket.experiments.analysis.tables"} <= set(
        analysis
    )
    assert provenance.source_fingerprint(analysis)[1] == 0, sorted(
        set(analysis) - provenance.NOT_HASHED
    )
