"""Tests of the synthetic sample data generator (sozialplanung.data.sample)."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sozialplanung.core.config import load_config
from sozialplanung.core.errors import ConfigError
from sozialplanung.core.paths import ProjectPaths
from sozialplanung.data import sample
from sozialplanung.data.contract import ACTION_FIELDS, AGE_GROUPS, MEASURE_STATUSES, TABLES, table_schema
from sozialplanung.data.load import read_districts
from sozialplanung.data.sample import README_NAME, build_tables, generate_sample

PROJECT = ProjectPaths.at(Path(__file__).resolve().parents[1])
SAMPLE = load_config(PROJECT.params_file("2024")).sample
LAST = f"jahr == {SAMPLE.last_year}"
SMALL_DISTRICTS = (234, 326, 352, 353)  # Lahnberge, Dilschhausen, Ronhausen, Bortshausen
KEY = ["jahr", "kennziffer"]


@pytest.fixture(scope="module")
def districts() -> pd.DataFrame:
    return read_districts(PROJECT.districts_file)


@pytest.fixture(scope="module")
def raw_dir(tmp_path_factory, districts) -> Path:
    target = tmp_path_factory.mktemp("sample") / "raw"
    generate_sample(target, districts, SAMPLE.seed, SAMPLE.first_year, SAMPLE.last_year)
    return target


def read_table(folder: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(folder / f"{name}.csv", sep=";", encoding="utf-8-sig")


@pytest.fixture(scope="module")
def tables(raw_dir) -> dict[str, pd.DataFrame]:
    return {name: read_table(raw_dir, name) for name in TABLES}


# --- helpers for the cross-table rules ---------------------------------------------------------


def ages(population: pd.DataFrame, first: str, last: str, by=KEY) -> pd.Series:
    """Residents from age band ``first`` to ``last`` (inclusive), summed by ``by``."""
    bands = AGE_GROUPS[AGE_GROUPS.index(first) : AGE_GROUPS.index(last) + 1]
    return population[population["altersgruppe"].isin(bands)].groupby(by)["anzahl"].sum()


def per_district(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.set_index(KEY).sort_index()


def household_type(households: pd.DataFrame, *types: str) -> pd.Series:
    return households[households["haushaltstyp"].isin(types)].groupby(KEY)["anzahl"].sum()


def broken(frame: pd.DataFrame, ok: pd.Series) -> pd.DataFrame:
    """Rows of ``frame`` where ``ok`` is false or missing (an empty frame when the rule holds)."""
    return frame[~ok.reindex(frame.index, fill_value=False)]


def rule_sgb2_internal(t):
    s = per_district(t["sgb2"])
    ok = (
        (s.leistungsberechtigte == s.elb + s.nef)
        & (s.nef_unter_15 <= s.nef)
        & (s.bedarfsgemeinschaften <= s.leistungsberechtigte)
        & (s.bg_alleinerziehende <= s.bedarfsgemeinschaften)
        & ((s.leistungsberechtigte == 0) | (s.bedarfsgemeinschaften >= 1))
    )
    return broken(s, ok)


def rule_sgb2_population(t):
    s, pop = per_district(t["sgb2"]), t["bevoelkerung"]
    ok = (
        (s.nef_unter_15 <= ages(pop, "0-2", "10-14"))
        & (s.elb <= ages(pop, "15-17", "60-64"))
        & (s.leistungsberechtigte <= ages(pop, "0-2", "60-64"))
    )
    return broken(s, ok)


def rule_sgb2_single_parents(t):
    s = per_district(t["sgb2"])
    return broken(s, s.bg_alleinerziehende <= household_type(t["haushalte"], "alleinerziehend"))


def rule_grundsicherung(t):
    g, pop = per_district(t["grundsicherung"]), t["bevoelkerung"]
    ok = (g.empfaenger_65_plus <= ages(pop, "65-69", "80+")) & (
        g.empfaenger_erwerbsgemindert <= ages(pop, "18-19", "60-64")
    )
    return broken(g, ok)


def rule_arbeitslose(t):
    a = t["arbeitslose"]
    per_row = broken(a, a.langzeitarbeitslose <= a.arbeitslose)
    sgb2_unemployed = per_district(a[a.rechtskreis == "SGB II"])["arbeitslose"]
    total = a.groupby(KEY)["arbeitslose"].sum()
    s = per_district(t["sgb2"])
    ok = (sgb2_unemployed <= s.elb) & (total <= ages(t["bevoelkerung"], "15-17", "60-64"))
    return pd.concat([per_row, broken(s, ok).reset_index()])


def rule_wohngeld(t):
    w = per_district(t["wohngeld"])
    return broken(w, w.haushalte <= t["haushalte"].groupby(KEY)["anzahl"].sum())


def rule_marburgpass(t):
    m = per_district(t["marburgpass"])
    ok = (m.darunter_kinder <= m.inhaber) & (m.darunter_kinder <= ages(t["bevoelkerung"], "0-2", "15-17"))
    return broken(m, ok)


def rule_wohnen(t):
    w = t["wohnen"]
    return broken(w, w.sozialwohnungen <= w.wohnungen)


def rule_haushalte(t):
    h, pop = t["haushalte"], t["bevoelkerung"]
    total, residents = h.groupby(KEY)["anzahl"].sum(), pop.groupby(KEY)["anzahl"].sum()
    families = household_type(h, "paar_mit_kindern", "alleinerziehend")
    ok = (total <= residents) & (families <= ages(pop, "0-2", "15-17"))
    return broken(total.to_frame(), ok)


def rule_wohnungsnotfaelle(t):
    w = t["wohnungsnotfaelle"].pivot(index="jahr", columns="kategorie", values="anzahl")
    return broken(w, w.notunterkunft <= w.wohnungslose_gesamt)


def rule_schwerbehinderte(t):
    bands = {
        "0-17": ("0-2", "15-17"),
        "18-24": ("18-19", "20-24"),
        "25-44": ("25-29", "40-44"),
        "45-54": ("45-49", "50-54"),
        "55-64": ("55-59", "60-64"),
        "65-74": ("65-69", "70-74"),
        "75+": ("75-79", "80+"),
    }
    by = ["jahr", "geschlecht"]
    residents = pd.concat(
        {band: ages(t["bevoelkerung"], *limits, by=by) for band, limits in bands.items()}, names=["altersgruppe"]
    )
    s = t["schwerbehinderte"].set_index(["altersgruppe", *by])["anzahl"]
    return broken(s.to_frame(), s <= residents.reindex(s.index))


RULES = {
    "1 sgb2 internal": rule_sgb2_internal,
    "2 sgb2 ≤ population": rule_sgb2_population,
    "3 BG single parents ≤ households": rule_sgb2_single_parents,
    "4 grundsicherung ≤ population": rule_grundsicherung,
    "5 arbeitslose": rule_arbeitslose,
    "6 wohngeld ≤ households": rule_wohngeld,
    "7 marburgpass": rule_marburgpass,
    "8 wohnen": rule_wohnen,
    "9 households ≤ population": rule_haushalte,
    "10 wohnungsnotfaelle": rule_wohnungsnotfaelle,
    "11 schwerbehinderte ≤ population": rule_schwerbehinderte,
}


# --- files ----------------------------------------------------------------------------------------


def test_writes_every_table_and_readme_sorted(tmp_path, districts):
    written = generate_sample(tmp_path / "raw", districts, 7, 2023, 2024)
    expected = sorted([*(tmp_path / "raw" / f"{name}.csv" for name in TABLES), tmp_path / "raw" / README_NAME])
    assert written == expected
    assert sorted(p.name for p in (tmp_path / "raw").iterdir()) == [p.name for p in expected]


@pytest.mark.parametrize("name", TABLES)
def test_file_dialect_and_header(raw_dir, name):
    spec, data = TABLES[name], (raw_dir / f"{name}.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert b"\r" not in data and data.endswith(b"\n")
    lines = data[3:].decode("utf-8").splitlines()
    header = lines[0].split(";")
    assert header[: len(spec.keys)] == list(spec.keys)
    assert set(header) == set(spec.columns) | set(spec.codes)
    assert [c for c in header if c in spec.columns] == list(spec.columns)
    assert all(line.count(";") == len(header) - 1 for line in lines)  # no quoting, no stray separator


@pytest.mark.parametrize("name", TABLES)
def test_counts_are_plain_non_negative_integers(tables, name):
    frame = tables[name]
    for column in (*TABLES[name].counts, "jahr"):
        assert frame[column].dtype == np.int64, column  # "1.234" or "12,0" would not read as int64
        assert (frame[column] >= 0).all()


@pytest.mark.parametrize("name", TABLES)
def test_table_meets_its_schema(tables, districts, name):
    frame = tables[name].copy()
    for column in TABLES[name].dates:
        frame[column] = pd.to_datetime(frame[column], format="%d.%m.%Y")
    schema = table_schema(TABLES[name], tuple(districts["kennziffer"]), (SAMPLE.first_year, SAMPLE.last_year))
    schema.validate(frame, lazy=True)


@pytest.mark.parametrize("name", TABLES)
def test_complete_grid_without_duplicates_sorted_by_key(tables, districts, name):
    spec, frame = TABLES[name], tables[name]
    years = list(range(SAMPLE.first_year, SAMPLE.last_year + 1))
    levels = [years]
    if spec.district_level:
        levels.append(districts["kennziffer"].tolist())
    if "massnahme_nr" in spec.keys:
        levels.append(list(range(1, 64)))
    levels += [list(spec.codes[k]) for k in spec.keys if k in spec.codes]
    assert list(frame[list(spec.keys)].itertuples(index=False, name=None)) == list(itertools.product(*levels))


def test_liesmich_says_synthetic(raw_dir):
    text = (raw_dir / README_NAME).read_text(encoding="utf-8")
    assert "synthetische Beispieldaten" in text
    assert "keine amtliche Statistik" in text
    assert str(SAMPLE.seed) in text and str(SAMPLE.first_year) in text and str(SAMPLE.last_year) in text


def test_same_seed_gives_identical_bytes(tmp_path, districts, raw_dir):
    again = generate_sample(tmp_path / "again", districts, SAMPLE.seed, SAMPLE.first_year, SAMPLE.last_year)
    for path in again:
        assert path.read_bytes() == (raw_dir / path.name).read_bytes(), path.name


def test_other_seed_gives_other_data(tmp_path, districts, raw_dir):
    other = tmp_path / "other"
    generate_sample(other, districts, SAMPLE.seed + 1, SAMPLE.first_year, SAMPLE.last_year)
    for name in ("bevoelkerung", "sgb2", "aktionsplan"):
        assert (other / f"{name}.csv").read_bytes() != (raw_dir / f"{name}.csv").read_bytes()


def test_rejects_reversed_years(tmp_path, districts):
    with pytest.raises(ConfigError, match="first_year"):
        generate_sample(tmp_path / "raw", districts, 1, 2024, 2019)
    assert not (tmp_path / "raw").exists()


# --- atomic writing -------------------------------------------------------------------------------


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_replaces_existing_folder_wholly(tmp_path, districts):
    target = tmp_path / "raw"
    target.mkdir()
    (target / "alt.csv").write_text("stale", encoding="utf-8")
    generate_sample(target, districts, 3, 2024, 2024)
    assert "alt.csv" not in _snapshot(target)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["raw"]  # no staging or backup folder left


def test_failure_while_writing_leaves_previous_folder(tmp_path, districts, monkeypatch):
    target = tmp_path / "raw"
    generate_sample(target, districts, 3, 2023, 2024)
    before = _snapshot(target)
    real_write, calls = sample._write_csv, []

    def failing_write(frame, path):
        calls.append(path)
        if len(calls) == 3:
            raise OSError("disk full")
        real_write(frame, path)

    monkeypatch.setattr(sample, "_write_csv", failing_write)
    with pytest.raises(OSError, match="disk full"):
        generate_sample(target, districts, 4, 2019, 2024)
    assert _snapshot(target) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["raw"]


# --- cross-table rules ----------------------------------------------------------------------------


@pytest.mark.parametrize("rule", RULES.values(), ids=RULES.keys())
def test_cross_table_rule_holds(tables, rule):
    assert rule(tables).empty


BREAKS = {  # rule → (table, row, column) that, set to a huge count, must break it
    "1 sgb2 internal": ("sgb2", 0, "nef_unter_15"),
    "2 sgb2 ≤ population": ("sgb2", 0, "elb"),
    "3 BG single parents ≤ households": ("sgb2", 0, "bg_alleinerziehende"),
    "4 grundsicherung ≤ population": ("grundsicherung", 0, "empfaenger_erwerbsgemindert"),
    "5 arbeitslose": ("arbeitslose", 0, "langzeitarbeitslose"),
    "6 wohngeld ≤ households": ("wohngeld", 0, "haushalte"),
    "7 marburgpass": ("marburgpass", 0, "darunter_kinder"),
    "8 wohnen": ("wohnen", 0, "sozialwohnungen"),
    "9 households ≤ population": ("haushalte", 2, "anzahl"),  # paar_mit_kindern
    "10 wohnungsnotfaelle": ("wohnungsnotfaelle", 1, "anzahl"),  # notunterkunft
    "11 schwerbehinderte ≤ population": ("schwerbehinderte", 0, "anzahl"),
}


@pytest.mark.parametrize("name", RULES)
def test_cross_table_rule_check_catches_a_break(tables, name):
    """Guards the checks above against passing vacuously."""
    table, row, column = BREAKS[name]
    tampered = dict(tables, **{table: tables[table].copy()})
    tampered[table].loc[row, column] = 10**6
    assert len(RULES[name](tampered)) == 1


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32 - 1), first_year=st.integers(2015, 2024), n_years=st.integers(1, 3))
def test_cross_table_rules_hold_for_any_seed(districts, seed, first_year, n_years):
    tables = build_tables(districts, seed, list(range(first_year, first_year + n_years)))
    for name, rule in RULES.items():
        assert rule(tables).empty, name


# --- calibration ----------------------------------------------------------------------------------


def city(tables, name, column, year=None):
    frame = tables[name]
    return frame[frame.jahr == year][column].sum() if year else frame.groupby("jahr")[column].sum()


def test_city_population_and_non_german_share_2022(tables):
    pop = tables["bevoelkerung"].query("jahr == 2022")
    total = pop["anzahl"].sum()
    assert abs(total - 77_800) <= 0.02 * 77_800
    assert 0.11 <= pop.query("staatsangehoerigkeit == 'nichtdeutsch'")["anzahl"].sum() / total <= 0.15


def test_city_totals_every_year(tables):
    assert city(tables, "sgb2", "leistungsberechtigte").between(4_000, 6_000).all()
    assert city(tables, "sgb2", "nef_unter_15").between(1_000, 1_600).all()
    assert city(tables, "marburgpass", "inhaber").between(2_500, 3_500).all()
    unemployed = tables["arbeitslose"].groupby(["jahr", "rechtskreis"])["arbeitslose"].sum().unstack()
    assert unemployed.sum(axis=1).between(1_600, 2_400).all()
    assert (unemployed["SGB II"] / unemployed.sum(axis=1)).between(0.55, 0.75).all()
    homelessness = tables["wohnungsnotfaelle"].pivot(index="jahr", columns="kategorie", values="anzahl")
    assert homelessness["wohnungslose_gesamt"].between(150, 220).all()
    assert homelessness["notunterkunft"].between(35, 65).all()
    disabled = city(tables, "schwerbehinderte", "anzahl") / city(tables, "bevoelkerung", "anzahl")
    assert disabled.between(0.08, 0.12).all()


def test_sgb2_gradient(tables):
    pop = tables["bevoelkerung"]
    quote = per_district(tables["sgb2"])["leistungsberechtigte"] / ages(pop, "0-2", "60-64") * 100
    for year, rates in quote.groupby(level="jahr"):
        rates = rates.droplevel("jahr")
        assert rates[243] > 3 * rates.median(), year  # Oberer Richtsberg
        assert 20 <= rates[243] <= 30 and 20 <= rates[232] <= 30  # Waldtal
        villages = [k for k in rates.index if k >= 300 and k not in (311, 351)]
        assert rates[villages].median() < 3.5


def test_age_structure_by_district_type(tables):
    pop = tables["bevoelkerung"].query(LAST)
    residents = pop.groupby("kennziffer")["anzahl"].sum()
    young = ages(pop, "18-19", "25-29", by="kennziffer") / residents
    old = ages(pop, "65-69", "80+", by="kennziffer") / residents
    assert young[[211, 213, 214]].min() > 2 * young.median()
    assert old[[323, 332, 341]].min() > old[[211, 213, 214]].max()
    assert ages(pop, "0-2", "10-14", by="kennziffer")[234] < 10  # Lahnberge: hardly any children
    women_80 = pop.query("altersgruppe == '80+'").groupby("geschlecht")["anzahl"].sum()
    assert women_80["w"] > 1.3 * women_80["m"]


def test_households_and_housing(tables):
    h = tables["haushalte"].query(LAST)
    by_type = h.groupby("haushaltstyp")["anzahl"].sum()
    assert 0.18 <= by_type["alleinerziehend"] / (by_type["alleinerziehend"] + by_type["paar_mit_kindern"]) <= 0.27
    residents = tables["bevoelkerung"].query(LAST).groupby("kennziffer")["anzahl"].sum()
    size = residents / h.groupby("kennziffer")["anzahl"].sum()
    assert size[[211, 214]].between(1.6, 2.0).all() and size[[321, 343]].between(2.1, 2.5).all()
    wohnen = tables["wohnen"].query(LAST).set_index("kennziffer")
    share = wohnen.sozialwohnungen / wohnen.wohnungen
    assert share[[243, 232]].between(0.25, 0.35).all() and share[[211, 222]].between(0.01, 0.03).all()
    assert (wohnen.loc[[323, 324, 326], "sozialwohnungen"] == 0).all()


def test_small_districts_give_small_counts(tables):
    pop = tables["bevoelkerung"]
    for code in SMALL_DISTRICTS:
        assert pop[pop.kennziffer == code].groupby("jahr")["anzahl"].sum().between(100, 400).all(), code
        small = [
            tables[name].loc[tables[name].kennziffer == code, list(TABLES[name].counts)].to_numpy().ravel()
            for name in ("sgb2", "grundsicherung", "arbeitslose", "marburgpass")
        ]
        values = np.concatenate(small)
        assert np.isin(values, (1, 2)).any(), code
        assert values.max() < 30, code


def test_aktionsplan(tables):
    plan = tables["aktionsplan"]
    per_field = plan.query(LAST).groupby("handlungsfeld").size()
    assert set(per_field.index) == set(ACTION_FIELDS) and (per_field >= 3).all() and per_field.sum() == 63
    assert (plan.groupby("massnahme_nr")[["handlungsfeld", "titel", "zustaendigkeit"]].nunique() == 1).all().all()
    assert plan.query(LAST)["titel"].is_unique
    assert (plan["stand"] == "31.12." + plan["jahr"].astype(str)).all()
    assert set(plan["status"]) <= set(MEASURE_STATUSES)
    rank = {"nicht_begonnen": 0, "in_umsetzung": 1, "umgesetzt": 2, "entfallen": 2}
    for nr, history in plan.sort_values("jahr").groupby("massnahme_nr")["status"]:
        steps = [rank[s] for s in history]
        assert steps == sorted(steps), nr  # never back to an earlier stage
        assert len({s for s in history if rank[s] == 2}) <= 1, nr  # umgesetzt and entfallen are final
    last = plan.query(LAST)["status"].value_counts(normalize=True)
    assert last["umgesetzt"] == pytest.approx(0.45, abs=0.03) and last["entfallen"] == pytest.approx(0.10, abs=0.03)


# --- export style: the same numbers as the sources deliver them --------------------------------------


@pytest.fixture(scope="module")
def export(tmp_path_factory, districts):
    """The export-style sample, validated; and the tidy sample's validated tables."""
    from sozialplanung.data.districts import ALIAS_FILE, district_names
    from sozialplanung.data.validate import inspect_raw

    years = (SAMPLE.first_year, SAMPLE.last_year)
    names = district_names(districts, PROJECT.districts_file.parent / ALIAS_FILE)
    folder = tmp_path_factory.mktemp("export")
    generate_sample(folder / "raw", districts, SAMPLE.seed, *years, style="export")
    generate_sample(folder / "tidy", districts, SAMPLE.seed, *years)
    return folder, inspect_raw(folder / "raw", districts, years, names), inspect_raw(folder / "tidy", districts, years)


