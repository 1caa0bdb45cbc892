"""German report sentences: plurals, lists, ties, directions from published values, district grammar.

Every expectation is written out by hand; numbers are judged as the tables publish them (rounded half
up), and no sentence may carry a table symbol.
"""

from __future__ import annotations

import re
import shutil
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from sozialplanung.core.errors import DataError
from sozialplanung.core.formats import SYMBOL_NOT_APPLICABLE
from sozialplanung.data.districts import GRAMMAR_FILE, read_district_grammar
from sozialplanung.data.load import read_districts
from sozialplanung.report.sentences import (
    CASE,
    CHILD,
    HOUSEHOLD,
    PERSON,
    POINT,
    DistrictGrammar,
    Noun,
    capitalize_first,
    change_clause,
    comparison,
    count_phrase,
    difference,
    direction,
    every_nth,
    extreme_sentence,
    extremes,
    join_names,
    number_word,
)
from sozialplanung.statistics.confidentiality import SYMBOL_CONFIDENTIAL, SYMBOL_ZERO

from conftest import REPO

REFERENCE = REPO / "data" / "reference"
DISTRICTS = read_districts(REFERENCE / "marburg_stadtbezirke.csv")
GRAMMAR = DistrictGrammar.from_frame(read_district_grammar(REFERENCE / GRAMMAR_FILE, DISTRICTS))
QUOTE = "die SGB-II-Quote"
_SYMBOL_AS_VALUE = re.compile(
    rf"(^|[\s(;]){re.escape(SYMBOL_CONFIDENTIAL)}($|[\s);,])|(^|[\s(;]){SYMBOL_NOT_APPLICABLE}($|[\s);,.])"
)


def assert_no_symbol(text: str) -> None:
    """No table symbol where a number belongs: no dash at all, no lone "." or "x", no "nan"/"None"."""
    assert SYMBOL_ZERO not in text, text
    assert not _SYMBOL_AS_VALUE.search(text), text
    assert "nan" not in text.casefold().split() and "None" not in text, text


# --- plurals and lists ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "expected"),
    [(0, "keine Personen"), (1, "1 Person"), (2, "2 Personen"), (1234, "1.234 Personen"), (12.0, "12 Personen")],
)
def test_count_phrase_chooses_singular_plural_and_zero(n, expected):
    assert count_phrase(n, "Person", "Personen") == expected


def test_count_phrase_zero_can_be_overridden_and_nouns_come_from_the_caller():
    assert count_phrase(0, "Person", "Personen", zero="niemand") == "niemand"
    assert CASE.count(1) == "1 Fall"
    assert CASE.count(3) == "3 Fälle"
    assert HOUSEHOLD.count(0) == "keine Haushalte"
    assert Noun("Bedarfsgemeinschaft", "Bedarfsgemeinschaften").count(2) == "2 Bedarfsgemeinschaften"


@pytest.mark.parametrize("n", [None, float("nan"), pd.NA, -1, 2.5])
def test_count_phrase_refuses_hidden_missing_and_impossible_counts(n):
    with pytest.raises(ValueError):
        count_phrase(n, "Person", "Personen")


def test_dative_plural_follows_the_n_rule_unless_overridden():
    assert CASE.plural_dative() == "Fällen"
    assert CHILD.plural_dative() == "Kindern"
    assert PERSON.plural_dative() == "Personen"
    assert Noun("Auto", "Autos").plural_dative() == "Autos"


def test_number_words_up_to_twelve_then_digits():
    assert [number_word(n) for n in (2, 3, 12, 13, 1500)] == ["zwei", "drei", "zwölf", "13", "1.500"]


def test_join_names():
    assert join_names(["A"]) == "A"
    assert join_names(["A", "B"]) == "A und B"
    assert join_names(["A", "B", "C"]) == "A, B und C"
    assert join_names(["A", "B"], "oder") == "A oder B"
    with pytest.raises(ValueError):
        join_names([])


# --- extremes and ties ----------------------------------------------------------------------------


def test_a_single_extreme():
    result = extremes({"Cappel": 3.2, "Altstadt": 12.4, "Wehrda": 7.0})
    assert result.names == ("Altstadt",) and result.value == Decimal("12.4") and not result.tied
    assert extremes({"Cappel": 3.2, "Altstadt": 12.4}, highest=False).names == ("Cappel",)


