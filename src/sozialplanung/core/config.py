"""One typed, validated, frozen configuration object per edition.

Parameters come from ``params/<edition>.yaml``; dates stay strings in YAML and are parsed here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)

from sozialplanung.core.errors import ConfigError
from sozialplanung.core.paths import EditionPaths, ProjectPaths


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


SheetName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class DataConfig(_Frozen):
    raw_dir: str = Field(description="Folder of the raw tables, relative to the project root")
    synthetic: bool = Field(description="True for the generated sample data")
    sheets: dict[str, SheetName] = Field(
        default_factory=dict,
        description="Table name -> the sheet of its workbook that holds the data; a table not named here: "
        "the sheet whose header matches the data contract",
    )


class SampleConfig(_Frozen):
    seed: int
    first_year: int
    last_year: int

    @model_validator(mode="after")
    def _years_ordered(self) -> SampleConfig:
        if self.first_year > self.last_year:
            raise ValueError("sample.first_year must not be after sample.last_year")
        return self


class ConfidentialityConfig(_Frozen):
    threshold: int = Field(3, ge=1, description="Smallest number of cases a published value may rest on")
    protection_range: int = Field(
        2,
        ge=1,
        description="How far apart the least and the most a hidden count can be (from what is published) "
        "must at least lie",
    )


class IndexConfig(_Frozen):
    """The Sozialindex (district social-status index), modelled on Berlin's MSS and Hamburg's
    Sozialmonitoring: z-standardised status indicators, weighted and summed, classed by standard
    deviations of the score; the dynamics index classes the change over ``dynamics_years``."""

    status_indicators: tuple[str, ...] = (
        "sgb2_quote",
        "kinderarmut",
        "arbeitslosendichte",
        "grundsicherung_alter",
        "alleinerziehende",
    )
    weights: dict[str, float] = Field(default_factory=dict, description="Indicator id -> weight (default 1)")
    min_population: int = Field(300, ge=0, description="Districts with fewer residents are left out")
    status_limits: tuple[float, float, float] = Field(
        (-1.0, 1.0, 1.5), description="Score limits (in standard deviations) between hoch|mittel|niedrig|sehr niedrig"
    )
    dynamics_years: int = Field(2, ge=1)
    dynamics_limits: tuple[float, float] = Field(
        (-1.0, 1.0), description="Limits (in standard deviations) between positiv|stabil|negativ"
    )
    borderline_margin: float = Field(
        0.1,
        ge=0,
        description="A district whose status score lies within this many standard deviations of a class "
        "limit is marked as borderline (as is one whose class changes with one case more or less)",
    )
    smoothing_years: int = Field(
        1,
        ge=1,
        description="Status indicators of districts under smoothing_population residents are pooled over "
        "this many years (numerators and denominators summed); 1: no smoothing",
    )
    smoothing_population: int = Field(
        1000, ge=0, description="Districts with fewer residents are smoothed over smoothing_years"
    )
    dynamics_min_cases: int = Field(
        10,
        ge=0,
        description="A district with a status indicator whose numerator is below this count in both years "
        "of the comparison gets no dynamics class",
    )

    @model_validator(mode="after")
    def _ordered(self) -> IndexConfig:
        if list(self.status_limits) != sorted(self.status_limits) or list(self.dynamics_limits) != sorted(
            self.dynamics_limits
        ):
            raise ValueError("class limits must be ascending")
        unknown = set(self.weights) - set(self.status_indicators)
        if unknown:
            raise ValueError(f"weights for indicators not in status_indicators: {', '.join(sorted(unknown))}")
        return self

    def weight(self, indicator_id: str) -> float:
        return self.weights.get(indicator_id, 1.0)


class MapsConfig(_Frozen):
    boundaries: str | None = Field(
        None, description="GeoJSON of the district boundaries (relative to the project); None: schematic tile map"
    )


class ProfilesConfig(_Frozen):
    notebook: str = Field("stadtteilprofil", description="Notebook executed once per statistical district")
    districts: tuple[int, ...] = Field(
        (), description="Kennziffern of the districts that get a profile; empty: every district of the reference data"
    )


class LicenceConfig(_Frozen):
    """The licence of everything an edition publishes: tables, figures, downloads and open data."""

    name: str = Field(
        "dl-de-by-2.0",
        pattern=r"^[-a-z0-9._/]+$",
        description="Machine-readable licence id, as the Open Definition names it (datapackage.json)",
    )
    title: str = Field("Datenlizenz Deutschland – Namensnennung – Version 2.0", min_length=1)
    url: str = Field("https://www.govdata.de/dl-de/by-2-0", pattern=r"^https?://\S+$")


class PublicationConfig(_Frozen):
    """Who publishes an edition, under which licence, and how it is cited. An edition without the
    ``publication`` section publishes under the Datenlizenz Deutschland – Namensnennung 2.0."""

    author: str = Field("Universitätsstadt Marburg", min_length=1, description="Named first in every citation")
    publisher: str = Field(
        "Universitätsstadt Marburg, Fachdienst Sozialplanung",
        min_length=1,
        description="The office that publishes the edition (page footer, datapackage.json)",
    )
    year: int | None = Field(
        None, ge=1990, le=2101, description="Year of publication in citations; None: the year after the Stichtag"
    )
    url: str | None = Field(
        None,
        pattern=r"^https?://\S+$",
        description="Web address of the published site; citations then link absolutely, else relative to the site",
    )
    licence: LicenceConfig = LicenceConfig()


CHAPTER_ID_PATTERN = r"^\d\d_[a-z0-9_]+$"
"""A chapter id: two digits (its place in the report), an underscore, a lower-case name."""


class ChapterConfig(_Frozen):
    id: str = Field(pattern=CHAPTER_ID_PATTERN)
    title: str


class EditionConfig(_Frozen):
    edition: str
    title: str
    year: int = Field(ge=1990, le=2100)
    reference_date: date
    first_year: int
    data: DataConfig
    sample: SampleConfig
    confidentiality: ConfidentialityConfig = ConfidentialityConfig()
    chapters: tuple[ChapterConfig, ...]
    key_figures: tuple[str, ...] = ()
    index: IndexConfig = IndexConfig()
    maps: MapsConfig = MapsConfig()
    profiles: ProfilesConfig = ProfilesConfig()
    publication: PublicationConfig = PublicationConfig()
    previous_edition: str | None = Field(
        None,
        description="The edition this one is compared with on the changes page (its parameter file's name); "
        "null: none (the page says so)",
    )

    @field_validator("chapters", mode="before")
    @classmethod
    def _chapters_by_id(cls, value: object) -> object:
        """In YAML, chapters are a mapping id -> settings (so DVC names stages by id)."""
        if isinstance(value, dict):
            return [{"id": key, **(settings or {})} for key, settings in value.items()]
        return value

    @model_validator(mode="after")
    def _consistent(self) -> EditionConfig:
        if self.reference_date != date(self.year, 12, 31):
            raise ValueError(f"reference_date must be 31.12. of year {self.year}")
        if self.first_year > self.year:
            raise ValueError("first_year must not be after year")
        ids = [c.id for c in self.chapters]
        if len(set(ids)) != len(ids):
            raise ValueError("chapter ids must be unique")
        if self.previous_edition == self.edition:
            raise ValueError("previous_edition must name another edition than this one")
        if self.publication.year is not None and self.publication.year < self.year:
            raise ValueError(f"publication.year must not be before the edition's year {self.year}")
        return self

    @property
    def publication_year(self) -> int:
        """The year citations name: ``publication.year``, else the year after the Stichtag (a report on
        the 31.12. appears in the following year)."""
        return self.publication.year or self.reference_date.year + 1

    @property
    def years(self) -> list[int]:
        """Years of the time series, oldest first."""
        return list(range(self.first_year, self.year + 1))

    def chapter(self, chapter_id: str) -> ChapterConfig:
        for chapter in self.chapters:
            if chapter.id == chapter_id:
                return chapter
        known = ", ".join(c.id for c in self.chapters)
        raise ConfigError(f"Edition {self.edition} has no chapter {chapter_id!r} (chapters: {known})")


@dataclass(frozen=True)
class Edition:
    """An edition's configuration together with the paths of its inputs and outputs."""

    config: EditionConfig
    paths: EditionPaths

    @property
    def project(self) -> ProjectPaths:
        return self.paths.project

    def previous(self) -> Edition | None:
        """The edition this one is compared with (``previous_edition``, from the same project), or None."""
        if self.config.previous_edition is None:
            return None
        return open_edition(self.config.previous_edition, self.project.root)


