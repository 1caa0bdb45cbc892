"""Das Wichtigste in Kürze: the key findings of an edition, computed once as data.

:func:`key_findings` reads the edition through a :class:`~sozialplanung.report.chapter.ChapterContext`
and returns one :class:`Finding` per :class:`Topic` of :data:`TOPICS` (population, SGB II, child
poverty, Grundsicherung im Alter, Mindestsicherung, MarburgPass, Wohnungslosigkeit, unemployment,
Schwerbehinderte, Sozialindex): the published numbers it rests on, their previous-year values, the
districts concerned and the section of the chapter it links to. :func:`summary_markdown` writes the
findings in the report's German; :mod:`sozialplanung.report.leichte_sprache` writes the same findings
in Leichte Sprache.

The rules of :mod:`sozialplanung.report.sentences` hold: every number is the published one (hidden
is ``None`` and never written, zero is "keine"/"null", never a table symbol), directions and
extremes are judged on published rounded values, ties name every district, and counts keep their
``data-zelle`` meaning (they come from :meth:`ChapterContext.numerator_text` and friends). A finding
whose number is hidden says that it cannot be published instead of naming it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from sozialplanung.core.anchors import heading_anchor
from sozialplanung.report import claims, sentences
from sozialplanung.report.chapter import ChapterContext, total_codes
from sozialplanung.statistics import indicators as ind
from sozialplanung.statistics.confidentiality import is_hidden
from sozialplanung.statistics.sozialindex import STATUS_CLASSES

Kind = Literal["rate", "population", "total", "index"]
LOWEST_STATUS = tuple(reversed(STATUS_CLASSES[-2:]))
"""The status classes the summary names, most disadvantaged first ("sehr niedrig", "niedrig")."""
POPULATION_INDICATOR = "auslaenderanteil"
"""Its denominator is every resident (a published count), so it gives the population."""
STATUS_ADJECTIVE = {"sehr niedrig": "einen sehr niedrigen", "niedrig": "einen niedrigen"}


@dataclass(frozen=True)
class Section:
    """Where a finding is told in full: a chapter and the heading of its section."""

    chapter: str
    heading: str

    @property
    def anchor(self) -> str:
        """The heading's identifier on the chapter page (:func:`~sozialplanung.core.anchors.heading_anchor`)."""
        return heading_anchor(self.heading)

    @property
    def href(self) -> str:
        return f"{self.chapter}.html#{self.anchor}"


@dataclass(frozen=True)
class Term:
    """A hard word and its explanation in Leichte Sprache (short sentences, no passive)."""

    word: str
    explanation: tuple[str, ...]


@dataclass(frozen=True)
class Topic:
    """What a finding is about and how both texts word it.

    ``count`` is the standard sentence of the count (``{count}`` is the number as published,
    ``{stichtag}`` the reference date), ``subject`` the rate as a sentence's subject ("die
    SGB-II-Quote"). The ``easy_*`` fields word it in Leichte Sprache: ``easy_count`` the count
    (``{count}``), ``easy_noun``/``easy_base`` the share as "etwa jede 12. Person unter 65 Jahren",
    ``easy_highest`` where the value is highest (``{wo}`` is the place, capitalised).
    """

    key: str
    kind: Kind
    title: str
    easy_title: str
    section: Section
    count: str = ""
    indicator: str | None = None
    subject: str = ""
    total: tuple[str, str, tuple[tuple[str, str], ...]] | None = None
    """For ``kind="total"``: table, column and codes of the city total the finding rests on."""
    districts: bool = False
    """Name the districts with the highest value."""
    easy_count: str = ""
    easy_noun: sentences.Noun = sentences.PERSON
    easy_plural: str = "Menschen"
    """Who is counted, for "Das sind mehr Menschen als im Jahr 2023"."""
    easy_base: str = ""
    easy_highest: str = ""
    terms: tuple[Term, ...] = ()


@dataclass(frozen=True)
class Number:
    """A published number: its value as the tables show it (None when hidden) and its text, a count
    marked with its meaning (``data-zelle``)."""

    value: float | None
    text: str

    @property
    def shown(self) -> bool:
        return self.value is not None


