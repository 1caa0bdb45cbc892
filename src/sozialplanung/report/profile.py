"""District profiles (Stadtteilprofile): one page per statistical district, against the city.

The profile notebook is executed once per district with its ``kennziffer``; everything it shows
comes from here and passes the edition's confidentiality rule.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property

import pandas as pd

from sozialplanung.core.formats import SYMBOL_NOT_APPLICABLE, format_count
from sozialplanung.data.load import read_frame
from sozialplanung.report.chapter import ChapterContext, count_span, open_chapter, with_cell_keys
from sozialplanung.report.figures import FigureOutput, line_over_years, population_pyramid
from sozialplanung.report.maps import tile_map
from sozialplanung.report.sozialraum import STATUS_ADJECTIVE, method_pointer
from sozialplanung.report.tables import Column, ReportTable, cell_key, report_table
from sozialplanung.statistics import indicators as ind
from sozialplanung.statistics.publication_plan import COARSE, PYRAMID_COLUMNS
from sozialplanung.statistics.sozialindex import RESIDENTS_INDICATOR

PROFILE_INDICATORS = (
    "sgb2_quote",
    "kinderarmut",
    "elb_quote",
    "grundsicherung_alter",
    "arbeitslosendichte",
    "alleinerziehende",
    "wohngeldquote",
    "marburgpass_quote",
    "sozialwohnungsquote",
    "auslaenderanteil",
    "jugendquotient",
    "altenquotient",
)
SEX_SIDES = {"m": "Männer", "w": "Frauen"}


@dataclass(frozen=True)
class DistrictProfile:
    """One statistical district as its profile page shows it."""

    chapter: ChapterContext
    kennziffer: int

    @cached_property
    def district(self) -> pd.Series:
        districts = self.chapter.districts.set_index("kennziffer")
        if self.kennziffer not in districts.index:
            raise KeyError(f"kennziffer {self.kennziffer} is not a statistical district of Marburg")
        return districts.loc[self.kennziffer]

    @property
    def name(self) -> str:
        return str(self.district["stadtbezirk"])

    @property
    def title(self) -> str:
        return f"Stadtteilprofil {self.name}"

    def resident_rows(self) -> pd.DataFrame:
        """The district's residents per report year as protected counts (the denominator of the
        Ausländeranteil: all residents), with their statuses and public meaning."""
        frame = self.chapter.indicators
        rows = frame[(frame["indikator"] == RESIDENTS_INDICATOR) & (frame["kennziffer"] == self.kennziffer)]
        return with_cell_keys(rows.sort_values("jahr")).reset_index(drop=True)

    def intro_text(self) -> str:
        chapter, rows = self.chapter, self.resident_rows().set_index("jahr")
        city = chapter.city_row(RESIDENTS_INDICATOR, chapter.year)

        def residents(year: int) -> str:
            row = rows.loc[year]
            return count_span(chapter.rule.count_cell(row["nenner"], row["nenner_status"]), row["nenner_key"])

        now = rows.loc[chapter.year]
        share = (
            chapter.rule.rate_cell(
                now["nenner"] / city["nenner"] * 100,
                now["nenner"],
                city["nenner"],
                now["nenner_status"] or city["nenner_status"],
            )
            if city["nenner"]
            else SYMBOL_NOT_APPLICABLE
        )
        return (
            f"Der Stadtbezirk **{self.name}** (Kennziffer {self.kennziffer}) gehört zum Stadtbereich "
            f"{self.district['stadtbereich']} ({self.district['teil']}). Am {chapter.stichtag} lebten hier "
            f"{residents(chapter.year)} Menschen ({chapter.first_year}: {residents(chapter.first_year)}), "
            f"{share} % der Einwohnerinnen und Einwohner Marburgs."
        )

    def _rows(self, indicator_id: str) -> pd.DataFrame:
        frame = self.chapter.indicators
        return frame[(frame["indikator"] == indicator_id) & (frame["jahr"] == self.chapter.year)]

    def key_table(self) -> ReportTable:
        """Each key indicator for the district and the city, with the district's rank."""
        rule = self.chapter.rule
        records = []
        for indicator_id in PROFILE_INDICATORS:
            rows = self._rows(indicator_id)
            district = rows[rows["kennziffer"] == self.kennziffer].iloc[0]
            city = rows[rows["kennziffer"] == ind.CITY].iloc[0]
            shown = self.chapter.by_district(indicator_id).dropna(subset=["angezeigt"])
            own = self.chapter.published_rate(district)
            # A hidden value keeps its rank hidden too: the rank would narrow the value down.
            rank = shown["angezeigt"].rank(ascending=False, method="min")
            position = rank[shown["kennziffer"] == self.kennziffer]
            records.append(
                {
                    "indikator": f"{ind.indicator(indicator_id).name} ({ind.indicator(indicator_id).unit})",
                    "bezirk": own,
                    "bezirk_key": cell_key("indikator", indicator_id, "wert", self.chapter.year, self.kennziffer),
                    "stadt": self.chapter.published_rate(city),
                    "stadt_key": cell_key("indikator", indicator_id, "wert", self.chapter.year, ind.CITY),
                    "rang": f"{format_count(int(position.iloc[0]))} von {format_count(len(shown))}"
                    if len(position)
                    else ".",
                }
            )
        columns = [
            Column("Kennzahl", "indikator"),
            Column(self.name, "bezirk", keys="bezirk_key"),
            Column("Marburg gesamt", "stadt", keys="stadt_key"),
            Column("Rang (1 = höchster Wert)", "rang"),
        ]
        return report_table(
            pd.DataFrame(records),
            columns,
            rule=rule,
            source=self.chapter.source,
            caption=f"Kennzahlen {self.name} und Gesamtstadt {self.chapter.year}",
            sheet_name=f"Kennzahlen {self.chapter.year}",  # the workbook is the district's
        )

    def index_text(self) -> str:
        """The district's place in the Sozialindex, or why it is left out."""
        result = self.chapter.sozialindex
        excluded = result.excluded.set_index("kennziffer")["reason"]
        if self.kennziffer in excluded.index:
            reason = str(excluded[self.kennziffer])
            why = []
            if reason.startswith("weniger als"):
                why.append("Für so kleine Stadtbezirke sind Quoten zu stark vom Zufall geprägt.")
            if "Geheimhaltung" in reason:
                why.append(
                    "In den Index gehen nur veröffentlichte Werte ein, damit sich aus z-Werten, Statuswert "
                    "und Rang kein geheim gehaltener Wert zurückrechnen lässt."
                )
            return (
                f"**Sozialindex:** Der Stadtbezirk {self.name} ist nicht in den Sozialindex {result.year} einbezogen: "
                f"{reason}. {' '.join([*why, method_pointer(self.chapter)])}"
            ).rstrip()
        # Only districts whose status indicators are all published are in the index (see sozialindex).
        row = result.values.set_index("kennziffer").loc[self.kennziffer]
        rank = (
            f" (Rang {format_count(int(row['rank']))} von {format_count(len(result.values))}; "
            "Rang 1 = größte soziale Benachteiligung)"
        )
        text = (
            f"**Sozialindex:** Im Sozialindex {result.year} hat der Stadtbezirk {self.name} einen "
            f"**{STATUS_ADJECTIVE[row['status_class']]}** sozialen Status{rank}."
        )
        if isinstance(row["dynamics_class"], str):
            text += f" Die Entwicklung seit {result.earlier_year} ist **{row['dynamics_class']}**."
        if row["borderline"]:
            text += f" Die Einstufung ist ein Grenzfall ({row['borderline_reason']})."
        return f"{text} {method_pointer(self.chapter)}".rstrip()

    def location_map(self) -> FigureOutput:
        """Where the district lies: the city's districts with this one marked."""
        chapter = self.chapter
        here, others = "hier", "andere"  # short: the label is printed on every tile
        values = pd.DataFrame(
            {
                "kennziffer": chapter.districts["kennziffer"],
                "klasse": [here if k == self.kennziffer else others for k in chapter.districts["kennziffer"]],
            }
        )
        return tile_map(
            values,
            chapter.districts,
            kind="class",
            classes=(others, here),
            title=f"Lage {chapter.district_grammar.genitive(self.kennziffer)}",
            legend_title="Stadtbezirk",
            boundaries=chapter.boundaries,
            caption=f"Lage des Stadtbezirks {self.name} in der Universitätsstadt Marburg.",
        )

    def trend_figure(self, indicator_id: str) -> FigureOutput:
        """The indicator over the years, district against city."""
        chapter, definition = self.chapter, ind.indicator(indicator_id)
        frame = chapter.indicators[chapter.indicators["indikator"] == indicator_id]
        parts = []
        for code, label in ((self.kennziffer, self.name), (ind.CITY, "Marburg gesamt")):
            rows = frame[frame["kennziffer"] == code].sort_values("jahr")
            values = chapter.plotted_rates(rows)
            parts.append(pd.DataFrame({"jahr": rows["jahr"].to_numpy(), "reihe": label, "wert": values}))
        return line_over_years(
            pd.concat(parts, ignore_index=True),
            title=f"{definition.name}: {self.name} und Gesamtstadt",
            axis_label=definition.unit,
            caption=f"{definition.name} im Stadtbezirk {self.name} und in der Gesamtstadt "
            f"{chapter.first_year}–{chapter.year}. Quelle: {chapter.source}.",
        )

    @cached_property
    def pyramid_cells(self) -> pd.DataFrame:
        """This district's pyramid cells of the reporting year, as the indicator stage protected them."""
        cells = read_frame(self.chapter.edition.paths.pyramid_file, PYRAMID_COLUMNS)
        return cells[(cells["kennziffer"] == self.kennziffer) & (cells["jahr"] == self.chapter.year)]

    def pyramid_text(self) -> str:
        """What the pyramid shows, and why it is coarser or missing where it is."""
        cells, threshold = self.pyramid_cells, format_count(self.chapter.rule.threshold)
        if cells.empty:
            return (
                f"Für den Stadtbezirk {self.name} wird keine Bevölkerungspyramide gezeigt: Auch in groben "
                f"Altersgruppen lebten hier in mindestens einer Gruppe weniger als {threshold} Frauen oder "
                "Männer, und eine so lückenhafte Pyramide ließe Rückschlüsse auf einzelne Personen zu."
            )
        if cells["aufteilung"].iloc[0] == COARSE:
            return (
                f"Die Pyramide zeigt {self.name} in groben Altersgruppen: In den feinen Altersgruppen "
                f"lebten in mindestens einer Gruppe weniger als {threshold} Frauen oder Männer."
            )
        return "Die Pyramide zeigt die Einwohnerinnen und Einwohner nach Altersgruppen und Geschlecht."

    def pyramid(self) -> FigureOutput | None:
        """Residents by age band and sex at the reference date: in the fine age bands, in broad age
        groups where a fine band holds fewer people than the threshold, or None where even a broad
        group does (:meth:`pyramid_text` says so)."""
        chapter, cells = self.chapter, self.pyramid_cells
        if cells.empty:
            return None
        broad = cells["aufteilung"].iloc[0] == COARSE
        rows = [
            {
                "altersgruppe": row.altersgruppe,
                "reihe": SEX_SIDES[row.geschlecht],
                "wert": chapter.rule.count_cell_or_none(row.anzahl, row.status),
            }
            for row in cells.itertuples(index=False)
        ]
        bands = (
            "in groben Altersgruppen, weil in den feinen Altersgruppen einzelne Werte auf zu wenigen "
            "Personen beruhen würden"
            if broad
            else "nach Alter"
        )
        figure = population_pyramid(
            pd.DataFrame(rows),
            title=f"Bevölkerung {self.name} am {chapter.stichtag}",
            caption=f"Einwohnerinnen und Einwohner im Stadtbezirk {self.name} {bands} und Geschlecht am "
            f"{chapter.stichtag}; nicht ausgewiesene Werte sind mit „.“ markiert. Quelle: {chapter.source}.",
        )
        keys = tuple(
            (
                cell_key("pyramide", chapter.year, self.kennziffer, row.altersgruppe, row.geschlecht),
                chapter.rule.count_cell(row.anzahl, row.status),
            )
            for row in cells.itertuples(index=False)
        )
        return replace(figure, cells=keys)

    def residents_table(self) -> ReportTable:
        chapter = self.chapter
        frame = self.resident_rows().assign(jahr_text=lambda d: d["jahr"].astype(str))
        columns = [
            Column("Jahr", "jahr_text"),
            Column(f"Einwohner {self.name}", "nenner", "count", status="nenner_status", keys="nenner_key"),
        ]
        return report_table(
            frame,
            columns,
            caption=f"Einwohnerinnen und Einwohner {self.name} {chapter.first_year}–{chapter.year}",
            rule=chapter.rule,
            source=chapter.source,
            sheet_name=f"Einwohner {chapter.first_year}–{chapter.year}",
        )


def open_profile(edition: str, kennziffer: int, project_dir: str = "..") -> DistrictProfile:
    """Entry point of the profile notebook."""
    return DistrictProfile(open_chapter(edition, project_dir), int(kennziffer))
