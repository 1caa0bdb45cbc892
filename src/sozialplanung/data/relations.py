"""How the raw tables' counts relate to each other, declared once for the confidentiality model.

Published counts are linked: Leistungsberechtigte = ELB + NEF, Kinder unter 15 im SGB II are part of
the NEF and at most the residents under 15, a district's residents are the sum of its pyramid. An
attacker who knows these relations can subtract one published number from another, so the
confidentiality model (:mod:`sozialplanung.statistics.protection`) works on them, not on tables
one by one:

- :data:`ATOMS` splits each count column of a table into its *atoms*, the finest groups the data
  distinguishes: ``nef = nef_unter_15 + nef_ab_15``. Every count the report publishes is a sum of
  atoms, so "NEF ab 15" (164 − 114 − 49 = 1) is a group of people that must stay protected even
  though no table shows it.
- :data:`BOUNDS` are the inequalities between tables that hold for every district and year (each
  is also a validation rule in :mod:`sozialplanung.data.rules`), e.g. Kinder unter 15 im SGB II ≤
  residents under 15.
- :data:`NESTED_ROWS` declares rows of a table that hold a part of another row of the same table
  (Wohnungslose in Notunterkünften are part of all Wohnungslose): the outer row's atom is what is
  left after the inner rows, and a cell of the outer row sums both.
- :class:`Cells` names a set of raw cells per district and year; indicators describe their
  numerators and denominators with it (a sum over several tables is a tuple of them).

Tables without districts (the city-only tables) take part with the kennziffer 0 of the city.
"""

from __future__ import annotations

from dataclasses import dataclass

from sozialplanung.data.ages import AgeRange
from sozialplanung.data.contract import HOUSEHOLDS_WITH_CHILDREN, TABLES


@dataclass(frozen=True)
class Atom:
    """One atom of a table: ``plus`` minus ``minus`` of the row's raw columns."""

    plus: str
    minus: str | None = None


ATOMS: dict[str, dict[str, Atom]] = {
    "sgb2": {
        "elb": Atom("elb"),
        "nef_unter_15": Atom("nef_unter_15"),
        "nef_ab_15": Atom("nef", "nef_unter_15"),
        "bg_alleinerziehende": Atom("bg_alleinerziehende"),
        "bg_uebrige": Atom("bedarfsgemeinschaften", "bg_alleinerziehende"),
    },
    "arbeitslose": {
        "langzeitarbeitslose": Atom("langzeitarbeitslose"),
        "kuerzer_arbeitslose": Atom("arbeitslose", "langzeitarbeitslose"),
    },
    "marburgpass": {"kinder": Atom("darunter_kinder"), "erwachsene": Atom("inhaber", "darunter_kinder")},
    "wohnen": {"sozialwohnungen": Atom("sozialwohnungen"), "uebrige": Atom("wohnungen", "sozialwohnungen")},
}
"""Tables whose count columns overlap; any other table's count columns are its atoms."""

COLUMN_ATOMS: dict[str, dict[str, tuple[str, ...]]] = {
    "sgb2": {
        "leistungsberechtigte": ("elb", "nef_unter_15", "nef_ab_15"),
        "elb": ("elb",),
        "nef": ("nef_unter_15", "nef_ab_15"),
        "nef_unter_15": ("nef_unter_15",),
        "bedarfsgemeinschaften": ("bg_alleinerziehende", "bg_uebrige"),
        "bg_alleinerziehende": ("bg_alleinerziehende",),
    },
    "arbeitslose": {
        "arbeitslose": ("langzeitarbeitslose", "kuerzer_arbeitslose"),
        "langzeitarbeitslose": ("langzeitarbeitslose",),
    },
    "marburgpass": {"inhaber": ("kinder", "erwachsene"), "darunter_kinder": ("kinder",)},
    "wohnen": {"wohnungen": ("sozialwohnungen", "uebrige"), "sozialwohnungen": ("sozialwohnungen",)},
}
"""Each count column of the tables in :data:`ATOMS` as the atoms it sums."""


NESTED_ROWS: dict[str, tuple[str, dict[str, tuple[str, ...]]]] = {
    "wohnungsnotfaelle": ("kategorie", {"wohnungslose_gesamt": ("notunterkunft",)}),
}
"""Per table: the code column, and for an outer code the inner codes whose rows are part of it."""