@dataclass(frozen=True)
class Finding:
    """One key finding: its topic, the published numbers of the reporting year and the year before,
    the districts concerned and where the chapter tells it in full."""

    topic: Topic
    year: int
    previous_year: int
    stichtag: str
    count: Number | None = None
    previous_count: Number | None = None
    rate: Number | None = None
    previous_rate: Number | None = None
    highest: sentences.Extreme | None = None
    highest_sentence: str = ""
    status_class: str | None = None
    """For the Sozialindex: the lowest status class that has districts (None: neither of :data:`LOWEST_STATUS`)."""
    districts: tuple[str, ...] = ()
    """The districts concerned: of the highest value, or of the lowest status class."""
    linked: bool = True
    """False when the edition lacks the chapter the finding would link to."""
    easy_place: Callable[[str], str] | None = field(default=None, compare=False, repr=False)

    @property
    def count_direction(self) -> sentences.Direction | None:
        """Up or down of the published counts since the previous year; None when one is hidden or missing."""
        return _direction(self.previous_count, self.count, 0)

    @property
    def rate_direction(self) -> sentences.Direction | None:
        """Up or down of the published rates since the previous year; None when one is hidden or missing."""
        return _direction(self.previous_rate, self.rate, 1)

    @property
    def per(self) -> int:
        return ind.indicator(self.topic.indicator).per if self.topic.indicator else 100


def _direction(before: Number | None, now: Number | None, decimals: int) -> sentences.Direction | None:
    if before is None or now is None or not before.shown or not now.shown:
        return None
    return sentences.direction(before.value, now.value, decimals)


# --- the topics -------------------------------------------------------------------------------

_BUERGERGELD = Term(
    "Bürgergeld",
    (
        "Das ist Geld vom Staat.",
        "Menschen bekommen Bürgergeld, wenn sie zu wenig Geld zum Leben haben.",
        "Auch die Kinder in der Familie bekommen dann Bürgergeld.",
    ),
)
_GRUNDSICHERUNG = Term(
    "Grundsicherung im Alter",
    (
        "Das ist Geld vom Staat für alte Menschen.",
        "Sie bekommen es, wenn ihre Rente nicht zum Leben reicht.",
    ),
)
_MINDESTSICHERUNG = Term(
    "Hilfe zum Leben",
    (
        "Dazu gehören das Bürgergeld, die Grundsicherung und Geld für Geflüchtete.",
        "Der Staat zahlt diese Hilfe, wenn Menschen zu wenig Geld zum Leben haben.",
    ),
)
_MARBURGPASS = Term(
    "MarburgPass",
    (
        "Das ist ein Ausweis von der Stadt Marburg.",
        "Menschen mit wenig Geld bekommen ihn.",
        "Mit dem MarburgPass bezahlen sie weniger, zum Beispiel für den Bus oder das Schwimmbad.",
    ),
)
_WOHNUNGSLOS = Term(
    "wohnungslos",
    (
        "Ein Mensch hat keine eigene Wohnung.",
        "Er schläft zum Beispiel in einer Unterkunft von der Stadt oder bei Freunden.",
    ),
)
_ARBEITSLOS = Term(
    "arbeitslos",
    (
        "Ein Mensch hat keine Arbeit.",
        "Er sucht eine Arbeit und meldet sich beim Jobcenter oder bei der Agentur für Arbeit.",
    ),
)
_SCHWERBEHINDERT = Term(
    "schwere Behinderung",
    (
        "Das Versorgungsamt prüft eine Behinderung.",
        "Es gibt der Behinderung eine Zahl von 20 bis 100.",
        "Ab 50 ist die Behinderung schwer.",
    ),
)
_SOZIALINDEX = Term(
    "Sozialindex",
    (
        "Das ist eine Zahl für jeden Stadtteil.",
        "Die Stadt zählt dafür zum Beispiel: Wie viele Menschen bekommen Bürgergeld?",
        "Und wie viele Menschen haben keine Arbeit?",
    ),
)

