"""Claims: what a sentence of the report asserts about the data, in a form a machine can check.

Every sentence that states a relation about the data — where a value is highest, whether it rose,
whether one value is higher than another, "jedes 7. Kind" — is wrapped in a span that says what it
asserts (:func:`annotate`)::

    <span class="aussage" data-aussage="extrem|max|sgb2_quote|2024|232,243">Am höchsten war …</span>

:func:`check_site` reads every such span of a built site and checks it against the edition's
processed data, independently of the code that wrote the sentence: from the values as the tables
publish them (rounded, hidden values left out), never from a hidden value.

The grammar of ``data-aussage`` (fields separated by ``|``):

``extrem|<max|min>|<indicator>|<year>|<kennziffern>``
    The districts at the highest (``max``) or lowest (``min``) published value of an indicator:
    kennziffern ascending, comma-separated; empty when no district value is published.
``richtung|<area>|<measure>|<from year>|<to year>|<gestiegen|gesunken|unverändert>``
    The direction of a value between two years, judged on the two published values.
``vergleich|<year>|<area>|<measure>|<höher|niedriger|gleich>|<area>|<measure>``
    The first value is higher than, lower than or equal to the second (published values).
``jede|<area>|<measure>|<year>|<n>``
    A share per 100 read as "jede n-te": ``n`` is 100 divided by the published share, rounded.

An *area* is ``stadt`` (the whole city) or a district's kennziffer. A *measure* is an indicator id
(its rate, published with one decimal) or ``summe:<table>:<column>:<codes>``, a city total of a raw
column (a count) for the codes as :func:`~sozialplanung.statistics.publication_plan.total_key`
writes them (``summe:arbeitslose:arbeitslose:rechtskreis=SGB II``; nothing after the last colon for
the whole column); a total belongs to the area ``stadt``.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Literal

import pandas as pd
from bs4 import BeautifulSoup

from sozialplanung.core.config import Edition
from sozialplanung.core.errors import PublishError
from sozialplanung.core.formats import round_half_up
from sozialplanung.data.load import INDICATOR_STATUS_COLUMNS, read_frame, read_indicators, read_tables
from sozialplanung.statistics.publication_plan import TOTAL_COLUMNS, parse_total_key

CITY_AREA = "stadt"
CITY = 0
"""Kennziffer of the whole city in the processed data."""
TOTAL_PREFIX = "summe:"
ATTRIBUTE = "data-aussage"

Area = int | Literal["stadt"]
Side = Literal["max", "min"]
Way = Literal["gestiegen", "gesunken", "unverändert"]
Relation = Literal["höher", "niedriger", "gleich"]
SIDES = ("max", "min")
WAYS = ("gestiegen", "gesunken", "unverändert")
RELATIONS = ("höher", "niedriger", "gleich")


def total_measure(table: str, column: str, codes: str = "") -> str:
    """The measure of a city total: ``summe:arbeitslose:arbeitslose:rechtskreis=SGB II``."""
    return f"{TOTAL_PREFIX}{table}:{column}:{codes}"


def decimals_of(measure: str) -> int:
    """How many decimals the measure is published with: a count none, a rate one."""
    return 0 if measure.startswith(TOTAL_PREFIX) else 1


def _area_text(area: Area) -> str:
    return CITY_AREA if area == CITY_AREA else str(int(area))


def _parse_area(text: str) -> Area:
    if text == CITY_AREA:
        return CITY_AREA
    if not text.isdigit():
        raise ValueError(f"{text!r} is no area: write 'stadt' or a kennziffer.")
    return int(text)


def _check_field(text: str, what: str) -> str:
    if not text or "|" in text or '"' in text:
        raise ValueError(f"{what} {text!r} cannot stand in a claim (empty, or holds '|' or '\"').")
    return text


def _choice(text: str, choices: tuple[str, ...], what: str) -> str:
    if text not in choices:
        raise ValueError(f"{what} must be one of {', '.join(choices)}, not {text!r}.")
    return text


@dataclass(frozen=True)
class Extreme:
    """The districts sharing the highest (``max``) or lowest (``min``) published value."""

    side: Side
    indicator: str
    year: int
    kennziffern: tuple[int, ...]

    def __post_init__(self) -> None:
        _choice(self.side, SIDES, "side")
        _check_field(self.indicator, "indicator")
        object.__setattr__(self, "kennziffern", tuple(sorted(int(k) for k in self.kennziffern)))

    def to_attribute(self) -> str:
        names = ",".join(str(k) for k in self.kennziffern)
        return f"extrem|{self.side}|{self.indicator}|{self.year}|{names}"


@dataclass(frozen=True)
class Change:
    """The direction of one value between two years."""

    area: Area
    measure: str
    since: int
    year: int
    way: Way

    def __post_init__(self) -> None:
        _choice(self.way, WAYS, "direction")
        _check_field(self.measure, "measure")

    def to_attribute(self) -> str:
        return f"richtung|{_area_text(self.area)}|{self.measure}|{self.since}|{self.year}|{self.way}"


@dataclass(frozen=True)
class Comparison:
    """One value (``area``, ``measure``) against another in the same year."""

    year: int
    area: Area
    measure: str
    relation: Relation
    other_area: Area
    other_measure: str

    def __post_init__(self) -> None:
        _choice(self.relation, RELATIONS, "relation")
        _check_field(self.measure, "measure")
        _check_field(self.other_measure, "measure")

    def to_attribute(self) -> str:
        return (
            f"vergleich|{self.year}|{_area_text(self.area)}|{self.measure}|{self.relation}|"
            f"{_area_text(self.other_area)}|{self.other_measure}"
        )


@dataclass(frozen=True)
class EveryNth:
    """A share per 100 read as "jede n-te" (``n`` = 100 / published share, rounded half up)."""

    area: Area
    measure: str
    year: int
    n: int

    def __post_init__(self) -> None:
        _check_field(self.measure, "measure")

    def to_attribute(self) -> str:
        return f"jede|{_area_text(self.area)}|{self.measure}|{self.year}|{self.n}"


Claim = Extreme | Change | Comparison | EveryNth


def parse(text: str) -> Claim:
    """A ``data-aussage`` value back as its claim; ValueError for anything the grammar does not know."""
    kind, *fields = text.split("|")
    try:
        if kind == "extrem" and len(fields) == 4:
            side, indicator, year, names = fields
            kennziffern = tuple(int(k) for k in names.split(",")) if names else ()
            return Extreme(side, indicator, int(year), kennziffern)  # type: ignore[arg-type]
        if kind == "richtung" and len(fields) == 5:
            area, measure, since, year, way = fields
            return Change(_parse_area(area), measure, int(since), int(year), way)  # type: ignore[arg-type]
        if kind == "vergleich" and len(fields) == 6:
            year, area, measure, relation, other_area, other_measure = fields
            return Comparison(
                int(year),
                _parse_area(area),
                measure,
                relation,
                _parse_area(other_area),
                other_measure,  # type: ignore[arg-type]
            )
        if kind == "jede" and len(fields) == 4:
            area, measure, year, n = fields
            return EveryNth(_parse_area(area), measure, int(year), int(n))
    except ValueError as error:
        raise ValueError(f"Malformed claim {text!r}: {error}") from None
    raise ValueError(f"Malformed claim {text!r}: unknown kind or wrong number of fields.")


def annotate(text: str, claim: Claim) -> str:
    """``text`` wrapped in the span that carries what it asserts (inline HTML, as markdown keeps it)."""
    value = html.escape(claim.to_attribute(), quote=True)
    return f'<span class="aussage" {ATTRIBUTE}="{value}">{text}</span>'


# --- what the edition publishes -------------------------------------------------------------------


@dataclass(frozen=True)
class PublishedValues:
    """The values as the site publishes them, from the edition's processed data: a rate rounded to one
    decimal, a count whole; None where the value is hidden (``.``) or not applicable.

    ``indicators`` has the columns of ``indikatoren.csv`` and the statuses of
    ``indikatoren_status.csv``; ``tables`` are the validated raw tables; ``hidden_totals`` lists the
    city totals the confidentiality model hides (``jahr``, ``tabelle``, ``spalte``, ``schluessel``).
    """

    indicators: pd.DataFrame
    tables: Mapping[str, pd.DataFrame]
    hidden_totals: pd.DataFrame
    threshold: int

    @classmethod
    def of_edition(cls, edition: Edition) -> PublishedValues:
        paths = edition.paths
        indicators = read_indicators(paths.indicators_file).merge(
            read_frame(paths.indicator_status_file, INDICATOR_STATUS_COLUMNS),
            on=["jahr", "kennziffer", "indikator"],
            how="left",
        )
        return cls(
            indicators,
            read_tables(paths.tables_dir),
            read_frame(paths.hidden_totals_file, TOTAL_COLUMNS),
            edition.config.confidentiality.threshold,
        )

    def _small(self, count: float) -> bool:
        return 0 < count < self.threshold

    def rate(self, indicator: str, year: int, kennziffer: int) -> Decimal | None:
        frame = self.indicators
        rows = frame[(frame["indikator"] == indicator) & (frame["jahr"] == year) & (frame["kennziffer"] == kennziffer)]
        if rows.empty:
            raise KeyError(f"no value of {indicator} for {year}, kennziffer {kennziffer}")
        row = rows.iloc[0]
        status = row.get("wert_status")
        if isinstance(status, str) and status:
            return None
        if row["nenner"] == 0 or pd.isna(row["wert"]) or self._small(row["zaehler"]) or self._small(row["nenner"]):
            return None
        return round_half_up(row["wert"], 1)

    def total(self, table: str, column: str, codes: str, year: int) -> Decimal | None:
        hidden = self.hidden_totals
        match = hidden[
            (hidden["jahr"] == year)
            & (hidden["tabelle"] == table)
            & (hidden["spalte"] == column)
            & (hidden["schluessel"] == codes)
        ]
        if len(match) and any(isinstance(s, str) and s for s in match["status"]):
            return None
        frame = self.tables[table]
        frame = frame[frame["jahr"] == year]
        for code, values in parse_total_key(codes):
            frame = frame[frame[code].astype(str).isin(values)]
        count = int(frame[column].sum())
        return None if self._small(count) else Decimal(count)

    def value(self, area: Area, measure: str, year: int) -> Decimal | None:
        if measure.startswith(TOTAL_PREFIX):
            if area != CITY_AREA:
                raise ValueError(f"A city total ({measure}) belongs to the area 'stadt', not {area}.")
            table, column, codes = measure.removeprefix(TOTAL_PREFIX).split(":", 2)
            return self.total(table, column, codes, year)
        return self.rate(measure, year, CITY if area == CITY_AREA else int(area))

    def district_rates(self, indicator: str, year: int) -> dict[int, Decimal | None]:
        frame = self.indicators
        rows = frame[(frame["indikator"] == indicator) & (frame["jahr"] == year) & (frame["kennziffer"] != CITY)]
        if rows.empty:
            raise KeyError(f"no district values of {indicator} for {year}")
        return {int(k): self.rate(indicator, year, int(k)) for k in rows["kennziffer"]}


# --- checking -------------------------------------------------------------------------------------


def _published(values: PublishedValues, area: Area, measure: str, year: int) -> Decimal:
    value = values.value(area, measure, year)
    if value is None:
        raise ValueError(f"{measure} ({_area_text(area)}, {year}) is not published; no sentence may judge it")
    return value


def _verdict(claim: Claim, values: PublishedValues) -> str | None:
    """Why ``claim`` is false for the published values, or None when it holds."""
    if isinstance(claim, Extreme):
        rates = values.district_rates(claim.indicator, claim.year)
        shown = {k: v for k, v in rates.items() if v is not None}
        if not shown:
            expected: tuple[int, ...] = ()
        else:
            best = max(shown.values()) if claim.side == "max" else min(shown.values())
            expected = tuple(sorted(k for k, v in shown.items() if v == best))
        if expected != claim.kennziffern:
            return f"the published {claim.side} is at {', '.join(map(str, expected)) or 'no district'}"
        return None
    if isinstance(claim, Change):
        before = _published(values, claim.area, claim.measure, claim.since)
        after = _published(values, claim.area, claim.measure, claim.year)
        way = "gestiegen" if after > before else "gesunken" if after < before else "unverändert"
        return None if way == claim.way else f"the published values {before} → {after} are {way}"
    if isinstance(claim, Comparison):
        first = _published(values, claim.area, claim.measure, claim.year)
        second = _published(values, claim.other_area, claim.other_measure, claim.year)
        relation = "höher" if first > second else "niedriger" if first < second else "gleich"
        return None if relation == claim.relation else f"the published values {first} and {second}: {relation}"
    if isinstance(claim, EveryNth):
        share = _published(values, claim.area, claim.measure, claim.year)
        if share <= 0:
            return f"the published share {share} has no 'jede n-te'"
        n = int(round_half_up(Decimal(100) / share, 0))
        return None if n == claim.n else f"100 / {share} is every {n}th"
    raise TypeError(f"{claim!r} is no claim")


@dataclass(frozen=True)
class ClaimFailure:
    """A claim of a page that the published data does not bear out."""

    page: str
    text: str
    claim: str
    reason: str

    def __str__(self) -> str:
        return f"{self.page}: {self.claim} — {self.reason}: „{self.text}“"


def check_claim(claim: Claim, values: PublishedValues) -> str | None:
    """Why ``claim`` fails (not borne out, or resting on an unpublished or unknown value), or None."""
    try:
        return _verdict(claim, values)
    except (KeyError, ValueError) as error:
        return str(error).strip("'\"")


def page_claims(page: str) -> list[tuple[str, str]]:
    """Every ``(data-aussage, text)`` of an HTML page, in page order."""
    soup = BeautifulSoup(page, "html.parser")
    return [(str(span[ATTRIBUTE]), span.get_text(" ", strip=True)) for span in soup.find_all(attrs={ATTRIBUTE: True})]


def check_page(name: str, page: str, values: PublishedValues) -> list[ClaimFailure]:
    failures = []
    for attribute, text in page_claims(page):
        try:
            reason = check_claim(parse(attribute), values)
        except ValueError as error:
            reason = str(error)
        if reason is not None:
            failures.append(ClaimFailure(name, text, attribute, reason))
    return failures


def check_site(site_dir: Path, values: PublishedValues) -> list[ClaimFailure]:
    """Every claim of every page of a built site that the published data does not bear out."""
    failures = []
    for path in sorted(site_dir.glob("*.html")):
        failures += check_page(path.name, path.read_text(encoding="utf-8"), values)
    return failures


def check_edition_site(site_dir: Path, edition: Edition) -> list[ClaimFailure]:
    """:func:`check_site` against the published values of ``edition`` (the publish gate's check); a
    site without marked statements needs no data."""
    if not any(ATTRIBUTE in path.read_text(encoding="utf-8") for path in site_dir.glob("*.html")):
        return []
    return check_site(site_dir, PublishedValues.of_edition(edition))


def refuse(failures: list[ClaimFailure]) -> None:
    """Raise :class:`~sozialplanung.core.errors.PublishError` listing ``failures``, if there are any."""
    if failures:
        listed = "\n".join(f"  - {failure}" for failure in failures)
        raise PublishError(
            f"The publish gate found {len(failures)} statement(s) that the published numbers do not bear out:\n"
            f"{listed}\nThe previous edition stays in place. Word these statements with the helpers of "
            "sozialplanung.report.chapter, which compute them from the published values, and build again."
        )
