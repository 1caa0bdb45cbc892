"""District names in raw files: codes, official names and their variants, and the city's total rows.

A raw table may name its districts by ``kennziffer``, by name instead of the code, or by name in an
extra column beside the code. A name is matched after folding case, umlauts (``ä`` = ``ae``), ``ß``,
hyphens and spaces, without a leading "Marburg-" ("Marburg-Cappel") and with an inverted name turned
round ("Richtsberg, Oberer"). Other variants, such as former names (Klinikviertel for Campusviertel),
come from the alias table ``data/reference/stadtbezirk_namen.csv`` (columns ``name``, ``kennziffer``,
``hinweis``). An unknown name is an error that offers the closest known names. The labels of
:data:`TOTAL_LABELS` ("Insgesamt", "Summe", "Marburg gesamt" …) mark a row of the whole city.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sozialplanung.core.errors import DataError

ALIAS_FILE = "stadtbezirk_namen.csv"
CITY_TOTAL = 0
"""The code a total row resolves to."""
TOTAL_LABELS = (
    "Insgesamt",
    "Summe",
    "Gesamt",
    "Marburg gesamt",
    "Marburg insgesamt",
    "Marburg",
    "Stadt Marburg",
    "Universitätsstadt Marburg",
    "Gesamtstadt",
    "Stadt insgesamt",
)
NAME_COLUMNS = ("stadtbezirk", "bezirk", "stadtbezirksname", "name")
"""Header names (case folded) of a column that holds district names."""
_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def fold(name: str) -> str:
    """A name folded for lookup: lower case, umlauts spelled out, letters and digits only."""
    return re.sub(r"[^0-9a-z]", "", name.casefold().translate(_FOLD))


@dataclass(frozen=True)
class DistrictNames:
    """Every name a district goes by, folded for lookup, and what a name stands for."""

    codes: dict[str, int] = field(default_factory=dict)  # folded name -> kennziffer (0: whole city)
    shown: dict[str, str] = field(default_factory=dict)  # folded name -> name as written in the reference

    def code(self, text: str) -> int | None:
        """The kennziffer a name stands for (0 for a total row), or None when it is unknown."""
        for variant in _variants(text):
            code = self.codes.get(fold(variant))
            if code is not None:
                return code
        return None

    def closest(self, text: str, n: int = 3) -> list[str]:
        """Up to ``n`` known names closest to ``text``."""
        scores: dict[str, float] = {}
        for variant in _variants(text):
            for key in difflib.get_close_matches(fold(variant), list(self.codes), n=n, cutoff=0.6):
                ratio = difflib.SequenceMatcher(None, fold(variant), key).ratio()
                scores[key] = max(scores.get(key, 0.0), ratio)
        best = sorted(scores, key=lambda key: (-scores[key], key))[:n]
        return [self.shown[key] for key in best]

    def unknown_rule(self, text: str) -> str:
        closest = self.closest(text)
        hint = f"did you mean {' or '.join(closest)}?" if closest else "no known name is close."
        return (
            f"name of a statistical district ({hint} A variant of a name can be added to data/reference/{ALIAS_FILE})"
        )


def _variants(text: str) -> list[str]:
    text = " ".join(text.split())
    variants = [text]
    if "," in text:  # "Richtsberg, Oberer" -> "Oberer Richtsberg"
        last, first = (part.strip() for part in text.split(",", 1))
        variants.append(f"{first} {last}")
    for variant in list(variants):
        stripped = re.sub(r"^(universitätsstadt |stadt )?marburg[- /]+", "", variant, flags=re.IGNORECASE)
        if stripped and stripped != variant:
            variants.append(stripped)
    return variants


def district_names(districts: pd.DataFrame, alias_file: Path | None = None) -> DistrictNames:
    """The names of the reference districts, the total labels and, if given, the alias table."""
    names = DistrictNames()
    entries = [(str(name), int(code)) for name, code in zip(districts["stadtbezirk"], districts["kennziffer"])]
    entries += [(label, CITY_TOTAL) for label in TOTAL_LABELS]
    if alias_file is not None and alias_file.is_file():
        aliases = pd.read_csv(alias_file, dtype={"name": "str", "kennziffer": "int64"}, encoding="utf-8")
        unknown = sorted(set(aliases["kennziffer"]) - set(districts["kennziffer"]) - {CITY_TOTAL})
        if unknown:
            raise DataError(f"{alias_file.name} names kennziffer(n) {', '.join(map(str, unknown))} that do not exist.")
        entries += list(zip(aliases["name"].astype(str), aliases["kennziffer"].astype(int)))
    for name, code in entries:
        key = fold(name)
        if names.codes.get(key, code) != code:
            raise DataError(f"The district name {name!r} stands for two kennziffern ({names.codes[key]} and {code}).")
        names.codes[key], names.shown[key] = code, name
    return names


GRAMMAR_FILE = "stadtbezirk_grammatik.csv"
"""How a sentence names each district (article, case, preposition), beside the districts' reference file."""


