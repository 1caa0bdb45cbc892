"""The changes page (sozialplanung.site.changes): what changed since the previous edition."""

from __future__ import annotations

import shutil
from decimal import Decimal
from types import SimpleNamespace

import pandas as pd
import pytest

from sozialplanung.core.config import open_edition
from sozialplanung.core.errors import PublishError
from sozialplanung.data.sample import LATE_REPORTED
from sozialplanung.pipeline import prepare
from sozialplanung.report.chapter import ChapterContext
from sozialplanung.report.sentences import number_word
from sozialplanung.site import changes
from sozialplanung.site.model import read_indicator_frame
from sozialplanung.site.pages import render_changes, render_start
from sozialplanung.site.sitemap import CHANGES_PAGE, site_map
from sozialplanung.statistics.indicators import CITY

from conftest import copy_project


def values(*rows: tuple[int, int, str, str]) -> pd.DataFrame:
    """Published values as :func:`changes.published_values` gives them: (jahr, kennziffer, indikator, text)."""
    frame = pd.DataFrame(rows, columns=["jahr", "kennziffer", "indikator", "text"])
    frame["value"] = [changes._number(text) for text in frame["text"]]
    return frame


# --- revisions, by hand ---------------------------------------------------------------------------


def test_a_value_both_editions_publish_differently_is_a_revision_with_both_values():
    before = values((2023, 0, "sgb2_quote", "7,8"), (2023, 211, "sgb2_quote", "4,0"), (2022, 0, "sgb2_quote", "7,5"))
    after = values((2023, 0, "sgb2_quote", "7,9"), (2023, 211, "sgb2_quote", "4,0"), (2022, 0, "sgb2_quote", "7,5"))
    revised = changes.revisions(before, after)
    expected = {"indikator": "sgb2_quote", "kennziffer": 0, "jahr": 2023, "before": "7,8", "after": "7,9"}
    assert revised.to_dict("records") == [expected | {"difference": "+0,1"}]


def test_a_value_hidden_in_either_edition_is_never_listed():
    before = values((2023, 211, "sgb2_quote", "."), (2023, 212, "sgb2_quote", "3,0"), (2023, 213, "sgb2_quote", "x"))
    after = values((2023, 211, "sgb2_quote", "4,1"), (2023, 212, "sgb2_quote", "."), (2023, 213, "sgb2_quote", "2,0"))
    assert changes.revisions(before, after).empty


def test_a_true_zero_is_a_published_number():
    before = values((2023, 211, "kinderarmut", "–"), (2023, 212, "kinderarmut", "–"))
    after = values((2023, 211, "kinderarmut", "0,5"), (2023, 212, "kinderarmut", "–"))
    revised = changes.revisions(before, after)
    assert revised[["kennziffer", "before", "after", "difference"]].values.tolist() == [[211, "–", "0,5", "+0,5"]]


def test_revisions_are_listed_in_indicator_order_then_year_and_district():
    before = values(
        (2023, 212, "wohngeldquote", "2,0"), (2022, 211, "wohngeldquote", "2,0"), (2023, 211, "sgb2_quote", "4,0")
    )
    after = values(
        (2023, 212, "wohngeldquote", "2,5"), (2022, 211, "wohngeldquote", "1,5"), (2023, 211, "sgb2_quote", "4,2")
    )
    revised = changes.revisions(before, after)
    assert list(zip(revised["indikator"], revised["jahr"], revised["kennziffer"])) == [
        ("sgb2_quote", 2023, 211),
        ("wohngeldquote", 2022, 211),
        ("wohngeldquote", 2023, 212),
    ]
    assert revised["difference"].tolist() == ["+0,2", "−0,5", "+0,5"]


def test_added_and_dropped_districts_and_indicators_leave_out_the_city():
    before = values((2023, 0, "a", "1,0"), (2023, 211, "a", "1,0"), (2023, 212, "b", "1,0"))
    after = values((2024, 0, "c", "1,0"), (2024, 211, "a", "1,0"), (2024, 213, "a", "1,0"))
    assert changes._added(after, before, "kennziffer") == (213,)
    assert changes._added(before, after, "kennziffer") == (212,)
    assert changes._added(after, before, "indikator") == ("c",)
    assert changes._added(before, after, "indikator") == ("b",)


def test_published_cells_read_back_as_numbers():
    assert changes._number("1.234,5") == Decimal("1234.5")
    assert changes._number("–") == 0
    assert changes._number(".") is None and changes._number("x") is None


# --- the sample pair: 2023 and 2024 ---------------------------------------------------------------


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    """The sample project with both editions prepared up to their indicators."""
    project = copy_project(tmp_path_factory.mktemp("changes") / "project")
    current = open_edition("2024", project)
    previous = current.previous()
    assert previous is not None and previous.config.edition == "2023"
    for edition in (previous, current):
        prepare(edition, progress=lambda message: None)
    return current, previous


