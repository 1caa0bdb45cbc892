"""Seeded synthetic sample data (synthetische Beispieldaten) for the sample edition.

The numbers look like Marburg — the district populations of 2009 scaled to about 77,800 residents
in 2022, high transfer rates in Richtsberg and Waldtal, young student districts, older villages —
but they are made up. Every count comes from one ``numpy`` PCG64 generator, drawn in a fixed order,
and the files are encoded by hand, so the same seed and years give byte-identical files on every
platform (with the same numpy release: numpy may change its sampling algorithms between releases).
Each count is drawn (binomial or multinomial) from the count it is bounded by, so the data meets
every cross-table rule of the validator by construction, also in the smallest districts.
"""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from sozialplanung.core.atomic import replace_directory
from sozialplanung.core.config import Edition
from sozialplanung.core.errors import ConfigError
from sozialplanung.core.formats import format_date
from sozialplanung.data import load
from sozialplanung.data.contract import (
    ACTION_FIELDS,
    AGE_GROUPS,
    DISABILITY_AGE_BANDS,
    DISABILITY_AGE_GROUPS,
    NATIONALITIES,
    SEXES,
    TABLES,
)
from sozialplanung.data.files import csv_text

README_NAME = "LIESMICH.txt"
LATE_REPORTED = {("wohngeld", "haushalte"): 0.12}
"""Counts of which a share of a year's cases reaches the statistics only after the edition of that
year is built (Wohngeld decided late: the Wohngeld-Plus reform of 2023 left long backlogs), by
(table, column): the next edition states that year with them, so it revises the earlier one."""
REFERENCE_YEAR = 2022
CITY_POPULATION = 77_800  # residents 31.12.2022

# Base age structure (percent per band of AGE_GROUPS), reshaped per district type below.
BASE_AGE_SHARES = np.array(
    [2.8, 2.8, 3.6, 4.4, 2.7, 2.0, 6.0, 6.5, 6.5, 6.2, 5.8, 6.0, 7.2, 7.6, 6.8, 5.6, 4.6, 4.5, 7.4]
)
# Life stages as slices of AGE_GROUPS: children 0-17, young adults 18-29, adults 30-59, 60-74, 75+.
STAGES = (slice(0, 5), slice(5, 8), slice(8, 14), slice(14, 17), slice(17, 19))
AGE_PROFILES = {  # multiplier per life stage
    "student": (0.5, 3.5, 0.8, 0.6, 0.6),
    "estate": (1.4, 1.1, 0.9, 1.1, 1.3),
    "urban": (0.9, 1.2, 1.0, 1.0, 1.0),
    "suburb": (1.15, 0.8, 1.05, 1.05, 1.0),
    "village": (1.05, 0.6, 1.05, 1.3, 1.3),
    "campus": (0.1, 3.0, 1.0, 0.3, 0.2),
}
NON_GERMAN_BY_STAGE = (0.9, 1.3, 1.1, 0.6, 0.35)  # migrants are younger than the population
MALE_SHARE = np.array([0.513] * 5 + [0.5] * 10 + [0.48, 0.47, 0.44, 0.37])  # more women at 80+

