"""The key findings (:mod:`sozialplanung.report.summary`) in Leichte Sprache.

The rules of the Netzwerk Leichte Sprache and DIN SPEC 33429 that this module keeps:

* one statement per sentence, each sentence on a line of its own, at most :data:`MAX_WORDS` words;
  a long list of districts becomes a bulleted list;
* no passive, no genitive, no abbreviations, numbers as digits (counts of people exactly as the
  tables publish them, shares as "etwa jede 12. Person" via :func:`sentences.every_nth`);
* hard words explained in a box at the end of each finding ("Bürgergeld: Das ist Geld vom Staat.").

Every statement is still computed from the published values of the finding: a hidden number is
never written (the sentence is left out), directions compare the published counts, and the
districts named are the ones the finding holds, ties included.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sozialplanung.report import sentences
from sozialplanung.report.chapter import ChapterContext
from sozialplanung.report.summary import Finding, Term

MAX_WORDS = 15
"""The longest sentence Leichte Sprache allows here (counted without markup)."""
MONTHS = (
    "Januar",
    "Februar",
    "März",
    "April",
    "Mai",
    "Juni",
    "Juli",
    "August",
    "September",
    "Oktober",
    "November",
    "Dezember",
)
_TAG = re.compile(r"<[^>]+>")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")


@dataclass(frozen=True)
class EasyText:
    """One finding in Leichte Sprache: a heading, sentences, an optional list, the explained words and
    the link into the chapter (in standard German)."""

    title: str
    sentences: tuple[str, ...]
    items: tuple[str, ...] = ()
    """A list after the last sentence (districts); empty for none."""
    terms: tuple[Term, ...] = ()
    link: str = ""


def words(sentence: str) -> list[str]:
    """The words of a sentence as a reader sees them: markup and link targets left out."""
    return _LINK.sub(r"\1", _TAG.sub("", sentence)).split()


def easy_date(chapter: ChapterContext) -> str:
    """The reference date with the month as a word: "31. Dezember 2024"."""
    day = chapter.config.reference_date
    return f"{day.day}. {MONTHS[day.month - 1]} {day.year}"


def _comparison(finding: Finding) -> str:
    """ "Das sind mehr Menschen als im Jahr 2023." from the published counts; "" when one is hidden."""
    way = finding.count_direction
    if way is None:
        return ""
    noun = finding.topic.easy_plural
    if way == "unverändert":
        return f"Das sind genauso viele {noun} wie im Jahr {finding.previous_year}."
    more = "mehr" if way == "gestiegen" else "weniger"
    return f"Das sind {more} {noun} als im Jahr {finding.previous_year}."


def _count(finding: Finding) -> str:
    count = finding.count
    if count is None:
        return ""
    if not count.shown:
        return f"Die Zahl für das Jahr {finding.year} ist geheim."
    if count.value == 0:
        return sentences.capitalize_first(finding.topic.easy_count.format(count="keine"))
    return finding.topic.easy_count.format(count=count.text)


def _share(finding: Finding) -> str:
    rate = finding.rate
    if rate is None or not rate.shown or finding.per != 100 or not 0 < round(rate.value, 1) <= 50:
        return ""
    base = f" {finding.topic.easy_base}" if finding.topic.easy_base else ""
    return f"Das ist {sentences.every_nth(rate.value, finding.topic.easy_noun)}{base}."


def _place(finding: Finding, name: str) -> str:
    where = finding.easy_place(name) if finding.easy_place is not None else f"im Stadtteil {name}"
    return sentences.capitalize_first(where)


def _highest(finding: Finding) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Where the value is highest: one sentence for one district, a sentence and a list for several."""
    extreme, template = finding.highest, finding.topic.easy_highest
    if extreme is None or extreme.everyone or not template:
        return (), ()
    if len(extreme.names) == 1:
        return (template.format(wo=_place(finding, extreme.names[0])) + ".",), ()
    return (template.format(wo="In diesen Stadtteilen") + ":",), extreme.names


def _index(finding: Finding) -> tuple[tuple[str, ...], tuple[str, ...]]:
    intro = "Die Stadt vergleicht alle Stadtteile mit dem Sozialindex."
    if finding.status_class is None or not finding.districts:
        return (intro, "Kein Stadtteil fällt dabei besonders auf."), ()
    hard = "haben besonders viele Menschen wenig Geld oder keine Arbeit"
    if len(finding.districts) == 1:
        return (intro, f"{_place(finding, finding.districts[0])} {hard}."), ()
    return (intro, f"In diesen Stadtteilen {hard}:"), finding.districts


def easy_text(finding: Finding, chapter_titles: dict[str, str]) -> EasyText:
    """The finding in Leichte Sprache (see the module docstring)."""
    topic = finding.topic
    if topic.kind == "index":
        lines, items = _index(finding)
    else:
        highest, items = _highest(finding)
        lines = (_count(finding), _share(finding), _comparison(finding), *highest)
    link = ""
    if finding.linked:
        title = chapter_titles.get(topic.section.chapter, topic.title)
        link = f"[Kapitel {title}]({topic.section.href})"
    return EasyText(topic.easy_title, tuple(line for line in lines if line), items, topic.terms, link)


def _term_markdown(term: Term) -> str:
    lines = [f"> **{term.word}:**", *term.explanation]
    return "\n>\n> ".join(lines)


def easy_markdown(chapter: ChapterContext, findings: list[Finding]) -> str:
    """Every finding as a section in Leichte Sprache: a heading, one sentence per line, the
    explained words as a box (each word once, where it first appears) and the link into the chapter."""
    titles = {c.id: c.title for c in chapter.config.chapters}
    blocks, explained = [], set()
    for finding in findings:
        text = easy_text(finding, titles)
        blocks.append(f"## {text.title}")
        blocks += text.sentences
        if text.items:
            blocks.append("\n".join(f"- {item}" for item in text.items))
        blocks += [_term_markdown(term) for term in text.terms if term.word not in explained]
        explained |= {term.word for term in text.terms}
        if text.link:
            blocks.append(f"Mehr dazu in schwerer Sprache: {text.link}")
    return "\n\n".join(blocks)


def easy_intro(chapter: ChapterContext) -> str:
    """The opening lines of the page in Leichte Sprache."""
    lines = [
        f"Hier steht das Wichtigste aus dem Sozialbericht {chapter.year}.",
        "Der Text ist in Leichter Sprache.",
        f"Die Zahlen sind vom {easy_date(chapter)}.",
        "Der Sozialbericht zeigt: So leben die Menschen in Marburg.",
    ]
    return "\n\n".join(lines)


def easy_synthetic_notice(chapter: ChapterContext) -> str:
    """The synthetic-data notice in Leichte Sprache (empty for real data)."""
    if not chapter.config.data.synthetic:
        return ""
    return (
        "> **Achtung:**\n>\n> Die Zahlen auf dieser Seite sind nicht echt.\n>\n"
        "> Ein Computer hat sie für ein Beispiel gemacht."
    )
