"""The docs stay in step with the code, and the repository stands on its own.

The generated tables of docs/ODD.md must equal what ``aimarket.simulation.paramdoc`` renders; every
metric, every phase of the schedule and every release policy named in the code must be
described. Nothing tracked may point outside the repository, every "SF #n" cited must be
a row of docs/facts.md, and every use of a row flagged there (data after 2024) must be
listed there.
"""

from __future__ import annotations

import dataclasses
import os
import re
import subprocess
from pathlib import Path

from aimarket.experiments import OUTCOMES, Sweep
from aimarket.experiments.analysis.targets import TARGETS
from aimarket.experiments.engine import designs, sweepdoc
from aimarket.simulation import metrics, paramdoc
from aimarket.simulation.model import MarketModel
from aimarket.simulation.params import iter_fields
from aimarket.simulation.scenario import POLICIES, Scenario
from aimarket.simulation.uncertainties import UNCERTAINTIES

REPO = Path(__file__).resolve().parent.parent
ODD = REPO / "docs" / "ODD.md"
FACTS = REPO / "docs" / "facts.md"


def odd_text() -> str:
    return ODD.read_text(encoding="utf-8")


def section(text: str, title_word: str, doc: str = "docs/ODD.md") -> str:
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
    raise AssertionError(f"{doc} has no heading containing {title_word!r}")


def step_phases() -> list[str]:
    """Phase names of the tuple ``MarketModel.step`` iterates."""
    return [phase.name for phase in MarketModel.PHASES]


def test_generated_tables_are_up_to_date():
    text = odd_text()
    markers = (paramdoc.BEGIN, paramdoc.END, paramdoc.ENTITIES_BEGIN, paramdoc.ENTITIES_END)
    for marker in (*markers, paramdoc.SCHEDULE_BEGIN, paramdoc.SCHEDULE_END):
        assert marker in text, f"docs/ODD.md lacks the marker {marker!r}"
    assert paramdoc.render(text) == text, (
        "the tables in docs/ODD.md are stale: run "
        "`python -m aimarket.simulation.paramdoc docs/ODD.md`"
    )


def test_every_metric_is_documented():
    text = odd_text()
    names = (*metrics.MARKET.names(), *metrics.VENDORS.names(), *metrics.SEGMENTS.names())
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
    for policy in POLICIES.names():
        assert re.search(rf"^- `{re.escape(policy)}`:", policies_section, flags=re.MULTILINE), (
            f"release policy {policy!r} has no entry in the release-policy section"
        )


# -- the repository stands on its own -------------------------------------------------------
#: Pointers that leave the repository: the design folder that sat beside it, and absolute
#: paths of one machine (a directory name right after the root, then a name).
OUTSIDE = (
    re.compile(r"shared/(?:design|seeds|hooks)\b"),
    re.compile(r"\.\./shared\b"),
    re.compile(r"stylized-facts\.md|model-brief\.md"),
    re.compile(r"(?<![\w.~-])/(?:work|home|Users|root)/\w"),
)
#: Directories that are never part of the repository's content (fallback without git).
UNTRACKED = {".git", ".venv", "results", "__pycache__", ".pytest_cache", ".ruff_cache"}

#: "SF #3", "SF #1, #3, #4", "SF #1-5", "stylized fact #3": one match per citation.
CITATION = re.compile(
    r"\b(?:SF|stylized facts?) (#\d+(?:-\d+)?(?:(?:, | and |/)#\d+(?:-\d+)?)*)", re.IGNORECASE
)


def tracked_files() -> list[Path]:
    """Files git tracks or would track (not ignored); without git, every file outside the
    untracked directories."""
    command = ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"]
    try:
        out = subprocess.run(command, cwd=REPO, capture_output=True, check=True).stdout.decode()
        files = [REPO / name for name in out.split("\0") if name]
    except (OSError, subprocess.CalledProcessError):
        files = []
        for root, dirs, names in os.walk(REPO):
            dirs[:] = [d for d in dirs if d not in UNTRACKED and not d.endswith(".egg-info")]
            files += [Path(root) / n for n in names]
    return [f for f in files if f.is_file()]


def tracked_texts() -> dict[str, str]:
    """Relative path -> text of every tracked text file (binary files are skipped)."""
    texts = {}
    for path in tracked_files():
        data = path.read_bytes()
        if b"\0" not in data:
            texts[path.relative_to(REPO).as_posix()] = data.decode("utf-8", errors="replace")
    return texts


def cited_rows(text: str) -> set[int]:
    """Row numbers cited as "SF #n" (ranges "#1-5" expanded) in ``text``."""
    rows: set[int] = set()
    for citation in CITATION.finditer(text):
        for first, last in re.findall(r"#(\d+)(?:-(\d+))?", citation.group(1)):
            rows.update(range(int(first), int(last or first) + 1))
    return rows


