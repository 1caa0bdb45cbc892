"""What a chapter notebook works with: the edition's data, and tables, figures and text numbers
built from the indicator module, all through the edition's confidentiality rule.

A notebook opens one :class:`ChapterContext` and calls its methods; it holds narrative only.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pandas as pd

from sozialplanung.core.config import Edition, open_edition
from sozialplanung.core.errors import DataError
from sozialplanung.core.formats import SYMBOL_NOT_APPLICABLE, format_change, format_count, format_date, format_number
from sozialplanung.data.ages import BROAD_AGE_GROUPS, population
from sozialplanung.data.contract import TABLES
from sozialplanung.data.districts import GRAMMAR_FILE, read_district_grammar
from sozialplanung.data.load import INDICATOR_STATUS_COLUMNS, read_districts, read_frame, read_indicators, read_tables
from sozialplanung.report import claims, sentences
from sozialplanung.report.figures import FigureOutput, bar_by_district, grouped_bars, line_over_years
from sozialplanung.report.maps import tile_map
from sozialplanung.report.tables import Column, ReportTable, cell_key, report_table
from sozialplanung.statistics import indicators as ind
from sozialplanung.statistics.confidentiality import (
    CITY_NAME,
    PUBLISHED,
    SYMBOL_CONFIDENTIAL,
    Confidentiality,
    is_hidden,
)
from sozialplanung.statistics.publication_plan import TOTAL_COLUMNS, total_key
from sozialplanung.statistics.sozialindex import SozialindexResult, sozialindex_once

STATUS_PARTS = (
    "zaehler",
    "nenner",
    "wert",
    "zaehler_status",
    "nenner_status",
    "wert_status",
    "zaehler_key",
    "nenner_key",
    "wert_key",
)


def with_cell_keys(rows: pd.DataFrame) -> pd.DataFrame:
    """Indicator rows with the public meaning of their numerator, denominator and rate (``<part>_key``)."""
    return rows.assign(
        **{
            f"{part}_key": [
                cell_key("indikator", i, part, int(j), int(k))
                for i, j, k in zip(rows["indikator"], rows["jahr"], rows["kennziffer"])
            ]
            for part in ("zaehler", "nenner", "wert")
        }
    )


def total_codes(table: str, where: dict[str, str]) -> str:
    """The codes of a city total as the confidentiality model names them, in the contract's order:
    ``"rechtskreis=SGB II"``; ``""`` for the whole column."""
    codes = [c for c in TABLES[table].keys if c in where]
    unknown = set(where) - set(codes)
    if unknown:
        raise KeyError(f"{table} has no code column {', '.join(sorted(unknown))}")
    return total_key(codes, tuple(where[c] for c in codes))


def count_span(text: str, key: str = "") -> str:
    """A count in running text, marked so the publish gate checks it whatever word follows, with its
    public meaning (:func:`~sozialplanung.report.tables.cell_key`) where it has one."""
    meaning = f' data-zelle="{key}"' if key else ""
    return f'<span class="anzahl"{meaning}>{text}</span>'


COMPARISON_WORDS = ("höher als", "niedriger als", "genauso hoch wie")
"""How a rate compares with another (:func:`sentences.comparison`)."""
FREQUENCY_WORDS = ("häufiger als", "seltener als", "genauso häufig wie")
"""How a rate of people affected compares with another: "Altersarmut ist seltener als …"."""

SYNTHETIC_SOURCE = "synthetische Beispieldaten (keine amtliche Statistik)"


def rate_column(indicator_id: str) -> Column:
    """The column of an indicator's published rate, tied to its numerator and denominator columns
    (``<id>:wert``, ``<id>:zaehler``, ``<id>:nenner``, as :data:`STATUS_PARTS` names the parts)."""
    definition = ind.indicator(indicator_id)
    return Column(
        f"{definition.name} ({definition.unit})",
        f"{indicator_id}:wert",
        "rate",
        numerator=f"{indicator_id}:zaehler",
        denominator=f"{indicator_id}:nenner",
        status=f"{indicator_id}:wert_status",
        keys=f"{indicator_id}:wert_key",
    )


def _check_counted(indicator_id: str, part: str) -> None:
    if part == "nenner" and indicator_id not in ind.COUNTED_DENOMINATORS:
        raise ValueError(
            f"The denominator of {indicator_id} is not published as a count, so the confidentiality model "
            "does not protect it; add the indicator to indicators.COUNTED_DENOMINATORS first."
        )


def count_column(header: str, indicator_id: str, part: str) -> Column:
    """The column of an indicator's numerator (``part="zaehler"``) or denominator (``"nenner"``)."""
    _check_counted(indicator_id, part)
    return Column(
        header,
        f"{indicator_id}:{part}",
        "count",
        status=f"{indicator_id}:{part}_status",
        keys=f"{indicator_id}:{part}_key",
    )


