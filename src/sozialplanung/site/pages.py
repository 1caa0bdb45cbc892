"""What the pages of the HTML edition say, for both publishing engines.

The German text lives in Jinja templates under ``templates/pages/``; this module gathers the numbers
and names they show and renders them into HTML fragments. The nbconvert engine wraps the fragments
in ``templates/page.html.j2``; the Quarto engine embeds the same fragments in ``.qmd`` files, so both
editions say the same thing in the same words. Which pages exist is :mod:`sozialplanung.site.sitemap`'s.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from sozialplanung.core.config import Edition, EditionConfig
from sozialplanung.core.errors import PublishError
from sozialplanung.core.formats import format_change, format_count, format_date, round_half_up
from sozialplanung.core.paths import TEMPLATES_DIR
from sozialplanung.report.chapter import ChapterContext
from sozialplanung.site.changes import changes_context
from sozialplanung.site.citation import licence_notice
from sozialplanung.site.comparison import comparison_context
from sozialplanung.site.datapackage import DATAPACKAGE_FILE
from sozialplanung.site.manifest import MANIFEST_FILE
from sozialplanung.site.provenance import PROVENANCE_FILE, Provenance, flat_parameters
from sozialplanung.site.search import INDEX_PATH, SCRIPT_PATH
from sozialplanung.site.sitemap import Page, SiteMap, print_file
from sozialplanung.statistics.confidentiality import LEGEND, Confidentiality
from sozialplanung.statistics.indicators import CITY, INDICATOR_BY_ID, Indicator

POPULATION_INDICATOR = "auslaenderanteil"
"""Its denominator is every resident, so it gives the population figure on the start page."""

ENGINE_LABELS = {"nbconvert": "nbconvert (eingebaute Veröffentlichung)", "quarto": "Quarto"}

_environment = Environment(
    loader=FileSystemLoader(TEMPLATES_DIR),
    autoescape=True,
    undefined=StrictUndefined,  # a misspelt variable fails the build instead of leaving a gap
    keep_trailing_newline=True,
)


def _render(template: str, **context: object) -> Markup:
    return Markup(_environment.get_template(template).render(**context))


# --- parts of every page ------------------------------------------------------------------


def render_notice(config: EditionConfig) -> Markup:
    """The synthetic-data notice (empty for real data)."""
    return _render("pages/notice.html.j2", synthetic=config.data.synthetic)


def render_build_warning(provenance: Provenance) -> Markup:
    """A warning at the top of every page of a build from uncommitted changes (empty otherwise)."""
    return _render("pages/build_warning.html.j2", dirty=provenance.dirty)


SHORT_COMMIT = 12
DRAFT_TITLE = "Entwurf"


def render_draft_mark(provenance: Provenance) -> Markup:
    """The draft banner of every page of a build that is not the released edition (empty otherwise)."""
    release, commit = provenance.release, provenance.git.commit
    return _render(
        "pages/draft.html.j2",
        draft=provenance.draft,
        repository=provenance.git.repository,
        commit=commit[:SHORT_COMMIT] if commit else None,
        commit_date=format_date(date.fromisoformat(release.commit_date)) if release.commit_date else "",
        dirty=provenance.dirty,
        edition=provenance.edition,
        tag=release.tag,
    )


def render_notices(config: EditionConfig, provenance: Provenance) -> Markup:
    """Everything every page says above its navigation, for both engines: the draft mark, the
    synthetic-data notice and the warning about uncommitted changes (each empty when it does not apply)."""
    return render_draft_mark(provenance) + render_notice(config) + render_build_warning(provenance)


def page_title(page: Page, provenance: Provenance) -> str:
    """The page's ``<title>`` (before the edition's title); a draft says so first."""
    return f"{DRAFT_TITLE}: {page.title}" if provenance.draft else page.title


def render_licence(config: EditionConfig) -> Markup:
    """The publisher and licence notice of every page's footer, with the link to the open data."""
    before, title, url = licence_notice(config)
    return _render(
        "pages/licence.html.j2", before=before, licence_title=title, licence_url=url, datapackage=DATAPACKAGE_FILE
    )