# Districts that are not plain Kernstadt ("urban") or Außenstadtteil ("village").
DISTRICT_TYPES = {
    211: "student",
    212: "student",
    213: "student",
    214: "student",
    231: "student",
    232: "estate",
    243: "estate",
    233: "mixed",
    244: "mixed",
    234: "campus",
    311: "suburb",
    351: "suburb",
}
# Per district type: age profile; non-German share; persons per household; single parents per
# household with children; ELB per resident 15-64; Grundsicherung per resident 65+; Wohngeld per
# household; social dwellings per dwelling; population growth per year.
TYPE_PARAMS = pd.DataFrame.from_dict(
    {
        "student": ("student", 0.17, 1.8, 0.24, 0.065, 0.045, 0.02, 0.02, 0.0),
        "estate": ("estate", 0.28, 2.1, 0.36, 0.22, 0.10, 0.05, 0.30, 0.0),
        "mixed": ("urban", 0.20, 2.0, 0.30, 0.09, 0.06, 0.04, 0.08, 0.0),
        "urban": ("urban", 0.10, 2.0, 0.22, 0.06, 0.03, 0.03, 0.02, 0.001),
        "suburb": ("suburb", 0.08, 2.2, 0.18, 0.045, 0.022, 0.025, 0.015, 0.006),
        "village": ("village", 0.05, 2.3, 0.15, 0.02, 0.012, 0.02, 0.0, -0.003),
        "campus": ("campus", 0.18, 1.5, 0.20, 0.02, 0.02, 0.01, 0.0, 0.0),
    },
    orient="index",
    columns=[
        "age",
        "non_german",
        "household_size",
        "single_parents",
        "elb",
        "gs65",
        "wohngeld",
        "social_housing",
        "growth",
    ],
)
DISTRICT_OVERRIDES = {
    213: dict(growth=0.015),  # Campusviertel: new university buildings and flats
    351: dict(growth=0.008),
    232: dict(elb=0.2),
    243: dict(elb=0.21),
    244: dict(age="estate", non_german=0.27, social_housing=0.25),
    233: dict(non_german=0.14, social_housing=0.06),
    321: dict(social_housing=0.01),
    322: dict(social_housing=0.01),
    342: dict(social_housing=0.01),
    343: dict(social_housing=0.01),
}
CHILDLESS_SHARES = {  # einpersonen, paar_ohne_kinder, sonstige among households without children
    "student": (0.72, 0.13, 0.15),
    "estate": (0.55, 0.30, 0.15),
    "urban": (0.58, 0.32, 0.10),
    "suburb": (0.45, 0.45, 0.10),
    "village": (0.38, 0.52, 0.10),
    "campus": (0.80, 0.10, 0.10),
}
DISABILITY_RATES = {  # share with GdB ≥ 50 per band of DISABILITY_AGE_GROUPS
    "0-17": 0.012,
    "18-24": 0.016,
    "25-44": 0.035,
    "45-54": 0.085,
    "55-64": 0.16,
    "65-74": 0.24,
    "75+": 0.30,
}


class _Field(NamedTuple):
    """One field of action of the Aktionsplan: titles are every stem with every target."""

    measures: int
    stems: tuple[str, ...]
    targets: tuple[str, ...]
    offices: tuple[str, ...]


ACTION_PLAN = dict(
    zip(
        ACTION_FIELDS,
        (
            _Field(
                8,
                (
                    "Inklusive Betreuungsplätze",
                    "Fortbildungen zur inklusiven Pädagogik",
                    "Barrierefreie Ausstattung",
                    "Beratung von Eltern behinderter Kinder",
                ),
                ("in Kindertagesstätten", "an Grundschulen", "in der Jugendförderung"),
                ("Fachdienst Kinderbetreuung", "Fachdienst Schule", "Fachdienst Jugendförderung"),
            ),
            _Field(
                7,
                (
                    "Ausbildungsplätze für Menschen mit Behinderung",
                    "Arbeitsplätze für schwerbehinderte Menschen",
                    "Beratung zum Budget für Arbeit",
                    "Praktika für Jugendliche mit Förderbedarf",
                ),
                ("in der Stadtverwaltung", "bei städtischen Gesellschaften", "mit dem KreisJobCenter"),
                ("Fachdienst Personal", "Integrationsfachdienst", "KreisJobCenter Marburg-Biedenkopf"),
            ),
            _Field(
                6,
                (
                    "Förderung barrierefreier Neubauwohnungen",
                    "Wohnberatung für ältere und behinderte Menschen",
                    "Wohnangebote mit Assistenz",
                    "Barrierearme Modernisierung von Mietwohnungen",
                ),
                ("in der Kernstadt", "in den Außenstadtteilen", "am Richtsberg"),
                ("Fachdienst Soziale Leistungen", "GeWoBau Marburg", "Fachdienst Stadtplanung"),
            ),
            _Field(
                9,
                (
                    "Barrierefreier Umbau der Bushaltestellen",
                    "Taktile Leitsysteme an Fußgängerüberwegen",
                    "Absenkung von Bordsteinen an Querungsstellen",
                    "Barrierefreie Zugänge zu öffentlichen Gebäuden",
                ),
                ("in der Kernstadt", "in den Außenstadtteilen", "in der Oberstadt"),
                ("Fachdienst Tiefbau", "Stadtwerke Marburg", "Fachdienst Hochbau"),
            ),
            _Field(
                7,
                (
                    "Wohnortnahe Pflegeberatung",
                    "Gesundheitslotsen für Menschen mit Lernschwierigkeiten",
                    "Entlastungsangebote für pflegende Angehörige",
                    "Informationen über barrierefreie Arztpraxen",
                ),
                ("in der Kernstadt", "in den Außenstadtteilen", "in den Stadtteilgemeinden"),
                ("Fachdienst Altenplanung", "Pflegestützpunkt Marburg", "Fachdienst Soziale Leistungen"),
            ),
            _Field(
                6,
                (
                    "Inklusive Sportangebote",
                    "Barrierefreie Veranstaltungen",
                    "Führungen in Leichter Sprache",
                    "Assistenz bei Freizeitangeboten",
                ),
                ("in städtischen Einrichtungen", "gemeinsam mit Vereinen", "in den Stadtteilen"),
                ("Fachdienst Kultur", "Fachdienst Sport", "Marburg Stadtmarketing"),
            ),
            _Field(
                7,
                (
                    "Informationen in Leichter Sprache",
                    "Gebärdensprachdolmetschung",
                    "Barrierefreie Formulare und Bescheide",
                    "Induktive Höranlagen",
                ),
                ("im Bürgerbüro", "im Rathaus", "in den Stadtteilbüros"),
                ("Fachdienst Presse und Öffentlichkeitsarbeit", "Bürgerbüro", "Fachdienst IT"),
            ),
            _Field(
                7,
                (
                    "Fachtag Inklusion",
                    "Schulungen zur UN-Behindertenrechtskonvention",
                    "Öffentlichkeitskampagne Inklusion",
                    "Begegnungsprojekte von Menschen mit und ohne Behinderung",
                ),
                ("für städtische Beschäftigte", "in Schulen", "in den Stadtteilen"),
                ("Behindertenbeirat", "Behindertenbeauftragte der Stadt", "Fachdienst Personal"),
            ),
            _Field(
                6,
                (
                    "Barrierefreie Wahllokale",
                    "Wahlinformationen in Leichter Sprache",
                    "Barrierefreie Sitzungsräume",
                    "Assistenz für ehrenamtliche Mandatsträger",
                ),
                ("in der Kernstadt", "in den Außenstadtteilen", "im Rathaus"),
                ("Fachdienst Wahlen", "Behindertenbeirat", "Büro der Stadtverordnetenversammlung"),
            ),
        ),
    )
)
FINAL_STATUS_COUNTS = {"umgesetzt": 28, "in_umsetzung": 19, "nicht_begonnen": 10, "entfallen": 6}  # 63 measures