@dataclass(frozen=True)
class ChapterContext:
    """One edition's data as a chapter sees it."""

    edition: Edition

    @property
    def config(self):
        return self.edition.config

    @property
    def year(self) -> int:
        return self.config.year

    @property
    def previous_year(self) -> int:
        return self.year - 1

    @property
    def first_year(self) -> int:
        return self.config.first_year

    @property
    def stichtag(self) -> str:
        return format_date(self.config.reference_date)

    @property
    def rule(self) -> Confidentiality:
        return Confidentiality(self.config.confidentiality.threshold)

    @property
    def source(self) -> str:
        if self.config.data.synthetic:
            return SYNTHETIC_SOURCE
        return f"Universitätsstadt Marburg, Sozialplanung; Stichtag {self.stichtag}"

    @cached_property
    def tables(self) -> dict[str, pd.DataFrame]:
        return read_tables(self.edition.paths.tables_dir)

    @cached_property
    def indicators(self) -> pd.DataFrame:
        """The indicator file with confidentiality statuses (``zaehler_status`` … ``wert_status``)."""
        frame = read_indicators(self.edition.paths.indicators_file)
        frame = frame[frame["jahr"].between(self.first_year, self.year)].reset_index(drop=True)
        statuses = read_frame(self.edition.paths.indicator_status_file, INDICATOR_STATUS_COLUMNS)
        keys = ["jahr", "kennziffer", "indikator"]
        merged = frame.merge(statuses, on=keys, how="left", validate="one_to_one", indicator=True)
        missing = merged[merged["_merge"] != "both"]
        if not missing.empty:
            first = missing.iloc[0]
            raise DataError(
                f"{self.edition.paths.indicator_status_file.name} has no confidentiality status for "
                f"{first['indikator']} {first['jahr']}, Kennziffer {first['kennziffer']}: "
                "run the indicator stage again."
            )
        return merged.drop(columns="_merge")

    @cached_property
    def hidden_totals(self) -> pd.DataFrame:
        """City totals of raw columns the confidentiality model hides (``jahr``, ``tabelle``, ``spalte``)."""
        return read_frame(self.edition.paths.hidden_totals_file, TOTAL_COLUMNS)

    @cached_property
    def sozialindex(self) -> SozialindexResult:
        return sozialindex_once(self.indicators, self.config.index, self.year)

    @cached_property
    def districts(self) -> pd.DataFrame:
        return read_districts(self.edition.project.districts_file)

    # --- numbers for the text ------------------------------------------------------------

    def city_row(self, indicator_id: str, year: int) -> pd.Series:
        rows = self.indicators[
            (self.indicators["indikator"] == indicator_id)
            & (self.indicators["jahr"] == year)
            & (self.indicators["kennziffer"] == ind.CITY)
        ]
        if rows.empty:
            raise KeyError(f"no city value of {indicator_id} for {year}")
        return rows.iloc[0]

    def rate_text(self, indicator_id: str, year: int | None = None) -> str:
        """The city's rate, formatted and checked: ``"6,5"``."""
        return self.published_rate(self.city_row(indicator_id, year or self.year))

    def numerator_text(self, indicator_id: str, year: int | None = None) -> str:
        """The city's numerator count, formatted and checked: ``"5.012"``."""
        row = self.city_row(indicator_id, year or self.year)
        key = cell_key("indikator", indicator_id, "zaehler", int(row["jahr"]), ind.CITY)
        return count_span(self.rule.count_cell(row["zaehler"], row["zaehler_status"]), key)

    def denominator_text(self, indicator_id: str, year: int | None = None) -> str:
        _check_counted(indicator_id, "nenner")
        row = self.city_row(indicator_id, year or self.year)
        key = cell_key("indikator", indicator_id, "nenner", int(row["jahr"]), ind.CITY)
        return count_span(self.rule.count_cell(row["nenner"], row["nenner_status"]), key)

    def published_rate(self, row: pd.Series) -> str:
        """An indicator row's rate as published (its confidentiality status applied)."""
        return self.rule.rate_cell(row["wert"], row["zaehler"], row["nenner"], row["wert_status"])

    def plotted_rate(self, row: pd.Series) -> float | None:
        """An indicator row's rate for a figure, or None where it must not be shown."""
        return self.rule.rate_cell_or_none(row["wert"], row["zaehler"], row["nenner"], row["wert_status"])

    def plotted_rates(self, rows: pd.DataFrame) -> list[float | None]:
        """:meth:`plotted_rate` of every row of ``rows``, in their order."""
        cells = zip(rows["wert"], rows["zaehler"], rows["nenner"], rows["wert_status"])
        return [self.rule.rate_cell_or_none(*cell) for cell in cells]

    def rate_change_text(self, indicator_id: str, since: int, year: int | None = None) -> str:
        """Change of the city's rate in percentage points, from the published (rounded) values, so
        that it is what a reader of the tables computes: 13,5 → 13,8 is ``"+0,3"``."""
        now = self.city_row(indicator_id, year or self.year)["wert"]
        then = self.city_row(indicator_id, since)["wert"]
        return format_change(float(sentences.difference(then, now)))

    def count_change_percent_text(self, indicator_id: str, since: int, part: str = "zaehler") -> str:
        """Relative change of the city's numerator (or denominator) in percent: ``"+2,1"``."""
        now = self.city_row(indicator_id, self.year)[part]
        then = self.city_row(indicator_id, since)[part]
        return format_change((now - then) / then * 100 if then else float("nan"))

    @cached_property
    def district_grammar(self) -> sentences.DistrictGrammar:
        """Article, case and preposition of every district's name (``data/reference``)."""
        project = self.edition.project
        frame = read_district_grammar(project.reference_dir / GRAMMAR_FILE, self.districts)
        return sentences.DistrictGrammar.from_frame(frame)

    def _area(self, kennziffer: int) -> claims.Area:
        return claims.CITY_AREA if kennziffer == ind.CITY else int(kennziffer)

    def _published_value(self, indicator_id: str, year: int, kennziffer: int = ind.CITY) -> float | None:
        """An indicator's rate as published (None where hidden or not applicable)."""
        if kennziffer == ind.CITY:
            return self.plotted_rate(self.city_row(indicator_id, year))
        frame = self.by_district(indicator_id, year)
        return frame.loc[frame["kennziffer"] == kennziffer, "angezeigt"].iloc[0]

    def extreme_sentence(self, indicator_id: str, subject: str, highest: bool = True, year: int | None = None) -> str:
        """Where an indicator is highest (or lowest) among the districts, as a sentence: every district
        sharing the published extreme named, hidden values never (:func:`sentences.extreme_sentence`),
        marked with its :class:`~sozialplanung.report.claims.Extreme` claim."""
        year = year or self.year
        frame = self.by_district(indicator_id, year)
        values = dict(zip(frame["stadtbezirk"], frame["angezeigt"]))
        text = sentences.extreme_sentence(values, subject, highest=highest, place=self.district_grammar.place)
        extreme = sentences.extremes(values, highest=highest)
        codes = dict(zip(frame["stadtbezirk"], frame["kennziffer"]))
        names = extreme.names if extreme is not None else ()
        claim = claims.Extreme("max" if highest else "min", indicator_id, year, tuple(codes[n] for n in names))
        return claims.annotate(text, claim)

    def comparison_text(
        self,
        indicator_id: str,
        other_id: str | None = None,
        *,
        words: tuple[str, str, str] = COMPARISON_WORDS,
        year: int | None = None,
        kennziffer: int = ind.CITY,
        other_kennziffer: int = ind.CITY,
    ) -> str:
        """How one published rate compares with another, as the words between them ("höher als"), marked
        with its :class:`~sozialplanung.report.claims.Comparison` claim: the city's rate of
        ``indicator_id`` against that of ``other_id`` (default: the same indicator), or a district's
        (``kennziffer``) against the city's. A hidden value raises ValueError (no sentence judges it)."""
        return claims.annotate(*self._comparison(indicator_id, other_id, words, year, kennziffer, other_kennziffer))

    def _comparison(
        self,
        indicator_id: str,
        other_id: str | None,
        words: tuple[str, str, str],
        year: int | None = None,
        kennziffer: int = ind.CITY,
        other_kennziffer: int = ind.CITY,
    ) -> tuple[str, claims.Comparison]:
        year = year or self.year
        other_id = other_id or indicator_id
        value = self._published_value(indicator_id, year, kennziffer)
        other = self._published_value(other_id, year, other_kennziffer)
        text = sentences.comparison(value, other, words=words)
        relation = {words[0]: "höher", words[1]: "niedriger", words[2]: "gleich"}[text]
        claim = claims.Comparison(
            year, self._area(kennziffer), indicator_id, relation, self._area(other_kennziffer), other_id
        )
        return text, claim

    def count_comparison_text(
        self,
        table: str,
        column: str,
        where: dict[str, str],
        other_where: dict[str, str],
        *,
        words: tuple[str, str, str] = ("mehr", "weniger", "genauso viele"),
        year: int | None = None,
    ) -> str:
        """How two published city totals of one column compare ("mehr", "weniger", "genauso viele"),
        marked with its claim; ``where``/``other_where`` name the codes of each (:meth:`city_totals`).
        A hidden total raises ValueError."""
        year = year or self.year
        measures, values = [], []
        for codes in (where, other_where):
            totals = self.city_totals(table, column, **codes)
            value = (
                None if is_hidden(totals.attrs["status"].get(year)) else self.rule.count_or_none(totals.get(year, 0))
            )
            values.append(value)
            measures.append(claims.total_measure(table, column, total_codes(table, codes)))
        text = sentences.comparison(values[0], values[1], decimals=0, words=words)
        relation = {words[0]: "höher", words[1]: "niedriger", words[2]: "gleich"}[text]
        claim = claims.Comparison(year, claims.CITY_AREA, measures[0], relation, claims.CITY_AREA, measures[1])
        return claims.annotate(text, claim)

    def every_nth_text(self, indicator_id: str, noun: sentences.Noun, year: int | None = None) -> str:
        """The city's rate per 100 as "etwa jedes 7. Kind" (:func:`sentences.every_nth`), marked with its
        :class:`~sozialplanung.report.claims.EveryNth` claim; ValueError outside 0 < rate ≤ 50."""
        year = year or self.year
        value = self._published_value(indicator_id, year)
        text = sentences.every_nth(value, noun)
        nth = int(sentences.published(100 / sentences.published(value, 1), 0))
        return claims.annotate(text, claims.EveryNth(claims.CITY_AREA, indicator_id, year, nth))

    def _since(self, since: int, year: int) -> str:
        """The span of a change at the start of a sentence: "Gegenüber dem Vorjahr", "Seit 2019",
        "Von 2019 bis 2020"."""
        if since == year - 1 == self.previous_year:
            return "Gegenüber dem Vorjahr"
        return f"Seit {since}" if year == self.year else f"Von {since} bis {year}"

    def rate_change_sentence(
        self,
        indicator_id: str,
        subject: str,
        since: int | None = None,
        *,
        year: int | None = None,
        kennziffer: int = ind.CITY,
        contrast: bool = False,
    ) -> str:
        """How a rate changed, from the published values: "Seit 2019 ist die SGB-II-Quote um 0,3
        Prozentpunkte gestiegen." ("Gegenüber dem Vorjahr …" for the year before, "Von 2019 bis 2020 …"
        before the report year; "… unverändert geblieben"); ``contrast`` adds "aber" after the subject.
        Where a value is hidden (a district's, ``kennziffer``), it says that the change is not published.
        Marked with its :class:`~sozialplanung.report.claims.Change` claim."""
        year, since = year or self.year, since or self.first_year
        before = self._published_value(indicator_id, since, kennziffer)
        after = self._published_value(indicator_id, year, kennziffer)
        if sentences.is_missing(before) or sentences.is_missing(after):
            return f"Wie sich {subject} {self._since(since, year).lower()} verändert hat, wird nicht ausgewiesen."
        clause = sentences.change_clause(before, after).removeprefix("ist ")
        text = f"{self._since(since, year)} ist {subject} {'aber ' if contrast else ''}{clause}."
        way = sentences.direction(before, after)
        return claims.annotate(text, claims.Change(self._area(kennziffer), indicator_id, since, year, way))

    def count_change_sentence(
        self, subject: str, table: str, column: str, since: int | None = None, *, year: int | None = None, **where: str
    ) -> str:
        """How a city total changed, in percent of the published counts: "Seit 2019 ist die Zahl der
        Wohngeldhaushalte um 25,3 % gestiegen." (``subject`` in the nominative, lower case), marked
        with its :class:`~sozialplanung.report.claims.Change` claim; where a total is hidden, that the
        change cannot be shown."""
        year, since = year or self.year, since or self.first_year
        totals = self.city_totals(table, column, **where)
        shown = [
            None if is_hidden(totals.attrs["status"].get(y)) else self.rule.count_or_none(totals.get(y, 0))
            for y in (since, year)
        ]
        if any(value is None for value in shown):
            return (
                f"Wie sich {subject} {self._since(since, year).lower()} verändert hat, "
                "kann aus Gründen der Geheimhaltung nicht ausgewiesen werden."
            )
        before, after = shown
        clause = sentences.change_clause(before, after, decimals=0, kind="percent").removeprefix("ist ")
        measure = claims.total_measure(table, column, total_codes(table, where))
        way = sentences.direction(before, after, decimals=0)
        text = f"{self._since(since, year)} ist {subject} {clause}."
        return claims.annotate(text, claims.Change(claims.CITY_AREA, measure, since, year, way))

    def rate_comparison_sentence(
        self,
        indicator_id: str,
        other_id: str,
        subject: str,
        other_subject: str,
        *,
        words: tuple[str, str, str] = COMPARISON_WORDS,
        verb: str = "lag",
        trend_subject: str | None = None,
    ) -> str:
        """Two city rates of the report year compared, and how the first changed since the first year:
        "Altersarmut war in Marburg damit seltener als Armut unter 65 Jahren (3,1 gegenüber 13,5 je 100).
        Seit 2019 ist die Quote aber um 0,4 Prozentpunkte gestiegen." — "aber" where the change runs
        against the comparison (lower and rising, higher and falling). Without ``trend_subject`` the
        second sentence is left out."""
        relation, claim = self._comparison(indicator_id, other_id, words)
        value, other = self.rate_text(indicator_id), self.rate_text(other_id)
        both = f"({value} gegenüber {other} je 100)"
        text = claims.annotate(
            f"{sentences.capitalize_first(subject)} {verb} {relation} {other_subject} {both}.", claim
        )
        if trend_subject is None:
            return text
        now, then = self.city_row(indicator_id, self.year)["wert"], self.city_row(indicator_id, self.first_year)["wert"]
        above = sentences.difference(self.city_row(other_id, self.year)["wert"], now)
        change = sentences.difference(then, now)
        contrast = above * change < 0  # lower but rising, or higher but falling
        return f"{text} {self.rate_change_sentence(indicator_id, trend_subject, contrast=contrast)}"

    def district_comparison_sentence(self, kennziffer: int, indicator_id: str, subject: str) -> str:
        """A district's rate against the city's and how it changed since the first year: "Die SGB-II-Quote
        lag am Oberen Richtsberg mit 25,1 höher als in der Gesamtstadt (8,1). Seit 2019 ist die SGB-II-Quote am
        Oberen Richtsberg um 0,4 Prozentpunkte gesunken." ("bei null und damit niedriger als …" for a true
        zero) — or, for a hidden value, that it is not published. Each statement marked with its claim."""
        place = self.district_grammar.dative(kennziffer)
        value = self._published_value(indicator_id, self.year, kennziffer)
        capital = sentences.capitalize_first(subject)
        if sentences.is_missing(value):
            return f"{sentences.capitalize_first(place)} wird {subject} nicht ausgewiesen."
        relation, claim = self._comparison(indicator_id, None, COMPARISON_WORDS, kennziffer=kennziffer)
        level = "bei null und damit" if value == 0 else f"mit {format_number(sentences.published(value, 1), 1)}"
        city = self.rate_text(indicator_id)
        first = claims.annotate(f"{capital} lag {place} {level} {relation} in der Gesamtstadt ({city}).", claim)
        change = self.rate_change_sentence(indicator_id, f"{subject} {place}", kennziffer=kennziffer)
        return f"{first} {change}"

    def one_in_text(self, indicator_id: str, year: int | None = None) -> str:
        """``"7"`` for a rate of 14 per 100: "every 7th" as a whole number."""
        row = self.city_row(indicator_id, year or self.year)
        return format_count(round(100 / row["wert"])) if row["wert"] > 0 else SYMBOL_NOT_APPLICABLE

    def total_status(self, table: str, column: str, year: int, **where: str) -> str:
        """The confidentiality status of a city total (:func:`total_codes` of ``where``)."""
        hidden = self.hidden_totals
        match = hidden[
            (hidden["jahr"] == year)
            & (hidden["tabelle"] == table)
            & (hidden["spalte"] == column)
            & (hidden["schluessel"] == total_codes(table, where))
        ]
        return str(match["status"].iloc[0]) if len(match) else PUBLISHED

    def city_totals(self, table: str, column: str, **where: str) -> pd.Series:
        """City-wide sum of ``column`` per report year, optionally for one code (``rechtskreis="SGB II"``).

        The series says what it is (``attrs["summe"]``: table, column, codes) and which years the
        confidentiality model hides (``attrs["status"]``: year → status), so :meth:`count_table` and
        :meth:`count_trend_figure` show them as the site states them."""
        frame = self.tables[table]
        for code_column, code in where.items():
            frame = frame[frame[code_column] == code]  # a raw row holds its whole count, nested rows included
        totals = frame.groupby("jahr")[column].sum().astype("int64")
        totals = totals[totals.index.isin(self.config.years)]
        totals.attrs["summe"] = (table, column, total_codes(table, where))
        totals.attrs["status"] = {int(y): self.total_status(table, column, int(y), **where) for y in totals.index}
        return totals

    def count_text(self, table: str, column: str, year: int | None = None, **where: str) -> str:
        """A city-wide count for the text, formatted, checked and marked with its meaning:
        ``"1.131"``; ``.`` when the confidentiality model hides it."""
        year = year or self.year
        totals = self.city_totals(table, column, **where)
        key = cell_key("summe", table, column, year, total_codes(table, where))
        return count_span(self.rule.count_cell(int(totals.get(year, 0)), totals.attrs["status"].get(year)), key)

    def share_text(self, table: str, part: str, whole: str, year: int | None = None) -> str:
        """City-wide share of one column in another of the same table, per 100: ``"23,2"``."""
        year = year or self.year
        numerator, denominator = self.city_totals(table, part), self.city_totals(table, whole)
        if is_hidden(numerator.attrs["status"].get(year)) or is_hidden(denominator.attrs["status"].get(year)):
            return SYMBOL_CONFIDENTIAL
        num, den = int(numerator.get(year, 0)), int(denominator.get(year, 0))
        return self.rule.rate(num / den * 100 if den else float("nan"), num, den)

    def count_change_text(self, table: str, column: str, since: int, **where: str) -> str:
        """Relative change of a city-wide count in percent: ``"+4,2"``."""
        totals = self.city_totals(table, column, **where)
        if any(is_hidden(totals.attrs["status"].get(y)) for y in (since, self.year)):
            return SYMBOL_CONFIDENTIAL
        then = totals.get(since, 0)
        return format_change((totals[self.year] - then) / then * 100 if then else float("nan"))

    # --- frames ---------------------------------------------------------------------------

    def by_district(self, indicator_id: str, year: int | None = None) -> pd.DataFrame:
        """Districts with zaehler, nenner, wert and ``angezeigt`` (the value if publishable, else NaN)."""
        year = year or self.year
        frame = self.indicators[
            (self.indicators["indikator"] == indicator_id)
            & (self.indicators["jahr"] == year)
            & (self.indicators["kennziffer"] != ind.CITY)
        ]
        frame = frame.merge(self.districts[["kennziffer", "stadtbezirk"]], on="kennziffer", how="left")
        return frame.assign(angezeigt=pd.Series(self.plotted_rates(frame), index=frame.index, dtype="float64"))

    # --- figures --------------------------------------------------------------------------

    def district_figure(self, indicator_id: str, year: int | None = None) -> FigureOutput:
        """Bar chart of one indicator across districts, with the city value as a reference line."""
        year = year or self.year
        definition = ind.indicator(indicator_id)
        data = self.by_district(indicator_id, year)
        city = self.city_row(indicator_id, year)
        return bar_by_district(
            data[["stadtbezirk", "angezeigt"]].rename(columns={"angezeigt": "wert"}),
            title=f"{definition.name} {year} nach Stadtbezirken",
            axis_label=definition.unit,
            caption=f"{definition.name} nach Stadtbezirken "
            f"am {format_date(self.config.reference_date.replace(year=year))}. "
            f"Quelle: {self.source}.",
            city_value=self.plotted_rate(city),
        )

    @property
    def boundaries(self) -> Path | None:
        """The district boundary file of the edition, or None for the schematic tile map."""
        name = self.config.maps.boundaries
        return self.edition.project.project_file(name) if name else None

    def district_map(self, indicator_id: str, year: int | None = None) -> FigureOutput:
        """Map of one indicator across districts (tile map, or choropleth from a boundary file)."""
        year = year or self.year
        definition = ind.indicator(indicator_id)
        data = self.by_district(indicator_id, year)
        return tile_map(
            data[["kennziffer", "angezeigt"]].rename(columns={"angezeigt": "wert"}),
            self.districts,
            title=f"{definition.name} {year} nach Stadtbezirken",
            legend_title=definition.unit,
            caption=f"Karte: {definition.name} ({definition.unit}) nach Stadtbezirken am "
            f"{format_date(self.config.reference_date.replace(year=year))}. Quelle: {self.source}.",
            boundaries=self.boundaries,
        )

    def trend_figure(self, indicator_ids: list[str], title: str) -> FigureOutput:
        """The city's values of one or more indicators over the report's years."""
        rows = self.indicators[
            self.indicators["indikator"].isin(indicator_ids) & (self.indicators["kennziffer"] == ind.CITY)
        ]
        names = {i: ind.indicator(i).name for i in indicator_ids}
        data = pd.DataFrame(
            {
                "jahr": rows["jahr"],
                "reihe": rows["indikator"].map(names),
                "wert": self.plotted_rates(rows),
            }
        )
        data["reihe"] = pd.Categorical(data["reihe"], [names[i] for i in indicator_ids])
        data = data.sort_values(["reihe", "jahr"]).assign(reihe=lambda d: d["reihe"].astype(str))
        units = {ind.indicator(i).unit for i in indicator_ids}
        return line_over_years(
            data,
            title=title,
            axis_label=units.pop() if len(units) == 1 else "je 100",
            caption=f"{title}, Gesamtstadt {self.first_year}–{self.year}. Quelle: {self.source}.",
        )

    def count_trend_figure(self, series: dict[str, pd.Series], title: str, axis_label: str) -> FigureOutput:
        """City counts over the years, one line per named series (indexed by jahr); a year the
        confidentiality model hides (a :meth:`city_totals` series says which) is a gap."""

        def shown(s: pd.Series) -> list[float | None]:
            hidden = s.attrs.get("status", {})
            return [None if is_hidden(hidden.get(int(y))) else self.rule.count_or_none(v) for y, v in s.items()]

        data = pd.concat(
            [pd.DataFrame({"jahr": s.index, "reihe": name, "wert": shown(s)}) for name, s in series.items()],
            ignore_index=True,
        )
        return line_over_years(
            data,
            title=title,
            axis_label=axis_label,
            decimals=0,
            caption=f"{title}, Gesamtstadt {self.first_year}–{self.year}. Quelle: {self.source}.",
        )

    def population_trend_figure(self) -> FigureOutput:
        """Residents of the whole city over the report's years."""
        residents = population(self.tables["bevoelkerung"], "gesamt", by=("jahr",))
        residents = residents[residents.index.isin(self.config.years)]
        return self.count_trend_figure(
            {"Einwohner": residents}, title="Einwohnerinnen und Einwohner", axis_label="Personen"
        )

    def age_structure_figure(self) -> FigureOutput:
        """Residents by broad age group in the first and the last year of the report."""
        residents = self.tables["bevoelkerung"]
        rows = []
        for label, ages in BROAD_AGE_GROUPS.items():
            counts = population(residents, ages, by=("jahr",))
            for year in (self.first_year, self.year):
                rows.append(
                    {"kategorie": label, "reihe": str(year), "wert": self.rule.count_or_none(counts.get(year, 0))}
                )
        return grouped_bars(
            pd.DataFrame(rows),
            title=f"Einwohner nach Altersgruppen {self.first_year} und {self.year}",
            axis_label="Personen",
            caption="Einwohnerinnen und Einwohner der Gesamtstadt nach Altersgruppen (Jahre), "
            f"{self.first_year} und {self.year}. "
            f"Quelle: {self.source}.",
        )

    # --- tables ---------------------------------------------------------------------------

    def district_table(
        self,
        indicator_ids: list[str],
        caption: str,
        counts: dict[str, str] | None = None,
        year: int | None = None,
        bases: dict[str, str] | None = None,
        sheet_name: str = "",
    ) -> ReportTable:
        """Districts (and the city) with each indicator's rate, optionally with its counts.

        ``counts`` maps an indicator id to the header of its numerator column (e.g. "Leistungsberechtigte"),
        ``bases`` to the header of its denominator column (e.g. "Einwohner"). The year is appended
        to ``caption`` and to ``sheet_name`` (the short title of the table's sheet in the workbook).
        """
        year = year or self.year
        counts = counts or {}
        bases = bases or {}
        base = self.districts[["kennziffer", "stadtbezirk"]]
        rows = pd.concat(
            [base, pd.DataFrame({"kennziffer": [ind.CITY], "stadtbezirk": [CITY_NAME]})], ignore_index=True
        )
        columns = [Column("Stadtbezirk", "stadtbezirk")]
        for indicator_id in indicator_ids:
            values = self.indicators[(self.indicators["indikator"] == indicator_id) & (self.indicators["jahr"] == year)]
            values = with_cell_keys(values).set_index("kennziffer")[list(STATUS_PARTS)].add_prefix(f"{indicator_id}:")
            rows = rows.join(values, on="kennziffer")
            if indicator_id in bases:
                columns.append(count_column(bases[indicator_id], indicator_id, "nenner"))
            if indicator_id in counts:
                columns.append(count_column(counts[indicator_id], indicator_id, "zaehler"))
            columns.append(rate_column(indicator_id))
        sheet = f"{sheet_name} {year}" if sheet_name else ""
        return report_table(
            rows, columns, caption=f"{caption} {year}", rule=self.rule, source=self.source, sheet_name=sheet
        )

    def count_table(
        self, columns: dict[str, pd.Series], caption: str, notes: tuple[str, ...] = (), sheet_name: str = ""
    ) -> ReportTable:
        """City-wide counts per report year, one column per named series (indexed by jahr); a
        :meth:`city_totals` series brings its meaning and statuses along."""
        years = self.config.years
        frame = pd.DataFrame({"jahr": [str(year) for year in years]})
        table_columns = [Column("Jahr", "jahr")]
        for name, series in columns.items():
            frame[name] = [series.get(year, 0) for year in years]
            frame[f"{name}:status"] = [series.attrs.get("status", {}).get(year, PUBLISHED) for year in years]
            summe = series.attrs.get("summe")
            frame[f"{name}:key"] = [cell_key("summe", *summe[:2], year, summe[2]) if summe else "" for year in years]
            table_columns.append(Column(name, name, "count", status=f"{name}:status", keys=f"{name}:key"))
        return report_table(
            frame,
            table_columns,
            caption=caption,
            rule=self.rule,
            source=self.source,
            notes=notes,
            sheet_name=sheet_name,
        )

    def trend_table(self, indicator_ids: list[str], caption: str, sheet_name: str = "") -> ReportTable:
        """The city's value of each indicator in each year of the report."""
        city = self.indicators[
            (self.indicators["kennziffer"] == ind.CITY) & self.indicators["indikator"].isin(indicator_ids)
        ]
        wide = pd.DataFrame({"jahr": sorted(city["jahr"].unique())})
        columns = [Column("Jahr", "jahr_text")]
        wide["jahr_text"] = wide["jahr"].astype(str)
        for indicator_id in indicator_ids:
            values = with_cell_keys(city[city["indikator"] == indicator_id]).set_index("jahr")[list(STATUS_PARTS)]
            wide = wide.join(values.add_prefix(f"{indicator_id}:"), on="jahr")
            columns.append(rate_column(indicator_id))
        return report_table(wide, columns, caption=caption, rule=self.rule, source=self.source, sheet_name=sheet_name)

    def definitions(self, indicator_ids: list[str]) -> str:
        """Markdown list of the definitions of the given indicators (from the indicator module)."""
        lines = []
        for indicator_id in indicator_ids:
            d = ind.indicator(indicator_id)
            lines.append(f"- **{d.name}**: {d.numerator} je {d.per} {d.denominator}.")
        return "\n".join(lines)

    def synthetic_notice(self) -> str:
        if not self.config.data.synthetic:
            return ""
        return (
            "> **Hinweis:** Diese Seite beruht auf synthetischen Beispieldaten. "
            "Die Zahlen sind künstlich erzeugt und keine amtliche Statistik."
        )


def open_chapter(edition: str, project_dir: str | Path = "..") -> ChapterContext:
    """Entry point of every chapter notebook."""
    return ChapterContext(open_edition(edition, project_dir))
