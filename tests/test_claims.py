"""Claims: the grammar of ``data-aussage``, the checker with hand-made values, and every claim of two
built editions — the sample and one from another seed, in which directions and extremes flip —
checked against the published data; no finding typed by hand into a markdown cell."""

from __future__ import annotations

import json
import re
from types import SimpleNamespace

import pandas as pd
import pytest

from sozialplanung.core.config import open_edition
from sozialplanung.core.errors import PublishError
from sozialplanung.pipeline import build
from sozialplanung.report import claims, sentences
from sozialplanung.report.chapter import FREQUENCY_WORDS, ChapterContext
from sozialplanung.report.claims import Change, Comparison, EveryNth, Extreme, PublishedValues

from conftest import REPO, copy_project

# --- the grammar ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("claim", "attribute"),
    [
        (Extreme("max", "sgb2_quote", 2024, (243, 232)), "extrem|max|sgb2_quote|2024|232,243"),
        (Extreme("min", "kinderarmut", 2024, ()), "extrem|min|kinderarmut|2024|"),
        (Change("stadt", "kinderarmut", 2023, 2024, "gestiegen"), "richtung|stadt|kinderarmut|2023|2024|gestiegen"),
        (
            Change(
                "stadt",
                claims.total_measure("arbeitslose", "arbeitslose", "rechtskreis=SGB III"),
                2019,
                2020,
                "gesunken",
            ),
            "richtung|stadt|summe:arbeitslose:arbeitslose:rechtskreis=SGB III|2019|2020|gesunken",
        ),
        (
            Comparison(2024, 243, "sgb2_quote", "höher", "stadt", "sgb2_quote"),
            "vergleich|2024|243|sgb2_quote|höher|stadt|sgb2_quote",
        ),
        (EveryNth("stadt", "kinderarmut", 2024, 7), "jede|stadt|kinderarmut|2024|7"),
    ],
)
def test_a_claim_is_written_and_read_back(claim, attribute):
    assert claim.to_attribute() == attribute
    assert claims.parse(attribute) == claim


@pytest.mark.parametrize(
    "attribute",
    [
        "extrem|oben|sgb2_quote|2024|211",
        "richtung|stadt|sgb2_quote|2023|2024|gestiegen|mehr",
        "richtung|Altstadt|sgb2_quote|2023|2024|gestiegen",
        "vergleich|2024|stadt|sgb2_quote|größer|stadt|elb_quote",
        "jede|stadt|kinderarmut|2024|sieben",
        "rang|stadt|sgb2_quote|2024|1",
    ],
)
def test_a_malformed_claim_is_refused(attribute):
    with pytest.raises(ValueError, match="Malformed claim"):
        claims.parse(attribute)


def test_an_annotated_sentence_keeps_its_text_and_says_what_it_asserts():
    claim = Extreme("max", "sgb2_quote", 2024, (243,))
    html = claims.annotate("Am höchsten war die Quote am Oberen Richtsberg.", claim)
    assert claims.page_claims(f"<p>Vorher. {html} Nachher.</p>") == [
        ("extrem|max|sgb2_quote|2024|243", "Am höchsten war die Quote am Oberen Richtsberg.")
    ]


# --- the checker, with values worked out by hand ------------------------------------------------


def _row(indicator, year, kennziffer, zaehler, nenner, status=""):
    return {
        "jahr": year,
        "kennziffer": kennziffer,
        "indikator": indicator,
        "zaehler": zaehler,
        "nenner": nenner,
        "wert": zaehler / nenner * 100 if nenner else float("nan"),
        "zaehler_status": status,
        "nenner_status": status,
        "wert_status": status,
    }


