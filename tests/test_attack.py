"""The publish gate's attacker (:mod:`sozialplanung.site.attack`): from the numbers a site shows, and
the relations the project declares, it narrows down hidden cells the way an outside reader could.

Each route an attacker took against an earlier edition is planted here on purpose; the attacker
must find it and name the numbers that give the cell away. The same numbers with the cell protected
properly must pass. The tables give the structure only (which districts, age bands and codes exist);
every number the attacker uses is a planted fact."""

from __future__ import annotations

import pytest

from sozialplanung.core.errors import PublishError
from sozialplanung.data.contract import AGE_GROUPS
from sozialplanung.site import attack
from sozialplanung.site.attack import Fact, read_facts
from test_validate import CODES, valid_tables

YEAR = 2024
A, B = CODES[0], CODES[1]
THRESHOLD, RANGE = 3, 2
ALL_AGES = AGE_GROUPS


def key(indicator: str, part: str, kennziffer: int, year: int = YEAR) -> str:
    return f"indikator/{indicator}/{part}/{year}/{kennziffer}"


def facts(*pairs: tuple[str, str], page: str = "kapitel.html") -> list[Fact]:
    return [Fact(k, text, page) for k, text in pairs]


@pytest.fixture(scope="module")
def tables():
    return valid_tables()


def findings(tables, published: list[Fact]) -> list[attack.Finding]:
    return attack.attack(published, tables, THRESHOLD, RANGE)


def test_route_1_a_hidden_district_count_and_the_city_total(tables):
    """Two districts of Marburg only carry cases: the total minus the published one is the hidden one."""
    shown = [(key("wohngeldquote", "zaehler", k), "–") for k in CODES if k not in (A, B)]
    leak = [*shown, (key("wohngeldquote", "zaehler", A), "."), (key("wohngeldquote", "zaehler", B), "40")]
    [finding] = findings(tables, facts(*leak, (key("wohngeldquote", "zaehler", 0), "42")))
    assert finding.cell == key("wohngeldquote", "zaehler", A)
    assert "only 2 … 2 possible" in finding.problem
    assert key("wohngeldquote", "zaehler", 0) in finding.pinned_by
    assert key("wohngeldquote", "zaehler", B) in finding.pinned_by

    # B hidden as well (secondary suppression): A can be 1 … 41, no finding
    protected = [*shown, (key("wohngeldquote", "zaehler", A), "."), (key("wohngeldquote", "zaehler", B), ".")]
    assert findings(tables, facts(*protected, (key("wohngeldquote", "zaehler", 0), "42"))) == []


def pyramid(kennziffer: int, hidden_band: str, sex: str = "w") -> list[tuple[str, str]]:
    cells = []
    for band in ALL_AGES:
        for s in ("m", "w"):
            text = "." if (band, s) == (hidden_band, sex) else "10"
            cells.append((f"pyramide/{YEAR}/{kennziffer}/{band}/{s}", text))
    return cells


def test_route_2_a_hidden_pyramid_cell_and_the_residents(tables):
    """Residents of the district minus the published cells of its pyramid is the hidden cell."""
    residents = 10 * (2 * len(ALL_AGES) - 1) + 2
    leak = [*pyramid(A, "80+"), (key("auslaenderanteil", "nenner", A), f"{residents}")]
    [finding] = findings(tables, facts(*leak, page="profil/a.html"))
    assert finding.cell == f"pyramide/{YEAR}/{A}/80+/w"
    assert finding.pages == ("profil/a.html",)
    assert "only 2 … 2 possible" in finding.problem

    # without the residents (or with them hidden as well) the cell stays open
    assert findings(tables, facts(*pyramid(A, "80+"))) == []


def test_route_3_a_published_rate_and_denominator_give_the_hidden_numerator(tables):
    """Auslaenderanteil 1,0 % of 200 residents: the hidden numerator can only be 2."""
    published = facts(
        (key("auslaenderanteil", "zaehler", A), "."),
        (key("auslaenderanteil", "nenner", A), "200"),
        (key("auslaenderanteil", "wert", A), "1,0"),
    )
    [finding] = findings(tables, published)
    assert finding.cell == key("auslaenderanteil", "zaehler", A)
    assert "only 2 … 2 possible" in finding.problem
    assert key("auslaenderanteil", "wert", A) in finding.pinned_by

    # the rate hidden with its numerator: nothing to learn
    assert findings(tables, [f for f in published if "/wert/" not in f.key]) == []