def nested_rows(table: str) -> tuple[str, dict[str, tuple[str, ...]]] | None:
    """The code column and the outer → inner codes of ``table`` (:data:`NESTED_ROWS`), or None."""
    return NESTED_ROWS.get(table)


def atoms_of(table: str) -> dict[str, Atom]:
    """The atoms of ``table``: declared in :data:`ATOMS`, else one per count column."""
    return ATOMS.get(table, {column: Atom(column) for column in TABLES[table].counts})


def column_atoms(table: str, column: str) -> tuple[str, ...]:
    """The atoms a raw count column sums."""
    if table in COLUMN_ATOMS:
        return COLUMN_ATOMS[table][column]
    if column not in TABLES[table].counts:
        raise KeyError(f"{table} has no count column {column!r}")
    return (column,)


@dataclass(frozen=True)
class Cells:
    """Raw cells summed per district and year: ``columns`` of ``table`` over the rows whose code
    columns hold one of the listed values (``where``)."""

    table: str
    columns: tuple[str, ...]
    where: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @property
    def atoms(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(a for column in self.columns for a in column_atoms(self.table, column)))

    @property
    def rows(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """``where`` with each outer code followed by its inner ones (:data:`NESTED_ROWS`): the rows
        whose atoms the cells sum."""
        nested = nested_rows(self.table)
        if nested is None:
            return self.where
        column, inner = nested
        return tuple(
            (code_column, tuple(dict.fromkeys(c for v in values for c in (v, *inner.get(v, ())))))
            if code_column == column
            else (code_column, values)
            for code_column, values in self.where
        )


CellSum = tuple[Cells, ...]
"""Raw cells of several tables summed (a count over several sources, e.g. all Mindestsicherung)."""


def residents(ages: AgeRange, nationality: str | None = None) -> Cells:
    """The residents of an age range (and nationality) as cells of ``bevoelkerung``."""
    where = [("altersgruppe", tuple(ages.age_groups))]
    if nationality is not None:
        where.append(("staatsangehoerigkeit", (nationality,)))
    return Cells("bevoelkerung", ("anzahl",), tuple(where))


@dataclass(frozen=True)
class Bound:
    """``smaller`` ≤ ``larger`` in every district and year."""

    smaller: Cells
    larger: Cells


BOUNDS: tuple[Bound, ...] = (
    Bound(Cells("sgb2", ("nef_unter_15",)), residents(AgeRange(0, 15))),
    Bound(Cells("sgb2", ("elb",)), residents(AgeRange(15, 65))),
    Bound(Cells("sgb2", ("leistungsberechtigte",)), residents(AgeRange(0, 65))),
    Bound(Cells("sgb2", ("bedarfsgemeinschaften",)), Cells("sgb2", ("leistungsberechtigte",))),
    Bound(
        Cells("sgb2", ("bg_alleinerziehende",)),
        Cells("haushalte", ("anzahl",), (("haushaltstyp", ("alleinerziehend",)),)),
    ),
    Bound(Cells("grundsicherung", ("empfaenger_65_plus",)), residents(AgeRange(65, None))),
    Bound(Cells("grundsicherung", ("empfaenger_erwerbsgemindert",)), residents(AgeRange(18, 65))),
    Bound(Cells("arbeitslose", ("arbeitslose",), (("rechtskreis", ("SGB II",)),)), Cells("sgb2", ("elb",))),
    Bound(Cells("arbeitslose", ("arbeitslose",)), residents(AgeRange(15, 65))),
    Bound(Cells("marburgpass", ("darunter_kinder",)), residents(AgeRange(0, 18))),
    Bound(Cells("wohngeld", ("haushalte",)), Cells("haushalte", ("anzahl",))),
    Bound(Cells("haushalte", ("anzahl",)), residents(AgeRange(0, None))),
    Bound(Cells("haushalte", ("anzahl",), (("haushaltstyp", HOUSEHOLDS_WITH_CHILDREN),)), residents(AgeRange(0, 18))),
)
"""Inequalities between tables an attacker may use (each is a validation rule as well)."""