@pytest.fixture
def values() -> PublishedValues:
    """Three districts and the city. 2024: 211 is 13,54 → 13,5; 212 is 13,46 → 13,5 (tied with 211
    as published); 213 is 40,0 but hidden; city 14,0. 2023: city 13,96 → 14,0 (unchanged as
    published, although 13,96 < 14,0), 211 12,0."""
    rows = [
        _row("sgb2_quote", 2024, 211, 1354, 10000),
        _row("sgb2_quote", 2024, 212, 1346, 10000),
        _row("sgb2_quote", 2024, 213, 40, 100, status="sekundaer"),
        _row("sgb2_quote", 2024, 0, 2740, 19570),
        _row("sgb2_quote", 2023, 0, 1396, 10000),
        _row("sgb2_quote", 2023, 211, 120, 1000),
        _row("kinderarmut", 2024, 0, 700, 5000),
    ]
    arbeitslose = pd.DataFrame(
        {
            "jahr": [2019, 2019, 2020, 2020],
            "kennziffer": [211, 211, 211, 211],
            "rechtskreis": ["SGB II", "SGB III", "SGB II", "SGB III"],
            "arbeitslose": [500, 300, 490, 350],
        }
    )
    hidden = pd.DataFrame(
        {
            "jahr": [2020],
            "tabelle": ["arbeitslose"],
            "spalte": ["arbeitslose"],
            "schluessel": [""],
            "status": ["primaer"],
        }
    )
    return PublishedValues(pd.DataFrame(rows), {"arbeitslose": arbeitslose}, hidden, threshold=3)


SGB3 = claims.total_measure("arbeitslose", "arbeitslose", "rechtskreis=SGB III")
SGB2 = claims.total_measure("arbeitslose", "arbeitslose", "rechtskreis=SGB II")


@pytest.mark.parametrize(
    "claim",
    [
        Extreme("max", "sgb2_quote", 2024, (211, 212)),  # tied as published; the hidden 40,0 is no extreme
        Extreme("min", "sgb2_quote", 2024, (211, 212)),
        Change("stadt", "sgb2_quote", 2023, 2024, "unverändert"),  # 14,0 → 14,0 as published
        Change(211, "sgb2_quote", 2023, 2024, "gestiegen"),  # 12,0 → 13,5
        Change("stadt", SGB3, 2019, 2020, "gestiegen"),  # 300 → 350
        Change("stadt", SGB2, 2019, 2020, "gesunken"),  # 500 → 490
        Comparison(2024, 211, "sgb2_quote", "niedriger", "stadt", "sgb2_quote"),  # 13,5 < 14,0
        Comparison(2024, 211, "sgb2_quote", "gleich", 212, "sgb2_quote"),
        Comparison(2019, "stadt", SGB3, "niedriger", "stadt", SGB2),  # 300 < 500
        EveryNth("stadt", "kinderarmut", 2024, 7),  # 100 / 14,0 = 7,1 → 7
    ],
)
def test_a_true_claim_holds(values, claim):
    assert claims.check_claim(claim, values) is None


@pytest.mark.parametrize(
    ("claim", "reason"),
    [
        (Extreme("max", "sgb2_quote", 2024, (211,)), "published max is at 211, 212"),  # a tie left out
        (Extreme("max", "sgb2_quote", 2024, (213,)), "published max is at 211, 212"),  # the hidden value
        (Change("stadt", "sgb2_quote", 2023, 2024, "gestiegen"), "are unverändert"),  # judged before rounding
        (Change(211, "sgb2_quote", 2023, 2024, "gesunken"), "are gestiegen"),
        (Change("stadt", SGB3, 2019, 2020, "gesunken"), "are gestiegen"),
        (Comparison(2024, 211, "sgb2_quote", "höher", "stadt", "sgb2_quote"), "niedriger"),
        (Comparison(2024, 213, "sgb2_quote", "höher", "stadt", "sgb2_quote"), "not published"),
        (Change("stadt", claims.total_measure("arbeitslose", "arbeitslose"), 2019, 2020, "gestiegen"), "not published"),
        (EveryNth("stadt", "kinderarmut", 2024, 8), "every 7th"),
        (Extreme("max", "elb_quote", 2024, (211,)), "no district values"),
    ],
)
def test_a_false_claim_is_caught_with_its_reason(values, claim, reason):
    assert reason in claims.check_claim(claim, values)