def test_route_4_sgb2_counts_pin_a_group_no_table_shows(tables):
    """Leistungsberechtigte (ELB + NEF) minus ELB minus NEF unter 15 = NEF ab 15: 164 − 114 − 49 = 1."""
    published = facts(
        (key("sgb2_quote", "zaehler", A), "164"),  # elb + nef
        (key("elb_quote", "zaehler", A), "114"),
        (key("kinderarmut", "zaehler", A), "49"),  # nef unter 15
    )
    [finding] = findings(tables, published)
    assert finding.cell == f"sgb2.nef_ab_15 (nicht veröffentlicht), Kennziffer {A} {YEAR}"
    assert "known to be 1 … 1" in finding.problem
    assert set(finding.pinned_by) == {f.key for f in published}

    # with Kinder unter 15 hidden the group can be 1 … 48 (the hidden count at least 1)
    protected = [f if "kinderarmut" not in f.key else Fact(f.key, ".", f.page) for f in published]
    assert findings(tables, protected) == []


def test_a_hidden_cell_known_to_be_below_the_threshold_is_a_finding(tables):
    """The range may be wide enough and still give away a small count: 4 cases in two hidden
    districts are 1 … 3 each, below a threshold of 5."""
    shown = [(key("wohngeldquote", "zaehler", k), "–") for k in CODES if k not in (A, B)]
    leak = [*shown, (key("wohngeldquote", "zaehler", A), "."), (key("wohngeldquote", "zaehler", B), ".")]
    found = attack.attack(facts(*leak, (key("wohngeldquote", "zaehler", 0), "4")), tables, 5, RANGE)
    assert [f.cell for f in found] == [key("wohngeldquote", "zaehler", A), key("wohngeldquote", "zaehler", B)]
    assert all("known to be 1 … 3, below 5" in f.problem for f in found)
    assert attack.attack(facts(*leak, (key("wohngeldquote", "zaehler", 0), "12")), tables, 5, RANGE) == []


def test_the_same_cell_shown_differently_on_two_pages_is_a_finding(tables):
    shown = facts((key("wohngeldquote", "zaehler", A), "12"), page="kapitel.html") + facts(
        (key("wohngeldquote", "zaehler", A), "13"), page="profil/a.html"
    )
    [finding] = findings(tables, shown)
    assert "shown as 12 and as 13" in finding.problem

    hidden_once = facts((key("wohngeldquote", "zaehler", A), "12")) + facts(
        (key("wohngeldquote", "zaehler", A), "."), page="profil/a.html"
    )
    [finding] = findings(tables, hidden_once)
    assert "hidden on one page, shown as 12 on another" in finding.problem


def page(cells: list[tuple[str, str]], figure: list[tuple[str, str]] = ()) -> str:
    rows = "".join(f'<tr><td>Bezirk</td><td data-zelle="{k}">{t}</td></tr>' for k, t in cells)
    zellen = ";".join(f"{k}={t}" for k, t in figure)
    return f'<html><body><table>{rows}</table><figure data-zellen="{zellen}"></figure></body></html>'


def test_the_site_is_read_from_its_pages_and_refused_with_the_route_named(tmp_path, tables, monkeypatch):
    """End to end over HTML: a table on one page, the residents in a profile's text, the pyramid in
    its figure's ``data-zellen``."""
    site = tmp_path / "site"
    (site / "profil").mkdir(parents=True)
    residents = 10 * (2 * len(ALL_AGES) - 1) + 2
    (site / "kapitel.html").write_text(
        page([(key("auslaenderanteil", "nenner", A), f"{residents:,}".replace(",", "."))])
    )
    (site / "profil" / "a.html").write_text(page([], figure=pyramid(A, "80+")))
    read = read_facts(site)
    assert Fact(key("auslaenderanteil", "nenner", A), "372", "kapitel.html") in read
    assert Fact(f"pyramide/{YEAR}/{A}/80+/w", ".", "profil/a.html") in read

    class Settings:
        threshold, protection_range = THRESHOLD, RANGE

    class Edition:
        class config:
            confidentiality = Settings

    monkeypatch.setattr(attack.load, "read_tables", lambda _folder: tables)
    Edition.paths = type("Paths", (), {"tables_dir": tmp_path})
    with pytest.raises(PublishError, match=rf"profil/a.html: pyramide/{YEAR}/{A}/80\+/w: hidden, but only 2 … 2"):
        attack.enforce(site, Edition)