def _profiles(districts: pd.DataFrame) -> pd.DataFrame:
    """Parameters of every district (rows in kennziffer order): its type's, then its own overrides."""
    codes = districts["kennziffer"].tolist()
    types = [DISTRICT_TYPES.get(k, "urban" if k < 300 else "village") for k in codes]
    profiles = TYPE_PARAMS.loc[types].set_axis(codes)
    profiles = profiles.assign(type=types, einwohner_2009=districts["einwohner_2009"].to_numpy())
    for code, override in DISTRICT_OVERRIDES.items():
        if code in profiles.index:
            profiles.loc[code, list(override)] = list(override.values())
    return profiles


def _cell_shares(profile: pd.Series, year: int) -> np.ndarray:
    """Shares of the (age group, sex, nationality) cells of one district and year; they sum to 1."""
    stage_factors = np.empty(len(AGE_GROUPS))
    non_german_factors = np.empty(len(AGE_GROUPS))
    for stage, factor, migrants in zip(STAGES, AGE_PROFILES[profile["age"]], NON_GERMAN_BY_STAGE):
        stage_factors[stage], non_german_factors[stage] = factor, migrants
    ages = BASE_AGE_SHARES * stage_factors
    ages /= ages.sum()
    # Immigration raised the non-German share year by year (most recently from Ukraine).
    target = profile["non_german"] * (1 + 0.025 * (year - REFERENCE_YEAR))
    non_german = np.minimum(0.95, target * non_german_factors / (ages * non_german_factors).sum())
    sexes = np.stack([MALE_SHARE, 1 - MALE_SHARE], axis=1)
    nationality = np.stack([1 - non_german, non_german], axis=1)
    return ages[:, None, None] * sexes[:, :, None] * nationality[:, None, :]


def _population(rng: np.random.Generator, profiles: pd.DataFrame, years: list[int]) -> np.ndarray:
    """Residents as an array (year, district, age group, sex, nationality)."""
    base = profiles["einwohner_2009"].to_numpy() * CITY_POPULATION / profiles["einwohner_2009"].sum()
    growth = profiles["growth"].to_numpy(dtype=float)
    shape = (len(years), len(profiles), len(AGE_GROUPS), len(SEXES), len(NATIONALITIES))
    population = np.empty(shape, dtype=np.int64)
    for y, year in enumerate(years):
        expected = base * (1 + growth) ** (year - REFERENCE_YEAR)
        totals = np.rint(expected * (1 + rng.normal(0, 0.004, len(base)))).astype(np.int64)
        shares = np.stack([_cell_shares(profiles.iloc[d], year).ravel() for d in range(len(profiles))])
        population[y] = rng.multinomial(totals, shares).reshape(shape[1:])
    return population


