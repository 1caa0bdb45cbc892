"""German sentences of the report: the one place that turns published numbers into words.

The rules this module owns:

* **Published values only.** Every number is judged as the reader sees it in the tables: rounded half
  up to the published decimals (:func:`~sozialplanung.core.formats.round_half_up`). Ties, directions,
  differences and comparisons are computed from those rounded values, so a sentence never contradicts
  its table: 13,54 → 13,76 is published as 13,5 → 13,8 and reads "um 0,3 Prozentpunkte gestiegen".
  Numbers are written by :mod:`sozialplanung.core.formats`; this module formats nothing itself.
* **No table symbols in prose.** A sentence never contains "–", "." or "x" in place of a number. A
  missing or hidden value (None, NaN, pandas NA) is never an extreme; a function that needs the value
  itself raises :class:`ValueError` for it. Which values may be published is decided by
  :mod:`sozialplanung.statistics.confidentiality`, never here: callers pass published values only.
* **Plurals and zero**: "1 Person", "2 Personen", "1.234 Personen", "keine Personen";
  "1 Prozentpunkt" but "1,0 Prozentpunkte" (a decimal number takes the plural).
* **Lists**: "A", "A und B", "A, B und C" (no comma before "und", as German writes).
* **Ties**: every name sharing the extreme published value is named, in German alphabetical order
  (DIN 5007-1: ä sorts as a, ß as ss), so the order does not depend on how a caller sorted its table.
* **Numbers of districts** in running text are words up to twelve ("in drei Stadtbezirken"), digits
  above, as Duden recommends; counts of people stay digits, as statistics write them.
* **District names** take their article, case and preposition from the reference table
  ``data/reference/stadtbezirk_grammatik.csv`` (:class:`DistrictGrammar`): "am Oberen Richtsberg",
  "Lage des Oberen Richtsbergs", "in der Altstadt", "in Cappel". Where no grammar is at hand, a
  district is named with its noun ("im Stadtbezirk Altstadt"), which is correct for every name.

Sentences with a subject expect a singular noun phrase in the nominative with its article in lower
case, as it stands inside a sentence ("die SGB-II-Quote", "der Anteil der Kinder").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

import pandas as pd

from sozialplanung.core.formats import format_count, format_number, round_half_up

Value = float | int | Decimal | None
"""A published value as a table holds it; None or NaN where it is missing or hidden."""
Gender = Literal["m", "f", "n"]
Direction = Literal["gestiegen", "gesunken", "unverändert"]
ChangeKind = Literal["points", "percent", "count"]


@dataclass(frozen=True)
class Noun:
    """A countable noun as the caller needs it: "Person"/"Personen", "Fall"/"Fälle".

    ``gender`` is only needed for "jede 7. Person" and "im/in der …"; ``dative_plural`` only where the
    rule below is wrong (German adds -n to a plural that does not end in -n or -s: Fälle → Fällen,
    Kinder → Kindern, Personen stays).
    """

    singular: str
    plural: str
    gender: Gender | None = None
    dative_plural: str | None = None

    def plural_dative(self) -> str:
        """The plural in the dative: "in drei Stadtbezirken", "in zwei Fällen"."""
        if self.dative_plural is not None:
            return self.dative_plural
        return self.plural if self.plural.endswith(("n", "s")) else self.plural + "n"

    def count(self, n: Value, zero: str | None = None) -> str:
        """:func:`count_phrase` with this noun: ``Noun("Fall", "Fälle").count(2)`` → "2 Fälle"."""
        return count_phrase(n, self.singular, self.plural, zero=zero)


# A few nouns the report counts everywhere; anything else the caller writes as Noun(...).
PERSON = Noun("Person", "Personen", "f")
HOUSEHOLD = Noun("Haushalt", "Haushalte", "m")
CASE = Noun("Fall", "Fälle", "m")
CHILD = Noun("Kind", "Kinder", "n")
DISTRICT = Noun("Stadtbezirk", "Stadtbezirke", "m")
PERCENTAGE_POINT = Noun("Prozentpunkt", "Prozentpunkte", "m")
POINT = Noun("Punkt", "Punkte", "m")
"""The unit of a change of a rate per 1.000 (not per 100)."""

_NUMBER_WORDS = (
    "null",
    "eins",
    "zwei",
    "drei",
    "vier",
    "fünf",
    "sechs",
    "sieben",
    "acht",
    "neun",
    "zehn",
    "elf",
    "zwölf",
)
_DIN_5007 = str.maketrans({"ä": "a", "ö": "o", "ü": "u", "ß": "ss"})


# --- values ---------------------------------------------------------------------------------------


def is_missing(value: object) -> bool:
    """True for None, NaN and pandas NA: a value that is missing or hidden and never goes into prose."""
    if value is None:
        return True
    if isinstance(value, Decimal):
        return value.is_nan()
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # an array or list is no single value; the caller's mistake shows later
        return False


def published(value: Value, decimals: int) -> Decimal:
    """The value as the table publishes it (rounded half up); a missing or hidden one raises ValueError."""
    if is_missing(value):
        raise ValueError(
            "A missing or hidden value cannot be written into a sentence: leave the sentence out, "
            "or say that the value is not published."
        )
    if isinstance(value, str | bool):  # a formatted cell ("13,5", ".") or a flag is no value to judge
        raise TypeError(f"{value!r} is no number; pass the table's values, not its formatted cells.")
    return round_half_up(value, decimals)


def _count(n: Value) -> int:
    value = published(n, 0)
    if value < 0 or value != Decimal(str(n)):
        raise ValueError(f"{n!r} is no count (a count is a whole number of at least 0).")
    return int(value)


def _number(value: Decimal, decimals: int, unit: str | None = None) -> str:
    text = format_number(value, decimals)
    return f"{text} {unit}" if unit else text


# --- plurals and lists ----------------------------------------------------------------------------


def count_phrase(n: Value, singular: str, plural: str, *, zero: str | None = None) -> str:
    """A count with its noun: "1 Person", "2 Personen", "1.234 Personen"; 0 → "keine Personen" (or
    ``zero``, e.g. "niemand"). A hidden, missing, negative or fractional count raises ValueError."""
    count = _count(n)
    if count == 0:
        return f"keine {plural}" if zero is None else zero
    return f"{format_count(count)} {singular if count == 1 else plural}"


def number_word(n: int) -> str:
    """A number of things in running text: words up to twelve ("drei"), digits above ("13")."""
    count = _count(n)
    return _NUMBER_WORDS[count] if count < len(_NUMBER_WORDS) else format_count(count)


def join_names(names: Iterable[str], conjunction: str = "und") -> str:
    """Names as German lists them: "A"; "A und B"; "A, B und C" — in the order given."""
    items = [str(name) for name in names]
    if not items:
        raise ValueError("join_names needs at least one name.")
    if len(items) == 1:
        return items[0]
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


def german_sort_key(name: str) -> tuple[str, str]:
    """Alphabetical order as German lists use it (DIN 5007-1: "Südviertel" between "Stadtwald" and
    "Waldtal"); the name itself breaks ties so the order is total."""
    return name.casefold().translate(_DIN_5007), name


def capitalize_first(text: str) -> str:
    """The first letter in upper case, the rest untouched ("am Oberen Richtsberg" → "Am Oberen …")."""
    return text[:1].upper() + text[1:]


# --- extremes -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Extreme:
    """The highest or lowest published value and every name that shares it."""

    names: tuple[str, ...]
    """In German alphabetical order (:func:`german_sort_key`)."""
    value: Decimal
    """The published (rounded) value."""
    exact_zero: bool
    """Every name's value is exactly 0, not just rounded to 0,0."""
    published: int
    """How many values were published (not missing or hidden)."""
    hidden: int
    """How many values were missing or hidden and so left out."""

    @property
    def tied(self) -> bool:
        return len(self.names) > 1

    @property
    def everyone(self) -> bool:
        """Every published value is the extreme: there is nothing to single out."""
        return len(self.names) == self.published