@pytest.fixture(scope="module")
def compared(pair):
    current, previous = pair
    return changes.compare_editions(ChapterContext(current), ChapterContext(previous))


def _raw(edition, name: str) -> pd.DataFrame:
    return pd.read_csv(edition.paths.raw_dir / f"{name}.csv", sep=";", encoding="utf-8-sig")


def _wohngeld_rate(edition, year: int, kennziffer: int) -> str:
    """The Wohngeldquote by hand from the raw files: households with Wohngeld per 100 households."""
    wohngeld, households = _raw(edition, "wohngeld"), _raw(edition, "haushalte")
    if kennziffer != CITY:
        wohngeld = wohngeld[wohngeld["kennziffer"] == kennziffer]
        households = households[households["kennziffer"] == kennziffer]
    rate = 100 * wohngeld.loc[wohngeld["jahr"] == year, "haushalte"].sum()
    rate /= households.loc[households["jahr"] == year, "anzahl"].sum()
    return f"{Decimal(str(rate)).quantize(Decimal('0.1'), rounding='ROUND_HALF_UP')}".replace(".", ",")


def test_the_revised_values_are_the_late_reported_wohngeld_of_the_earlier_editions_year(compared, pair):
    current, previous = pair
    revised = compared.revisions
    assert [table for table, _column in LATE_REPORTED] == ["wohngeld"]
    assert set(revised["indikator"]) == {"wohngeldquote"} and set(revised["jahr"]) == {previous.config.year}
    city = revised[revised["kennziffer"] == CITY].iloc[0]
    assert city["before"] == _wohngeld_rate(previous, 2023, CITY)
    assert city["after"] == _wohngeld_rate(current, 2023, CITY)
    assert city["before"] != city["after"]
    for row in revised.itertuples(index=False):
        if row.kennziffer != CITY:
            assert (row.before, row.after) == (
                _wohngeld_rate(previous, row.jahr, row.kennziffer),
                _wohngeld_rate(current, row.jahr, row.kennziffer),
            )


def test_every_value_both_publish_alike_or_listed_and_nothing_hidden_shown(compared, pair):
    current, previous = pair
    before = changes.published_values(ChapterContext(previous))
    after = changes.published_values(ChapterContext(current))
    both = before.merge(after, on=changes.KEYS, suffixes=("_before", "_after"))
    differ = both[both["text_before"] != both["text_after"]]
    hidden = differ["text_before"].isin([".", "x"]) | differ["text_after"].isin([".", "x"])
    listed = set(zip(compared.revisions["indikator"], compared.revisions["jahr"], compared.revisions["kennziffer"]))
    assert listed == set(zip(differ[~hidden]["indikator"], differ[~hidden]["jahr"], differ[~hidden]["kennziffer"]))
    assert not compared.revisions["after"].isin([".", "x"]).any()
    assert not compared.revisions["before"].isin([".", "x"]).any()


def test_key_figures_compare_each_editions_own_year(compared, pair):
    current, previous = pair
    figures = compared.key_figures.set_index("indikator")
    assert list(figures.index) == list(current.config.key_figures)
    now, then = ChapterContext(current), ChapterContext(previous)
    for indicator_id, row in figures.iterrows():
        assert row["before"] == then.rate_text(indicator_id, 2023)
        assert row["after"] == now.rate_text(indicator_id, 2024)
        change = changes._number(row["after"]) - changes._number(row["before"])
        assert row["direction"] == ("gestiegen" if change > 0 else "gesunken" if change < 0 else "unverändert")


def test_class_changes_are_each_editions_published_classes(compared, pair):
    current, previous = pair
    before = ChapterContext(previous).sozialindex.values.set_index("kennziffer")["status_class"].astype(str)
    after = ChapterContext(current).sozialindex.values.set_index("kennziffer")["status_class"].astype(str)
    expected = {k for k in set(before.index) | set(after.index) if before.get(k) != after.get(k)}
    assert set(compared.class_changes["kennziffer"]) == expected and expected


def test_the_page_says_what_changed_in_sentences_computed_from_the_data(compared, pair):
    current, _previous = pair
    context, tables = changes.changes_context(current, CHANGES_PAGE)
    count = len(compared.revisions)
    assert context["revision_sentence"] == (
        f"Der Sozialbericht 2024 weist {count} Werte früherer Jahre anders aus als der Sozialbericht 2023: "
        f"Wohngeldquote 2023 ({count} Werte)."
    )
    assert context["coverage_sentences"] == [
        "Beide Berichte umfassen dieselben 33 Stadtbezirke.",
        f"Beide Berichte umfassen dieselben {compared.indicators} Kennzahlen.",
    ]
    moved = compared.class_changes
    assert context["class_change_sentences"][0] == (
        f"Gegenüber dem Sozialindex 2023 hat sich bei {number_word(len(moved))} Stadtbezirken die Einstufung geändert."
    )
    assert [t["table_id"] for t in tables] == ["kennzahlen", "statusklassen", "korrigierte-werte"]
    html, _tables = render_changes(current, site_map(current))
    assert "Sozialbericht 2023" in html and "keinen früheren Bericht" not in html
    assert 'data-zelle="indikator/wohngeldquote/wert/2023/0"' in html