def _ages(population: np.ndarray, first: str, last: str) -> np.ndarray:
    """Residents aged from band ``first`` to band ``last`` (inclusive), per year and district."""
    selected = population[:, :, AGE_GROUPS.index(first) : AGE_GROUPS.index(last) + 1]
    return selected.sum(axis=(2, 3, 4))


def _households(rng: np.random.Generator, population: np.ndarray, profiles: pd.DataFrame) -> np.ndarray:
    """Households (year, district, HOUSEHOLD_TYPES); families are bounded by the children they have."""
    residents, under_18 = population.sum(axis=(2, 3, 4)), _ages(population, "0-2", "15-17")
    families = rng.binomial(under_18, 1 / 1.7)  # about 1.7 children per household with children
    single_parents = rng.binomial(families, profiles["single_parents"].to_numpy(dtype=float))
    total = np.rint(residents / profiles["household_size"].to_numpy(dtype=float)).astype(np.int64)
    total = np.minimum(np.maximum(total, families), residents)
    childless_shares = np.array([CHILDLESS_SHARES.get(kind, CHILDLESS_SHARES["urban"]) for kind in profiles.type])
    childless = rng.multinomial(total - families, childless_shares)
    einpersonen, paare_ohne_kinder, sonstige = np.moveaxis(childless, -1, 0)
    return np.stack([einpersonen, paare_ohne_kinder, families - single_parents, single_parents, sonstige], axis=-1)


def _district_tables(
    rng: np.random.Generator, population: np.ndarray, profiles: pd.DataFrame, years: list[int]
) -> dict[str, dict[str, np.ndarray]]:
    """Counts of every district table but population and households, each bounded by its base."""
    year_offset = (np.array(years) - REFERENCE_YEAR)[:, None]

    def rate(column: str) -> np.ndarray:
        return profiles[column].to_numpy(dtype=float)[None, :]

    under_15, under_18 = _ages(population, "0-2", "10-14"), _ages(population, "0-2", "15-17")
    aged_15_64, aged_18_64 = _ages(population, "15-17", "60-64"), _ages(population, "18-19", "60-64")
    under_65, aged_65 = _ages(population, "0-2", "60-64"), _ages(population, "65-69", "80+")
    households = _households(rng, population, profiles)

    elb_rate = rate("elb") * (1 + 0.01 * year_offset)
    elb = rng.binomial(aged_15_64, elb_rate)
    nef_15 = rng.binomial(under_15, np.minimum(0.9, 1.8 * elb_rate))  # child poverty exceeds adult poverty
    nef = nef_15 + np.minimum(rng.binomial(elb, 0.03), under_65 - elb - nef_15)
    lb = elb + nef
    bg = np.where(lb > 0, 1 + rng.binomial(np.maximum(lb - 1, 0), 0.5), 0)  # about 1.9 persons per BG
    bg_single = np.minimum(rng.binomial(households[..., 3], np.minimum(0.75, 4 * elb_rate)), bg)

    gs65 = rng.binomial(aged_65, rate("gs65") * (1 + 0.02 * year_offset))
    reduced_capacity = rng.binomial(aged_18_64, 0.1 * rate("elb"))
    covid = np.isin(years, (2020, 2021))[:, None] * 0.15
    unemployed_2 = rng.binomial(elb, 0.36)
    unemployed_3 = rng.binomial(aged_15_64 - elb, (0.013 + 0.03 * rate("elb")) * (1 + covid))
    long_term = (rng.binomial(unemployed_2, 0.45), rng.binomial(unemployed_3, 0.12))
    wohngeld_plus = 1 + 0.25 * (np.array(years) >= 2023)[:, None]  # Wohngeld-Plus reform of 2023
    wohngeld = rng.binomial(households.sum(axis=-1), rate("wohngeld") * wohngeld_plus)
    holders = rng.binomial(lb, 0.42) + rng.binomial(gs65 + reduced_capacity, 0.5) + rng.binomial(wohngeld, 0.6)
    dwellings = households.sum(axis=-1) + rng.binomial(households.sum(axis=-1), 0.02)
    social = np.rint(dwellings * rate("social_housing") * 0.985**year_offset).astype(np.int64)  # bindings expire
    return {
        "haushalte": {"anzahl": households},
        "sgb2": dict(
            bedarfsgemeinschaften=bg,
            leistungsberechtigte=lb,
            elb=elb,
            nef=nef,
            nef_unter_15=nef_15,
            bg_alleinerziehende=bg_single,
        ),
        "grundsicherung": dict(empfaenger_65_plus=gs65, empfaenger_erwerbsgemindert=reduced_capacity),
        "arbeitslose": dict(
            arbeitslose=np.stack([unemployed_2, unemployed_3], -1), langzeitarbeitslose=np.stack(long_term, -1)
        ),
        "wohngeld": {"haushalte": wohngeld},
        "marburgpass": dict(inhaber=holders, darunter_kinder=np.minimum(rng.binomial(holders, 0.34), under_18)),
        "wohnen": dict(wohnungen=dwellings, sozialwohnungen=social),
    }