def extremes(values: Mapping[str, Value], decimals: int = 1, highest: bool = True) -> Extreme | None:
    """The names with the highest (or lowest) value after rounding to ``decimals``; None when no value
    is published. Missing and hidden values are never an extreme; values that differ only before
    rounding are tied, as the reader of the table sees them (13,54 and 13,46 are both 13,5)."""
    rounded = {name: published(value, decimals) for name, value in values.items() if not is_missing(value)}
    if not rounded:
        return None
    best = max(rounded.values()) if highest else min(rounded.values())
    names = tuple(sorted((name for name, value in rounded.items() if value == best), key=german_sort_key))
    return Extreme(
        names=names,
        value=best,
        exact_zero=all(values[name] == 0 for name in names),
        published=len(rounded),
        hidden=len(values) - len(rounded),
    )


def _in_area(names: tuple[str, ...], area: Noun, place: Callable[[str], str] | None) -> str:
    """Where: "am Oberen Richtsberg" (with ``place``), "im Stadtbezirk Altstadt", "in drei
    Stadtbezirken (A, B und C)"."""
    if len(names) > 1:
        return f"in {number_word(len(names))} {area.plural_dative()} ({join_names(names)})"
    if place is not None:
        return place(names[0])
    preposition = "in der" if area.gender == "f" else "im"
    return f"{preposition} {area.singular} {names[0]}"