def test_an_edition_without_a_previous_one_says_so(pair):
    _current, previous = pair
    html, tables = render_changes(previous, site_map(previous))
    assert "gibt es keinen früheren Bericht" in html and tables == []
    start = render_start(previous, read_indicator_frame(previous), site_map(previous))
    assert "keinen früheren, mit dem er sich vergleichen ließe" in start and CHANGES_PAGE.filename in start
    current, _previous = pair
    start = render_start(current, read_indicator_frame(current), site_map(current))
    assert "anders ausweist als der Sozialbericht 2023" in start


def test_a_named_previous_edition_without_indicators_stops_the_build(pair, tmp_path):
    current, _previous = pair
    project = copy_project(tmp_path / "project")
    shutil.copytree(current.paths.processed_dir, project / "data" / "processed" / "2024")
    edition = open_edition("2024", project)
    with pytest.raises(PublishError, match=r"sozialbericht prepare --edition 2023"):
        changes.changes_context(edition, CHANGES_PAGE)


# --- sentences, for changes made by hand ----------------------------------------------------------


def _edition(year: int, districts: dict[int, str]) -> SimpleNamespace:
    """What the sentences read of an edition: its year and its districts' names."""
    frame = pd.DataFrame({"kennziffer": list(districts), "stadtbezirk": list(districts.values())})
    return SimpleNamespace(year=year, districts=frame)


def _changes(**fields) -> changes.EditionChanges:
    defaults = dict(
        previous=_edition(2023, {211: "Altstadt", 212: "Weidenhausen", 999: "Alter Bezirk"}),
        current=_edition(2024, {211: "Altstadt", 212: "Weidenhausen", 213: "Campusviertel"}),
        key_figures=pd.DataFrame(columns=["indikator", "before", "after", "change", "direction"]),
        class_changes=pd.DataFrame(columns=["kennziffer", "before", "after", "direction"]),
        new_districts=(),
        dropped_districts=(),
        new_indicators=(),
        dropped_indicators=(),
        revisions=pd.DataFrame(columns=["indikator", "kennziffer", "jahr", "before", "after", "difference"]),
        districts=2,
        indicators=14,
    )
    return changes.EditionChanges(**(defaults | fields))


def test_key_figure_sentences_name_what_rose_fell_stayed_and_could_not_be_compared():
    figures = pd.DataFrame(
        {
            "indikator": ["sgb2_quote", "kinderarmut", "wohngeldquote", "marburgpass_quote"],
            "direction": ["gesunken", "gesunken", None, "unverändert"],
        }
    )
    assert changes.key_figure_sentences(_changes(key_figures=figures)) == [
        "Gesunken gegenüber dem Sozialbericht 2023: SGB-II-Quote und Kinderarmut (SGB II).",
        "Gleich geblieben: MarburgPass-Quote.",
        "Nicht zu vergleichen, weil ein Wert fehlt oder geheim gehalten wird: Wohngeldquote.",
    ]


def test_class_change_sentences_count_and_name_the_districts_by_direction():
    one = pd.DataFrame([{"kennziffer": 212, "before": "mittel", "after": "niedrig", "direction": "ungünstiger"}])
    assert changes.class_change_sentences(_changes(class_changes=one)) == [
        "Gegenüber dem Sozialindex 2023 hat sich bei einem Stadtbezirk die Einstufung geändert.",
        "In einer ungünstigeren Statusklasse: Weidenhausen.",
    ]
    assert changes.class_change_sentences(_changes()) == [
        "Alle Stadtbezirke des Sozialindex 2024 liegen in derselben Statusklasse wie im Sozialindex 2023."
    ]
    assert "lassen sich nicht vergleichen" in changes.class_change_sentences(_changes(class_changes=None))[0]


def test_coverage_sentences_name_added_and_dropped_districts_and_indicators():
    moved = _changes(new_districts=(213,), dropped_districts=(999,), dropped_indicators=("alte_quote",))
    assert changes.coverage_sentences(moved) == [
        "Stadtbezirke, die der Sozialbericht 2023 nicht enthielt: Campusviertel.",
        "Stadtbezirke, die der Sozialbericht 2024 nicht mehr enthält: Alter Bezirk.",
        "Kennzahlen, die der Sozialbericht 2024 nicht mehr enthält: alte_quote.",
    ]
    assert changes.coverage_sentences(_changes()) == [
        "Beide Berichte umfassen dieselben zwei Stadtbezirke.",
        "Beide Berichte umfassen dieselben 14 Kennzahlen.",
    ]


