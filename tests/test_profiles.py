"""District profiles, on the sample edition's processed data (no notebooks executed)."""

import pytest

from sozialplanung.core.config import open_edition
from sozialplanung.data.ages import BROAD_AGE_GROUPS
from sozialplanung.data.contract import AGE_GROUPS
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
    key = "indikator/auslaenderanteil/nenner/2024/243"  # what the number is, for the gate's attacker
    assert f'<span class="anzahl" data-zelle="{key}">{residents:,}</span> Menschen'.replace(",", ".") in text


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
    profile = DistrictProfile(chapter, 211)  # Altstadt: every fine band holds 3 or more of each sex
    assert "Lage der Altstadt" in profile.location_map().alt  # the name with its article, in the genitive
    pyramid = profile.pyramid()
    assert pyramid.alt.startswith("Bevölkerungspyramide: Bevölkerung Altstadt am 31.12.2024.")
    assert set(profile.pyramid_cells["aufteilung"]) == {"fein"}
    assert len(profile.pyramid_cells) == 2 * len(AGE_GROUPS)


def test_small_district_gets_broad_age_groups_and_says_why(chapter):
    profile = DistrictProfile(chapter, 353)  # Bortshausen: a fine band with 1 or 2 people
    people = chapter.tables["bevoelkerung"]
    here = people[(people["kennziffer"] == 353) & (people["jahr"] == 2024)]
    assert here.groupby(["altersgruppe", "geschlecht"])["anzahl"].sum().between(1, 2).any()
    cells = profile.pyramid_cells
    assert list(dict.fromkeys(cells["altersgruppe"])) == list(BROAD_AGE_GROUPS)
    broad = {label: ages.age_groups for label, ages in BROAD_AGE_GROUPS.items()}
    for row in cells.itertuples():  # each broad cell is the sum of its fine bands
        expected = here[here["altersgruppe"].isin(broad[row.altersgruppe]) & (here["geschlecht"] == row.geschlecht)]
        assert row.anzahl == expected["anzahl"].sum() >= 3
    assert "groben Altersgruppen" in profile.pyramid_text()
    assert profile.pyramid() is not None


def test_district_too_small_for_any_pyramid_gets_none_and_a_reason(chapter):
    profile = DistrictProfile(chapter, 234)  # Lahnberge, 117 residents
    assert profile.pyramid() is None
    assert profile.pyramid_cells.empty
    assert "keine Bevölkerungspyramide" in profile.pyramid_text()


def test_unknown_district_is_rejected(chapter):
    with pytest.raises(KeyError, match="999"):
        _ = DistrictProfile(chapter, 999).name


def test_districts_with_a_hidden_status_indicator_are_left_out_of_the_index(chapter):
    from sozialplanung.report import sozialraum

    ids = chapter.config.index.status_indicators
    hidden = {
        int(k)
        for i in ids
        for k, status in chapter.by_district(i)[["kennziffer", "wert_status"]].itertuples(index=False)
        if status
    }
    assert hidden, "the sample must have a district with a hidden status indicator"
    result = chapter.sozialindex
    assert not hidden & set(result.values["kennziffer"])
    reasons = result.excluded.set_index("kennziffer")["reason"]
    for kennziffer in hidden:
        assert kennziffer in reasons.index
        if not reasons[kennziffer].startswith("weniger als"):
            assert "Geheimhaltung" in reasons[kennziffer]
            text = DistrictProfile(chapter, kennziffer).index_text()
            assert "nicht in den Sozialindex" in text and "Rang" not in text.split("einbezogen")[0]
    names = set(chapter.districts.set_index("kennziffer").loc[sorted(hidden), "stadtbezirk"])
    table = sozialraum.index_table(chapter)
    assert not names & {row[0] for row in table.rows}
    # every number of the index says what it is, so the publish gate's attacker can read it
    first = int(result.values["kennziffer"].iloc[0])
    assert table.keys[0][1] == f"indikator/{ids[0]}/wert/{result.year}/{first}"
    assert table.keys[0][2] == f"sozialindex/{result.year}/{first}/z_{ids[0]}"
    assert table.keys[0][-1] == f"sozialindex/{result.year}/{first}/rang"


def test_index_standardises_over_published_values_only(chapter):
    result = chapter.sozialindex
    values = chapter.by_district("sgb2_quote").set_index("kennziffer").loc[result.values["kennziffer"], "wert"]
    mean, sd = values.mean(), values.std(ddof=0)
    z = result.values.set_index("kennziffer")["z_sgb2_quote"]
    assert ((values - mean) / sd - z).abs().max() < 1e-9


def test_every_pointer_to_the_index_method_names_the_method_chapter(chapter):
    from sozialplanung.report import sozialraum

    pointer = "Die Einzelheiten des Verfahrens beschreibt das Kapitel „Methodik und Glossar“ im Abschnitt Sozialindex."
    assert sozialraum.method_pointer(chapter) == pointer
    assert DistrictProfile(chapter, 243).index_text().endswith(pointer)
    assert DistrictProfile(chapter, 326).index_text().endswith(pointer)
    assert sozialraum.intro_text(chapter).endswith(pointer)
    assert "Sozialräumliche Analyse" not in DistrictProfile(chapter, 243).index_text()
