"""manifest.json: every published file's sha256, and how a site differs from a manifest."""

from __future__ import annotations

import hashlib
import json

import pytest

from sozialplanung.core.errors import PublishError
from sozialplanung.site.manifest import Difference, check_site, compare, hash_site, read_manifest, write_manifest
from sozialplanung.site.publish import publish

from publish_helpers import make_edition, site_files


def test_every_built_site_carries_a_manifest_of_all_its_other_files(tmp_path):
    site = publish(make_edition(tmp_path / "projekt"), engine="nbconvert").parent
    manifest = json.loads((site / "manifest.json").read_text(encoding="utf-8"))
    files = site_files(site)
    assert set(manifest) == set(files) - {"manifest.json"}
    assert {"index.html", "assets/style.css", "provenance.json"} <= set(manifest)
    for path, digest in manifest.items():
        assert digest == hashlib.sha256(files[path]).hexdigest(), path
    assert list(manifest) == sorted(manifest)
    assert check_site(site) == []


def test_compare_names_changed_missing_and_extra_files():
    expected = {"a.html": "1", "b.html": "2", "c.csv": "3"}
    actual = {"a.html": "1", "b.html": "9", "d.xlsx": "4"}
    assert compare(expected, actual) == [
        Difference("b.html", "changed"),
        Difference("c.csv", "missing"),
        Difference("d.xlsx", "extra"),
    ]
    assert compare(expected, dict(expected)) == []
    assert Difference("b.html", "changed").describe() == "differs:  b.html"


def test_check_site_finds_a_file_changed_after_the_build(tmp_path):
    site = tmp_path / "site"
    (site / "assets").mkdir(parents=True)
    (site / "index.html").write_text("<p>Ä</p>\n", encoding="utf-8")
    (site / "assets" / "style.css").write_text("body {}\n", encoding="utf-8")
    write_manifest(site)
    assert read_manifest(site) == hash_site(site) and read_manifest(site / "manifest.json") == hash_site(site)
    (site / "index.html").write_text("<p>Ö</p>\n", encoding="utf-8")
    (site / "neu.html").write_text("\n", encoding="utf-8")
    assert check_site(site) == [Difference("index.html", "changed"), Difference("neu.html", "extra")]


def test_missing_or_broken_manifest_says_what_to_do(tmp_path):
    with pytest.raises(PublishError, match="dvc pull"):
        read_manifest(tmp_path)
    (tmp_path / "manifest.json").write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(PublishError, match="not a manifest"):
        read_manifest(tmp_path)


def test_published_pages_are_0644_and_folders_0755_under_umask_077(tmp_path):
    import os

    edition = make_edition(tmp_path / "projekt")
    previous = os.umask(0o077)
    try:
        site = publish(edition, engine="nbconvert").parent
    finally:
        os.umask(previous)
    modes = {p.relative_to(site).as_posix(): p.stat().st_mode & 0o777 for p in site.rglob("*")}
    assert {mode for name, mode in modes.items() if (site / name).is_file()} == {0o644}
    assert {mode for name, mode in modes.items() if (site / name).is_dir()} == {0o755}
    assert site.stat().st_mode & 0o777 == 0o755 and "index.html" in modes