TOPICS: tuple[Topic, ...] = (
    Topic(
        "bevoelkerung",
        "population",
        "Bevölkerung",
        "So viele Menschen wohnen in Marburg",
        Section("01_bevoelkerung", "Einwohnerzahl und Entwicklung"),
        count="Am {stichtag} lebten {count} Menschen mit Hauptwohnsitz in Marburg.",
        subject="die Einwohnerzahl",
        easy_count="In Marburg wohnen {count} Menschen.",
    ),
    Topic(
        "sgb2",
        "rate",
        "Grundsicherung für Arbeitsuchende (SGB II)",
        "Bürgergeld",
        Section("02_existenzsicherung", "Grundsicherung für Arbeitsuchende (SGB II)"),
        count="Am {stichtag} erhielten {count} Menschen Leistungen nach dem SGB II (Bürgergeld).",
        indicator="sgb2_quote",
        subject="die SGB-II-Quote",
        districts=True,
        easy_count="{count} Menschen in Marburg bekommen Bürgergeld.",
        easy_noun=sentences.PERSON,
        easy_base="unter 65 Jahren",
        easy_highest="{wo} bekommen besonders viele Menschen Bürgergeld",
        terms=(_BUERGERGELD,),
    ),
    Topic(
        "kinderarmut",
        "rate",
        "Kinderarmut",
        "Kinder mit Bürgergeld",
        Section("02_existenzsicherung", "Kinderarmut"),
        count="{count} Kinder unter 15 Jahren erhielten am {stichtag} selbst Leistungen nach dem SGB II.",
        indicator="kinderarmut",
        subject="die Kinderarmutsquote",
        districts=True,
        easy_count="{count} Kinder unter 15 Jahren bekommen Bürgergeld.",
        easy_noun=sentences.CHILD,
        easy_plural="Kinder",
        easy_base="unter 15 Jahren",
        easy_highest="{wo} bekommen besonders viele Kinder Bürgergeld",
        terms=(_BUERGERGELD,),
    ),
    Topic(
        "grundsicherung_alter",
        "rate",
        "Grundsicherung im Alter",
        "Alte Menschen mit wenig Geld",
        Section("02_existenzsicherung", "Grundsicherung im Alter"),
        count="{count} Menschen ab 65 Jahren bezogen am {stichtag} Grundsicherung im Alter nach dem SGB XII.",
        indicator="grundsicherung_alter",
        subject="die Quote der Grundsicherung im Alter",
        districts=True,
        easy_count="{count} Menschen ab 65 Jahren bekommen Grundsicherung im Alter.",
        easy_noun=sentences.PERSON,
        easy_base="ab 65 Jahren",
        easy_highest="{wo} bekommen besonders viele alte Menschen Grundsicherung",
        terms=(_GRUNDSICHERUNG,),
    ),
    Topic(
        "mindestsicherung",
        "rate",
        "Mindestsicherung insgesamt",
        "Hilfe zum Leben",
        Section("02_existenzsicherung", "Mindestsicherung insgesamt"),
        count="Am {stichtag} waren insgesamt {count} Menschen auf Mindestsicherungsleistungen angewiesen.",
        indicator="mindestsicherungsquote",
        subject="die Mindestsicherungsquote",
        easy_count="{count} Menschen in Marburg bekommen Hilfe zum Leben vom Staat.",
        easy_noun=sentences.PERSON,
        easy_base="in Marburg",
        terms=(_MINDESTSICHERUNG,),
    ),
    Topic(
        "marburgpass",
        "rate",
        "MarburgPass",
        "MarburgPass",
        Section("02_existenzsicherung", "MarburgPass"),
        count="Am {stichtag} besaßen {count} Menschen den MarburgPass.",
        indicator="marburgpass_quote",
        subject="die MarburgPass-Quote",
        districts=True,
        easy_count="{count} Menschen haben einen MarburgPass.",
        easy_noun=sentences.PERSON,
        easy_base="in Marburg",
        easy_highest="{wo} haben besonders viele Menschen einen MarburgPass",
        terms=(_MARBURGPASS,),
    ),
    Topic(
        "wohnungslosigkeit",
        "total",
        "Wohnungslosigkeit",
        "Menschen ohne Wohnung",
        Section("03_wohnen", "Wohnungsnotfälle und Wohnungslosenhilfe"),
        count="Am {stichtag} waren in Marburg {count} Menschen als wohnungslos bekannt.",
        subject="ihre Zahl",
        total=("wohnungsnotfaelle", "anzahl", (("kategorie", "wohnungslose_gesamt"),)),
        easy_count="{count} Menschen in Marburg sind wohnungslos.",
        terms=(_WOHNUNGSLOS,),
    ),
    Topic(
        "arbeitslosigkeit",
        "rate",
        "Arbeitslosigkeit",
        "Menschen ohne Arbeit",
        Section("05_arbeit", "Arbeitslose nach Rechtskreisen"),
        count="Am {stichtag} waren in Marburg {count} Menschen arbeitslos gemeldet.",
        indicator="arbeitslosendichte",
        subject="die Arbeitslosendichte",
        districts=True,
        easy_count="{count} Menschen in Marburg sind arbeitslos.",
        easy_noun=sentences.PERSON,
        easy_base="zwischen 15 und 65 Jahren",
        easy_highest="{wo} sind besonders viele Menschen arbeitslos",
        terms=(_ARBEITSLOS,),
    ),
    Topic(
        "schwerbehinderte",
        "rate",
        "Schwerbehinderte Menschen",
        "Menschen mit schwerer Behinderung",
        Section("06_teilhabe", "Schwerbehinderte Menschen"),
        count="Am {stichtag} lebten in Marburg {count} Menschen mit einem Grad der Behinderung von mindestens 50.",
        indicator="schwerbehindertenquote",
        subject="die Schwerbehindertenquote",
        easy_count="{count} Menschen in Marburg haben eine schwere Behinderung.",
        easy_noun=sentences.PERSON,
        easy_base="in Marburg",
        terms=(_SCHWERBEHINDERT,),
    ),
    Topic(
        "sozialindex",
        "index",
        "Sozialindex",
        "Stadtteile im Vergleich",
        Section("07_sozialraum", "Sozialer Status"),
        terms=(_SOZIALINDEX,),
    ),
)


