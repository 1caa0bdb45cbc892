"""Every path the project reads or writes, in one place.

Nothing else builds paths from strings: modules ask a :class:`ProjectPaths` (the project's folders)
or an :class:`EditionPaths` (one edition's inputs and outputs) for the file they need.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sozialplanung.core.errors import ConfigError

PACKAGE_DIR = Path(__file__).resolve().parents[1]
TEMPLATES_DIR = PACKAGE_DIR / "site" / "templates"
"""The page templates and stylesheet of the HTML edition (package data of :mod:`sozialplanung.site`)."""


@dataclass(frozen=True)
class ProjectPaths:
    """The folders of one checkout of the project."""

    root: Path

    @classmethod
    def at(cls, root: str | Path = ".") -> ProjectPaths:
        root = Path(root).resolve()
        if not (root / "params").is_dir():
            raise ConfigError(
                f"{root} is not a sozialplanung project (no params/ folder). "
                "Run the command from the project's top folder or pass --project-dir."
            )
        return cls(root)

    @property
    def params_dir(self) -> Path:
        return self.root / "params"

    @property
    def notebooks_dir(self) -> Path:
        return self.root / "notebooks"

    @property
    def reference_dir(self) -> Path:
        return self.root / "data" / "reference"

    @property
    def districts_file(self) -> Path:
        return self.reference_dir / "marburg_stadtbezirke.csv"

    def project_file(self, relative: str) -> Path:
        """A file named in the parameters, relative to the project root (e.g. a boundary GeoJSON)."""
        return self.root / relative

    def params_file(self, edition: str) -> Path:
        return self.params_dir / f"{edition}.yaml"

    def editions(self) -> list[str]:
        return sorted(p.stem for p in self.params_dir.glob("*.yaml"))

    def notebook(self, chapter_id: str) -> Path:
        return self.notebooks_dir / f"{chapter_id}.ipynb"

    def edition(self, edition: str, raw_dir: str) -> EditionPaths:
        return EditionPaths(project=self, edition=edition, raw_dir=self.root / raw_dir)

    def relative(self, path: Path) -> str:
        """A path as shown to users and written into outputs: relative to the project root."""
        try:
            return Path(path).resolve().relative_to(self.root).as_posix()
        except ValueError:
            return Path(path).name


@dataclass(frozen=True)
class EditionPaths:
    """Inputs and outputs of one edition."""

    project: ProjectPaths
    edition: str
    raw_dir: Path

    @property
    def processed_dir(self) -> Path:
        return self.project.root / "data" / "processed" / self.edition

    @property
    def tables_dir(self) -> Path:
        """Validated, typed tables (output of the validate stage)."""
        return self.processed_dir / "tables"

    def table_file(self, table: str) -> Path:
        return self.tables_dir / f"{table}.csv"

    @property
    def validation_report(self) -> Path:
        """The validation report of the raw data (every problem, what was read): beside the processed
        tables, never in the site."""
        return self.processed_dir / "validierung.html"

    @property
    def indicators_file(self) -> Path:
        return self.processed_dir / "indikatoren.csv"

    @property
    def audit_file(self) -> Path:
        """Internal list of every cell hidden for confidentiality, and why (never published)."""
        return self.processed_dir / "geheimhaltung.csv"

    @property
    def model_audit_file(self) -> Path:
        """Internal list of every count the linked confidentiality model hides, and why."""
        return self.processed_dir / "geheimhaltung_modell.csv"

    @property
    def exposure_audit_file(self) -> Path:
        """Internal list of cells this edition hides that its previous edition published (never published)."""
        return self.processed_dir / "geheimhaltung_vorausgabe.csv"

    @property
    def indicator_status_file(self) -> Path:
        """What the report may show of each indicator value (confidentiality statuses)."""
        return self.processed_dir / "indikatoren_status.csv"

    @property
    def pyramid_file(self) -> Path:
        """The profiles' population pyramids: cells, age bands and statuses."""
        return self.processed_dir / "pyramiden.csv"

    @property
    def hidden_totals_file(self) -> Path:
        """City totals of raw columns hidden for confidentiality (usually none)."""
        return self.processed_dir / "verdeckte_summen.csv"

    @property
    def output_dir(self) -> Path:
        return self.project.root / "outputs" / self.edition

    @property
    def executed_dir(self) -> Path:
        return self.output_dir / "notebooks"

    def executed_notebook(self, chapter_id: str) -> Path:
        return self.executed_dir / f"{chapter_id}.ipynb"

    @property
    def profiles_dir(self) -> Path:
        """Executed district profiles, one notebook per statistical district."""
        return self.output_dir / "profile"

    def executed_profile(self, kennziffer: int) -> Path:
        return self.profiles_dir / f"{kennziffer}.ipynb"

    @property
    def failed_dir(self) -> Path:
        """Where a chapter that failed to execute is kept for inspection."""
        return self.output_dir / "failed"

    @property
    def execution_log(self) -> Path:
        """When each notebook ran and how long it took: a log, not a DVC output (it differs per run)."""
        return self.output_dir / "logs" / "execution.log"

    @property
    def site_dir(self) -> Path:
        return self.output_dir / "site"

    @property
    def quarto_dir(self) -> Path:
        """Working folder of the Quarto engine (a generated Quarto project)."""
        return self.output_dir / "quarto"