def _city_tables(
    rng: np.random.Generator, population: np.ndarray, years: list[int]
) -> dict[str, dict[str, np.ndarray]]:
    """The city-level tables: homelessness, severe disability, further minimum income benefits."""
    since_2018 = np.array(years) - 2018
    homeless = np.rint(180 * 1.015**since_2018 * (1 + rng.normal(0, 0.03, len(years)))).astype(np.int64)
    homelessness = np.stack(
        [
            homeless,
            rng.binomial(homeless, 0.25),
            rng.poisson(600 * 1.01**since_2018),
            rng.poisson(120, len(years)),
            np.maximum(0, 16 + since_2018),  # one Probewohnen place added per year
        ],
        axis=-1,
    )
    city = population.sum(axis=(1, 4))  # (year, age group, sex)
    disabled = np.empty((len(years), len(DISABILITY_AGE_GROUPS), len(SEXES)), dtype=np.int64)
    for b, band in enumerate(DISABILITY_AGE_GROUPS):
        members = [AGE_GROUPS.index(group) for group in DISABILITY_AGE_BANDS[band]]
        residents = city[:, members].sum(axis=1)
        disabled[:, b] = rng.binomial(
            residents, DISABILITY_RATES[band] * np.array([1.05, 0.95])
        )  # men slightly more often
    minimum_income = np.stack(
        [rng.poisson(250, len(years)), np.rint(400 * rng.lognormal(0, 0.15, len(years))).astype(np.int64)], axis=-1
    )
    return {
        "wohnungsnotfaelle": {"anzahl": homelessness},
        "schwerbehinderte": {"anzahl": disabled},
        "mindestsicherung": {"empfaenger": minimum_income},
    }


def _status_path(final: str, n_years: int, rng: np.random.Generator) -> list[str]:
    """Status of one measure per year: not begun, in progress, then its final status; never back."""
    if final == "nicht_begonnen":
        start = end = n_years
    elif final == "in_umsetzung":
        start, end = int(rng.integers(0, n_years)), n_years
    else:  # umgesetzt or entfallen
        end = int(rng.integers(0, n_years))
        start = int(rng.integers(0, end + 1))
    return [final if t >= end else "in_umsetzung" if t >= start else "nicht_begonnen" for t in range(n_years)]


def _aktionsplan(rng: np.random.Generator, years: list[int]) -> pd.DataFrame:
    """The 63 measures of the Aktionsplan Inklusion and their status at the end of every year."""
    measures = []
    for field, spec in ACTION_PLAN.items():
        titles = [f"{stem} {target}" for stem in spec.stems for target in spec.targets]
        for i in rng.permutation(len(titles))[: spec.measures]:
            measures.append((field, titles[i], spec.offices[int(rng.integers(len(spec.offices)))]))
    finals = rng.permutation([s for s, count in FINAL_STATUS_COUNTS.items() for _ in range(count)])
    paths = [_status_path(str(final), len(years), rng) for final in finals]
    rows = [
        dict(
            jahr=year,
            massnahme_nr=nr,
            handlungsfeld=field,
            status=paths[nr - 1][y],
            titel=title,
            zustaendigkeit=office,
            stand=format_date(date(year, 12, 31)),
        )
        for y, year in enumerate(years)
        for nr, (field, title, office) in enumerate(measures, start=1)
    ]
    return pd.DataFrame(rows)


def _frame(levels: dict[str, list], values: dict[str, np.ndarray]) -> pd.DataFrame:
    """A long table from count arrays whose axes follow ``levels`` (so rows come out sorted by key)."""
    frame = pd.MultiIndex.from_product(list(levels.values()), names=list(levels)).to_frame(index=False)
    for column, array in values.items():
        frame[column] = np.asarray(array, dtype=np.int64).reshape(-1)
    return frame