def test_a_site_without_linked_numbers_is_not_read_against_the_tables(tmp_path):
    (tmp_path / "index.html").write_text("<html><body><p>Keine Zahlen.</p></body></html>")
    assert attack.check_site(tmp_path, edition=None) == []


def index_facts(values: dict[int, float], z: dict[int, float], indicator: str = "kinderarmut") -> list[Fact]:
    """A Sozialindex table: per district the value as published (``None``: hidden) and its z-value."""
    shown = []
    for kennziffer, value in values.items():
        text = "." if value is None else f"{value:.1f}".replace(".", ",")
        shown.append(Fact(key(indicator, "wert", kennziffer), text, "sozialindex.html"))
        if kennziffer in z:
            z_text = f"{z[kennziffer]:.2f}".replace(".", ",")
            shown.append(Fact(f"sozialindex/{YEAR}/{kennziffer}/z_{indicator}", z_text, "sozialindex.html"))
    return shown


def test_route_5_the_sozialindex_of_a_district_with_a_hidden_rate(tables):
    """Hermershausen's hidden rate came back as z · SD + mean: a district with a hidden status value
    may show no z-value, score, class or rank."""
    values = {A: 10.0, B: 20.0, CODES[2]: None}
    published = index_facts(values, {A: -1.0, B: 1.0, CODES[2]: 0.5})
    [finding] = attack.index_findings(published)
    assert finding.cell == f"sozialindex/{YEAR}/{CODES[2]}"
    assert "kinderarmut is hidden" in finding.problem
    assert finding.pinned_by == (f"sozialindex/{YEAR}/{CODES[2]}/z_kinderarmut",)
    assert attack.index_findings(index_facts(values, {A: -1.0, B: 1.0})) == []


def test_route_5_z_values_standardised_over_hidden_values(tables):
    """z-values must come from the published values alone: a mean and SD that include a hidden
    district's value (10, 20 and a hidden 60: mean 30, SD 21,6) let a reader solve for it."""
    values = {A: 10.0, B: 20.0, CODES[2]: None}
    over_all = index_facts(values, {A: -0.93, B: -0.46})
    [finding] = attack.index_findings(over_all)
    assert finding.cell == f"sozialindex/{YEAR}/z_kinderarmut"
    assert "standardised over values the site hides" in finding.problem
    # 10 and 20 alone: mean 15, SD 5, z = ∓1
    assert attack.index_findings(index_facts(values, {A: -1.0, B: 1.0})) == []
    # the rounding of published values (10,04 shown as 10,0) is no finding
    assert attack.index_findings(index_facts({A: 10.04, B: 19.96}, {A: -1.0, B: 1.0})) == []


def pooled(indicator: str, years: str, kennziffer: int) -> str:
    return f"indikator/{indicator}/zusammengefasst/{years}/{kennziffer}"


def test_route_6_a_rate_pooled_over_years_and_the_single_years(tables):
    """A small district's Sozialindex value pooled over 2023–2024: 5 of 100 foreign residents in
    2023 and 100 residents in 2024 shown, 4,0 % over both years: (5 + n) / 200 = 4,0 % pins the hidden
    2024 numerator to 3."""
    published = facts(
        (key("auslaenderanteil", "zaehler", A, 2023), "5"),
        (key("auslaenderanteil", "nenner", A, 2023), "100"),
        (key("auslaenderanteil", "zaehler", A), "."),
        (key("auslaenderanteil", "nenner", A), "100"),
        (key("auslaenderanteil", "wert", A), "."),
    )
    leak = [*published, Fact(pooled("auslaenderanteil", "2023-2024", A), "4,0", "sozialindex.html")]
    [finding] = findings(tables, leak)
    assert finding.cell == key("auslaenderanteil", "zaehler", A)
    assert "only 3 … 3 possible" in finding.problem
    assert pooled("auslaenderanteil", "2023-2024", A) in finding.pinned_by
    # each year alone leaves the hidden count open (1 … 100)
    assert findings(tables, published) == []


def test_route_6_a_smoothed_districts_z_value_standardises_its_pooled_rate(tables):
    """The z-values of the index follow from the pooled rate of a smoothed district (40,0 over
    2022–2024), not from its rate of the year (30,0): 10, 20, 40 give z = −1,07, −0,27, 1,34."""
    values = {A: 10.0, B: 20.0, CODES[2]: 30.0}
    z = {A: -1.07, B: -0.27, CODES[2]: 1.34}
    smoothed = Fact(pooled("kinderarmut", "2022-2024", CODES[2]), "40,0", "sozialindex.html")
    assert attack.index_findings([*index_facts(values, z), smoothed]) == []
    [finding] = attack.index_findings(index_facts(values, z))
    assert "standardised over values the site hides" in finding.problem


