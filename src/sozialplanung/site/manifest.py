"""The manifest of a published site: every file's path and SHA-256, in ``manifest.json``.

``sozialbericht verify`` rebuilds an edition and compares the hashes of the rebuilt files with the
published manifest; ``sozialbericht release`` checks that a site still matches its own manifest.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from sozialplanung.core.errors import PublishError

MANIFEST_FILE = "manifest.json"
_CHUNK = 1 << 20


@dataclass(frozen=True)
class Difference:
    """One file in which a site differs from a manifest."""

    path: str
    kind: str  # "changed" | "missing" (in the manifest, not in the site) | "extra" (only in the site)

    def describe(self) -> str:
        return {
            "changed": f"differs:  {self.path}",
            "missing": f"missing:  {self.path} (published, but not in the rebuild)",
            "extra": f"extra:    {self.path} (in the rebuild, but not published)",
        }[self.kind]


def file_digest(path: Path, algorithm: str = "sha256") -> str:
    """Hex digest of a file, read in chunks (sha256 for the manifest, md5 as DVC hashes data)."""
    digest = hashlib.new(algorithm)
    with path.open("rb") as file:
        while chunk := file.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def hash_site(site_dir: Path) -> dict[str, str]:
    """Path (relative, with ``/``) → SHA-256 of every file in the site except the manifest itself."""
    files = (p for p in site_dir.rglob("*") if p.is_file())
    hashes = {p.relative_to(site_dir).as_posix(): file_digest(p) for p in files}
    hashes.pop(MANIFEST_FILE, None)
    return dict(sorted(hashes.items()))


def write_manifest(site_dir: Path) -> Path:
    """Write ``manifest.json`` for everything in ``site_dir`` (call it after the last file is written)."""
    path = site_dir / MANIFEST_FILE
    text = json.dumps(hash_site(site_dir), indent=2, sort_keys=True) + "\n"
    path.write_text(text, encoding="utf-8", newline="\n")
    return path


def read_manifest(location: Path) -> dict[str, str]:
    """A manifest from a site folder or from a ``manifest.json`` file."""
    path = location / MANIFEST_FILE if location.is_dir() else location
    if not path.is_file():
        raise PublishError(
            f"No {MANIFEST_FILE} found at {location}. Build the edition (`dvc repro`) or fetch the published "
            "edition (`dvc pull`), or name the published site with --published."
        )
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PublishError(f"{path} is not a valid manifest: {exc}") from None
    if not isinstance(manifest, dict) or not all(isinstance(v, str) for v in manifest.values()):
        raise PublishError(f"{path} is not a manifest (a JSON object of path → sha256).")
    manifest.pop(MANIFEST_FILE, None)
    return manifest


def compare(expected: dict[str, str], actual: dict[str, str]) -> list[Difference]:
    """Every path whose hash differs, or that is in only one of the two, sorted by path."""
    differences = [
        Difference(
            path, "changed" if path in expected and path in actual else "missing" if path in expected else "extra"
        )
        for path in sorted(set(expected) | set(actual))
        if expected.get(path) != actual.get(path)
    ]
    return differences


def check_site(site_dir: Path) -> list[Difference]:
    """How a site's files differ from its own manifest (empty when it is intact)."""
    return compare(read_manifest(site_dir), hash_site(site_dir))
