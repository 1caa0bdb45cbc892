"""The data contract: every raw table, its grain, codes and counts, as pandera schemas.

A table is described once, by a :class:`TableSpec`; the pandera schema, the sample generator's
column order, the loader's types and the documentation all derive from it. Cross-table rules
(one table's count bounded by another's) live in :mod:`sozialplanung.data.rules`; unique keys are
checked by :mod:`sozialplanung.data.validate` (with a bounded report, see there).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandera.pandas as pa

AGE_GROUPS: tuple[str, ...] = (
    "0-2",
    "3-5",
    "6-9",
    "10-14",
    "15-17",
    "18-19",
    "20-24",
    "25-29",
    "30-34",
    "35-39",
    "40-44",
    "45-49",
    "50-54",
    "55-59",
    "60-64",
    "65-69",
    "70-74",
    "75-79",
    "80+",
)
"""Age bands of the population table; they add up to every age range an indicator needs."""

SEXES: tuple[str, ...] = ("m", "w")
NATIONALITIES: tuple[str, ...] = ("deutsch", "nichtdeutsch")
HOUSEHOLD_TYPES: tuple[str, ...] = (
    "einpersonen",
    "paar_ohne_kinder",
    "paar_mit_kindern",
    "alleinerziehend",
    "sonstige",
)
HOUSEHOLDS_WITH_CHILDREN: tuple[str, ...] = ("paar_mit_kindern", "alleinerziehend")
RECHTSKREISE: tuple[str, ...] = ("SGB II", "SGB III")
HOMELESSNESS_CATEGORIES: tuple[str, ...] = (
    "wohnungslose_gesamt",  # people known to be homeless at the reference date
    "notunterkunft",  # of which placed in municipal shelters
    "beratungsfaelle",  # counselling cases of the Fachstelle Wohnen during the year
    "raeumungsverfahren",  # eviction cases notified to the city during the year
    "probewohnen_plaetze",  # Probewohnen places at the reference date
)
DISABILITY_AGE_GROUPS: tuple[str, ...] = ("0-17", "18-24", "25-44", "45-54", "55-64", "65-74", "75+")
DISABILITY_AGE_BANDS: dict[str, tuple[str, ...]] = {
    "0-17": AGE_GROUPS[0:5],
    "18-24": AGE_GROUPS[5:7],
    "25-44": AGE_GROUPS[7:11],
    "45-54": AGE_GROUPS[11:13],
    "55-64": AGE_GROUPS[13:15],
    "65-74": AGE_GROUPS[15:17],
    "75+": AGE_GROUPS[17:19],
}
"""Population age bands that make up each age band of the disability statistics."""
MINIMUM_INCOME_BENEFITS: tuple[str, ...] = ("sgb12_kap3", "asylblg")
ACTION_FIELDS: tuple[str, ...] = (
    "Bildung und Erziehung",
    "Arbeit und Beschäftigung",
    "Wohnen",
    "Mobilität und Barrierefreiheit",
    "Gesundheit und Pflege",
    "Kultur, Freizeit und Sport",
    "Kommunikation und Information",
    "Bewusstseinsbildung",
    "Politische Teilhabe",
)
MEASURE_STATUSES: tuple[str, ...] = ("umgesetzt", "in_umsetzung", "nicht_begonnen", "entfallen")


@dataclass(frozen=True)
class TableSpec:
    """One raw table of the data contract."""

    name: str
    title: str
    keys: tuple[str, ...]
    counts: tuple[str, ...] = ()
    codes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    texts: tuple[str, ...] = ()
    dates: tuple[str, ...] = ()
    required: bool = True

    @property
    def columns(self) -> tuple[str, ...]:
        """All columns in file order: keys, then codes that are not keys, counts, texts, dates."""
        rest = [c for c in (*self.codes, *self.counts, *self.texts, *self.dates) if c not in self.keys]
        return (*self.keys, *rest)

    @property
    def district_level(self) -> bool:
        return "kennziffer" in self.keys


TABLES: dict[str, TableSpec] = {
    spec.name: spec
    for spec in (
        TableSpec(
            "bevoelkerung",
            "Einwohner nach Alter, Geschlecht und Staatsangehörigkeit",
            keys=("jahr", "kennziffer", "altersgruppe", "geschlecht", "staatsangehoerigkeit"),
            counts=("anzahl",),
            codes={"altersgruppe": AGE_GROUPS, "geschlecht": SEXES, "staatsangehoerigkeit": NATIONALITIES},
        ),
        TableSpec(
            "haushalte",
            "Haushalte nach Haushaltstyp",
            keys=("jahr", "kennziffer", "haushaltstyp"),
            counts=("anzahl",),
            codes={"haushaltstyp": HOUSEHOLD_TYPES},
        ),
        TableSpec(
            "sgb2",
            "Grundsicherung für Arbeitsuchende (SGB II)",
            keys=("jahr", "kennziffer"),
            counts=(
                "bedarfsgemeinschaften",
                "leistungsberechtigte",
                "elb",
                "nef",
                "nef_unter_15",
                "bg_alleinerziehende",
            ),
        ),
        TableSpec(
            "grundsicherung",
            "Grundsicherung im Alter und bei Erwerbsminderung (SGB XII, 4. Kapitel)",
            keys=("jahr", "kennziffer"),
            counts=("empfaenger_65_plus", "empfaenger_erwerbsgemindert"),
        ),
        TableSpec(
            "arbeitslose",
            "Arbeitslose nach Rechtskreis",
            keys=("jahr", "kennziffer", "rechtskreis"),
            counts=("arbeitslose", "langzeitarbeitslose"),
            codes={"rechtskreis": RECHTSKREISE},
        ),
        TableSpec("wohngeld", "Wohngeldhaushalte", keys=("jahr", "kennziffer"), counts=("haushalte",)),
        TableSpec(
            "marburgpass",
            "Inhaberinnen und Inhaber des MarburgPasses",
            keys=("jahr", "kennziffer"),
            counts=("inhaber", "darunter_kinder"),
        ),
        TableSpec(
            "wohnen",
            "Wohnungsbestand und geförderte Wohnungen",
            keys=("jahr", "kennziffer"),
            counts=("wohnungen", "sozialwohnungen"),
        ),
        TableSpec(
            "wohnungsnotfaelle",
            "Wohnungsnotfälle und Wohnungslosenhilfe (Stadt)",
            keys=("jahr", "kategorie"),
            counts=("anzahl",),
            codes={"kategorie": HOMELESSNESS_CATEGORIES},
        ),
        TableSpec(
            "schwerbehinderte",
            "Schwerbehinderte Menschen (GdB ≥ 50) nach Alter und Geschlecht (Stadt)",
            keys=("jahr", "altersgruppe", "geschlecht"),
            counts=("anzahl",),
            codes={"altersgruppe": DISABILITY_AGE_GROUPS, "geschlecht": SEXES},
        ),
        TableSpec(
            "mindestsicherung",
            "Weitere Mindestsicherungsleistungen (Stadt)",
            keys=("jahr", "leistung"),
            counts=("empfaenger",),
            codes={"leistung": MINIMUM_INCOME_BENEFITS},
            required=False,
        ),
        TableSpec(
            "aktionsplan",
            "Aktionsplan Inklusion: Maßnahmen und Umsetzungsstand",
            keys=("jahr", "massnahme_nr"),
            codes={"handlungsfeld": ACTION_FIELDS, "status": MEASURE_STATUSES},
            texts=("titel", "zustaendigkeit"),
            dates=("stand",),
        ),
    )
}


def _code_columns(spec: TableSpec) -> dict[str, pa.Column]:
    return {
        name: pa.Column(str, pa.Check.isin(allowed, error=f"allowed codes: {', '.join(allowed)}"))
        for name, allowed in spec.codes.items()
    }


def table_schema(spec: TableSpec, district_codes: tuple[int, ...], years: tuple[int, int]) -> pa.DataFrameSchema:
    """The pandera schema of one table, for the given district codes and plausible year range."""
    columns: dict[str, pa.Column] = {
        "jahr": pa.Column(int, pa.Check.in_range(*years, error=f"year between {years[0]} and {years[1]}"), coerce=True)
    }
    if spec.district_level:
        columns["kennziffer"] = pa.Column(
            int, pa.Check.isin(district_codes, error="kennziffer of a statistical district"), coerce=True
        )
    if "massnahme_nr" in spec.keys:
        columns["massnahme_nr"] = pa.Column(int, pa.Check.ge(1, error="measure number ≥ 1"), coerce=True)
    columns.update(_code_columns(spec))
    for name in spec.counts:
        columns[name] = pa.Column(int, pa.Check.ge(0, error="count ≥ 0"), coerce=True)
    for name in spec.texts:
        columns[name] = pa.Column(str, pa.Check.str_length(min_value=1, error="text not empty"))
    for name in spec.dates:
        columns[name] = pa.Column("datetime64[ns]", coerce=True)
    return pa.DataFrameSchema(
        columns,
        strict=True,
        ordered=False,
        name=spec.name,
    )