def test_a_hidden_true_zero_from_the_source_still_counts_and_contradictions_are_errors(tables):
    """A symbol of the source may stand for 0: when "." ≥ 1 contradicts the published numbers the
    reader falls back to "." ≥ 0, and finds the cell pinned to 0; numbers that contradict each
    other even then are an error, not a pass."""
    rest = [(key("wohngeldquote", "zaehler", k), "–") for k in CODES if k not in (A, B)]
    zero = [*rest, (key("wohngeldquote", "zaehler", A), "."), (key("wohngeldquote", "zaehler", B), "40")]
    [finding] = findings(tables, facts(*zero, (key("wohngeldquote", "zaehler", 0), "40")))
    assert "only 0 … 0 possible" in finding.problem
    wrong = [*rest, (key("wohngeldquote", "zaehler", A), "5"), (key("wohngeldquote", "zaehler", B), "40")]
    with pytest.raises(PublishError, match="contradict each other"):
        findings(tables, facts(*wrong, (key("wohngeldquote", "zaehler", 0), "40")))


def page_with_downloads(site, cells: list[tuple[str, str]], csv_cells: list[str], xlsx_cells: list[object]) -> None:
    """A page with one keyed table and its CSV and XLSX downloads (as ``site.downloads`` links them)."""
    import openpyxl

    caption, table_id = "Wohngeld nach Stadtbezirken 2024", "wohngeld-nach-stadtbezirken-2024"
    rows = "".join(
        f'<tr><th scope="row">Bezirk {n}</th><td data-zelle="{k}">{t}</td></tr>' for n, (k, t) in enumerate(cells)
    )
    links = (
        f'<p class="downloads"><a data-download="csv" data-table-id="{table_id}" '
        f'href="downloads/k/{table_id}.csv">CSV</a>'
        f'<a data-download="xlsx" data-table-id="{table_id}" href="downloads/k.xlsx">Excel</a></p>'
    )
    (site / "downloads" / "k").mkdir(parents=True)
    (site / "k.html").write_text(
        f'<html><body><div class="tabelle-rahmen" data-table-id="{table_id}"><table><caption>{caption}</caption>'
        f"<thead><tr><th>Stadtbezirk</th><th>Haushalte</th></tr></thead><tbody>{rows}</tbody></table>{links}</div>"
        "</body></html>",
        encoding="utf-8",
    )
    body = "\n".join(f"Bezirk {n};{text}" for n, text in enumerate(csv_cells))
    (site / "downloads" / "k" / f"{table_id}.csv").write_text(
        f"\ufeffStadtbezirk;Haushalte\n{body}\n\n. = Zahlenwert geheim zu halten\n", encoding="utf-8"
    )
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in [[caption, None], [None, None], ["Stadtbezirk", "Haushalte"]]:
        sheet.append(row)
    for n, value in enumerate(xlsx_cells):
        sheet.append([f"Bezirk {n}", value])
    workbook.save(site / "downloads" / "k.xlsx")


def test_downloads_are_read_and_must_say_what_their_page_says(tmp_path, tables):
    """A reader may take the CSV or the workbook instead of the page: their cells are read with the
    page's meanings, and a download that shows a hidden cell's value is refused."""
    cells = [(key("wohngeldquote", "zaehler", A), "1.204"), (key("wohngeldquote", "zaehler", B), ".")]
    page_with_downloads(tmp_path, cells, ["1.204", "."], [1204, "."])
    read = read_facts(tmp_path)
    assert Fact(key("wohngeldquote", "zaehler", A), "1.204", "downloads/k/wohngeld-nach-stadtbezirken-2024.csv") in read
    assert Fact(key("wohngeldquote", "zaehler", A), "1204", "downloads/k.xlsx") in read
    assert findings(tables, read) == []

    leaky = tmp_path / "leaky"
    page_with_downloads(leaky, cells, ["1.204", "2"], [1204, "."])
    [finding] = findings(tables, read_facts(leaky))
    assert finding.cell == key("wohngeldquote", "zaehler", B)
    assert "hidden on one page, shown as 2 on another" in finding.problem
    assert "downloads/k/wohngeld-nach-stadtbezirken-2024.csv" in finding.pages