def test_two_and_three_tied_districts_are_all_named_in_german_alphabetical_order():
    two = extremes({"Waldtal": 8.1, "Südviertel": 8.1, "Cappel": 2.0})
    assert two.names == ("Südviertel", "Waldtal") and two.tied
    three = extremes({"Lahnberge": 0.0, "Dilschhausen": 0.0, "Haddamshausen": 0.0, "Cappel": 2.0}, highest=False)
    assert three.names == ("Dilschhausen", "Haddamshausen", "Lahnberge")
    # DIN 5007-1: Südviertel sorts as "Sudviertel", before Sz… and after Stadtwald
    assert extremes({"Szene": 1, "Südviertel": 1, "Stadtwald": 1}).names == ("Stadtwald", "Südviertel", "Szene")


def test_a_tie_only_after_rounding_is_a_tie_and_rounding_is_half_up():
    # 13,54 and 13,46 are both published as 13,5; 13,55 is published as 13,6 (half up, not to even)
    assert extremes({"A": 13.54, "B": 13.46, "C": 12.0}).names == ("A", "B")
    assert extremes({"A": 13.54, "B": 13.55}).names == ("B",)
    assert extremes({"A": 13.54, "B": 13.46}, decimals=2).names == ("A",)


def test_hidden_values_are_never_an_extreme():
    result = extremes({"Lahnberge": None, "Ronhausen": float("nan"), "Cappel": 3.0, "Wehrda": 5.0, "X": pd.NA})
    assert result.names == ("Wehrda",) and result.published == 2 and result.hidden == 3
    assert extremes({"Lahnberge": None, "Cappel": 3.0, "Wehrda": 5.0}, highest=False).names == ("Cappel",)


def test_formatted_cells_are_refused_rather_than_misread():
    with pytest.raises(TypeError):
        extremes({"A": ".", "B": 3.0})
    with pytest.raises(TypeError):
        direction("13,5", 13.8)


def test_all_hidden_gives_no_extreme_and_a_sentence_that_says_so():
    assert extremes({"A": None, "B": float("nan")}) is None
    text = extreme_sentence({"A": None, "B": float("nan")}, QUOTE)
    assert text == "Für keinen Stadtbezirk kann die SGB-II-Quote ausgewiesen werden."


def test_extreme_sentence_single_with_and_without_district_grammar():
    values = {"Oberer Richtsberg": 25.34, "Cappel": 6.0, "Altstadt": 4.1}
    assert extreme_sentence(values, QUOTE, unit="%") == (
        "Am höchsten war die SGB-II-Quote mit 25,3 % im Stadtbezirk Oberer Richtsberg."
    )
    assert extreme_sentence(values, QUOTE, unit="%", place=GRAMMAR.place) == (
        "Am höchsten war die SGB-II-Quote mit 25,3 % am Oberen Richtsberg."
    )
    assert extreme_sentence(values, QUOTE, unit="%", highest=False, place=GRAMMAR.place) == (
        "Am niedrigsten war die SGB-II-Quote mit 4,1 % in der Altstadt."
    )


def test_extreme_sentence_names_every_tied_district_with_je():
    values = {"Wehrda": 1.24, "Cappel": 1.16, "Altstadt": 4.1}
    assert extreme_sentence(values, QUOTE, unit="%", highest=False) == (
        "Am niedrigsten war die SGB-II-Quote mit je 1,2 % in zwei Stadtbezirken (Cappel und Wehrda)."
    )


def test_three_districts_at_zero_read_as_bei_null():
    values = {"Lahnberge": 0.0, "Dilschhausen": 0, "Haddamshausen": 0.0, "Cappel": 3.2, "Bortshausen": None}
    assert extreme_sentence(values, QUOTE, highest=False) == (
        "In drei Stadtbezirken (Dilschhausen, Haddamshausen und Lahnberge) lag die SGB-II-Quote bei null."
    )
    one = extreme_sentence({"Lahnberge": 0, "Cappel": 3.2}, QUOTE, highest=False, place=GRAMMAR.place)
    assert one == "Auf den Lahnbergen lag die SGB-II-Quote bei null."


def test_a_value_only_rounded_to_zero_keeps_its_number():
    # 0,04 is published as 0,0 but is not zero: "bei null" would be wrong
    assert extreme_sentence({"A": 0.04, "B": 3.0}, QUOTE, unit="%", highest=False) == (
        "Am niedrigsten war die SGB-II-Quote mit 0,0 % im Stadtbezirk A."
    )


