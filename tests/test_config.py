from datetime import date
from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from sozialplanung.core.config import latest_edition, load_config, open_edition
from sozialplanung.core.errors import ConfigError


def _write(project: Path, name: str, **changes) -> Path:
    params = yaml.safe_load((project / "params" / "2024.yaml").read_text(encoding="utf-8"))
    params.update(changes)
    path = project / "params" / f"{name}.yaml"
    path.write_text(yaml.safe_dump(params, allow_unicode=True), encoding="utf-8")
    return path


def test_sample_edition_parameters_are_typed_and_frozen(repo):
    edition = open_edition("2024", repo)
    config = edition.config
    assert config.reference_date == date(2024, 12, 31)
    assert config.years == [2019, 2020, 2021, 2022, 2023, 2024]
    assert config.confidentiality.threshold == 3
    assert [c.id for c in config.chapters][:4] == [
        "00_kurzfassung",
        "00_leichte_sprache",
        "01_bevoelkerung",
        "02_existenzsicherung",
    ]
    assert config.chapter("02_existenzsicherung").title == "Existenzsicherung und Armut"
    assert edition.paths.raw_dir == repo / "data" / "raw" / "sample-2024"
    assert edition.paths.site_dir == repo / "outputs" / "2024" / "site"
    with pytest.raises(ValidationError, match="frozen"):
        config.year = 2025


def test_reference_date_must_be_the_31st_of_december(project):
    path = _write(project, "2024", reference_date="2024-06-30")
    with pytest.raises(ConfigError, match="reference_date must be 31.12. of year 2024"):
        load_config(path)


def test_every_invalid_field_is_named(project):
    path = _write(project, "2024", year="zwanzig", confidentiality={"threshold": 0})
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert "year" in str(error.value)
    assert "confidentiality.threshold" in str(error.value)


def test_unknown_keys_are_rejected(project):
    path = _write(project, "2024", colour="red")
    with pytest.raises(ConfigError, match="colour"):
        load_config(path)


def test_edition_must_match_file_name(project):
    path = _write(project, "2025")
    with pytest.raises(ConfigError, match="must match the file name"):
        load_config(path)


def test_missing_edition_and_missing_project_say_what_to_do(project, tmp_path):
    with pytest.raises(ConfigError, match="2030.yaml not found"):
        open_edition("2030", project)
    with pytest.raises(ConfigError, match="not a sozialplanung project"):
        open_edition("2024", tmp_path / "elsewhere")


def test_unknown_chapter_lists_the_known_ones(repo):
    with pytest.raises(ConfigError, match="01_bevoelkerung, 02_existenzsicherung, 03_wohnen"):
        open_edition("2024", repo).config.chapter("99_nichts")


def test_latest_edition_is_the_newest_parameter_file(project):
    assert latest_edition(project) == "2024"
    _write(project, "2025", edition="2025", year=2025, reference_date="2025-12-31")
    assert latest_edition(project) == "2025"