def total(table: str, column: str, codes: str = "", year: int = YEAR) -> str:
    return f"summe/{table}/{column}/{year}/{codes}"


def test_route_1_a_city_total_of_a_raw_column_in_a_chapter_table(tables):
    """A chapter's table of city totals (``summe/…``) links the districts as an indicator's city value
    does: 42 Wohngeld households in Marburg, 40 in B, none elsewhere — A holds the other 2."""
    shown = [(key("wohngeldquote", "zaehler", k), "–") for k in CODES if k not in (A, B)]
    leak = [*shown, (key("wohngeldquote", "zaehler", A), "."), (key("wohngeldquote", "zaehler", B), "40")]
    [finding] = findings(tables, facts(*leak, (total("wohngeld", "haushalte"), "42")))
    assert finding.cell == key("wohngeldquote", "zaehler", A)
    assert total("wohngeld", "haushalte") in finding.pinned_by

    # a total for codes: SGB II unemployed of the city, with the districts' counts by Rechtskreis
    # unknown, pins nothing
    assert findings(tables, facts(*leak[:-1], (total("arbeitslose", "arbeitslose", "rechtskreis=SGB II"), "42"))) == []


def test_route_4_a_city_only_table_whose_rows_nest(tables):
    """Wohnungslose 10, of them 9 in shelters: one person lives homeless outside a shelter."""
    wohnungslos = total("wohnungsnotfaelle", "anzahl", "kategorie=wohnungslose_gesamt")
    notunterkunft = total("wohnungsnotfaelle", "anzahl", "kategorie=notunterkunft")
    [finding] = findings(tables, facts((wohnungslos, "10"), (notunterkunft, "9")))
    assert finding.cell == (
        f"wohnungsnotfaelle.anzahl (wohnungslose_gesamt ohne notunterkunft) (nicht veröffentlicht), Stadt {YEAR}"
    )
    assert "known to be 1 … 1" in finding.problem
    assert set(finding.pinned_by) == {wohnungslos, notunterkunft}
    assert findings(tables, facts((wohnungslos, "10"), (notunterkunft, "."))) == []


def test_route_4_a_city_indicator_summing_several_sources(tables):
    """The Mindestsicherungsquote's numerator (SGB II + Grundsicherung + the other benefits) minus the
    published parts leaves the other benefits: 1 AsylbLG recipient when the rest is shown."""
    published = facts(
        (key("mindestsicherungsquote", "zaehler", 0), "531"),
        (total("sgb2", "leistungsberechtigte"), "300"),
        (total("grundsicherung", "empfaenger_65_plus"), "100"),
        (total("grundsicherung", "empfaenger_erwerbsgemindert"), "100"),
        (total("mindestsicherung", "empfaenger", "leistung=sgb12_kap3"), "30"),
    )
    [finding] = findings(tables, published)
    assert finding.cell == f"mindestsicherung.empfaenger (asylblg) (nicht veröffentlicht), Stadt {YEAR}"
    assert "known to be 1 … 1" in finding.problem


def test_the_open_data_indicator_file_is_read_like_a_page(tmp_path):
    """Every rate of the open-data package counts as published, keyed as the pages key rates."""
    folder = tmp_path / "downloads" / "daten"
    folder.mkdir(parents=True)
    (folder / "kennzahlen.csv").write_text(
        "indikator,jahr,kennziffer,stadtbezirk,wert,wert_zeichen\n"
        "sgb2_quote,2024,0,Marburg,8.1,\n"
        "sgb2_quote,2024,211,Altstadt,,.\n"
        "kinderarmut,2024,234,Lahnberge,0,–\n"
        "arbeitslosendichte,2023,243,Oberer Richtsberg,12.0,\n",
        encoding="utf-8",
    )
    facts = attack.open_data_facts(tmp_path)
    assert [(f.key, f.text) for f in facts] == [
        ("indikator/sgb2_quote/wert/2024/0", "8,1"),
        ("indikator/sgb2_quote/wert/2024/211", "."),
        ("indikator/kinderarmut/wert/2024/234", "–"),
        ("indikator/arbeitslosendichte/wert/2023/243", "12,0"),
    ]
    assert {f.page for f in facts} == {"downloads/daten/kennzahlen.csv"}
    assert attack.open_data_facts(tmp_path / "leer") == []