def extreme_sentence(
    values: Mapping[str, Value],
    subject: str,
    *,
    decimals: int = 1,
    highest: bool = True,
    unit: str | None = None,
    place: Callable[[str], str] | None = None,
    area: Noun = DISTRICT,
) -> str:
    """One sentence naming where ``subject`` is highest (or lowest), ties and hidden values included.

    ``values`` maps names (as tables write them) to published values; ``unit`` follows the number
    ("%", "je 100 Einwohner"); ``place`` turns a name into its phrase for "wo?", e.g.
    :meth:`DistrictGrammar.place` ("am Oberen Richtsberg"); without it a single name reads "im
    Stadtbezirk …". Several names are counted and listed ("in drei Stadtbezirken (A, B und C)").

    * "Am höchsten war die SGB-II-Quote mit 25,3 % am Oberen Richtsberg."
    * "Am niedrigsten war die SGB-II-Quote mit je 1,2 % in zwei Stadtbezirken (Cappel und Wehrda)."
    * "In drei Stadtbezirken (Bortshausen, Dilschhausen und Lahnberge) lag die SGB-II-Quote bei null."
    * "In allen fünf Stadtbezirken mit ausgewiesenem Wert war die SGB-II-Quote gleich hoch (je 2,0 %)."
    * "Für keinen Stadtbezirk kann die SGB-II-Quote ausgewiesen werden."
    """
    extreme = extremes(values, decimals, highest)
    if extreme is None:
        no = {"f": "keine", "n": "kein"}.get(area.gender or "m", "keinen")
        return f"Für {no} {area.singular} kann {subject} ausgewiesen werden."
    where = _in_area(extreme.names, area, place)
    amount = _number(extreme.value, decimals, unit)
    if extreme.published == 1:
        return f"Nur {where} kann {subject} ausgewiesen werden ({amount})."
    if extreme.everyone:
        every = "In beiden" if extreme.published == 2 else f"In allen {number_word(extreme.published)}"
        scope = f"{every} {area.plural_dative()}"
        scope += " mit ausgewiesenem Wert" if extreme.hidden else ""
        if extreme.exact_zero:
            return f"{scope} lag {subject} bei null."
        return f"{scope} war {subject} gleich hoch (je {amount})."
    if extreme.exact_zero and not highest:
        # Exactly zero is the natural bottom of a count or rate; "am niedrigsten … mit 0,0" would hide
        # that nothing was counted. A value only rounded to 0,0 is not zero and keeps its number.
        return f"{capitalize_first(where)} lag {subject} bei null."
    superlative = "Am höchsten" if highest else "Am niedrigsten"
    each = "je " if extreme.tied else ""
    return f"{superlative} war {subject} mit {each}{amount} {where}."


