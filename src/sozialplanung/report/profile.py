"""District profiles (Stadtteilprofile): one page per statistical district, against the city.

The profile notebook is executed once per district with its ``kennziffer``; everything it shows
comes from here and passes the edition's confidentiality rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import pandas as pd

from sozialplanung.core.formats import format_count
from sozialplanung.data.ages import population
from sozialplanung.data.contract import AGE_GROUPS
from sozialplanung.report.chapter import ChapterContext, count_span, open_chapter
from sozialplanung.report.figures import FigureOutput, line_over_years, population_pyramid
from sozialplanung.report.maps import tile_map
from sozialplanung.report.sozialraum import has_hidden_status_indicator
from sozialplanung.report.tables import Column, ReportTable, report_table
from sozialplanung.statistics import indicators as ind

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
STATUS_ADJECTIVE = {"hoch": "hohen", "mittel": "mittleren", "niedrig": "niedrigen", "sehr niedrig": "sehr niedrigen"}
"""Status classes as the adjective in "einen … sozialen Status"."""


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

    def residents(self) -> pd.Series:
        """Residents of the district per report year."""
        counts = population(self.chapter.tables["bevoelkerung"], "gesamt")
        counts = counts.xs(self.kennziffer, level="kennziffer")
        return counts[counts.index.isin(self.chapter.config.years)]

    def intro_text(self) -> str:
        chapter, residents = self.chapter, self.residents()
        city = population(chapter.tables["bevoelkerung"], "gesamt", by=("jahr",))[chapter.year]
        now, then = int(residents[chapter.year]), int(residents[chapter.first_year])
        return (
            f"Der Stadtbezirk **{self.name}** (Kennziffer {self.kennziffer}) gehört zum Stadtbereich "
            f"{self.district['stadtbereich']} ({self.district['teil']}). Am {chapter.stichtag} lebten hier "
            f"{count_span(chapter.rule.count(now))} Menschen "
            f"({chapter.first_year}: {count_span(chapter.rule.count(then))}), "
            f"{chapter.rule.rate(now / city * 100, now, city)} % der Einwohnerinnen und Einwohner Marburgs."
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
                    "stadt": self.chapter.published_rate(city),
                    "rang": f"{format_count(int(position.iloc[0]))} von {format_count(len(shown))}"
                    if len(position)
                    else ".",
                }
            )
        columns = [
            Column("Kennzahl", "indikator"),
            Column(self.name, "bezirk"),
            Column("Marburg gesamt", "stadt"),
            Column("Rang (1 = höchster Wert)", "rang"),
        ]
        return report_table(
            pd.DataFrame(records),
            columns,
            rule=rule,
            source=self.chapter.source,
            caption=f"Kennzahlen {self.name} und Gesamtstadt {self.chapter.year}",
        )

    def index_text(self) -> str:
        """The district's place in the Sozialindex, or why it is left out."""
        result = self.chapter.sozialindex
        excluded = result.excluded.set_index("kennziffer")["reason"]
        if self.kennziffer in excluded.index:
            return (
                f"**Sozialindex:** {self.name} ist nicht in den Sozialindex {result.year} einbezogen: "
                f"{excluded[self.kennziffer]}. Für so kleine Stadtbezirke sind Quoten zu stark vom Zufall geprägt."
            )
        row = result.values.set_index("kennziffer").loc[self.kennziffer]
        # A district with a hidden status indicator gets no rank: it would narrow the hidden value down.
        rank = (
            ""
            if has_hidden_status_indicator(self.chapter, self.kennziffer)
            else f" (Rang {format_count(int(row['rank']))} von {format_count(len(result.values))}; "
            "Rang 1 = größte soziale Benachteiligung)"
        )
        text = (
            f"**Sozialindex:** Im Sozialindex {result.year} hat {self.name} einen "
            f"**{STATUS_ADJECTIVE[row['status_class']]}** sozialen Status{rank}."
        )
        if isinstance(row["dynamics_class"], str):
            text += f" Die Entwicklung seit {result.earlier_year} ist **{row['dynamics_class']}**."
        return text + " Die Methode beschreibt das Kapitel Sozialräumliche Analyse."

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
            title=f"Lage von {self.name}",
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
            values = [chapter.plotted_rate(row) for _, row in rows.iterrows()]
            parts.append(pd.DataFrame({"jahr": rows["jahr"].to_numpy(), "reihe": label, "wert": values}))
        return line_over_years(
            pd.concat(parts, ignore_index=True),
            title=f"{definition.name}: {self.name} und Gesamtstadt",
            axis_label=definition.unit,
            caption=f"{definition.name} im Stadtbezirk {self.name} und in der Gesamtstadt "
            f"{chapter.first_year}–{chapter.year}. Quelle: {chapter.source}.",
        )

    def pyramid(self) -> FigureOutput:
        """Residents by age band and sex at the reference date."""
        chapter = self.chapter
        people = chapter.tables["bevoelkerung"]
        here = people[(people["kennziffer"] == self.kennziffer) & (people["jahr"] == chapter.year)]
        counts = here.groupby(["altersgruppe", "geschlecht"])["anzahl"].sum()
        rows = [
            {
                "altersgruppe": group,
                "reihe": SEX_SIDES[sex],
                "wert": chapter.rule.count_or_none(int(counts.get((group, sex), 0))),
            }
            for group in AGE_GROUPS
            for sex in ("m", "w")
        ]
        return population_pyramid(
            pd.DataFrame(rows),
            title=f"Bevölkerung {self.name} am {chapter.stichtag}",
            caption=f"Einwohnerinnen und Einwohner im Stadtbezirk {self.name} nach Alter und Geschlecht am "
            f"{chapter.stichtag}; nicht ausgewiesene Werte sind mit „.“ markiert. Quelle: {chapter.source}.",
        )

    def residents_table(self) -> ReportTable:
        return self.chapter.count_table(
            {f"Einwohner {self.name}": self.residents()},
            caption=f"Einwohnerinnen und Einwohner {self.name} {self.chapter.first_year}–{self.chapter.year}",
        )


def open_profile(edition: str, kennziffer: int, project_dir: str = "..") -> DistrictProfile:
    """Entry point of the profile notebook."""
    return DistrictProfile(open_chapter(edition, project_dir), int(kennziffer))
