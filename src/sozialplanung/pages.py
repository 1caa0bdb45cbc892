"""What the pages of the HTML edition say, for both publishing engines.

The German text lives in Jinja templates under ``templates/pages/``; this module gathers the numbers
and definitions they show and renders them into HTML fragments. The nbconvert engine wraps the
fragments in ``templates/page.html.j2``; the Quarto engine embeds the same fragments in ``.qmd``
files, so both editions say the same thing in the same words.
"""

from __future__ import annotations

import platform
from dataclasses import dataclass
from importlib import metadata

import pandas as pd
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from .confidentiality import LEGEND, Confidentiality
from .config import EditionConfig, Edition
from .errors import PublishError
from .format import format_change, format_count, format_date
from .indicators import CITY, INDICATOR_BY_ID, INDICATORS, Indicator
from .paths import TEMPLATES_DIR

POPULATION_INDICATOR = "auslaenderanteil"
"""Its denominator is every resident, so it gives the population figure on the start page."""

LEVEL_LABELS = {"stadtbezirk": "Stadtbezirke und Gesamtstadt", "stadt": "nur Gesamtstadt"}
ENGINE_LABELS = {"nbconvert": "nbconvert (eingebaute Veröffentlichung)", "quarto": "Quarto"}
VERSIONED_PACKAGES = ("sozialplanung", "pandas", "nbconvert")

_environment = Environment(
    loader=FileSystemLoader(TEMPLATES_DIR),
    autoescape=True,
    undefined=StrictUndefined,  # a misspelt variable fails the build instead of leaving a gap
    keep_trailing_newline=True,
)


@dataclass(frozen=True)
class Page:
    """One page of the edition and how the navigation names it."""

    filename: str
    title: str
    heading: str
    nav_label: str
    chapter_id: str | None = None

    @property
    def stem(self) -> str:
        return self.filename.removesuffix(".html")


START_PAGE = "index.html"
METHOD_PAGE = Page("methodik.html", "Methodik und Definitionen", "Methodik und Definitionen", "Methodik")
ACCESSIBILITY_PAGE = Page(
    "barrierefreiheit.html", "Erklärung zur Barrierefreiheit", "Erklärung zur Barrierefreiheit", "Barrierefreiheit"
)


def chapter_number(chapter_id: str) -> int:
    """``"01_bevoelkerung"`` → 1: chapters are numbered by their id, as notebook and stage are."""
    return int(chapter_id.split("_", 1)[0])


def chapter_pages(config: EditionConfig) -> tuple[Page, ...]:
    pages = []
    for chapter in config.chapters:
        label = f"{chapter_number(chapter.id)} {chapter.title}"
        pages.append(Page(f"{chapter.id}.html", chapter.title, label, label, chapter.id))
    return tuple(pages)


def site_pages(config: EditionConfig) -> tuple[Page, ...]:
    """Every page in navigation order: start page, chapters, method page, accessibility statement."""
    start = Page(START_PAGE, "Startseite", config.title, "Startseite")
    return (start, *chapter_pages(config), METHOD_PAGE, ACCESSIBILITY_PAGE)


def _render(template: str, **context: object) -> Markup:
    return Markup(_environment.get_template(template).render(**context))


# --- parts of every page ------------------------------------------------------------------


def render_notice(config: EditionConfig) -> Markup:
    """The synthetic-data notice (empty for real data)."""
    return _render("pages/notice.html.j2", synthetic=config.data.synthetic)


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "nicht installiert"


def build_versions() -> list[tuple[str, str]]:
    """Software versions for the provenance block; no timestamps, so builds stay byte-identical."""
    versions = [(name, _version(name)) for name in VERSIONED_PACKAGES]
    versions.insert(1, ("Python", platform.python_version()))
    return versions


def render_provenance(edition: Edition, engine: str) -> Markup:
    config = edition.config
    return _render(
        "pages/provenance.html.j2",
        edition_title=config.title,
        edition=config.edition,
        reference_date=format_date(config.reference_date),
        synthetic=config.data.synthetic,
        raw_dir=config.data.raw_dir,
        engine=ENGINE_LABELS[engine],
        versions=build_versions(),
    )


# --- start page -----------------------------------------------------------------------------


@dataclass(frozen=True)
class KeyFigure:
    """One card on the start page, every number already formatted and checked."""

    name: str
    value: str
    unit: str
    change: str
    note: str = ""


def _card(name: str, value: str, unit: str, change: str, rule: Confidentiality) -> KeyFigure:
    """A card; a symbol instead of a number gets its meaning spelt out and no unit."""
    if value in LEGEND:
        return KeyFigure(name, value, "", change, LEGEND[value].format(threshold=format_count(rule.threshold)))
    return KeyFigure(name, value, unit, change)


def _city_row(frame: pd.DataFrame, indicator_id: str, year: int) -> pd.Series | None:
    rows = frame[(frame["indikator"] == indicator_id) & (frame["jahr"] == year) & (frame["kennziffer"] == CITY)]
    return None if rows.empty else rows.iloc[0]


def _required_row(frame: pd.DataFrame, indicator_id: str, year: int) -> pd.Series:
    row = _city_row(frame, indicator_id, year)
    if row is None:
        raise PublishError(
            f"The indicator file has no city value of {indicator_id!r} for {year}, which the start page "
            "shows. Run the indicators stage again for this edition."
        )
    return row