# --- changes and comparisons ----------------------------------------------------------------------


def difference(old: Value, new: Value, decimals: int = 1) -> Decimal:
    """``new − old`` of the published values: 13,54 → 13,76 is 13,5 → 13,8, a difference of 0,3."""
    return published(new, decimals) - published(old, decimals)


def direction(old: Value, new: Value, decimals: int = 1) -> Direction:
    """Up or down: "gestiegen", "gesunken" or "unverändert", judged on the published values
    (13,54 → 13,46 is 13,5 → 13,5: "unverändert")."""
    change = difference(old, new, decimals)
    return "gestiegen" if change > 0 else "gesunken" if change < 0 else "unverändert"


def change_clause(
    old: Value,
    new: Value,
    *,
    decimals: int = 1,
    kind: ChangeKind = "points",
    noun: Noun | None = None,
    percent_decimals: int = 1,
) -> str:
    """The change from ``old`` to ``new`` as the end of a sentence about a singular subject
    ("Die SGB-II-Quote …"), always from the published values and never with a sign.

    * ``kind="points"`` (rates): "ist um 0,3 Prozentpunkte gestiegen"; ``noun=POINT`` for a rate per
      1.000 ("um 0,3 Punkte").
    * ``kind="percent"`` (counts, ``decimals=0``): "ist um 6,6 % gesunken", the relative change of the
      published counts rounded to ``percent_decimals``; "ist um weniger als 0,1 % gestiegen" where that
      rounds to zero; "ist von null auf 12 gestiegen" where the old value is zero.
    * ``kind="count"``: "ist um 81 Personen gesunken" (``noun=PERSON``), or "ist um 81 gesunken".

    Equal published values read "ist unverändert geblieben".
    """
    before, after = published(old, decimals), published(new, decimals)
    way = direction(before, after, decimals)
    if way == "unverändert":
        return "ist unverändert geblieben"
    change = abs(after - before)
    if kind == "points":
        unit = noun or PERCENTAGE_POINT
        text = format_number(change, decimals)
        return f"ist um {text} {unit.singular if text == '1' else unit.plural} {way}"
    if kind == "count":
        if noun is None:
            return f"ist um {format_number(change, decimals)} {way}"
        if decimals == 0:
            return f"ist um {noun.count(change)} {way}"
        return f"ist um {format_number(change, decimals)} {noun.plural} {way}"
    if kind == "percent":
        if before == 0:
            return f"ist von null auf {format_number(after, decimals)} {way}"
        relative = round_half_up(change / abs(before) * 100, percent_decimals)
        if relative == 0:
            smallest = format_number(Decimal(1).scaleb(-percent_decimals), percent_decimals)
            return f"ist um weniger als {smallest} % {way}"
        return f"ist um {format_number(relative, percent_decimals)} % {way}"
    raise ValueError(f"Unknown kind of change {kind!r}; use 'points', 'percent' or 'count'.")


def comparison(
    value: Value,
    reference: Value,
    decimals: int = 1,
    words: tuple[str, str, str] = ("höher als", "niedriger als", "genauso hoch wie"),
) -> str:
    """How ``value`` compares with ``reference``: "höher als", "niedriger als" or "genauso hoch wie",
    judged on the published values; ``words`` for other adjectives ("größer als", "kleiner als",
    "genauso groß wie")."""
    change = difference(reference, value, decimals)
    higher, lower, equal = words
    return higher if change > 0 else lower if change < 0 else equal