def test_export_style_files_look_like_the_sources(export):
    folder = export[0] / "raw"
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [*sample.EXPORT_FILES.values(), *(f"{n}.csv" for n in TABLES if n not in sample.EXPORT_FILES), README_NAME]
    )
    sgb2 = (folder / "sgb2.csv").read_bytes().decode("cp1252").splitlines()
    assert sgb2[0] == "Grundsicherung für Arbeitsuchende (SGB II) nach Stadtbezirken" and sgb2[2] == ""
    assert sgb2[3].startswith("Jahr;Stadtbezirk;") and "Richtsberg, Oberer" in "\n".join(sgb2)
    assert sgb2[-2:] == [sample.BA_SOURCE, "* Werte unter 3 anonymisiert"]
    assert (folder / "wohnen.txt").read_bytes()[:2] == b"\xff\xfe"  # UTF-16 "Unicode-Text"


def test_export_style_validates_with_every_number_of_the_tidy_sample(export):
    _, found, tidy = export
    assert found.problems == [] and tidy.problems == []
    assert ("bevoelkerung.xlsx", "data read from sheet 'Daten' (sheet 2)") in found.notes
    protected = found.protected
    assert set(protected["tabelle"]) == set(sample.BA_TABLES) and set(protected["zeichen"]) == {"*"}
    assert (protected["abgeglichen"] == "ja").all()  # every BA file has its total rows
    for name, frame in found.tables.items():
        expected = tidy.tables[name]
        cells = protected[protected["tabelle"] == name]
        for cell in cells.itertuples():  # the true value was 1 or 2; the imputed one is its share
            where = (expected["jahr"] == cell.jahr) & (expected["kennziffer"] == cell.kennziffer)
            if cell.schluessel:
                key, value = cell.schluessel.split("=")
                where &= expected[key] == value
            assert expected.loc[where, cell.spalte].item() in (1, 2)
            frame = frame.copy()
            frame.loc[where.to_numpy(), cell.spalte] = expected.loc[where, cell.spalte].item()
        pd.testing.assert_frame_equal(frame, expected, obj=name)


