"""`sozialbericht verify` with real git, real DVC and a local-folder remote: release an edition, rebuild
it from a fresh clone byte for byte, and find exactly the files that one changed raw value changes."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
import yaml

from sozialplanung.core.atomic import FAULT_ENV
from sozialplanung.core.errors import ConfigError
from sozialplanung.data.load import read_districts
from sozialplanung.data.sample import generate_sample
from sozialplanung.editions.verify import explain, remove_stale_checkouts, verify_edition
from sozialplanung.site.manifest import compare, hash_site
from sozialplanung.site.provenance import Provenance

from conftest import BIN, COMMAND_ENV, REPO, checkout_env, keep_two_chapters, profile_only, run_result

VERIFY = [str(BIN / "sozialbericht"), "verify"]
EDITION = "2025"
SITE = Path("outputs") / EDITION / "site"


def env_for(project: Path) -> dict[str, str]:
    """The venv's tools first on PATH, a git identity, the checkout's own package code first on PYTHONPATH."""
    return {**COMMAND_ENV, **checkout_env(project)}


def run(args: list[str], cwd: Path, check: bool = True) -> subprocess.CompletedProcess:
    return run_result(args, cwd, env=env_for(cwd), check=check)


def copy_working_tree(target: Path) -> Path:
    """The project's files as they would be committed: tracked and new (not ignored) files."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in sorted(set(filter(None, listed.split("\0")))):
        if (REPO / name).is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, target / name)
    return target


def change_one_value(raw_dir: Path) -> str:
    """Add 7 residents to one cell of the reporting year; returns the changed line."""
    path = raw_dir / "bevoelkerung.csv"
    data = path.read_bytes()
    bom = "\ufeff".encode() if data.startswith("\ufeff".encode()) else b""
    lines = data[len(bom) :].decode("utf-8").split("\n")
    number = next(i for i, line in enumerate(lines) if line.startswith(f"{EDITION};232;20-24;w;deutsch;"))
    fields = lines[number].split(";")
    fields[-1] = str(int(fields[-1]) + 7)
    lines[number] = ";".join(fields)
    path.write_bytes(bom + "\n".join(lines).encode("utf-8"))
    return lines[number]


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    """init → new edition → add raw data (dvc add + push) → build → commit → push → release (tag)."""
    base = tmp_path_factory.mktemp("verify")
    origin = copy_working_tree(base / "origin")
    run(["git", "init", "-q"], origin)
    run(["git", "add", "-A"], origin)
    run(["git", "commit", "-qm", "Projekt"], origin)
    run([str(BIN / "dvc"), "remote", "add", "--default", "--force", "lokal", str(base / "dvc-speicher")], origin)

    new = run([str(BIN / "sozialbericht"), "new-edition", EDITION], origin)
    assert "Next steps" in new.stdout + new.stderr
    keep_two_chapters(profile_only(origin, edition=EDITION), EDITION)
    export = base / "export"
    generate_sample(export, read_districts(origin / "data/reference/marburg_stadtbezirke.csv"), 20251231, 2019, 2025)
    run([str(BIN / "sozialbericht"), "add-data", "--edition", EDITION, str(export)], origin)
    run(["git", "add", "-A"], origin)
    run(["git", "commit", "-qm", f"Ausgabe {EDITION}: Parameter und Rohdaten (DVC)"], origin)
    assert not run(["git", "ls-files", "data/raw"], origin).stdout.strip().endswith(".csv")

    run([str(BIN / "dvc"), "repro"], origin)
    run(["git", "commit", "-qam", f"Ausgabe {EDITION} gebaut"], origin)
    run([str(BIN / "dvc"), "push"], origin)
    run([str(BIN / "sozialbericht"), "release", "--edition", EDITION], origin)
    assert run(["git", "tag"], origin).stdout.split() == [f"edition-{EDITION}"]
    return base, origin


def fresh_clone(released, name: str) -> Path:
    base, origin = released
    clone = base / name
    run(["git", "clone", "-q", str(origin), str(clone)], base)
    run([str(BIN / "dvc"), "pull"], clone)
    assert (clone / f"data/raw/{EDITION}/bevoelkerung.csv").is_file() and (clone / SITE / "manifest.json").is_file()
    return clone