def every_nth(share: Value, noun: Noun, decimals: int = 1) -> str:
    """A share per 100 as "jede 7. Person": 13,5 → "etwa jede 7. Person", 25,0 → "jedes 4. Kind".

    Only for shares above 0 and up to 50 (beyond that "jede 2." says less than the share itself); the
    noun needs its ``gender`` for "jeder/jede/jedes".
    """
    value = published(share, decimals)
    if not 0 < value <= 50:
        raise ValueError(f"'jede n. …' fits shares above 0 and up to 50 per 100, not {format_number(value, decimals)}.")
    if noun.gender is None:
        raise ValueError(f"Noun({noun.singular!r}) needs its gender for 'jeder/jede/jedes'.")
    ratio = Decimal(100) / value
    nth = round_half_up(ratio, 0)
    about = "" if ratio == nth else "etwa "
    every = {"m": "jeder", "f": "jede", "n": "jedes"}[noun.gender]
    return f"{about}{every} {format_count(int(nth))}. {noun.singular}"


# --- district names -------------------------------------------------------------------------------


@dataclass(frozen=True)
class DistrictForms:
    """One district's name as sentences need it (a row of ``stadtbezirk_grammatik.csv``)."""

    kennziffer: int
    name: str
    """As tables write it: "Oberer Richtsberg"."""
    nominative: str
    """With its article: "der Obere Richtsberg", "die Altstadt", "Cappel". "die Lahnberge" is a plural
    and takes a plural verb, so a sentence about any district reads best with :attr:`dative`."""
    dative: str
    """With the preposition that answers "wo?": "am Oberen Richtsberg", "in der Altstadt", "in Cappel"."""
    genitive: str
    """After a noun: "des Oberen Richtsbergs", "der Altstadt", "Cappels", "von Wehrda"."""


@dataclass(frozen=True)
class DistrictGrammar:
    """The forms of every district's name, looked up by kennziffer or by name.

    Built from :func:`sozialplanung.data.districts.read_district_grammar`::

        frame = read_district_grammar(project.reference_dir / GRAMMAR_FILE, districts)
        grammar = DistrictGrammar.from_frame(frame)
        f"Die Lage {grammar.genitive(243)} …"  # "Die Lage des Oberen Richtsbergs …"
        f"{capitalize_first(grammar.dative(243))} lebten …"  # "Am Oberen Richtsberg lebten …"
    """

    by_code: Mapping[int, DistrictForms]

    @classmethod
    def from_frame(cls, frame: pd.DataFrame) -> DistrictGrammar:
        forms = [
            DistrictForms(int(row.kennziffer), row.stadtbezirk, row.nominativ, row.dativ, row.genitiv)
            for row in frame.itertuples(index=False)
        ]
        return cls({form.kennziffer: form for form in forms})

    def forms(self, kennziffer: int) -> DistrictForms:
        try:
            return self.by_code[int(kennziffer)]
        except KeyError:
            raise ValueError(
                f"No grammar for kennziffer {kennziffer}; add its row to stadtbezirk_grammatik.csv."
            ) from None

    def named(self, name: str) -> DistrictForms:
        """The forms of the district a table names ``name``."""
        for form in self.by_code.values():
            if form.name == name:
                return form
        raise ValueError(f"No grammar for the district {name!r}; add its row to stadtbezirk_grammatik.csv.")

    def nominative(self, kennziffer: int) -> str:
        return self.forms(kennziffer).nominative

    def dative(self, kennziffer: int) -> str:
        return self.forms(kennziffer).dative

    def genitive(self, kennziffer: int) -> str:
        return self.forms(kennziffer).genitive

    def place(self, name: str) -> str:
        """The answer to "wo?" for a district named as in a table (for :func:`extreme_sentence`'s ``place``)."""
        return self.named(name).dative