def _no_comparison(previous_year: int) -> str:
    return f"Kein Vergleichswert für {previous_year}"


def _change_text(difference: float | None, unit: str, previous_year: int, decimals: int) -> str:
    if difference is None:
        return f"Veränderung gegenüber {previous_year} nicht ausweisbar"
    return f"{format_change(difference, decimals)} {unit} gegenüber {previous_year}"


def _indicator_figure(definition: Indicator, frame: pd.DataFrame, year: int, rule: Confidentiality) -> KeyFigure:
    now = _required_row(frame, definition.id, year)
    value = rule.rate(now["wert"], now["zaehler"], now["nenner"])
    before = _city_row(frame, definition.id, year - 1)
    if before is None:
        change = _no_comparison(year - 1)
    else:
        shown_now = rule.rate_or_none(now["wert"], now["zaehler"], now["nenner"])
        shown_before = rule.rate_or_none(before["wert"], before["zaehler"], before["nenner"])
        # A change computed from a hidden value would reveal it, so it is hidden as well.
        difference = None if shown_now is None or shown_before is None else shown_now - shown_before
        points = "Prozentpunkte" if definition.per == 100 else "Punkte"
        change = _change_text(difference, points, year - 1, 1)
    return _card(definition.name, value, definition.unit, change, rule)


def _population_figure(frame: pd.DataFrame, year: int, rule: Confidentiality) -> KeyFigure:
    now = _required_row(frame, POPULATION_INDICATOR, year)
    before = _city_row(frame, POPULATION_INDICATOR, year - 1)
    if before is None:
        change = _no_comparison(year - 1)
    else:
        shown_now, shown_before = rule.count_or_none(now["nenner"]), rule.count_or_none(before["nenner"])
        difference = None if shown_now is None or shown_before is None else shown_now - shown_before
        change = _change_text(difference, "Personen", year - 1, 0)
    return _card("Einwohnerinnen und Einwohner", rule.count(int(now["nenner"])), "", change, rule)


def key_figures(config: EditionConfig, frame: pd.DataFrame) -> list[KeyFigure]:
    """The population and every indicator of ``config.key_figures``, city-wide, for the edition's year."""
    unknown = [i for i in config.key_figures if i not in INDICATOR_BY_ID]
    if unknown:
        raise PublishError(
            f"params/{config.edition}.yaml: key_figures names unknown indicator(s) {', '.join(unknown)}; "
            f"known indicators: {', '.join(INDICATOR_BY_ID)}."
        )
    rule = Confidentiality(config.confidentiality.threshold)
    figures = [_population_figure(frame, config.year, rule)]
    figures += [_indicator_figure(INDICATOR_BY_ID[i], frame, config.year, rule) for i in config.key_figures]
    return figures


def render_start(edition: Edition, frame: pd.DataFrame) -> Markup:
    config = edition.config
    return _render(
        "pages/start.html.j2",
        reference_date=format_date(config.reference_date),
        year=config.year,
        first_year=config.first_year,
        key_figures=key_figures(config, frame),
        chapters=chapter_pages(config),
        method_page=METHOD_PAGE,
    )


# --- method page and accessibility statement ----------------------------------------------


def indicator_rows() -> list[dict[str, str]]:
    """One row per indicator for the definitions table, in the indicator module's order."""
    return [
        {
            "name": i.name,
            "numerator": i.numerator,
            "denominator": i.denominator,
            "unit": i.unit,
            "level": LEVEL_LABELS[i.level],
            "note": i.note,
            "source": i.source,
        }
        for i in INDICATORS
    ]


def render_method(edition: Edition) -> Markup:
    config = edition.config
    threshold = format_count(config.confidentiality.threshold)
    return _render(
        "pages/methodik.html.j2",
        year=config.year,
        first_year=config.first_year,
        reference_date=format_date(config.reference_date),
        synthetic=config.data.synthetic,
        raw_dir=config.data.raw_dir,
        indicators=indicator_rows(),
        threshold=threshold,
        legend=[(symbol, text.format(threshold=threshold)) for symbol, text in LEGEND.items()],
    )


def render_accessibility(edition: Edition) -> Markup:
    config = edition.config
    return _render(
        "pages/barrierefreiheit.html.j2",
        edition_title=config.title,
        reference_date=format_date(config.reference_date),
        synthetic=config.data.synthetic,
    )


# --- the nbconvert layout -------------------------------------------------------------------


def render_layout(edition: Edition, page: Page, content: Markup, engine: str = "nbconvert") -> str:
    """A complete page: header, notice, navigation, content, chapter links and provenance."""
    pages = site_pages(edition.config)
    chapters = [p for p in pages if p.chapter_id is not None]
    position = chapters.index(page) if page in chapters else None
    return _environment.get_template("page.html.j2").render(
        edition_title=edition.config.title,
        page=page,
        pages=pages,
        content=content,
        notice=render_notice(edition.config),
        provenance=render_provenance(edition, engine),
        previous=chapters[position - 1] if position else None,
        next=chapters[position + 1] if position is not None and position + 1 < len(chapters) else None,
    )