def test_revision_sentence_counts_values_per_indicator_and_names_the_years():
    revised = pd.DataFrame(
        {
            "indikator": ["sgb2_quote", "wohngeldquote", "wohngeldquote"],
            "kennziffer": [0, 0, 211],
            "jahr": [2022, 2022, 2023],
            "before": ["1,0"] * 3,
            "after": ["1,1"] * 3,
            "difference": ["+0,1"] * 3,
        }
    )
    assert changes.revision_sentence(_changes(revisions=revised)) == (
        "Der Sozialbericht 2024 weist drei Werte früherer Jahre anders aus als der Sozialbericht 2023: "
        "SGB-II-Quote 2022 (einen Wert) und Wohngeldquote 2022 und 2023 (zwei Werte)."
    )
    assert changes.revision_sentence(_changes()) == (
        "Der Sozialbericht 2024 weist alle Werte früherer Jahre, die beide Berichte veröffentlichen, "
        "so aus wie der Sozialbericht 2023."
    )


# --- what the previous edition published stays published -------------------------------------------


def _statuses(*rows: tuple[int, int, str, str, str, str]) -> SimpleNamespace:
    """An edition's indicator statuses: (jahr, kennziffer, indikator, zaehler, nenner, wert status)."""
    columns = [*changes.KEYS, "zaehler_status", "nenner_status", "wert_status"]
    return SimpleNamespace(indicators=pd.DataFrame(rows, columns=columns))


def test_a_cell_hidden_now_that_the_previous_edition_published_is_exposed():
    before = _statuses((2023, 211, "wohngeldquote", "", "", ""), (2023, 212, "wohngeldquote", "primaer", "", "primaer"))
    after = _statuses(
        (2023, 211, "wohngeldquote", "sekundaer", "", "sekundaer"),  # published before: exposed
        (2023, 212, "wohngeldquote", "primaer", "", "primaer"),  # hidden in both: fine
        (2024, 211, "wohngeldquote", "primaer", "", "primaer"),  # a year the previous edition lacks: fine
    )
    exposed = changes.exposed_by_previous(after, before)
    assert exposed.to_dict("records") == [
        {"indikator": "wohngeldquote", "kennziffer": 211, "jahr": 2023, "teil": "zaehler"},
        {"indikator": "wohngeldquote", "kennziffer": 211, "jahr": 2023, "teil": "wert"},
    ]
    assert changes.exposed_by_previous(before, after).empty  # published now what was hidden before: no harm


def test_exposed_cells_are_listed_internally_and_named_on_the_console(tmp_path):
    project = copy_project(tmp_path / "project")
    edition = open_edition("2024", project)
    edition.paths.processed_dir.mkdir(parents=True)
    assert changes.exposure_warning(edition) is None  # nothing published yet
    exposed = pd.DataFrame([{"indikator": "wohngeldquote", "kennziffer": 211, "jahr": 2023, "teil": "wert"}])
    changes.record_exposed(edition, exposed)
    warning = changes.exposure_warning(edition)
    assert warning.startswith("1 value(s) hidden in this edition were published by edition 2023")
    assert "data/processed/2024/geheimhaltung_vorausgabe.csv" in warning
    changes.record_exposed(edition, exposed.iloc[0:0])  # the next publishing finds none: the list is emptied
    assert changes.exposure_warning(edition) is None
    assert edition.paths.exposure_audit_file.read_text(encoding="utf-8") == "indikator,kennziffer,jahr,teil\n"
    assert not (edition.paths.site_dir / "geheimhaltung_vorausgabe.csv").exists()


def test_the_sample_editions_hide_the_same_cells_in_the_years_they_share(pair):
    current, previous = pair
    assert changes.exposed_by_previous(ChapterContext(current), ChapterContext(previous)).empty
    assert changes.exposed_by_previous(ChapterContext(previous), ChapterContext(current)).empty
    changes.changes_context(current, CHANGES_PAGE)
    assert changes.exposure_warning(current) is None and current.paths.exposure_audit_file.is_file()
    left = pd.DataFrame([{"indikator": "wohngeldquote", "kennziffer": 211, "jahr": 2022, "teil": "wert"}])
    changes.record_exposed(previous, left)  # a list left from a publishing when 2023 had a previous edition
    changes.changes_context(previous, CHANGES_PAGE)  # now it has none: nothing can be exposed
    assert changes.exposure_warning(previous) is None
