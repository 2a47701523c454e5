"""The results store: resume only with the same spec and code, missing and corrupt files
named and repaired, lazy series, compact and faithful series, one folder per design,
files written whole or not at all."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest
from conftest import VOLATILE, tiny_sweep

from aimarket.cli import main
from aimarket.experiments import format_comparison, load, run_sweep
from aimarket.experiments.cli import default_out
from aimarket.experiments.engine import provenance
from aimarket.experiments.engine import store as store_mod
from aimarket.experiments.engine.store import DAMAGED, FORMAT, JOURNAL, Results
from aimarket.simulation.errors import ScenarioError
from aimarket.simulation.files import atomic_write, atomic_write_json

REPO = Path(__file__).resolve().parent.parent


def sweep(out: Path, **kw):
    return run_sweep(tiny_sweep(), out, executor="serial", progress=False, flush_every=4, **kw)


@pytest.fixture(scope="module")
def clean(tmp_path_factory) -> Path:
    """A finished tiny sweep in three batches of four runs; tests work on copies."""
    out = tmp_path_factory.mktemp("clean") / "out"
    assert sweep(out).exit_code == 0
    return out


@pytest.fixture
def folder(clean, tmp_path) -> Path:
    copy = tmp_path / "out"
    shutil.copytree(clean, copy, ignore=shutil.ignore_patterns(".lock"))
    return copy


def journal(path: Path) -> list[dict]:
    return [json.loads(line) for line in (path / JOURNAL).read_text().splitlines() if line]


def stable(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    frame = frame.drop(columns=[c for c in VOLATILE if c in frame])
    return frame.sort_values(keys).reset_index(drop=True)


def assert_same_results(a: Results, b: Results) -> None:
    pd.testing.assert_frame_equal(stable(a.runs, ["run_id"]), stable(b.runs, ["run_id"]))
    pd.testing.assert_frame_equal(
        stable(a.market, ["run_id", "step"]), stable(b.market, ["run_id", "step"])
    )
    keys = ["run_id", "step", "vendor"]
    pd.testing.assert_frame_equal(stable(a.vendors, keys), stable(b.vendors, keys))


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "aimarket", *args], capture_output=True, text=True, timeout=300
    )


# -- 1. resume across code changes -----------------------------------------------------------
def test_source_digest_ignores_comments_docstrings_and_layout():
    a = 'def f(x):\n    """Doc."""\n    return x + 1  # add one\n'
    b = "# a comment\ndef f(x):\n\n    return (x\n            + 1)\n"
    c = "def f(x):\n    return x + 2\n"
    assert provenance.source_digest(a) == provenance.source_digest(b)
    assert provenance.source_digest(a) != provenance.source_digest(c)


def test_presentation_modules_and_experiment_scripts_are_not_hashed(tmp_path):
    def module(name: str, text: str) -> Path:
        path = tmp_path / f"{name}.py"
        path.write_text(text)
        return path

    modules = {
        "aimarket.simulation.model": module("model", "RATE = 0.1\n"),
        "aimarket.simulation.plots": module("plots", "COLOR = 'red'\n"),
        "aimarket.experiments.my_sweep": module("my_sweep", "sweep = dict(n=4)\n"),
    }
    before = provenance.source_fingerprint(modules)
    assert before[1] == 1  # only the model is hashed
    modules["aimarket.simulation.plots"].write_text("COLOR = 'blue'\n")
    modules["aimarket.experiments.my_sweep"].write_text("sweep = dict(n=8)\n")
    assert provenance.source_fingerprint(modules) == before
    modules["aimarket.simulation.model"].write_text("RATE = 0.2\n")
    assert provenance.source_fingerprint(modules) != before


def test_fingerprint_is_the_same_for_installed_files_without_git(tmp_path):
    """A wheel install is plain files in site-packages, outside any git checkout."""
    site = tmp_path / "site"
    ignore = shutil.ignore_patterns("__pycache__")

    def plain(folder, names):  # the repository's links to the top-level folders: not copied
        return [*ignore(folder, names), *(n for n in names if os.path.islink(f"{folder}/{n}"))]

    shutil.copytree(REPO / "aimarket", site / "aimarket", ignore=plain)
    for folder in ("simulation", "agents", "experiments"):  # as a wheel lays them out
        shutil.copytree(REPO / folder, site / "aimarket" / folder, ignore=ignore)
    code = (
        "from aimarket.experiments.engine import provenance as p\n"
        "print(p.source_fingerprint(p.package_modules()), p.git_commit())"
    )
    env = {**os.environ, "PYTHONPATH": str(site)}
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, env=env
    )
    assert proc.returncode == 0, proc.stderr
    here = provenance.source_fingerprint(provenance.package_modules())
    assert proc.stdout.strip() == f"{here} {{'commit': None, 'dirty': None}}"


def test_resume_refuses_results_of_other_code(folder):
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["code"]["source"] = "0" * 16  # as if the model changed since
    (folder / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ScenarioError) as refused:
        sweep(folder)
    message = str(refused.value)
    assert "different code" in message and "model source hash 0000000000000000 ->" in message
    assert "--force" in message and "\n" not in message
    forced = sweep(folder, force=True)
    assert (forced.ran, forced.skipped) == (12, 0)
    assert load(folder).manifest["code"]["source"] != "0" * 16


OUTCOME_SCRIPT = """
from aimarket.experiments import Sweep