# --- computing the findings ----------------------------------------------------------------------


def key_findings(chapter: ChapterContext, topics: tuple[Topic, ...] = TOPICS) -> list[Finding]:
    """One finding per topic, from the edition's published values (see the module docstring)."""
    compute = {"rate": rate_finding, "population": population_finding, "total": total_finding, "index": index_finding}
    return [compute[topic.kind](chapter, topic) for topic in topics]


def _frame(chapter: ChapterContext, topic: Topic) -> dict[str, object]:
    return {
        "topic": topic,
        "year": chapter.year,
        "previous_year": chapter.previous_year,
        "stichtag": chapter.stichtag,
        "linked": topic.section.chapter in {c.id for c in chapter.config.chapters},
        "easy_place": chapter.district_grammar.place,
    }


def _indicator_count(chapter: ChapterContext, indicator_id: str, part: str, year: int) -> Number | None:
    try:
        row = chapter.city_row(indicator_id, year)
    except KeyError:
        return None
    value = chapter.rule.count_cell_or_none(row[part], row[f"{part}_status"])
    text_of = chapter.numerator_text if part == "zaehler" else chapter.denominator_text
    return Number(value, text_of(indicator_id, year))


def _indicator_rate(chapter: ChapterContext, indicator_id: str, year: int) -> Number | None:
    try:
        row = chapter.city_row(indicator_id, year)
    except KeyError:
        return None
    return Number(chapter.plotted_rate(row), chapter.rate_text(indicator_id, year))