def facts_rows() -> dict[int, list[str]]:
    """Row number -> cells of the stylized-facts table of docs/facts.md."""
    table = section(FACTS.read_text(encoding="utf-8"), "stylized facts", "docs/facts.md")
    rows = {}
    for line in table.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cells[0].isdigit():
            rows[int(cells[0])] = cells
    return rows


def test_citation_parser_reads_lists_and_ranges():
    text = "SF #4: price; fitted to SF #1, #3, #5-6 (x); stylized fact #10; SF #n; GPT-4 #7"
    assert cited_rows(text) == {1, 3, 4, 5, 6, 10}


def test_nothing_tracked_points_outside_the_repository():
    texts = tracked_texts()
    assert "docs/facts.md" in texts and "README.md" in texts, "could not list tracked files"
    found = [
        f"{name}:{number}: {line.strip()[:90]}"
        for name, text in texts.items()
        for number, line in enumerate(text.splitlines(), 1)
        if any(pattern.search(line) for pattern in OUTSIDE)
    ]
    assert not found, "pointers outside the repository (use docs/brief.md, docs/facts.md):\n" + (
        "\n".join(found)
    )


def test_facts_table_is_numbered_from_one_without_gaps():
    rows = facts_rows()
    assert sorted(rows) == list(range(1, len(rows) + 1)), sorted(rows)
    assert all(len(cells) == 8 for cells in rows.values()), "a row of docs/facts.md lacks cells"
    assert all(cells[3] for cells in rows.values()), "a fact lacks the period its data covers"


def test_every_cited_stylized_fact_is_a_row_of_facts():
    rows = set(facts_rows())
    citations = {name: cited_rows(text) for name, text in tracked_texts().items()}
    citations["experiments/targets.py (Target.sf)"] = {t.sf for t in TARGETS}
    assert citations["simulation/scenario.py"], "no SF citation found: is the parser broken?"
    missing = {name: sorted(cited - rows) for name, cited in citations.items() if cited - rows}
    assert not missing, f"SF rows cited but not in docs/facts.md: {missing}"


def test_every_use_of_a_fact_flagged_after_2024_is_listed():
    flagged = {n for n, cells in facts_rows().items() if "after 2024" in cells[-1]}
    assert flagged, "docs/facts.md flags no row: has its status column moved?"
    uses = [(path, field.metadata.get("source", "")) for path, field, _ in iter_fields(Scenario)]
    uses += [(t.key, f"SF #{t.sf}") for t in TARGETS]
    uses += [(u.name, u.source) for u in UNCERTAINTIES]
    listed = section(FACTS.read_text(encoding="utf-8"), "flagged rows still in use", "facts")
    unlisted = [
        f"{name} (SF {sorted(cited_rows(text) & flagged)})"
        for name, text in uses
        if cited_rows(text) & flagged and f"`{name}`" not in listed
    ]
    assert not unlisted, (
        "these cite a row flagged as after 2024 but are not listed under 'Flagged rows still "
        f"in use' in docs/facts.md: {unlisted}"
    )


def test_the_sweep_reference_is_generated_and_complete():
    """docs/sweeps.md documents every key of a sweep file, every design kind and every
    built-in outcome, from the records (a new key without its line fails here)."""
    fields = {f.name for f in dataclasses.fields(Sweep)}
    assert set(sweepdoc.KEYS) == fields, (
        f"undocumented or stale keys: {fields ^ set(sweepdoc.KEYS)}"
    )
    assert set(sweepdoc.DESIGNS) == set(designs.KINDS)
    text = (REPO / "docs" / "sweeps.md").read_text()
    assert sweepdoc.render(text) == text, (
        "docs/sweeps.md is stale: run `python -m aimarket.experiments.engine.sweepdoc`"
    )
    for name in (*fields, *designs.KINDS, *OUTCOMES.names(), *sweepdoc.UNCERTAINTY_KEYS):
        assert f"| `{name}` |" in text, name


def readme_sessions() -> list[tuple[str, str]]:
    """The README's interactive examples: each ``>>>`` line and the output shown below it."""
    text = (REPO / "README.md").read_text()
    pairs = []
    for block in re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL):
        lines = block.splitlines()
        for k, line in enumerate(lines):
            if line.startswith(">>> "):
                shown = []
                for later in lines[k + 1 :]:
                    if later.startswith(">>> "):
                        break
                    shown.append(later)
                pairs.append((line[4:], "\n".join(shown).strip()))
    return pairs


def test_the_readme_s_messages_are_the_code_s():
    """Every ``>>>`` example of the README prints what the README shows (errors as
    ``Type: message``)."""
    import aimarket

    sessions = readme_sessions()
    assert len(sessions) >= 2
    namespace = {name: getattr(aimarket, name) for name in aimarket.__all__}
    for source, shown in sessions:
        try:
            printed = repr(eval(source, namespace))  # the README's own example
        except Exception as exc:
            printed = f"{type(exc).__name__}: {exc}"
        assert printed == shown, f"README: {source}"