def render_provenance(provenance: Provenance) -> Markup:
    """The provenance block of every page's footer (the same facts as ``provenance.json``)."""
    data = provenance.data
    return _render(
        "pages/provenance.html.j2",
        edition_title=provenance.title,
        edition=provenance.edition,
        reference_date=format_date(date.fromisoformat(provenance.reference_date)),
        synthetic=provenance.synthetic,
        raw_dir=data.path,
        data_md5=data.md5,
        data_files=f"{format_count(data.nfiles)} {'Datei' if data.nfiles == 1 else 'Dateien'}",
        git=provenance.git,
        params_file=provenance.params_file,
        params_sha256=provenance.params_sha256,
        parameters=flat_parameters(provenance.parameters),
        engine=ENGINE_LABELS[provenance.engine],
        versions=list(provenance.software.items()),
        provenance_file=PROVENANCE_FILE,
        manifest_file=MANIFEST_FILE,
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
    value = rule.rate_cell(now["wert"], now["zaehler"], now["nenner"], now.get("wert_status", ""))
    before = _city_row(frame, definition.id, year - 1)
    if before is None:
        change = _no_comparison(year - 1)
    else:
        shown_now = rule.rate_cell_or_none(now["wert"], now["zaehler"], now["nenner"], now.get("wert_status", ""))
        shown_before = rule.rate_cell_or_none(
            before["wert"], before["zaehler"], before["nenner"], before.get("wert_status", "")
        )
        # A change computed from a hidden value would reveal it, so it is hidden as well; it is the
        # difference of the published (rounded) values, what a reader of the tables computes.
        difference = (
            None
            if shown_now is None or shown_before is None
            else float(round_half_up(shown_now, 1) - round_half_up(shown_before, 1))
        )
        points = "Prozentpunkte" if definition.per == 100 else "Punkte"
        change = _change_text(difference, points, year - 1, 1)
    return _card(definition.name, value, definition.unit, change, rule)


def _population_figure(frame: pd.DataFrame, year: int, rule: Confidentiality) -> KeyFigure:
    now = _required_row(frame, POPULATION_INDICATOR, year)
    before = _city_row(frame, POPULATION_INDICATOR, year - 1)
    if before is None:
        change = _no_comparison(year - 1)
    else:
        shown_now = rule.count_cell_or_none(now["nenner"], now.get("nenner_status", ""))
        shown_before = rule.count_cell_or_none(before["nenner"], before.get("nenner_status", ""))
        difference = None if shown_now is None or shown_before is None else shown_now - shown_before
        change = _change_text(difference, "Personen", year - 1, 0)
    residents = rule.count_cell(int(now["nenner"]), now.get("nenner_status", ""))
    return _card("Einwohnerinnen und Einwohner", residents, "", change, rule)


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


def render_start(edition: Edition, frame: pd.DataFrame, site: SiteMap) -> Markup:
    config = edition.config
    return _render(
        "pages/start.html.j2",
        reference_date=format_date(config.reference_date),
        year=config.year,
        first_year=config.first_year,
        key_figures=key_figures(config, frame),
        summaries=site.front_matter,
        chapters=site.numbered_chapters,
        method_chapter=site.method_chapter,
        overview=site.overview,
        districts=format_count(len(site.districts)),
        datapackage=DATAPACKAGE_FILE,
        print_file=print_file(config.edition),
        changes=site.changes,
        previous_edition=config.previous_edition,
        publisher=config.publication.publisher,
        licence_title=config.publication.licence.title,
        licence_url=config.publication.licence.url,
    )


# --- district overview and accessibility statement -------------------------------------


def district_groups(site: SiteMap) -> list[tuple[str, list[tuple[str, list[Page]]]]]:
    """The profile pages grouped by Teil, then Stadtbereich, each group in kennziffer order."""
    parts: dict[str, dict[str, list[Page]]] = {}
    for district, page in zip(site.districts, site.profiles):
        parts.setdefault(district.part, {}).setdefault(district.area, []).append(page)
    return [(part, list(areas.items())) for part, areas in parts.items()]


def render_overview(edition: Edition, site: SiteMap) -> Markup:
    """The overview of the district profiles (``stadtteile.html``)."""
    config = edition.config
    return _render(
        "pages/stadtteile.html.j2",
        districts=format_count(len(site.districts)),
        comparison=site.comparison,
        first_year=config.first_year,
        reference_date=format_date(config.reference_date),
        groups=district_groups(site),
    )


def render_accessibility(edition: Edition, site: SiteMap) -> Markup:
    """The accessibility statement; it names the page in Leichte Sprache where the edition has one."""
    config = edition.config
    return _render(
        "pages/barrierefreiheit.html.j2",
        edition_title=config.title,
        reference_date=format_date(config.reference_date),
        synthetic=config.data.synthetic,
        easy_language=site.easy_language,
    )


def render_comparison(edition: Edition, site: SiteMap) -> tuple[Markup, list[dict]]:
    """The district comparison (``vergleich.html``): the full table, the form and its script; and the
    download payload of its table."""
    context, tables = comparison_context(ChapterContext(edition), site.comparison)
    return _render("pages/vergleich.html.j2", **context), tables


def render_changes(edition: Edition, site: SiteMap) -> tuple[Markup, list[dict]]:
    """What changed since the previous edition (``aenderungen.html``), and its tables' download payloads."""
    context, tables = changes_context(edition, site.changes)
    return _render("pages/aenderungen.html.j2", **context), tables


def render_search() -> Markup:
    """The search page (``suche.html``): a form, the place for the results, and its scripts."""
    return _render("pages/suche.html.j2", index_path=INDEX_PATH, script_path=SCRIPT_PATH)


# --- navigation and the nbconvert layout --------------------------------------------------


def render_browse(site: SiteMap, page: Page) -> Markup:
    """Links to the previous and next chapter or profile (empty for other pages)."""
    previous, following = site.neighbours(page)
    return _render(
        "pages/browse.html.j2",
        profile=page.kennziffer is not None,
        previous=previous,
        next=following,
        overview=site.overview,
    )


def navigation(site: SiteMap, page: Page) -> list[tuple[Page, str | None]]:
    """The main navigation's items with their ``aria-current``: ``page`` for the page itself,
    ``true`` for the item whose section the page belongs to (a profile: the overview)."""
    marks = {page.filename: "page"}
    if page.section is not None:
        marks[page.section] = "true"
    return [(item, marks.get(item.filename)) for item in site.navigation]


def render_layout(edition: Edition, site: SiteMap, page: Page, content: Markup, provenance: Provenance) -> str:
    """A complete page: header, notices, navigation, content, neighbour links and provenance."""
    return _environment.get_template("page.html.j2").render(
        edition_title=edition.config.title,
        page=page,
        title=page_title(page, provenance),
        navigation=navigation(site, page),
        content=content,
        notice=render_notices(edition.config, provenance),
        licence=render_licence(edition.config),
        provenance=render_provenance(provenance),
        browse=render_browse(site, page),
        search_page=site.search,
    )