def rate_finding(chapter: ChapterContext, topic: Topic) -> Finding:
    """A finding on an indicator: its numerator count and rate, now and a year before, and where
    among the districts the rate is highest (published values only; ties named)."""
    indicator_id = topic.indicator
    highest, sentence = None, ""
    if topic.districts and ind.indicator(indicator_id).level != "stadt":
        frame = chapter.by_district(indicator_id)
        highest = sentences.extremes(dict(zip(frame["stadtbezirk"], frame["angezeigt"])), 1, highest=True)
        sentence = chapter.extreme_sentence(indicator_id, topic.subject)
    return Finding(
        **_frame(chapter, topic),
        count=_indicator_count(chapter, indicator_id, "zaehler", chapter.year),
        previous_count=_indicator_count(chapter, indicator_id, "zaehler", chapter.previous_year),
        rate=_indicator_rate(chapter, indicator_id, chapter.year),
        previous_rate=_indicator_rate(chapter, indicator_id, chapter.previous_year),
        highest=highest,
        highest_sentence=sentence,
        districts=highest.names if highest is not None and not highest.everyone else (),
    )


def population_finding(chapter: ChapterContext, topic: Topic) -> Finding:
    """The residents of the city (the denominator of the Ausländeranteil), now and a year before."""
    return Finding(
        **_frame(chapter, topic),
        count=_indicator_count(chapter, POPULATION_INDICATOR, "nenner", chapter.year),
        previous_count=_indicator_count(chapter, POPULATION_INDICATOR, "nenner", chapter.previous_year),
    )


def total_finding(chapter: ChapterContext, topic: Topic) -> Finding:
    """A city total of a raw column (Wohnungslose), now and a year before; hidden years stay unnamed."""
    table, column, codes = topic.total
    where = dict(codes)
    totals = chapter.city_totals(table, column, **where)

    def number(year: int) -> Number | None:
        if year not in totals.index:
            return None
        hidden = is_hidden(totals.attrs["status"].get(year))
        value = None if hidden else chapter.rule.count_or_none(int(totals[year]))
        return Number(value, chapter.count_text(table, column, year, **where))

    return Finding(**_frame(chapter, topic), count=number(chapter.year), previous_count=number(chapter.previous_year))


def index_finding(chapter: ChapterContext, topic: Topic) -> Finding:
    """The districts of the lowest status class of the Sozialindex that has any ("sehr niedrig", else
    "niedrig"); districts left out of the index (hidden values) are never among them."""
    result = chapter.sozialindex
    names = result.values.merge(chapter.districts[["kennziffer", "stadtbezirk"]], on="kennziffer")
    for status in LOWEST_STATUS:
        concerned = names.loc[names["status_class"] == status, "stadtbezirk"]
        if len(concerned):
            ordered = tuple(sorted(concerned.astype(str), key=sentences.german_sort_key))
            return Finding(**_frame(chapter, topic), status_class=status, districts=ordered)
    return Finding(**_frame(chapter, topic))


# --- the report's German ---------------------------------------------------------------------------


def _pronoun(subject: str) -> str:
    article = subject.split(" ", 1)[0].casefold()
    return {"der": "er", "die": "sie", "das": "es", "ihre": "sie"}.get(article, subject)


def _inverted(clause: str, subject: str) -> str:
    """``"ist um 0,3 Prozentpunkte gestiegen"`` with the subject after the verb, for a sentence that
    starts with "Gegenüber 2023": ``"ist sie um 0,3 Prozentpunkte gestiegen"``."""
    verb, rest = clause.split(" ", 1)
    return f"{verb} {subject} {rest}"


def _count_text(number: Number) -> str:
    return "keine" if number.value == 0 else number.text


def count_sentence(finding: Finding) -> str:
    """The count the finding rests on, or that it cannot be published."""
    topic, count = finding.topic, finding.count
    if count is None:
        return ""
    if not count.shown:
        return f"Die Zahl für {finding.year} kann aus Gründen der Geheimhaltung nicht ausgewiesen werden."
    return sentences.capitalize_first(topic.count.format(count=_count_text(count), stichtag=finding.stichtag))