def test_a_planted_false_claim_is_reported_with_page_and_text(values):
    true = claims.annotate("Am höchsten … (211, 212).", Extreme("max", "sgb2_quote", 2024, (211, 212)))
    false = claims.annotate("Am höchsten … in 213.", Extreme("max", "sgb2_quote", 2024, (213,)))
    broken = '<span data-aussage="richtung|stadt|sgb2_quote">kaputt</span>'
    failures = claims.check_page("02_existenzsicherung.html", f"<p>{true} {false} {broken}</p>", values)
    assert [(f.page, f.text, f.claim) for f in failures] == [
        ("02_existenzsicherung.html", "Am höchsten … in 213.", "extrem|max|sgb2_quote|2024|213"),
        ("02_existenzsicherung.html", "kaputt", "richtung|stadt|sgb2_quote"),
    ]


def test_the_publish_gate_refuses_a_false_claim_naming_page_claim_and_text(values, tmp_path):
    false = claims.annotate("Am höchsten … in 213.", Extreme("max", "sgb2_quote", 2024, (213,)))
    (tmp_path / "02_existenzsicherung.html").write_text(f"<p>{false}</p>", encoding="utf-8")
    failures = claims.check_site(tmp_path, values)
    with pytest.raises(PublishError) as refused:
        claims.refuse(failures)
    message = str(refused.value)
    assert "1 statement(s)" in message and "The previous edition stays in place" in message
    assert "02_existenzsicherung.html: extrem|max|sgb2_quote|2024|213" in message and "in 213." in message
    claims.refuse([])  # nothing to refuse


def test_a_site_without_statements_needs_no_data(tmp_path):
    (tmp_path / "index.html").write_text("<p>Keine Aussage über Zahlen.</p>", encoding="utf-8")
    edition = SimpleNamespace(paths=None)  # reading the edition's data would fail
    assert claims.check_edition_site(tmp_path, edition) == []


# --- the ChapterContext helpers, with values worked out by hand ------------------------------------


@pytest.fixture
def chapter() -> ChapterContext:
    """A chapter over hand-made rates (report year 2024, first year 2019): city SGB-II-Quote 8,1;
    Grundsicherung im Alter 3,3 (2019) → 3,9 (2024); districts 211 and 212 tied at 13,5 as published
    (13,54 and 13,46), 213 hidden (40,0)."""
    rows = [
        _row("sgb2_quote", 2024, 0, 810, 10000),
        _row("sgb2_quote", 2023, 0, 790, 10000),
        _row("sgb2_quote", 2019, 0, 770, 10000),
        _row("grundsicherung_alter", 2019, 0, 330, 10000),
        _row("grundsicherung_alter", 2024, 0, 390, 10000),
        _row("sgb2_quote", 2024, 211, 1354, 10000),
        _row("sgb2_quote", 2024, 212, 1346, 10000),
        _row("sgb2_quote", 2024, 213, 40, 100, status="sekundaer"),
        _row("sgb2_quote", 2019, 211, 1400, 10000),
        _row("sgb2_quote", 2019, 213, 30, 100),
    ]
    config = SimpleNamespace(year=2024, first_year=2019, confidentiality=SimpleNamespace(threshold=3))
    context = ChapterContext(SimpleNamespace(config=config))
    districts = pd.DataFrame(
        {"kennziffer": [211, 212, 213], "stadtbezirk": ["Altstadt", "Weidenhausen", "Campusviertel"]}
    )
    grammar = pd.DataFrame(
        {
            "kennziffer": [211, 212, 213],
            "stadtbezirk": ["Altstadt", "Weidenhausen", "Campusviertel"],
            "nominativ": ["die Altstadt", "Weidenhausen", "das Campusviertel"],
            "dativ": ["in der Altstadt", "in Weidenhausen", "im Campusviertel"],
            "genitiv": ["der Altstadt", "Weidenhausens", "des Campusviertels"],
        }
    )
    context.__dict__.update(  # the cached properties, as the edition's files would fill them
        indicators=pd.DataFrame(rows),
        districts=districts,
        district_grammar=sentences.DistrictGrammar.from_frame(grammar),
    )
    return context


def test_an_extreme_names_every_tied_district_and_never_a_hidden_one(chapter):
    text = chapter.extreme_sentence("sgb2_quote", "die SGB-II-Quote")
    assert claims.page_claims(text) == [
        (
            "extrem|max|sgb2_quote|2024|211,212",
            "In beiden Stadtbezirken mit ausgewiesenem Wert war die SGB-II-Quote gleich hoch (je 13,5).",
        )
    ]