def read_district_grammar(path: Path, districts: pd.DataFrame) -> pd.DataFrame:
    """The grammatical forms of every district's name, one row per district of ``districts``.

    ``path`` is ``data/reference/stadtbezirk_grammatik.csv`` (UTF-8, ``,``; the caller builds it as
    ``<districts file>.parent / GRAMMAR_FILE``). Columns: ``kennziffer``, ``stadtbezirk`` (the name as
    the reference file writes it), ``nominativ`` ("der Obere Richtsberg", "Cappel"), ``dativ`` with the
    preposition that answers "wo?" ("am Oberen Richtsberg", "in der Altstadt", "in Cappel") and
    ``genitiv`` after a noun ("des Oberen Richtsbergs", "der Altstadt", "Cappels", "von Wehrda").
    A missing file, column or cell, a kennziffer twice, missing or unknown, or a name that differs from
    the reference raises :class:`DataError`, so no sentence falls back to a guessed article.
    """
    if not path.is_file():
        raise DataError(f"Reference file {path.name} not found in {path.parent}.")
    columns = ("kennziffer", "stadtbezirk", "nominativ", "dativ", "genitiv")
    frame = pd.read_csv(path, dtype="str", encoding="utf-8", keep_default_na=False)
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise DataError(f"{path.name} lacks the column(s) {', '.join(missing)}.")
    frame = frame[list(columns)].apply(lambda column: column.str.strip())
    empty = [f"row {number + 2}: {column}" for column in columns for number in frame.index[frame[column] == ""]]
    if empty:
        raise DataError(f"{path.name} has empty cells ({'; '.join(empty)}); every form must be written out.")
    if not frame["kennziffer"].str.fullmatch(r"\d+").all():
        raise DataError(f"{path.name}: every kennziffer must be a whole number.")
    frame["kennziffer"] = frame["kennziffer"].astype("int64")
    twice = sorted(set(frame.loc[frame["kennziffer"].duplicated(), "kennziffer"]))
    known = dict(zip(districts["kennziffer"].astype(int), districts["stadtbezirk"].astype(str)))
    absent, unknown = sorted(set(known) - set(frame["kennziffer"])), sorted(set(frame["kennziffer"]) - set(known))
    for codes, problem in (
        (twice, "has more than one row for"),
        (absent, "has no row for"),
        (unknown, "has a row for an unknown"),
    ):
        if codes:
            listed = ", ".join(map(str, codes))
            raise DataError(f"{path.name} {problem} kennziffer {listed}; it needs one row per district.")
    renamed = [
        f"{code} ({name!r}, reference: {known[code]!r})"
        for code, name in zip(frame["kennziffer"], frame["stadtbezirk"])
        if known[code] != name
    ]
    if renamed:
        raise DataError(f"{path.name} names districts differently from the reference: {', '.join(renamed)}.")
    return frame.sort_values("kennziffer", ignore_index=True)
