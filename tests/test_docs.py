"""The model description (docs/ODD.md) stays in step with the code.

The generated tables must equal what ``simulation.paramdoc`` renders; every metric, every
phase of the schedule and every release policy named in the code must be described.
"""

from __future__ import annotations

import re
from pathlib import Path

from simulation import metrics, paramdoc
from simulation.model import MarketModel
from simulation.scenario import POLICIES

ODD = Path(__file__).resolve().parent.parent / "docs" / "ODD.md"


def odd_text() -> str:
    return ODD.read_text(encoding="utf-8")


def section(text: str, title_word: str) -> str:
    """The body of the first Markdown heading containing ``title_word`` (case-insensitive),
    up to the next heading of the same or a higher level."""
    headings = list(re.finditer(r"^(#+)\s+(.*)$", text, flags=re.MULTILINE))
    for k, h in enumerate(headings):
        if title_word.lower() in h.group(2).lower():
            level = len(h.group(1))
            end = len(text)
            for later in headings[k + 1 :]:
                if len(later.group(1)) <= level:
                    end = later.start()
                    break
            return text[h.end() : end]
    raise AssertionError(f"docs/ODD.md has no heading containing {title_word!r}")


def step_phases() -> list[str]:
    """Phase names of ``MarketModel.step``'s docstring: lines ``N. name: ...``."""
    return re.findall(r"^\s*\d+\.\s+([a-z_]+):", MarketModel.step.__doc__, flags=re.MULTILINE)


def test_generated_tables_are_up_to_date():
    text = odd_text()
    for marker in (paramdoc.BEGIN, paramdoc.END, paramdoc.ENTITIES_BEGIN, paramdoc.ENTITIES_END):
        assert marker in text, f"docs/ODD.md lacks the marker {marker!r}"
    assert paramdoc.render(text) == text, (
        "the tables in docs/ODD.md are stale: run `python -m simulation.paramdoc docs/ODD.md`"
    )


def test_every_metric_is_documented():
    text = odd_text()
    names = (*metrics.MARKET, *metrics.VENDOR, *metrics.SEGMENT)
    missing = [m for m in names if f"`{m}`" not in text]
    assert not missing, f"metrics not described in docs/ODD.md: {missing}"


def test_scheduling_section_lists_the_phases_in_order():
    phases = step_phases()
    assert len(phases) >= 5, f"could not read the phases of MarketModel.step: {phases}"
    schedule = section(odd_text(), "scheduling")
    position = 0
    for phase in phases:
        found = re.search(rf"\*\*{re.escape(phase)}\*\*", schedule[position:])
        assert found, f"phase {phase!r} is missing from the scheduling section, or out of order"
        position += found.end()


def test_every_release_policy_is_described():
    policies_section = section(odd_text(), "release polic")
    for policy in POLICIES:
        assert re.search(rf"^- `{re.escape(policy)}`:", policies_section, flags=re.MULTILINE), (
            f"release policy {policy!r} has no entry in the release-policy section"
        )