def test_a_rate_lower_but_rising_reads_aber(chapter):
    text = chapter.rate_comparison_sentence(
        "grundsicherung_alter",
        "sgb2_quote",
        "Altersarmut",
        "Armut unter 65 Jahren",
        words=FREQUENCY_WORDS,
        verb="war in Marburg damit",
        trend_subject="die Quote",
    )
    assert claims.page_claims(text) == [
        (
            "vergleich|2024|stadt|grundsicherung_alter|niedriger|stadt|sgb2_quote",
            "Altersarmut war in Marburg damit seltener als Armut unter 65 Jahren (3,9 gegenüber 8,1 je 100).",
        ),
        (
            "richtung|stadt|grundsicherung_alter|2019|2024|gestiegen",
            "Seit 2019 ist die Quote aber um 0,6 Prozentpunkte gestiegen.",
        ),
    ]


def test_a_rate_higher_and_rising_reads_without_aber(chapter):
    text = chapter.rate_comparison_sentence(
        "sgb2_quote", "grundsicherung_alter", "Die Quote", "die andere", trend_subject="sie"
    )
    assert claims.page_claims(text)[1] == (
        "richtung|stadt|sgb2_quote|2019|2024|gestiegen",
        "Seit 2019 ist sie um 0,4 Prozentpunkte gestiegen.",
    )
    assert "lag höher als die andere (8,1 gegenüber 3,9 je 100)" in text


def test_the_change_since_last_year_and_between_earlier_years_are_named_as_such(chapter):
    assert "Gegenüber dem Vorjahr ist die Quote um 0,2 Prozentpunkte gestiegen." in chapter.rate_change_sentence(
        "sgb2_quote", "die Quote", 2023
    )
    assert chapter._since(2019, 2020) == "Von 2019 bis 2020"


def test_a_district_is_compared_with_the_city_and_a_hidden_one_is_not(chapter):
    text = chapter.district_comparison_sentence(211, "sgb2_quote", "die SGB-II-Quote")
    assert claims.page_claims(text) == [
        (
            "vergleich|2024|211|sgb2_quote|höher|stadt|sgb2_quote",
            "Die SGB-II-Quote lag in der Altstadt mit 13,5 höher als in der Gesamtstadt (8,1).",
        ),
        (
            "richtung|211|sgb2_quote|2019|2024|gesunken",
            "Seit 2019 ist die SGB-II-Quote in der Altstadt um 0,5 Prozentpunkte gesunken.",
        ),
    ]
    hidden = chapter.district_comparison_sentence(213, "sgb2_quote", "die SGB-II-Quote")
    assert hidden == "Im Campusviertel wird die SGB-II-Quote nicht ausgewiesen."
    with pytest.raises(ValueError, match="hidden"):
        chapter.comparison_text("sgb2_quote", kennziffer=213)


def test_jedes_nte_kind_is_marked_with_its_n(chapter):
    text = chapter.every_nth_text("sgb2_quote", sentences.CHILD)
    assert claims.page_claims(text) == [("jede|stadt|sgb2_quote|2024|12", "etwa jedes 12. Kind")]


# --- two editions: the sample and one from another seed --------------------------------------

OTHER_SEED = 7
"""A seed for which, as test_the_second_data_set_flips_directions_and_extremes asserts, city-level
directions and the districts at an extreme differ from the sample's."""


@pytest.fixture(scope="module")
def built_other(tmp_path_factory):
    project = copy_project(tmp_path_factory.mktemp("other") / "project")
    edition = open_edition("2024", project)
    # this edition and the previous one it is compared with: one other synthetic series
    for name in ("2024", edition.config.previous_edition):
        params = project / "params" / f"{name}.yaml"
        text = params.read_text(encoding="utf-8")
        seed = re.search(r"^  seed: (\d+)", text, flags=re.MULTILINE)
        assert seed and int(seed.group(1)) != OTHER_SEED, "the params file lost sample.seed, or uses the other seed"
        params.write_text(re.sub(r"^  seed: \d+", f"  seed: {OTHER_SEED}", text, count=1, flags=re.MULTILINE))
    edition = open_edition("2024", project)
    return edition, build(edition, engine="nbconvert", progress=lambda message: None)