def build_tables(districts: pd.DataFrame, seed: int, years: list[int]) -> dict[str, pd.DataFrame]:
    """Every table of :data:`TABLES` for the given districts and years, in file column order."""
    rng = np.random.Generator(np.random.PCG64(seed))
    profiles = _profiles(districts.sort_values("kennziffer", ignore_index=True))
    population = _population(rng, profiles, years)
    counts = {"bevoelkerung": {"anzahl": population}}
    counts |= _district_tables(rng, population, profiles, years)
    counts |= _city_tables(rng, population, years)
    frames = {"aktionsplan": _aktionsplan(rng, years)}
    for name, values in counts.items():
        spec = TABLES[name]
        levels = {"jahr": years, "kennziffer": profiles.index.tolist()} if spec.district_level else {"jahr": years}
        levels |= {key: list(spec.codes[key]) for key in spec.keys if key in spec.codes}
        frames[name] = _frame(levels, values)
    return {name: frames[name][list(spec.columns)] for name, spec in TABLES.items()}


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    """German Excel dialect: ``;``, UTF-8 with BOM, ``\\n`` line ends whatever the platform."""
    path.write_bytes(frame.to_csv(sep=";", index=False, lineterminator="\n").encode("utf-8-sig"))


def _readme(seed: int, first_year: int, last_year: int, preliminary: bool = False) -> str:
    tables = "\n".join(f"- {name}.csv: {spec.title}" for name, spec in TABLES.items())
    late = ", ".join(f"{table}.{column}" for table, column in LATE_REPORTED)
    note = (
        f"Vorläufig: {late} {last_year} – ein Teil der Fälle dieses Jahres wird erst nachgemeldet;\n"
        "die folgende Ausgabe weist das Jahr mit den nachgemeldeten Fällen aus.\n"
        if preliminary
        else ""
    )
    return (
        "Synthetische Beispieldaten – keine amtliche Statistik\n\n"
        "Die Tabellen in diesem Ordner sind synthetische Beispieldaten für die Beispielausgabe des\n"
        "Sozialberichts der Universitätsstadt Marburg. Sie sind mit einem Zufallsgenerator erzeugt und\n"
        "nur in Größenordnung und Struktur an Marburg angelehnt. Sie sind keine amtliche Statistik und\n"
        "dürfen nicht als Angaben über die Stadt oder ihre Stadtbezirke zitiert werden.\n\n"
        f"Startwert (Seed): {seed}\nJahre: {first_year} bis {last_year} (Stichtag jeweils 31.12.)\n"
        f"{note}Erzeugt mit: sozialplanung.data.sample.generate_sample\n\n"
        f"Tabellen (CSV, Trennzeichen Semikolon, UTF-8 mit BOM):\n{tables}\n"
    )


# --- export style: the sample as the sources deliver it ------------------------------------------

STYLES = ("tidy", "export")
BA_TABLES = ("sgb2", "arbeitslose")
"""Tables from the Bundesagentur für Arbeit: counts of 1 and 2 are anonymised there (``*``)."""
BA_SOURCE = "Quelle: Statistik der Bundesagentur für Arbeit"
EXPORT_NAMES = {  # kennziffer -> name as the export writes it (variants the loader must know)
    243: "Richtsberg, Oberer",
    244: "Richtsberg, Unterer",
    351: "Marburg-Cappel",
    321: "Marburg-Marbach",
}
EXPORT_FILES = {  # table -> file name (other tables: <name>.csv, tidy)
    "bevoelkerung": "bevoelkerung.xlsx",
    "haushalte": "haushalte.csv",
    "sgb2": "sgb2.csv",
    "arbeitslose": "arbeitslose.csv",
    "wohngeld": "Wohngeld.CSV",
    "wohnen": "wohnen.txt",
}


def _german(value: int, thousands: str = ".") -> str:
    return f"{value:,}".replace(",", thousands)


def _named(frame: pd.DataFrame, names: dict[int, str], year_of_former: int | None) -> list[str]:
    """District names of the rows; the Campusviertel under its former name in ``year_of_former``."""
    return [
        "Klinikviertel" if code == 213 and year == year_of_former else EXPORT_NAMES.get(code, names.get(code, ""))
        for year, code in zip(frame["jahr"], frame["kennziffer"])
    ]


def _with_totals(frame: pd.DataFrame, spec) -> pd.DataFrame:
    """The district rows and, per year (and code), a total row "Insgesamt" after them."""
    group = [key for key in spec.keys if key != "kennziffer"]
    totals = frame.groupby(group, sort=False)[list(spec.counts)].sum().reset_index().assign(kennziffer=0)
    both = pd.concat([frame, totals[frame.columns]], ignore_index=True)
    return both.sort_values(
        [*group, "kennziffer"],
        key=lambda c: c.replace(0, 10**6) if c.name == "kennziffer" else c,
        kind="stable",
        ignore_index=True,
    )