def load_config(params_file: Path) -> EditionConfig:
    """Read and validate one edition's parameter file."""
    if not params_file.is_file():
        raise ConfigError(f"Parameter file {params_file.name} not found in {params_file.parent}.")
    try:
        raw = yaml.safe_load(params_file.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ConfigError(f"{params_file.name} is not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise ConfigError(f"{params_file.name} must hold a mapping of parameters.")
    try:
        config = EditionConfig.model_validate(raw)
    except ValidationError as exc:
        lines = [f"  {'.'.join(str(p) for p in err['loc']) or '(top)'}: {err['msg']}" for err in exc.errors()]
        raise ConfigError(f"{params_file.name} has invalid parameters:\n" + "\n".join(lines)) from exc
    if config.edition != params_file.stem:
        raise ConfigError(f"{params_file.name} says edition {config.edition!r}; it must match the file name.")
    return config


def open_edition(edition: str, project_dir: str | Path = ".") -> Edition:
    """The entry point for CLI and notebooks: config and paths of one edition."""
    project = ProjectPaths.at(project_dir)
    config = load_config(project.params_file(str(edition)))
    return Edition(config=config, paths=project.edition(config.edition, config.data.raw_dir))


def latest_edition(project_dir: str | Path = ".") -> str:
    """The newest edition that has a parameter file (the default of every command)."""
    editions = ProjectPaths.at(project_dir).editions()
    if not editions:
        raise ConfigError("No edition parameters found in params/.")
    return editions[-1]