@pytest.fixture(scope="module")
def editions(built_sample, built_other):
    return {"sample": built_sample[0], "other": built_other[0]}


def _site_claims(edition) -> dict[str, list[claims.Claim]]:
    return {
        path.name: [claims.parse(attribute) for attribute, _ in claims.page_claims(path.read_text(encoding="utf-8"))]
        for path in sorted(edition.paths.site_dir.glob("*.html"))
    }


@pytest.mark.slow
@pytest.mark.parametrize("which", ["sample", "other"])
def test_every_claim_of_the_edition_is_borne_out_by_the_published_data(editions, which):
    edition = editions[which]
    failures = claims.check_site(edition.paths.site_dir, PublishedValues.of_edition(edition))
    assert [str(f) for f in failures] == []
    assert sum(map(len, _site_claims(edition).values())) > 100  # the check saw the claims


def _signature(claim: claims.Claim) -> tuple:
    """What a page asserts about, without the finding itself (which depends on the data)."""
    if isinstance(claim, Extreme):
        return ("extrem", claim.side, claim.indicator)
    if isinstance(claim, Change):
        return ("richtung", claim.area, claim.measure, claim.since, claim.year)
    if isinstance(claim, Comparison):
        return ("vergleich", claim.area, claim.measure, claim.other_area, claim.other_measure)
    return ("jede", claim.area, claim.measure)


ARBEITSLOSE = {
    rechtskreis: claims.total_measure("arbeitslose", "arbeitslose", f"rechtskreis={rechtskreis}")
    for rechtskreis in ("SGB II", "SGB III")
}
LANGZEIT = {
    rechtskreis: claims.total_measure("arbeitslose", "langzeitarbeitslose", f"rechtskreis={rechtskreis}")
    for rechtskreis in ("SGB II", "SGB III")
}
EXPECTED_CHAPTER_CLAIMS = {
    "01_bevoelkerung": {
        ("extrem", side, indicator) for side in ("max", "min") for indicator in ("altenquotient", "auslaenderanteil")
    },
    "02_existenzsicherung": {
        ("extrem", "max", "sgb2_quote"),
        ("extrem", "min", "sgb2_quote"),
        ("extrem", "max", "kinderarmut"),
        ("richtung", "stadt", "sgb2_quote", 2023, 2024),
        ("jede", "stadt", "kinderarmut"),
        ("vergleich", "stadt", "kinderarmut", "stadt", "sgb2_quote"),
        ("vergleich", "stadt", "grundsicherung_alter", "stadt", "sgb2_quote"),
        ("richtung", "stadt", "grundsicherung_alter", 2019, 2024),
    },
    "03_wohnen": {
        ("extrem", "max", "sozialwohnungsquote"),
        ("extrem", "min", "sozialwohnungsquote"),
        ("richtung", "stadt", claims.total_measure("wohnen", "sozialwohnungen"), 2019, 2024),
        ("richtung", "stadt", claims.total_measure("wohngeld", "haushalte"), 2019, 2024),
    },
    "04_familie": {("extrem", "max", "kinderarmut"), ("extrem", "min", "kinderarmut")},
    "05_arbeit": {
        ("extrem", "max", "arbeitslosendichte"),
        ("extrem", "min", "arbeitslosendichte"),
        ("richtung", "stadt", "arbeitslosendichte", 2019, 2024),
        ("richtung", "stadt", ARBEITSLOSE["SGB II"], 2019, 2020),
        ("richtung", "stadt", ARBEITSLOSE["SGB III"], 2019, 2020),
        ("vergleich", "stadt", LANGZEIT["SGB II"], "stadt", LANGZEIT["SGB III"]),
    },
    "06_teilhabe": {("richtung", "stadt", "schwerbehindertenquote", 2019, 2024)},
}
"""What each chapter page asserts about, in every data set (a page that stops annotating fails)."""
PROFILE_COMPARED = ("sgb2_quote", "kinderarmut")