def late_adoption(run):
    return float(run.market["adoption_rate"].iloc[-1]) * {factor}


sweep = Sweep(
    name="custom",
    overrides={{"developers.count": 30}},
    uncertainties={{"innovation.community_quality": [0.01, 0.04]}},
    steps=4,
    outcomes=["platform_payoff", late_adoption],
)
"""


def test_resume_refuses_a_changed_outcome_function(tmp_path):
    script, out = tmp_path / "custom.py", tmp_path / "out"
    args = ["sweep", str(script), "--out", str(out), "--executor", "serial", "--no-progress"]
    script.write_text(OUTCOME_SCRIPT.format(factor="1.0"))
    assert cli(*args).returncode == 0
    # A comment or docstring changes nothing: the sweep resumes.
    script.write_text(
        OUTCOME_SCRIPT.format(factor="1.0").replace(
            "def late_adoption(run):", 'def late_adoption(run):\n    """Adoption."""  # note'
        )
    )
    resumed = cli(*args)
    assert resumed.returncode == 0 and "2 already done" in resumed.stdout
    script.write_text(OUTCOME_SCRIPT.format(factor="2.0"))
    refused = cli(*args)
    assert refused.returncode == 2
    assert "outcome definitions" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1


def test_sessions_keep_their_git_and_the_original_is_kept(folder):
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["git"] = {"commit": "original", "dirty": False}
    (folder / "manifest.json").write_text(json.dumps(manifest))
    sweep(folder)
    manifest = load(folder).manifest
    assert manifest["git"] == {"commit": "original", "dirty": False}
    assert len(manifest["sessions"]) == 2
    for session in manifest["sessions"]:
        assert "commit" in session["git"] and session["versions"]["pandas"]


# -- 2. missing or corrupt parts --------------------------------------------------------------
def test_a_missing_part_is_named_and_resume_reruns_exactly_its_runs(folder, clean, capsys):
    entry = journal(folder)[1]
    lost = folder / "market" / f"part-{entry['batch']}.parquet"
    lost.unlink()
    name = f"market/{lost.name}"

    assert main(["status", str(folder)]) == 1
    out = capsys.readouterr().out
    assert f"{name} is missing" in out
    assert "8 done, 0 failed, 4 pending (4 of them in damaged batches)" in out
    with pytest.raises(ScenarioError, match=f"{name} is missing"):
        load(folder)
    assert main(["report", str(folder)]) == 2
    err = capsys.readouterr().err
    assert name in err and len(err.strip().splitlines()) == 1
    partial = load(folder, allow_damaged=True)
    assert len(partial.runs) == 8 and set(partial.market["run_id"]) == set(partial.runs["run_id"])

    resumed = sweep(folder)
    assert (resumed.ran, resumed.skipped) == (len(entry["runs"]), 8)
    assert f"damaged batch {entry['batch']}" in capsys.readouterr().err
    aside = folder / DAMAGED / entry["batch"]
    assert (aside / "runs" / f"part-{entry['batch']}.parquet").is_file()  # moved, not deleted
    assert (aside / "vendors" / f"part-{entry['batch']}.parquet").is_file()
    assert_same_results(load(folder), load(clean))


def test_corrupt_or_truncated_parts_are_named(folder, capsys):
    first, second = (e["batch"] for e in journal(folder)[:2])
    garbled = folder / "vendors" / f"part-{first}.parquet"
    garbled.write_bytes(b"\0" * garbled.stat().st_size)
    cut = folder / "runs" / f"part-{second}.parquet"
    cut.write_bytes(cut.read_bytes()[:100])
    assert main(["status", str(folder)]) == 1
    out = capsys.readouterr().out
    assert f"vendors/{garbled.name} is unreadable" in out
    assert f"runs/{cut.name} is truncated or changed (100 bytes" in out
    with pytest.raises(ScenarioError, match="2 damaged batch"):
        load(folder)
    assert sweep(folder).ran == 8
    assert load(folder).counts()["done"] == 12


def test_a_changed_file_of_the_same_size_is_found_by_its_checksum(folder, clean):
    entry = journal(folder)[0]
    part = folder / "vendors" / f"part-{entry['batch']}.parquet"
    data = bytearray(part.read_bytes())
    data[len(data) // 3] ^= 0xFF  # inside the data pages: the footer still reads
    part.write_bytes(bytes(data))
    with pytest.raises(ScenarioError, match="checksum differs"):
        load(folder, verify=True)
    quick = load(folder)  # the footer reads; the file's checksum is checked when read
    with pytest.raises(ScenarioError, match=f"{part.name} changed since it was written"):
        quick.series("vendors")
    assert sweep(folder).ran == len(entry["runs"])  # a resume checks checksums
    assert_same_results(load(folder, verify=True), load(clean))


def test_a_corrupt_manifest_is_a_one_line_error(folder, capsys):
    (folder / "manifest.json").write_text('{"format": 2, "name": "tin')
    with pytest.raises(ScenarioError, match=r"manifest\.json is unreadable"):
        load(folder)
    with pytest.raises(ScenarioError, match=r"manifest\.json is unreadable"):
        sweep(folder)
    assert main(["status", str(folder)]) == 2
    err = capsys.readouterr().err
    assert "manifest.json is unreadable" in err and len(err.strip().splitlines()) == 1


def test_a_commit_without_its_journal_line_is_recorded_on_resume(folder):
    lines = (folder / JOURNAL).read_text().splitlines(keepends=True)
    last = json.loads(lines[-1])
    # A crash just after the last commit, mid-way through appending its journal line.
    (folder / JOURNAL).write_text("".join(lines[:-1]) + lines[-1][:30])
    results = load(folder)
    assert results.counts()["done"] == 12
    assert any("no batches.jsonl line yet" in n for n in results.notes)
    assert sweep(folder).ran == 0
    entries = [
        json.loads(x) for x in (folder / JOURNAL).read_text().splitlines() if x.endswith("}")
    ]
    recorded = next(e for e in entries if e["batch"] == last["batch"])
    assert recorded["reconciled"] and sorted(recorded["runs"]) == sorted(last["runs"])
    assert set(recorded["files"]) == set(last["files"])
    assert len(entries) == len(lines)
    assert not load(folder).notes


def test_uncommitted_parts_are_removed_and_a_lost_commit_is_moved_aside(folder):
    first, second = (e for e in journal(folder)[:2])
    orphan = folder / "market" / "part-000099-abcdef12.parquet"  # never committed
    shutil.copy(folder / "market" / f"part-{first['batch']}.parquet", orphan)
    (folder / "runs" / f"part-{second['batch']}.parquet").unlink()  # a committed batch
    assert sweep(folder).ran == len(second["runs"])
    assert not orphan.exists()
    assert (folder / DAMAGED / second["batch"] / "market").is_dir()
    assert load(folder).counts() == {"planned": 12, "done": 12, "failed": 0, "pending": 0}


@pytest.mark.parametrize(("found", "said"), [(1, "older aimarket"), (FORMAT + 1, "newer")])
def test_other_store_formats_are_refused(folder, found, said):
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["format"] = found
    (folder / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ScenarioError, match=f"results format {found} by an? {said}"):
        load(folder)
    with pytest.raises(ScenarioError, match=said):
        sweep(folder)
    assert sweep(folder, force=True).ran == 12


def test_a_folder_is_written_by_one_session_at_a_time(folder):
    holder = store_mod.Store(folder)
    holder.open_session(tiny_sweep().plan())
    try:
        with pytest.raises(ScenarioError, match="in use by another sweep session"):
            sweep(folder)
        with pytest.raises(ScenarioError, match="in use"):
            sweep(folder, force=True)  # never moved from under a running session
    finally:
        holder.close()
    assert not list(folder.parent.glob("out.replaced-*"))


def test_results_without_a_manifest_are_not_resumed(folder):
    (folder / "manifest.json").unlink()
    with pytest.raises(ScenarioError, match=r"no manifest\.json"):
        sweep(folder)


# -- 3. lazy series ------------------------------------------------------------------------
def test_summaries_read_only_the_runs_table(clean, monkeypatch):
    read = []
    original = Results._read
    monkeypatch.setattr(
        Results,
        "_read",
        lambda self, table, path, *a: read.append(table) or original(self, table, path, *a),
    )
    results = load(clean)
    assert "policy" in format_comparison(results)
    assert results.counts()["done"] == 12
    assert read == []
    assert "market" not in results.__dict__ and "vendors" not in results.__dict__


def test_series_reads_only_the_runs_and_columns_asked_for(clean):
    results = load(clean)
    chosen = results.ok[results.ok["policy"] == "open"].head(2)
    part = results.series("vendors", columns=["token_share", "vendor_policy"], runs=chosen)
    assert set(part["run_id"]) == set(chosen["run_id"])
    keys = ["run_id", "policy", "point", "replicate", "innovation.community_quality"]
    assert list(part.columns) == [*keys, "step", "vendor", "vendor_policy", "token_share"]
    full = results.vendors[results.vendors["run_id"].isin(chosen["run_id"])]
    pd.testing.assert_frame_equal(
        part.reset_index(drop=True), full[part.columns].reset_index(drop=True)
    )
    assert results.series_columns("market")[: len(keys) + 2] == [*keys, "step", "date"]


# -- 4. compact series, read back as the model made them --------------------------------------
def model_frames(steps: int = 120, developers: int = 300, runs: int = 2):
    """The worker's tagged frames of a few runs of the flagship's first design points."""
    from aimarket.experiments.engine.worker import _run

    plan = tiny_sweep(steps=steps, overrides={"developers.count": developers}).plan()
    tasks = [plan.task(r) for r in list(plan.runs())[:runs]]
    return plan, tasks, [_run(t) for t in tasks]


def test_stored_series_are_the_model_frames(tmp_path):
    from aimarket.experiments.engine.worker import execute

    plan, tasks, _ = model_frames(steps=30, runs=2)
    results = [execute(t) for t in tasks]
    store = store_mod.Store(tmp_path / "out")
    store.open_session(plan)
    store.write_batch(results, {t["run_id"]: t for t in tasks})
    store.close()
    loaded = load(tmp_path / "out")
    keys = ["policy", "point", "replicate", "innovation.community_quality"]
    for res in results:
        market = loaded.market[loaded.market["run_id"] == res["run_id"]].drop(columns=keys)
        assert list(market.columns) == list(res["market"].columns)
        assert (market.dtypes == res["market"].dtypes).all()
        pd.testing.assert_frame_equal(  # single precision: 7 significant digits
            market.reset_index(drop=True), res["market"], check_exact=False, rtol=1e-6, atol=1e-9
        )
        vendors = loaded.vendors[loaded.vendors["run_id"] == res["run_id"]].drop(columns=keys)
        vendors = vendors.rename(columns={"vendor_policy": "policy"})
        expected = res["vendors"]
        assert list(vendors.columns) == list(expected.columns)
        assert (vendors.dtypes == expected.dtypes).all()
        # single precision: 7 significant digits
        pd.testing.assert_frame_equal(
            vendors.reset_index(drop=True), expected, check_exact=False, rtol=1e-6, atol=1e-9
        )


def test_runs_encoded_by_workers_are_appended_as_the_batch_would_be_encoded():
    """Each run's series encoded where it ran and appended by the driver decode to the
    same frames as the batch encoded at once, including when the runs need different
    integer widths or were encoded differently (then the batch is encoded afresh)."""
    from aimarket.experiments.engine import encoding

    _, tasks, made = model_frames(steps=30, runs=3)
    starts = {t["run_id"]: encoding.run_start(t) for t in tasks}
    wide = pd.DataFrame({"run_id": "w", "step": [1, 2], "n": [5, 100_000], "x": [0.5, 1.5]})
    narrow = pd.DataFrame({"run_id": "n", "step": [1, 2], "n": [1, 2], "x": [2.5, 0.25]})
    other = narrow.rename(columns={"n": "m"}).assign(run_id="o")
    cases = [(t, [m[t] for m in made]) for t in ("market", "vendors")]
    cases += [("other", [narrow, wide]), ("other", [narrow, other])]
    for table, frames in cases:
        parts = [encoding.encode_frame(table, f, starts) for f in frames]
        appended = encoding.combine(parts)
        assert (appended is None) == (frames[1] is other), table
        arrow, options = encoding.batch(table, parts, starts)
        expected = encoding.encode(table, pd.concat(frames, ignore_index=True), starts)[0]
        got = encoding.decode(arrow, encoding.read_meta(arrow.schema))
        want = encoding.decode(expected, encoding.read_meta(expected.schema))
        pd.testing.assert_frame_equal(got, want, check_exact=True)
        assert set(options["use_dictionary"]) >= {"run_id"}


def test_series_take_under_a_third_of_the_plain_parquet_bytes(tmp_path):
    from aimarket.experiments.engine.worker import execute

    plan, tasks, _ = model_frames(steps=120, developers=300, runs=4)
    results = [execute(t) for t in tasks]
    store = store_mod.Store(tmp_path / "out")
    store.open_session(plan)
    store.write_batch(results, {t["run_id"]: t for t in tasks})
    store.close()
    stored = plain = 0
    for table in ("market", "vendors"):
        stored += sum(p.stat().st_size for p in (tmp_path / "out" / table).glob("part-*"))
        buf = io.BytesIO()
        pd.concat([r[table] for r in results]).to_parquet(buf, index=False)  # pandas' default
        plain += buf.tell()
    assert stored * 3 < plain, (stored, plain)


# -- 5. one folder per design size ---------------------------------------------------------
def test_each_design_size_has_its_own_default_folder():
    assert default_out("flag") == Path("results/flag")
    assert default_out("flag", quick=True) == Path("results/flag-quick")
    assert default_out("flag", True, replicates=2, steps=24, seed=3) == Path(
        "results/flag-quick-r2-s24-seed3"
    )
    makefile = (REPO / "Makefile").read_text()
    assert "--quick --out $(OUT)/open_vs_closed-quick" in makefile


def test_load_refuses_a_folder_of_another_design(clean):
    assert len(load(clean, expect=tiny_sweep()).runs) == 12
    assert len(load(clean, expect=tiny_sweep().plan()).runs) == 12
    other = tiny_sweep(replicates=3).plan()
    with pytest.raises(ScenarioError) as refused:
        load(clean, expect=other)
    message = str(refused.value)
    assert load(clean).manifest["spec_hash"] in message and other.spec_hash in message
    assert "3 points x 2 replicates" in message and "3 points x 3 replicates" in message


def test_quick_and_full_scripts_write_to_their_own_folders(tmp_path):
    script = tmp_path / "small.py"
    script.write_text(
        textwrap.dedent(
            """
            from aimarket.experiments import Sweep

            sweep = Sweep(
                name="small",
                overrides={"developers.count": 30},
                uncertainties={"innovation.imitation_speed": [0.01, 0.02]},
                steps=3,
                quick={"steps": 2},
            )
            """
        )
    )
    for flags in ([], ["--quick"]):
        proc = subprocess.run(
            [sys.executable, "-m", "aimarket", "sweep", str(script), "--executor",
             "serial", "--no-progress", "--no-table", *flags],
            capture_output=True, text=True, timeout=300, cwd=tmp_path,
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr
    full, quick = load(tmp_path / "results" / "small"), load(tmp_path / "results" / "small-quick")
    assert full.manifest["spec"]["steps"] == 3 and quick.manifest["spec"]["steps"] == 2


# -- 6. files written whole or not at all ----------------------------------------------------
def test_an_atomic_write_leaves_the_old_file_whole_when_it_fails(tmp_path):
    target = tmp_path / "manifest.json"
    written = atomic_write_json(target, {"runs": 1})
    digest = hashlib.sha256(target.read_bytes()).hexdigest()
    assert written == {"bytes": target.stat().st_size, "sha256": digest}

    def torn(tmp: Path) -> None:
        tmp.write_bytes(b'{"runs": ')
        raise OSError("no space left on device")

    with pytest.raises(OSError, match="no space left"):
        atomic_write(target, torn)
    assert json.loads(target.read_text()) == {"runs": 1}
    assert list(tmp_path.iterdir()) == [target]  # no temporary file left behind