def rate_sentence(finding: Finding) -> str:
    """The rate with its unit, and its change since the previous year in (percentage) points."""
    topic, rate = finding.topic, finding.rate
    if rate is None or not rate.shown or not topic.indicator:
        return ""
    unit = ind.indicator(topic.indicator).unit
    amount = "null" if rate.value == 0 else f"{rate.text} {unit}"
    text = f"{sentences.capitalize_first(topic.subject)} lag bei {amount}."
    if finding.rate_direction is None:
        return text
    noun = sentences.PERCENTAGE_POINT if finding.per == 100 else sentences.POINT
    clause = sentences.change_clause(finding.previous_rate.value, rate.value, kind="points", noun=noun)
    before = "null" if finding.previous_rate.value == 0 else finding.previous_rate.text
    change = f"Gegenüber {finding.previous_year} ({before}) {_inverted(clause, _pronoun(topic.subject))}."
    claim = claims.Change(
        claims.CITY_AREA, topic.indicator, finding.previous_year, finding.year, finding.rate_direction
    )
    return f"{text} {claims.annotate(change, claim)}"


def count_change_sentence(finding: Finding) -> str:
    """The relative change of the count since the previous year (population, city totals)."""
    if finding.count_direction is None:
        return ""
    clause = sentences.change_clause(finding.previous_count.value, finding.count.value, decimals=0, kind="percent")
    text = f"Gegenüber {finding.previous_year} {_inverted(clause, finding.topic.subject)}."
    measure = _count_measure(finding.topic)
    if measure is None:
        return text
    claim = claims.Change(claims.CITY_AREA, measure, finding.previous_year, finding.year, finding.count_direction)
    return claims.annotate(text, claim)


def _count_measure(topic: Topic) -> str | None:
    """The city total a topic's count is, as claims name it (all residents for the population)."""
    if topic.total is not None:
        table, column, codes = topic.total
        return claims.total_measure(table, column, total_codes(table, dict(codes)))
    if topic.kind == "population":
        return claims.total_measure("bevoelkerung", "anzahl")
    return None


def index_sentence(finding: Finding) -> str:
    """The districts of the lowest status class of the Sozialindex that has any."""
    start = f"Nach dem Sozialindex {finding.year}"
    if finding.status_class is None:
        return f"{start} hat kein Stadtbezirk einen niedrigen oder sehr niedrigen sozialen Status."
    adjective = STATUS_ADJECTIVE[finding.status_class]
    if len(finding.districts) == 1:
        return f"{start} hat ein Stadtbezirk {adjective} sozialen Status: {finding.districts[0]}."
    count = sentences.number_word(len(finding.districts))
    names = sentences.join_names(finding.districts)
    return f"{start} haben {count} Stadtbezirke {adjective} sozialen Status: {names}."


def standard_sentences(finding: Finding) -> list[str]:
    """The finding in the report's German, sentence by sentence (empty parts left out)."""
    if finding.topic.kind == "index":
        parts = [index_sentence(finding)]
    elif finding.topic.kind == "rate":
        parts = [count_sentence(finding), rate_sentence(finding), finding.highest_sentence]
    else:
        parts = [count_sentence(finding), count_change_sentence(finding)]
    return [part for part in parts if part]


def link_markdown(finding: Finding, text: str) -> str:
    """A Markdown link to the finding's section, or "" when the edition lacks its chapter."""
    return f"[{text}]({finding.topic.section.href})" if finding.linked else ""


def summary_markdown(chapter: ChapterContext, findings: list[Finding]) -> str:
    """Every finding as a section: its title, its sentences and a link into the chapter."""
    titles = {c.id: c.title for c in chapter.config.chapters}
    blocks = []
    for finding in findings:
        section = finding.topic.section
        blocks.append(f"## {finding.topic.title}")
        blocks.append(" ".join(standard_sentences(finding)))
        link = link_markdown(finding, f"Mehr im Kapitel {titles.get(section.chapter, '')}: {section.heading}")
        if link:
            blocks.append(link)
    return "\n\n".join(blocks)


def summary_intro(chapter: ChapterContext) -> str:
    """The opening paragraph: what the page is and how its statements were made."""
    return (
        f"Diese Seite fasst die wichtigsten Ergebnisse des Sozialberichts {chapter.year} zum Stichtag "
        f"{chapter.stichtag} zusammen. Jede Aussage ist aus denselben veröffentlichten Zahlen berechnet wie die "
        "Tabellen der Kapitel; Veränderungen beziehen sich auf das Vorjahr. Der Link unter jeder Aussage führt zum "
        "Abschnitt des Kapitels mit Tabellen, Karten und Zeitreihen."
    )