def test_values_on_protected_cells_are_marked_and_all_others_equal_the_tidy_ones(export):
    from sozialplanung.statistics.indicators import compute_indicators, source_protected

    _, found, tidy = export
    computed, expected = compute_indicators(found.tables), compute_indicators(tidy.tables)
    marks = source_protected(found.tables, found.protected)
    keys = ["indikator", "jahr", "kennziffer"]
    assert set(marks["indikator"]) == {"sgb2_quote", "elb_quote", "kinderarmut", "arbeitslosendichte"}
    assert (marks["kennziffer"] != 0).all()  # city values rest on the published totals
    marked = computed[keys].merge(marks, on=keys, how="left")["zaehler"].fillna(False).astype(bool).to_numpy()
    pd.testing.assert_frame_equal(computed[~marked], expected[~marked])
    assert (computed[marked]["zaehler"] != expected[marked]["zaehler"]).any()  # imputed, hence hidden


# --- an earlier edition of the same series --------------------------------------------------------


def test_an_earlier_edition_sees_the_same_series_with_its_last_year_preliminary(tmp_path, districts, tables):
    earlier = tmp_path / "earlier"
    last = SAMPLE.last_year - 1
    generate_sample(earlier, districts, SAMPLE.seed, SAMPLE.first_year, SAMPLE.last_year, until=last)
    seen = {name: read_table(earlier, name) for name in TABLES}
    late = dict(sample.LATE_REPORTED.keys())
    for name, frame in seen.items():
        assert frame["jahr"].max() == last, name
        final = tables[name][tables[name]["jahr"] <= last].reset_index(drop=True)
        if name not in late:
            pd.testing.assert_frame_equal(frame, final, obj=name)
            continue
        column = late[name]
        before = frame["jahr"] < last
        pd.testing.assert_frame_equal(frame[before], final[before], obj=name)  # earlier years: final
        preliminary, complete = frame.loc[~before, column], final.loc[~before, column]
        assert (preliminary <= complete).all()  # late cases are missing, never extra
        share = 1 - preliminary.sum() / complete.sum()
        assert 0.5 * sample.LATE_REPORTED[(name, column)] < share < 1.5 * sample.LATE_REPORTED[(name, column)]
    for rule in RULES.values():
        assert rule(seen).empty
    readme = (earlier / README_NAME).read_text(encoding="utf-8")
    assert f"bis {last}" in readme and "Vorläufig: wohngeld.haushalte" in readme


def test_the_edition_year_must_lie_within_the_sample_years(tmp_path, districts):
    with pytest.raises(ConfigError, match="outside the sample years 2023–2024"):
        generate_sample(tmp_path / "raw", districts, 1, 2023, 2024, until=2025)
