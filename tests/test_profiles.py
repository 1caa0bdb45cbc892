"""District profiles, on the sample edition's processed data (no notebooks executed)."""

import pytest

from sozialplanung.core.config import open_edition
from sozialplanung.data.sample import generate_sample_data
from sozialplanung.data.validate import run_validation
from sozialplanung.report.chapter import ChapterContext
from sozialplanung.report.profile import PROFILE_INDICATORS, DistrictProfile
from sozialplanung.statistics.indicators import indicator, run_indicators

from conftest import copy_project


@pytest.fixture(scope="module")
def chapter(tmp_path_factory):
    edition = open_edition("2024", copy_project(tmp_path_factory.mktemp("profiles") / "project"))
    generate_sample_data(edition)
    run_validation(edition)
    run_indicators(edition)
    return ChapterContext(edition)


def test_intro_counts_the_districts_residents(chapter):
    people = chapter.tables["bevoelkerung"]
    residents = int(people[(people["kennziffer"] == 243) & (people["jahr"] == 2024)]["anzahl"].sum())
    text = DistrictProfile(chapter, 243).intro_text()
    assert "**Oberer Richtsberg** (Kennziffer 243)" in text
    assert f'<span class="anzahl">{residents:,}</span> Menschen'.replace(",", ".") in text


def test_key_table_compares_with_the_city_and_hides_ranks_of_hidden_values(chapter):
    table = DistrictProfile(chapter, 234).key_table()  # Lahnberge: ~120 residents, small counts
    names = [f"{indicator(i).name} ({indicator(i).unit})" for i in PROFILE_INDICATORS]
    assert [row[0] for row in table.rows] == names
    rows = dict(zip(PROFILE_INDICATORS, table.rows))
    hidden = [row for row in table.rows if row[1] == "."]
    assert hidden, "Lahnberge must show suppressed values"
    assert all(row[3] == "." for row in hidden)  # a rank would narrow a hidden value down
    city = chapter.indicators
    sgb2 = city[(city["indikator"] == "sgb2_quote") & (city["jahr"] == 2024) & (city["kennziffer"] == 0)].iloc[0]
    assert rows["sgb2_quote"][2] == chapter.published_rate(sgb2)


def test_rank_counts_only_published_districts(chapter):
    table = DistrictProfile(chapter, 243).key_table()
    sgb2 = next(row for row in table.rows if row[0].startswith("SGB-II-Quote"))
    shown = chapter.by_district("sgb2_quote").dropna(subset=["angezeigt"])
    position = int((shown["angezeigt"] > shown.set_index("kennziffer").loc[243, "angezeigt"]).sum()) + 1
    assert sgb2[3] == f"{position} von {len(shown)}"


def test_index_text_for_included_and_left_out_districts(chapter):
    assert (
        "nicht in den Sozialindex 2024 einbezogen: weniger als 300 Einwohner"
        in DistrictProfile(chapter, 326).index_text()
    )
    included = DistrictProfile(chapter, 243).index_text()
    assert "sozialen Status (Rang" in included and "sehr niedrigen" in included


def test_pyramid_and_location_map_describe_the_district(chapter):
    profile = DistrictProfile(chapter, 353)  # Bortshausen
    assert "Lage von Bortshausen" in profile.location_map().alt
    pyramid = profile.pyramid()
    assert pyramid.alt.startswith("Bevölkerungspyramide: Bevölkerung Bortshausen am 31.12.2024.")
    assert "nicht ausgewiesen" in pyramid.alt  # a village this small has age bands with 1 or 2 people


def test_unknown_district_is_rejected(chapter):
    with pytest.raises(KeyError, match="999"):
        _ = DistrictProfile(chapter, 999).name


def test_index_table_and_profile_hide_z_score_and_rank_of_a_hidden_status_indicator(chapter):
    from sozialplanung.report import sozialraum

    table = sozialraum.index_table(chapter)
    headers = list(table.headers)
    checked = 0
    for row in table.rows:
        values = dict(zip(headers, row))
        hidden = [
            h
            for h in headers
            if not h.startswith("z ")
            and h
            in (
                "SGB-II-Quote",
                "Kinderarmut (SGB II)",
                "Arbeitslosendichte",
                "Grundsicherung im Alter",
                "Alleinerziehende",
            )
            and values[h] == "."
        ]
        if hidden:
            checked += 1
            assert all(values[f"z {h}"] == "." for h in hidden)
            assert values["Statuswert"] == "." and values["Rang"] == "."
            assert values["Status"] in ("hoch", "mittel", "niedrig", "sehr niedrig")  # the class stays
    assert checked, "the sample must have a district with a hidden status indicator"
    name_to_code = dict(zip(chapter.districts["stadtbezirk"], chapter.districts["kennziffer"]))
    hidden_district = next(row[0] for row in table.rows if row[headers.index("Rang")] == ".")
    assert "Rang" not in DistrictProfile(chapter, name_to_code[hidden_district]).index_text()
