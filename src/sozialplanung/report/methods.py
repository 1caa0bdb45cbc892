"""The method chapter (Methodik und Glossar), generated from the definitions the code computes with,
so the page can never disagree with the numbers."""

from __future__ import annotations

import pandas as pd
from IPython.display import Markdown

from sozialplanung.core.formats import format_count
from sozialplanung.data.contract import TABLES
from sozialplanung.report.chapter import ChapterContext
from sozialplanung.report.tables import Column, ReportTable, report_table
from sozialplanung.statistics import indicators as ind
from sozialplanung.statistics.confidentiality import LEGEND, SYMBOL_CONFIDENTIAL
from sozialplanung.statistics.sozialindex import MethodTable, method_parts

LEVELS = {"stadtbezirk": "Stadtbezirke und Gesamtstadt", "stadt": "Gesamtstadt"}

GLOSSARY: dict[str, str] = {
    "Bedarfsgemeinschaft (BG)": "Personen, die im SGB II zusammen wirtschaften und deren Einkommen und Vermögen "
    "gemeinsam angerechnet werden, etwa Eltern mit ihren minderjährigen Kindern.",
    "Erwerbsfähige Leistungsberechtigte (ELB)": "Leistungsberechtigte im SGB II im Alter von 15 Jahren bis zur "
    "Altersgrenze, die mindestens drei Stunden täglich erwerbstätig sein können.",
    "Nicht erwerbsfähige Leistungsberechtigte (NEF)": "Leistungsberechtigte im SGB II, die nicht erwerbsfähig sind, "
    "vor allem Kinder unter 15 Jahren in Bedarfsgemeinschaften.",
    "Grundsicherung im Alter und bei Erwerbsminderung": "Leistung nach dem 4. Kapitel SGB XII für Menschen ab der "
    "Altersgrenze und für dauerhaft voll erwerbsgeminderte Erwachsene, deren Einkommen nicht ausreicht.",
    "Hilfe zum Lebensunterhalt": "Leistung nach dem 3. Kapitel SGB XII für Menschen, die weder Bürgergeld noch "
    "Grundsicherung erhalten, etwa vorübergehend voll Erwerbsgeminderte.",
    "Rechtskreis": "Zuständigkeit für Arbeitslose: SGB III (Agentur für Arbeit, Arbeitslosengeld) oder SGB II "
    "(Jobcenter, Bürgergeld).",
    "Langzeitarbeitslose": "Arbeitslose, die ein Jahr oder länger ohne Unterbrechung arbeitslos gemeldet sind.",
    "Wohngeld": "Zuschuss zu den Wohnkosten für Haushalte mit geringem Einkommen, die keine Grundsicherung beziehen.",
    "Geförderte Wohnung (Sozialwohnung)": "Mit öffentlichen Mitteln geförderte Wohnung mit Miet- und Belegungsbindung "
    "für Haushalte mit Wohnberechtigungsschein.",
    "MarburgPass": "Nachweis der Universitätsstadt Marburg für Menschen mit geringem Einkommen; er vergünstigt "
    "Angebote in Bildung, Kultur, Sport und Mobilität (früher Stadtpass).",
    "Probewohnen": "Angebot der Wohnungslosenhilfe: Wohnungslose Menschen wohnen zunächst auf Probe und "
    "übernehmen die Wohnung bei Erfolg als Hauptmieterin oder Hauptmieter.",
    "Grad der Behinderung (GdB)": "Maß für die Schwere einer Behinderung; ab einem GdB von 50 gilt ein Mensch "
    "als schwerbehindert.",
    "Statistischer Stadtbezirk": "Kleinräumige Gliederung der Stadt für die Statistik, in Marburg seit 1996; "
    "die Stadtbezirke sind in Stadtbereiche der Kernstadt und der Außenstadtteile gruppiert.",
    "Stichtag": "Tag, auf den sich eine Bestandszahl bezieht; in diesem Bericht der 31.12. des Berichtsjahres.",
}


def indicator_table(chapter: ChapterContext) -> ReportTable:
    """Every indicator with numerator, denominator, level, note and source (from ``INDICATORS``)."""
    frame = pd.DataFrame(
        [
            {
                "name": d.name,
                "zaehler": d.numerator,
                "nenner": f"je {d.per} {d.denominator}",
                "ebene": LEVELS[d.level],
                "hinweis": d.note or "–",
                "quelle": d.source,
            }
            for d in ind.INDICATORS
        ]
    )
    columns = [
        Column("Kennzahl", "name"),
        Column("Zähler", "zaehler"),
        Column("Bezugsgröße", "nenner"),
        Column("Ebene", "ebene"),
        Column("Hinweis", "hinweis"),
        Column("Quelle", "quelle"),
    ]
    return report_table(frame, columns, rule=chapter.rule, caption="Definitionen der Kennzahlen")


