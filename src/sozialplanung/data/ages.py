"""Age ranges of the population table: which age bands make up "under 15", "65 and older", etc.

Indicators, validation rules and chapters all count residents of an age range through
:func:`population`, and the German labels of the method page come from the same :class:`AgeRange`.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from sozialplanung.data.contract import AGE_GROUPS, NATIONALITIES

KEYS = ("jahr", "kennziffer")


def band_limits(band: str) -> tuple[int, int | None]:
    """``"15-17"`` → ``(15, 18)`` (upper limit exclusive); ``"80+"`` → ``(80, None)``."""
    if band.endswith("+"):
        return int(band[:-1]), None
    low, high = band.split("-")
    return int(low), int(high) + 1


@dataclass(frozen=True)
class AgeRange:
    """Ages from ``lower`` up to, but excluding, ``upper`` (``None``: no upper limit)."""

    lower: int
    upper: int | None = None

    def __post_init__(self) -> None:
        if self.lower < 0 or (self.upper is not None and self.upper <= self.lower):
            raise ValueError(f"Invalid age range {self.lower} to {self.upper}")
        _ = self.age_groups  # a range the bands cannot give fails when defined, not when used

    @property
    def label(self) -> str:
        if self.upper is None:
            return "insgesamt" if self.lower == 0 else f"{self.lower} Jahre und älter"
        if self.lower == 0:
            return f"unter {self.upper} Jahren"
        return f"{self.lower} bis unter {self.upper} Jahren"

    @property
    def residents(self) -> str:
        """The residents of this range as a German noun phrase: ``"Einwohner unter 15 Jahren"``."""
        if self.lower > 0 and self.upper is not None:
            return f"Einwohner von {self.label}"
        return f"Einwohner {self.label}"

    @property
    def age_groups(self) -> tuple[str, ...]:
        """The bands of the population table that make up this range."""
        upper = self.upper if self.upper is not None else float("inf")
        covered = []
        for band in AGE_GROUPS:
            low, high = band_limits(band)
            high = high if high is not None else float("inf")
            if self.lower <= low and high <= upper:
                covered.append(band)
            elif low < upper and high > self.lower:  # overlaps without being inside
                raise ValueError(
                    f"Age band {band} straddles the range {self.label}; choose limits at band "
                    "boundaries of the population table."
                )
        return tuple(covered)


POPULATION_GROUPS: dict[str, AgeRange] = {
    "gesamt": AgeRange(0, None),
    "unter_3": AgeRange(0, 3),
    "3_bis_5": AgeRange(3, 6),
    "unter_15": AgeRange(0, 15),
    "unter_18": AgeRange(0, 18),
    "unter_20": AgeRange(0, 20),
    "15_bis_64": AgeRange(15, 65),
    "20_bis_64": AgeRange(20, 65),
    "unter_65": AgeRange(0, 65),
    "65_plus": AgeRange(65, None),
    "80_plus": AgeRange(80, None),
    "18_bis_64": AgeRange(18, 65),
}


BROAD_AGE_GROUPS: dict[str, AgeRange] = {
    "unter 6": AgeRange(0, 6),
    "6–14": AgeRange(6, 15),
    "15–17": AgeRange(15, 18),
    "18–24": AgeRange(18, 25),
    "25–44": AgeRange(25, 45),
    "45–64": AgeRange(45, 65),
    "65–79": AgeRange(65, 80),
    "80 und älter": AgeRange(80, None),
}
"""Broad age groups (labels in years) of the age-structure figure and of coarse population pyramids."""


def population(
    bevoelkerung: pd.DataFrame, group: str | AgeRange, by: tuple[str, ...] = KEYS, nationality: str | None = None
) -> pd.Series:
    """Residents of an age group (optionally of one nationality), summed ``by`` the given keys.

    Every key combination of the table appears, with 0 where nobody falls into the group, so a
    district without children has a denominator of 0 rather than a missing row.
    """
    if isinstance(group, str):
        if group not in POPULATION_GROUPS:
            raise KeyError(f"Unknown population group {group!r}; known: {', '.join(POPULATION_GROUPS)}")
        group = POPULATION_GROUPS[group]
    mask = bevoelkerung["altersgruppe"].isin(group.age_groups)
    if nationality is not None:
        if nationality not in NATIONALITIES:
            raise ValueError(f"Unknown nationality {nationality!r}; known: {', '.join(NATIONALITIES)}")
        mask &= bevoelkerung["staatsangehoerigkeit"] == nationality
    counts = bevoelkerung["anzahl"].where(mask, 0)
    return counts.groupby([bevoelkerung[key] for key in by]).sum().astype("int64").rename("anzahl")