def _ba_csv(name: str, frame: pd.DataFrame, names: dict[int, str]) -> bytes:
    """A BA extract: title rows, names instead of codes, ``*`` for 1 and 2, totals, footnotes, cp1252."""
    spec = TABLES[name]
    full = _with_totals(frame, spec)
    labels = ["Insgesamt" if code == 0 else label for code, label in zip(full["kennziffer"], _named(full, names, None))]
    header = ["Jahr", "Stadtbezirk", *(c.capitalize() if c == "rechtskreis" else c for c in spec.columns[2:])]
    rows = [
        [spec.title + " nach Stadtbezirken"],
        ["Universitätsstadt Marburg, Stichtag jeweils 31.12."],
        [],
        header,
    ]
    for values, label in zip(full.itertuples(index=False), labels):
        record = values._asdict()
        cells = [str(record["jahr"]), label]
        for column in spec.columns[2:]:
            value = record[column]
            if column in spec.counts:
                cells.append("*" if 0 < value < 3 and record["kennziffer"] != 0 else _german(int(value)))
            else:
                cells.append(str(value))
        rows.append(cells)
    rows += [[], [BA_SOURCE], ["* Werte unter 3 anonymisiert"]]
    return csv_text(rows).replace("\n", "\r\n").encode("cp1252")


def _households_csv(frame: pd.DataFrame, names: dict[int, str]) -> bytes:
    """The register's households: code and name side by side, a total row per year and type."""
    spec = TABLES["haushalte"]
    full = _with_totals(frame, spec)
    rows = [["Kennziffer", "Stadtbezirk", "Jahr", "Haushaltstyp", "Anzahl"]]
    for values in full.itertuples(index=False):
        code = int(values.kennziffer)
        label = "Marburg gesamt" if code == 0 else names[code]
        rows.append(
            ["" if code == 0 else str(code), label, str(values.jahr), values.haushaltstyp, _german(values.anzahl)]
        )
    return csv_text(rows).encode("utf-8-sig")


def _population_xlsx(frame: pd.DataFrame, path: Path, stichtag_year: int) -> None:
    """The register's population as a workbook: a notes sheet first, then the data under a merged title."""
    import openpyxl

    workbook = openpyxl.Workbook()
    notes = workbook.active
    notes.title = "Hinweise"
    notes.append(["Einwohnermelderegister der Universitätsstadt Marburg"])
    notes.append(["Synthetische Beispieldaten – keine amtliche Statistik"])
    data = workbook.create_sheet("Daten")
    data.append([f"Einwohner nach Alter, Geschlecht und Staatsangehörigkeit, Stichtag 31.12.{stichtag_year}"])
    data.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(frame.columns))
    data.append([])
    data.append([c.capitalize() for c in frame.columns])
    for values in frame.itertuples(index=False):
        data.append([v if isinstance(v, str) else int(v) for v in values])
    data.append([])
    data.append(["Quelle: Einwohnermelderegister der Universitätsstadt Marburg"])
    workbook.properties.created = workbook.properties.modified = datetime(stichtag_year, 12, 31)
    buffer = io.BytesIO()
    workbook.save(buffer)
    path.write_bytes(_fixed_zip(buffer.getvalue()))


def _fixed_zip(data: bytes) -> bytes:
    """A zip file with every entry dated 1980-01-01, so the same data give the same bytes."""
    source, target = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type, fixed.external_attr = zipfile.ZIP_DEFLATED, info.external_attr
            out.writestr(fixed, source.read(info.filename))
    return target.getvalue()


def _export_files(tables: dict[str, pd.DataFrame], districts: pd.DataFrame, folder: Path, last_year: int) -> list[str]:
    """Write ``tables`` as the sources deliver them (see the README, "Accepted input formats")."""
    names = dict(zip(districts["kennziffer"].astype(int), districts["stadtbezirk"]))
    for name in BA_TABLES:
        (folder / EXPORT_FILES[name]).write_bytes(_ba_csv(name, tables[name], names))
    (folder / EXPORT_FILES["haushalte"]).write_bytes(_households_csv(tables["haushalte"], names))
    _population_xlsx(tables["bevoelkerung"], folder / EXPORT_FILES["bevoelkerung"], last_year)
    wohngeld = tables["wohngeld"].assign(kennziffer=_named(tables["wohngeld"], names, min(tables["wohngeld"]["jahr"])))
    (folder / EXPORT_FILES["wohngeld"]).write_bytes(
        csv_text([["Jahr", "Kennziffer", "Haushalte"], *wohngeld.astype(str).values.tolist()]).encode("utf-8")
    )
    wohnen = tables["wohnen"].copy()
    rows = [["jahr", "kennziffer", "wohnungen", "sozialwohnungen"]]
    rows += [
        [str(y), str(k), _german(int(w), " "), _german(int(s), " ")] for y, k, w, s in wohnen.itertuples(index=False)
    ]
    (folder / EXPORT_FILES["wohnen"]).write_bytes(csv_text(rows, "\t").encode("utf-16"))
    written = list(EXPORT_FILES.values())
    for name, frame in tables.items():
        if name not in EXPORT_FILES:
            _write_csv(frame, folder / f"{name}.csv")
            written.append(f"{name}.csv")
    return written