def confidentiality_text(chapter: ChapterContext) -> str:
    threshold = chapter.config.confidentiality.threshold
    protection_range = format_count(chapter.config.confidentiality.protection_range)
    symbols = "\n".join(f"- `{symbol}` {text.format(threshold=threshold)}" for symbol, text in LEGEND.items())
    return (
        "Der Bericht veröffentlicht keine Zahl, aus der sich Angaben über weniger als "
        f"**{threshold} Personen** ablesen lassen (statistische Geheimhaltung nach § 16 Bundesstatistikgesetz, "
        "wie sie auch die Bundesagentur für Arbeit anwendet). Fallzahlen zwischen 1 und "
        f"{threshold - 1} werden durch „{SYMBOL_CONFIDENTIAL}“ ersetzt (primäre Geheimhaltung), ebenso Quoten, "
        "deren Zähler oder Bezugsgröße so klein ist. Damit ein verborgener Wert nicht aus einer Summe "
        "zurückgerechnet werden kann, werden wo nötig weitere Werte verborgen (sekundäre Geheimhaltung). "
        "Weil Zahlen verschiedener Tabellen zusammenhängen (Leistungsberechtigte nach SGB II aus erwerbsfähigen "
        "und nicht erwerbsfähigen Personen, Bevölkerungspyramide und Einwohnerzahl, Quote und Bezugsgröße), "
        "werden alle Tabellen eines Jahres gemeinsam geprüft: Nach allem, was veröffentlicht ist, muss bei jedem "
        "verborgenen Wert die Spanne zwischen dem kleinsten und dem größten möglichen Wert mindestens "
        f"{protection_range} betragen, und er muss den Schwellenwert von {threshold} erreichen können; "
        f"ein „{SYMBOL_CONFIDENTIAL}“ steht dabei immer für mindestens einen Fall, "
        "denn eine echte Null wird als „–“ gezeigt. Für kleine Stadtbezirke zeigt die Bevölkerungspyramide "
        "breitere Altersgruppen oder entfällt. Der Sozialindex wird nur über veröffentlichte Werte berechnet; "
        "Stadtbezirke mit einem verborgenen Statusindikator sind nicht einbezogen. "
        "Abbildungen zeigen verborgene Werte nicht, sondern lassen eine Lücke. Die Zeichen in den Tabellen:\n\n"
        f"{symbols}"
    )


def data_sources_text(chapter: ChapterContext) -> str:
    config = chapter.config
    tables = "\n".join(f"- {spec.title}" for spec in TABLES.values())
    origin = (
        "**Alle Zahlen dieser Ausgabe sind synthetische Beispieldaten.** Sie werden von einem Zufallsgenerator "
        "mit festem Startwert erzeugt, sind nur in Größenordnung und Struktur an Marburg angelehnt und keine "
        "amtliche Statistik."
        if config.data.synthetic
        else "Die Daten stammen aus den Fachverfahren und Statistiken der Universitätsstadt Marburg und der "
        "Bundesagentur für Arbeit; die Quellen nennt die Tabelle der Kennzahlen."
    )
    return (
        f"{origin}\n\nBestandszahlen beziehen sich auf den Stichtag 31.12. des jeweiligen Jahres, der Bericht "
        f"{config.year} auf den {chapter.stichtag}; Fallzahlen wie Beratungsfälle und Räumungsverfahren zählen "
        f"Ereignisse im Laufe des Jahres. Zeitreihen beginnen {config.first_year}. Der Bericht beruht auf "
        f"diesen Tabellen:\n\n{tables}"
    )


def index_method(chapter: ChapterContext) -> list[Markdown | ReportTable]:
    """The Sozialindex method as displayable parts: paragraphs and captioned tables."""
    parts: list[Markdown | ReportTable] = []
    for part in method_parts(chapter.config.index):
        if isinstance(part, MethodTable):
            frame = pd.DataFrame(list(part.rows), columns=list(part.headers))
            columns = [Column(header, header) for header in part.headers]
            parts.append(report_table(frame, columns, rule=chapter.rule, caption=part.caption))
        else:
            parts.append(Markdown(part))
    return parts


def glossary_text() -> str:
    return "\n".join(f"- **{term}**: {meaning}" for term, meaning in GLOSSARY.items())