def test_when_every_published_value_is_equal_there_is_no_extreme_to_single_out():
    assert extreme_sentence({"A": 2.04, "B": 1.96, "C": None}, QUOTE, unit="%") == (
        "In beiden Stadtbezirken mit ausgewiesenem Wert war die SGB-II-Quote gleich hoch (je 2,0 %)."
    )
    assert (
        extreme_sentence({"A": 0, "B": 0, "C": 0}, QUOTE)
        == "In allen drei Stadtbezirken lag die SGB-II-Quote bei null."
    )
    assert extreme_sentence({"A": 5.0, "B": None}, QUOTE, unit="%") == (
        "Nur im Stadtbezirk A kann die SGB-II-Quote ausgewiesen werden (5,0 %)."
    )


def test_extreme_sentences_never_contain_a_table_symbol():
    cases = [
        {"A": None, "B": float("nan")},
        {"A": 0, "B": 0.0, "C": None},
        {"A": 0.04, "B": 0, "C": float("nan"), "D": 7.5},
        {"A": 1234.5, "B": 1234.46},
    ]
    for values in cases:
        for highest in (True, False):
            assert_no_symbol(extreme_sentence(values, QUOTE, highest=highest, unit="%"))


def test_the_symbol_check_itself_catches_symbols():
    for text in ("Am höchsten war die Quote mit . %.", "Die Quote lag bei –.", "Der Wert war x.", "Wert None"):
        with pytest.raises(AssertionError):
            assert_no_symbol(text)
    assert_no_symbol("Etwa jede 7. Person, 1.234 Personen, 13,5 %.")


# --- directions, changes, comparisons -------------------------------------------------------------


def test_direction_is_judged_on_published_values():
    assert direction(13.5, 13.8) == "gestiegen"
    assert direction(13.8, 13.5) == "gesunken"
    assert direction(13.54, 13.46) == "unverändert"  # both 13,5
    assert direction(13.54, 13.46, decimals=2) == "gesunken"


def test_difference_is_taken_between_the_rounded_published_values():
    # unrounded 13,76 − 13,54 = 0,22 would read "0,2"; the tables show 13,5 and 13,8
    assert difference(13.54, 13.76) == Decimal("0.3")
    assert change_clause(13.54, 13.76) == "ist um 0,3 Prozentpunkte gestiegen"


def test_change_clause_wording():
    assert change_clause(13.8, 13.5) == "ist um 0,3 Prozentpunkte gesunken"
    assert change_clause(13.54, 13.46) == "ist unverändert geblieben"
    assert change_clause(12, 13) == "ist um 1,0 Prozentpunkte gestiegen"  # a decimal number takes the plural
    assert change_clause(12, 13, decimals=0) == "ist um 1 Prozentpunkt gestiegen"
    assert change_clause(4.2, 4.5, noun=POINT) == "ist um 0,3 Punkte gestiegen"


def test_percent_change_of_counts_has_no_sign():
    # 1.234 → 1.153: −81 / 1.234 = −6,564 %
    assert change_clause(1234, 1153, decimals=0, kind="percent") == "ist um 6,6 % gesunken"
    assert change_clause(1153, 1234, decimals=0, kind="percent") == "ist um 7,0 % gestiegen"  # 81 / 1.153 = 7,025 %
    assert change_clause(10000, 10001, decimals=0, kind="percent") == "ist um weniger als 0,1 % gestiegen"
    assert change_clause(0, 12, decimals=0, kind="percent") == "ist von null auf 12 gestiegen"
    assert change_clause(50, 50, decimals=0, kind="percent") == "ist unverändert geblieben"


def test_count_change_with_a_noun():
    assert change_clause(1234, 1153, decimals=0, kind="count", noun=PERSON) == "ist um 81 Personen gesunken"
    assert change_clause(10, 11, decimals=0, kind="count", noun=PERSON) == "ist um 1 Person gestiegen"
    assert change_clause(10, 12, decimals=0, kind="count") == "ist um 2 gestiegen"


def test_changes_never_carry_a_sign_or_symbol():
    for old, new in ((13.5, 13.8), (13.8, 13.5), (1234, 1153), (0.04, 0.0), (5, 5)):
        for kind in ("points", "percent", "count"):
            text = change_clause(old, new, kind=kind)
            assert_no_symbol(text)
            assert not re.search("[−+±-]", text), text


@pytest.mark.parametrize("missing", [None, float("nan"), pd.NA])
def test_a_hidden_value_has_no_direction(missing):
    with pytest.raises(ValueError):
        direction(missing, 13.5)
    with pytest.raises(ValueError):
        change_clause(13.5, missing)
    with pytest.raises(ValueError):
        comparison(missing, 13.5)


def test_comparison_on_published_values():
    assert comparison(13.8, 13.5) == "höher als"
    assert comparison(13.5, 13.8) == "niedriger als"
    assert comparison(13.54, 13.46) == "genauso hoch wie"
    assert comparison(7, 5, words=("größer als", "kleiner als", "genauso groß wie")) == "größer als"