def _expected_profile_claims(values: PublishedValues, kennziffer: int, year: int, since: int) -> set[tuple]:
    """A profile compares each of PROFILE_COMPARED with the city where the district's value is
    published, and says how it changed where both years are published."""
    expected = set()
    for indicator in PROFILE_COMPARED:
        if values.rate(indicator, year, kennziffer) is None:
            continue
        expected.add(("vergleich", kennziffer, indicator, "stadt", indicator))
        if values.rate(indicator, since, kennziffer) is not None:
            expected.add(("richtung", kennziffer, indicator, since, year))
    return expected


@pytest.mark.slow
@pytest.mark.parametrize("which", ["sample", "other"])
def test_every_chapter_and_profile_makes_the_claims_expected(editions, which):
    edition = editions[which]
    config = edition.config
    values = PublishedValues.of_edition(edition)
    pages = {name: {_signature(c) for c in found} for name, found in _site_claims(edition).items()}
    for chapter, expected in EXPECTED_CHAPTER_CLAIMS.items():
        assert expected <= pages[f"{chapter}.html"], f"{chapter}: missing {expected - pages[f'{chapter}.html']}"
    districts = pd.read_csv(edition.project.districts_file)["kennziffer"]
    hidden_somewhere = 0
    for kennziffer in districts:
        expected = _expected_profile_claims(values, int(kennziffer), config.year, config.first_year)
        hidden_somewhere += len(expected) < 2 * len(PROFILE_COMPARED)
        assert pages[f"profil-{kennziffer}.html"] == expected, f"profile {kennziffer}"
    assert 0 < hidden_somewhere < len(districts)  # both kinds of profile were checked


@pytest.mark.slow
def test_the_second_data_set_flips_directions_and_extremes(editions):
    """The second data set is a real test: some city-level direction and some extreme differ."""
    found = {which: [c for page in _site_claims(e).values() for c in page] for which, e in editions.items()}

    def directions(which):
        return {
            (c.measure, c.since, c.year): c.way for c in found[which] if isinstance(c, Change) and c.area == "stadt"
        }

    def extremes(which):
        return {(c.side, c.indicator, c.year): c.kennziffern for c in found[which] if isinstance(c, Extreme)}

    for kind in (directions, extremes):
        sample, other = kind("sample"), kind("other")
        assert sample.keys() == other.keys()
        assert [key for key in sample if sample[key] != other[key]], f"no {kind.__name__} differ"


# --- no finding typed by hand -------------------------------------------------------------------

TYPED_FINDING = re.compile(
    r"\b(höher|niedriger|größer|kleiner|häufiger|seltener|mehr als|weniger als|gestiegen|gesunken|"
    r"stieg|steigt|sank|sinkt|zugenommen|abgenommen|nimmt (?:zu|ab)|meisten|wenigsten|am höchsten|"
    r"am niedrigsten|hälfte|drittel|viertel|doppelt|konzentrier\w*|überdurchschnittlich|"
    r"unterdurchschnittlich|älter|jünger|deutlich)\b",
    re.IGNORECASE,
)
"""Words that state a relation about the data: in a markdown cell they were typed, not computed."""


def test_no_markdown_cell_states_a_finding_about_the_data():
    typed = []
    for path in sorted((REPO / "notebooks").glob("*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] == "markdown":
                text = "".join(cell["source"])
                typed += [f"{path.name} {cell['id']}: {m.group()!r}" for m in TYPED_FINDING.finditer(text)]
    assert typed == []


def test_the_word_list_catches_the_findings_typed_before():
    assert TYPED_FINDING.search("Altersarmut ist in Marburg damit seltener als Armut im erwerbsfähigen Alter")
    assert TYPED_FINDING.search("Langzeitarbeitslosigkeit konzentriert sich im Rechtskreis SGB II.")
    assert TYPED_FINDING.search("Vor allem im Rechtskreis SGB III stieg die Arbeitslosigkeit")
    assert TYPED_FINDING.search("Geförderte Wohnungen sind in Marburg räumlich stark konzentriert")
    assert not TYPED_FINDING.search("Die Tabelle zeigt die Werte aller Stadtbezirke.")
