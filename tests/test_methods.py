"""The method chapter says exactly what the code computes."""

import re

import pytest

from sozialplanung.core.config import open_edition
from sozialplanung.data.ages import AgeRange, population
from sozialplanung.data.load import read_districts
from sozialplanung.data.sample import build_tables
from sozialplanung.report.chapter import ChapterContext
from sozialplanung.report.methods import GLOSSARY, confidentiality_text, glossary_text, index_method, indicator_table
from sozialplanung.report.tables import ReportTable
from sozialplanung.statistics import indicators as ind

from conftest import REPO


@pytest.fixture(scope="module")
def chapter():
    return ChapterContext(open_edition("2024", REPO))


@pytest.fixture(scope="module")
def computed():
    tables = build_tables(read_districts(REPO / "data/reference/marburg_stadtbezirke.csv"), 7, [2023, 2024])
    return tables, ind.compute_indicators(tables)


def _age_range(text: str) -> AgeRange | None:
    """The age range a German definition names: "Einwohner von 15 bis unter 65 Jahren" → 15..65."""
    if m := re.fullmatch(r"Einwohner von (\d+) bis unter (\d+) Jahren", text):
        return AgeRange(int(m[1]), int(m[2]))
    if m := re.fullmatch(r"Einwohner unter (\d+) Jahren", text):
        return AgeRange(0, int(m[1]))
    if m := re.fullmatch(r"Einwohner (\d+) Jahre und älter", text):
        return AgeRange(int(m[1]), None)
    if text == "Einwohner insgesamt":
        return AgeRange(0, None)
    return None


def test_method_table_lists_every_indicator_as_defined(chapter):
    table = indicator_table(chapter)
    assert [row[0] for row in table.rows] == [d.name for d in ind.INDICATORS]
    for row, definition in zip(table.rows, ind.INDICATORS):
        assert row[1] == definition.numerator
        assert row[2] == f"je {definition.per} {definition.denominator}"


@pytest.mark.parametrize("definition", ind.INDICATORS, ids=lambda d: d.id)
def test_every_age_limit_on_the_method_page_is_the_one_the_code_uses(definition, computed):
    tables, frame = computed
    rows = frame[(frame["indikator"] == definition.id) & (frame["kennziffer"] != ind.CITY)].set_index(
        ["jahr", "kennziffer"]
    )
    checked = 0
    for part, text in (("zaehler", definition.numerator), ("nenner", definition.denominator)):
        ages = _age_range(text)
        if ages is None:
            continue
        expected = population(tables["bevoelkerung"], ages)
        assert rows[part].sort_index().tolist() == expected.reindex(rows.index).sort_index().tolist(), (part, text)
        checked += 1
    population_based = definition.denominator.startswith("Einwohner")
    assert checked >= (1 if population_based else 0)


def test_confidentiality_text_uses_the_editions_threshold(chapter):
    text = confidentiality_text(chapter)
    threshold = chapter.config.confidentiality.threshold
    assert f"weniger als **{threshold} Personen**" in text
    assert f"zwischen 1 und {threshold - 1}" in text


def test_index_method_names_configured_indicators_and_limits(chapter):
    parts = index_method(chapter)
    tables = [p for p in parts if isinstance(p, ReportTable)]
    assert [t.caption for t in tables] == [
        "Statusindikatoren des Sozialindex und ihre Gewichte",
        "Klassen des sozialen Status",
        "Klassen der Dynamik",
    ]
    text = " ".join(p.data if not isinstance(p, ReportTable) else p.to_html() for p in parts)
    for indicator_id in chapter.config.index.status_indicators:
        assert ind.indicator(indicator_id).name in text
    assert "1,5" in text and "300" in text


def test_glossary_lists_every_term():
    text = glossary_text()
    assert all(f"**{term}**" in text for term in GLOSSARY)