def test_every_nth():
    assert every_nth(13.5, PERSON) == "etwa jede 7. Person"  # 100 / 13,5 = 7,4
    assert every_nth(25.0, CHILD) == "jedes 4. Kind"
    assert every_nth(12.5, HOUSEHOLD) == "jeder 8. Haushalt"
    # published 13,3 (not 13,34): 100 / 13,3 = 7,52 → 8, where the unrounded 7,496 would give 7
    assert every_nth(13.34, PERSON) == "etwa jede 8. Person"
    with pytest.raises(ValueError):
        every_nth(60.0, PERSON)
    with pytest.raises(ValueError):
        every_nth(10.0, Noun("Fall", "Fälle"))


# --- district grammar -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kennziffer", "nominative", "dative", "genitive"),
    [
        (243, "der Obere Richtsberg", "am Oberen Richtsberg", "des Oberen Richtsbergs"),
        (211, "die Altstadt", "in der Altstadt", "der Altstadt"),
        (214, "das Südviertel", "im Südviertel", "des Südviertels"),
        (234, "die Lahnberge", "auf den Lahnbergen", "der Lahnberge"),
        (351, "Cappel", "in Cappel", "Cappels"),
        (311, "Wehrda", "in Wehrda", "von Wehrda"),
    ],
)
def test_district_articles_and_cases(kennziffer, nominative, dative, genitive):
    assert GRAMMAR.nominative(kennziffer) == nominative
    assert GRAMMAR.dative(kennziffer) == dative
    assert GRAMMAR.genitive(kennziffer) == genitive


def test_a_chapter_can_write_location_and_genitive_phrases():
    assert f"Die Lage {GRAMMAR.genitive(243)} am Stadtrand" == "Die Lage des Oberen Richtsbergs am Stadtrand"
    assert f"{capitalize_first(GRAMMAR.dative(243))} lebten" == "Am Oberen Richtsberg lebten"
    assert GRAMMAR.named("Oberer Richtsberg").kennziffer == 243
    with pytest.raises(ValueError, match="no grammar|No grammar"):
        GRAMMAR.forms(999)


def test_every_reference_district_has_exactly_one_grammar_row():
    raw = pd.read_csv(REFERENCE / GRAMMAR_FILE, encoding="utf-8")
    assert sorted(raw["kennziffer"]) == sorted(DISTRICTS["kennziffer"]) and raw["kennziffer"].is_unique
    assert len(GRAMMAR.by_code) == len(DISTRICTS) == 33
    names = dict(zip(DISTRICTS["kennziffer"], DISTRICTS["stadtbezirk"]))
    assert all(form.name == names[code] for code, form in GRAMMAR.by_code.items())


def test_every_grammar_form_contains_the_districts_name():
    for form in GRAMMAR.by_code.values():
        stem = form.name.split()[-1][:5]  # "Richtsberg" in "des Oberen Richtsbergs", "Lahnb" in "Lahnbergen"
        assert all(stem in text for text in (form.nominative, form.dative, form.genitive)), form
        assert form.dative.split()[0] in ("in", "im", "am", "auf"), form


def _copy_with(tmp_path: Path, edit) -> Path:
    target = tmp_path / GRAMMAR_FILE
    shutil.copy(REFERENCE / GRAMMAR_FILE, target)
    frame = pd.read_csv(target, encoding="utf-8", dtype=str)
    edit(frame).to_csv(target, index=False, encoding="utf-8")
    return target


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda f: f.iloc[1:], "no row for kennziffer 211"),
        (lambda f: pd.concat([f, f.iloc[[0]]]), "more than one row for kennziffer 211"),
        (lambda f: pd.concat([f, f.iloc[[0]].assign(kennziffer="999")]), "unknown kennziffer 999"),
        (lambda f: f.assign(dativ=f["dativ"].where(f["kennziffer"] != "243", "")), "empty cells"),
        (lambda f: f.assign(stadtbezirk=f["stadtbezirk"].replace("Altstadt", "Oberstadt")), "differently"),
        (lambda f: f.drop(columns="genitiv"), "lacks the column"),
    ],
)
def test_the_loader_refuses_an_incomplete_grammar(tmp_path, edit, message):
    with pytest.raises(DataError, match=message):
        read_district_grammar(_copy_with(tmp_path, edit), DISTRICTS)


def test_the_loader_needs_the_file(tmp_path):
    with pytest.raises(DataError, match="not found"):
        read_district_grammar(tmp_path / GRAMMAR_FILE, DISTRICTS)