@pytest.mark.slow
def test_fresh_clone_verifies_and_one_changed_value_is_reported_exactly(released):
    exact, changed = fresh_clone(released, "klon"), fresh_clone(released, "klon-geaendert")
    # The unchanged clone verifies while the other clone rebuilds with one changed raw value.
    verifying = subprocess.Popen(
        [*VERIFY, EDITION], cwd=exact, env=env_for(exact), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        published_before = hash_site(changed / SITE)
        change_one_value(changed / "data" / "raw" / EDITION)
        run([str(BIN / "sozialbericht"), "add-data", "--edition", EDITION, "--no-push"], changed)
        run([str(BIN / "dvc"), "repro"], changed)
    finally:
        stdout, stderr = verifying.communicate(timeout=1800)
    assert verifying.returncode == 0, f"{stdout}\n{stderr}"
    assert "Identical" in stderr and "differs" not in stdout
    assert run(["git", "worktree", "list"], exact).stdout.count("\n") == 1  # the temporary worktree is gone

    expected = {d.path for d in compare(published_before, hash_site(changed / SITE))}
    assert expected and "assets/style.css" not in expected and "provenance.json" in expected
    result = run([*VERIFY, EDITION, "--keep"], changed, check=False)
    assert result.returncode == 1, result.stdout + result.stderr
    kept = Path(re.search(r"^Rebuilt site kept at (.+)$", result.stdout, re.MULTILINE)[1])
    assert hash_site(kept) == published_before  # the rebuild from the tag is the edition as first published
    reported = {line.split(maxsplit=1)[1] for line in result.stdout.splitlines() if line.startswith("  differs:")}
    assert reported == expected
    assert f"{len(expected)} of" in result.stderr and "files differ" in result.stderr
    assert "missing:" not in result.stdout and "extra:" not in result.stdout
    # ... and it says why: another data version, and nothing else; the local raw file is named.
    why = result.stdout[result.stdout.index("Why the rebuild differs:") :].split("Rebuilt site kept")[0]
    assert why.count("\n  ") == 1 and "Data version: published from data/raw/2025" in why
    assert f"data/raw/{EDITION}/bevoelkerung.csv: this project's copy differs" in result.stdout
    assert "Stage outputs that differ" not in result.stdout  # the rebuild matches the tag's dvc.lock
    assert run(["git", "worktree", "list"], changed).stdout.count("\n") == 1  # a clone, never a worktree
    shutil.rmtree(kept.parents[3])


@pytest.mark.slow
def test_a_tampered_published_page_and_tampered_local_raw_data_are_each_named(released):
    clone = fresh_clone(released, "klon-manipuliert")
    page = clone / SITE / "index.html"
    page.write_bytes(page.read_bytes().replace(b"Marburg", b"Marbug", 1))
    change_one_value(clone / "data" / "raw" / EDITION)
    started = time.monotonic()
    result = run([*VERIFY, EDITION], clone, check=False)
    print(f"verify (two chapters, three profiles): {time.monotonic() - started:.0f} s")
    assert result.returncode == 1, result.stdout + result.stderr
    published = result.stdout.split("Published files that differ from their manifest.json")[1].split("Raw data:")[0]
    assert "differs:  index.html" in published and published.count("differs:") == 1
    assert f"data/raw/{EDITION}/bevoelkerung.csv: this project's copy differs" in result.stdout
    assert "Rebuilt files that differ" not in result.stdout  # the rebuild matches the published manifest
    assert "Not verified" in result.stderr and "1 published file(s) changed" in result.stderr


@pytest.mark.slow
def test_a_corrupted_object_in_the_dvc_remote_is_named_and_nothing_is_rebuilt(released):
    base, _ = released
    clone = fresh_clone(released, "klon-defekt")
    remote = base / "dvc-speicher-defekt"
    shutil.copytree(base / "dvc-speicher", remote)
    pointer = yaml.safe_load((clone / "data" / "raw" / f"{EDITION}.dvc").read_text(encoding="utf-8"))["outs"][0]
    listing = remote / "files" / "md5" / pointer["md5"][:2] / pointer["md5"][2:]
    entry = next(e for e in json.loads(listing.read_bytes()) if e["relpath"] == "bevoelkerung.csv")
    corrupted = remote / "files" / "md5" / entry["md5"][:2] / entry["md5"][2:]
    corrupted.chmod(0o644)
    corrupted.write_bytes(corrupted.read_bytes().replace(b";", b",", 1))
    run([str(BIN / "dvc"), "remote", "add", "--local", "--force", "lokal", str(remote)], clone)

    started = time.monotonic()
    result = run([*VERIFY, EDITION], clone, check=False)
    print(f"verify with a corrupted remote object: {time.monotonic() - started:.0f} s")
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"data/raw/{EDITION}/bevoelkerung.csv: md5 " in result.stdout
    assert f"files/md5/{entry['md5'][:2]}/{entry['md5'][2:]} in the DVC remote is corrupted" in result.stdout
    assert "not rebuilt" in result.stderr and "Rebuilding" not in result.stderr


@pytest.mark.slow
def test_a_killed_verify_leaves_no_worktree_and_its_checkout_is_removed_next_time(released, tmp_path):
    clone = fresh_clone(released, "klon-abgebrochen")
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    killed = subprocess.run(
        [*VERIFY, EDITION],
        cwd=clone,
        env={**env_for(clone), "TMPDIR": str(temporary), FAULT_ENV: "verify-checked-out"},
        capture_output=True,
        text=True,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stdout + killed.stderr
    left = list(temporary.iterdir())
    assert len(left) == 1 and left[0].name.startswith("sozialbericht-verify-")
    assert run(["git", "worktree", "list"], clone).stdout.count("\n") == 1
    assert remove_stale_checkouts(temporary) == left and not list(temporary.iterdir())


def test_verify_without_a_tag_says_how_to_release(tmp_path):
    project = tmp_path / "projekt"
    (project / "params").mkdir(parents=True)
    run(["git", "init", "-q"], project)
    with pytest.raises(ConfigError, match="sozialbericht release --edition 2030"):
        verify_edition(project, "2030")


def _provenance(**changes) -> Provenance:
    data = {
        "edition": "2025",
        "title": "Sozialbericht 2025",
        "reference_date": "2025-12-31",
        "synthetic_data": False,
        "engine": "nbconvert",
        "git": {"repository": True, "commit": "a" * 40, "dirty": False},
        "data": {"path": "data/raw/2025", "md5": "1" * 32 + ".dir", "nfiles": 13, "size": 100, "hash": "md5"},
        "parameters": {"file": "params/2025.yaml", "sha256": "f" * 64, "values": {"confidentiality": {"threshold": 3}}},
        "software": {"Python": "3.11.7", "pandas": "2.2.3"},
    }
    for key, value in changes.items():
        data[key] = {**data[key], **value} if isinstance(value, dict) else value
    return Provenance.from_dict(data)


def test_verify_says_why_a_rebuild_differs():
    published = _provenance()
    assert explain(published, _provenance())[0].startswith("Same data version, parameters, source commit")
    rebuilt = _provenance(
        data={"md5": "2" * 32 + ".dir"},
        parameters={"sha256": "e" * 64, "values": {"confidentiality": {"threshold": 4}}},
        git={"commit": "b" * 40},
        software={"pandas": "2.3.0"},
    )
    reasons = explain(published, rebuilt)
    assert [reason.split(":")[0].split(" (")[0] for reason in reasons] == [
        "Data version",
        "Parameters",
        "Code",
        "Software versions",
    ]
    assert "confidentiality.threshold: 3 → 4" in reasons[1]
    assert "aaaaaaaaaaaa" in reasons[2] and "bbbbbbbbbbbb" in reasons[2]
    assert "pandas 2.2.3 → 2.3.0" in reasons[3] and "Python" not in reasons[3]


def test_a_killed_verify_runs_checkout_is_removed_but_not_a_kept_or_live_one(tmp_path):
    finished = subprocess.run(["true"]).args  # any process that has ended
    dead = subprocess.Popen(["true"])
    dead.wait()
    stale = tmp_path / f"sozialbericht-verify-{dead.pid}-2025-x1"
    kept = tmp_path / "sozialbericht-verify-kept-2025-x2"
    live = tmp_path / f"sozialbericht-verify-{os.getpid()}-2025-x3"
    for folder in (stale, kept, live):
        (folder / "checkout").mkdir(parents=True)
    assert finished and remove_stale_checkouts(tmp_path) == [stale]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([kept.name, live.name])