def generate_sample(
    raw_dir: Path,
    districts: pd.DataFrame,
    seed: int,
    first_year: int,
    last_year: int,
    style: str = "tidy",
    until: int | None = None,
) -> list[Path]:
    """Write the synthetic sample tables and a LIESMICH.txt into ``raw_dir``.

    The years ``first_year`` to ``last_year`` are drawn; the files hold those up to ``until``
    (default: all), as an edition of that year saw them (:func:`as_known_in`): two editions of one
    sample series agree on every earlier year and differ in the older edition's last year, whose
    late-reported counts the newer edition revises.

    ``style="tidy"``: one CSV per table, as the data contract names it. ``style="export"``: the same
    numbers as the sources deliver them (see :data:`EXPORT_FILES` and the README's "Accepted input
    formats"): title rows, a workbook with a merged title and the data on its second sheet, district
    names and their variants, total rows, ``*`` for BA counts of 1 and 2, footnotes, Windows-1252,
    UTF-16, thousands separated by dot or space, a file name in capitals.

    The folder is replaced as a whole, only once every file is written: an interrupted or failed run
    leaves the previous folder as it was. Returns the written files, sorted.
    """
    if first_year > last_year:
        raise ConfigError(f"Sample years {first_year}–{last_year}: first_year must not be after last_year.")
    until = last_year if until is None else until
    if not first_year <= until <= last_year:
        raise ConfigError(
            f"The edition's year {until} is outside the sample years {first_year}–{last_year} "
            "(sample.first_year, sample.last_year): there would be no data for it."
        )
    if style not in STYLES:
        raise ConfigError(f"Unknown sample style {style!r}; use one of {', '.join(STYLES)}.")
    tables = as_known_in(build_tables(districts, seed, list(range(first_year, last_year + 1))), until, seed)
    raw_dir = Path(raw_dir)
    written: list[str] = []

    def fill(folder: Path) -> None:
        if style == "export":
            written.extend(_export_files(tables, districts, folder, until))
        else:
            for name, frame in tables.items():
                _write_csv(frame, folder / f"{name}.csv")
                written.append(f"{name}.csv")
        readme = _readme(seed, first_year, until, preliminary=until < last_year)
        (folder / README_NAME).write_bytes(readme.encode("utf-8"))

    replace_directory(raw_dir, fill)
    return sorted([*(raw_dir / name for name in written), raw_dir / README_NAME])


def as_known_in(tables: dict[str, pd.DataFrame], year: int, seed: int) -> dict[str, pd.DataFrame]:
    """The tables up to ``year`` as an edition of that year saw them: where the drawn series goes on
    past ``year``, the counts of :data:`LATE_REPORTED` in ``year`` lack the cases reported late
    (each case late with the table's share, drawn from a generator of its own, so the drawn series
    stays as it is). The series' own last year is as drawn: it is the newest state of knowledge."""
    last_drawn = max(int(frame["jahr"].max()) for frame in tables.values())
    known = {name: frame[frame["jahr"] <= year].reset_index(drop=True) for name, frame in tables.items()}
    if year >= last_drawn:
        return known
    rng = np.random.Generator(np.random.PCG64([seed, year]))
    for (name, column), share in LATE_REPORTED.items():
        frame = known[name]
        rows = frame["jahr"] == year
        counts = frame.loc[rows, column].to_numpy(dtype=np.int64)
        frame.loc[rows, column] = counts - rng.binomial(counts, share)
    return known


def generate_sample_data(edition: Edition, style: str = "tidy") -> list[Path]:
    """Write the edition's synthetic raw tables (only for editions built on sample data) in ``style``."""
    if not edition.config.data.synthetic:
        raise ConfigError(
            f"Edition {edition.config.edition} uses real raw data ({edition.config.data.raw_dir}); "
            "there is no sample data to generate. Add the raw tables with `dvc add` instead."
        )
    sample = edition.config.sample
    districts = load.read_districts(edition.project.districts_file)
    return generate_sample(
        edition.paths.raw_dir,
        districts,
        sample.seed,
        sample.first_year,
        sample.last_year,
        style=style,
        until=edition.config.year,
    )
