"""The committed baseline: exact SHA-256 hashes of full runs (see ``baseline_hashes.py``).

Work that preserves behaviour keeps every hash. A change of mechanism or calibration
re-pins them with ``make repin``, in a commit that says why.
"""

from __future__ import annotations

import json

import pytest
from baseline_hashes import CASES, HASHES, SEEDS, case_hashes, describe_changes

PINNED = json.loads(HASHES.read_text())


def test_every_case_is_pinned():
    assert set(PINNED) == set(CASES)
    assert all(set(PINNED[c]) == {str(s) for s in SEEDS} for c in CASES)


@pytest.mark.parametrize("case", list(CASES))
def test_full_run_hashes_are_unchanged(case):
    actual = {str(seed): case_hashes(case, seed) for seed in SEEDS}
    changes = describe_changes({case: PINNED[case]}, {case: actual})
    assert not changes, "baseline moved (re-pin with `make repin` if intended):\n" + "\n".join(
        changes
    )
