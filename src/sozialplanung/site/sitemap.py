"""Which pages the HTML edition has and how readers move between them, for both publishing engines.

The site holds, in this order: the start page, one page per chapter (report order; chapters
numbered ``00``, the summaries, come first and carry no number), the overview of
the district profiles (``stadtteile.html``), the district comparison (``vergleich.html``, in the
section of the profiles), one profile page per statistical district
(``profil-<kennziffer>.html``, kennziffer order), the accessibility statement and the search page
(``suche.html``). The main navigation names the start page, every chapter, the overview — one item
for all profiles — and the accessibility statement; every other page's header has a search field
that leads to the search page; chapters and profiles link to their neighbours.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from sozialplanung.core.config import Edition, EditionConfig
from sozialplanung.data import load

START_PAGE = "index.html"
PROFILE_PREFIX = "profil-"
METHOD_CHAPTER_SUFFIX = "_methodik"
EASY_LANGUAGE_SUFFIX = "_leichte_sprache"
"""The chapter whose id ends so explains definitions and confidentiality; the start page links it."""


def print_file(edition_id: str) -> str:
    """Where the print edition (:mod:`~sozialplanung.site.print_edition`) lies inside the site."""
    return f"downloads/sozialbericht-{edition_id}.pdf"


@dataclass(frozen=True)
class Page:
    """One page of the edition and how the navigation names it.

    ``section`` is the filename of the main-navigation item a page belongs to without being it
    (a profile belongs to the overview of the profiles).
    """

    filename: str
    title: str
    heading: str
    nav_label: str
    chapter_id: str | None = None
    kennziffer: int | None = None
    section: str | None = None

    @property
    def stem(self) -> str:
        """The filename without ``.html``; it also names the page's download folder and workbook."""
        return self.filename.removesuffix(".html")

    @property
    def from_notebook(self) -> bool:
        """True for chapters and profiles: pages made from an executed notebook."""
        return self.chapter_id is not None or self.kennziffer is not None


@dataclass(frozen=True)
class District:
    """A statistical district as the reference data names and groups it."""

    kennziffer: int
    name: str
    area: str
    """Stadtbereich, e.g. "Innere Kernstadt"."""
    part: str
    """Teil of the city, e.g. "Kernstadt" or "Außenstadtteile"."""


ACCESSIBILITY_PAGE = Page(
    "barrierefreiheit.html", "Erklärung zur Barrierefreiheit", "Erklärung zur Barrierefreiheit", "Barrierefreiheit"
)
OVERVIEW_PAGE = Page("stadtteile.html", "Stadtteilprofile", "Stadtteilprofile", "Stadtteilprofile")
SEARCH_PAGE = Page("suche.html", "Suche", "Suche im Bericht", "Suche")
COMPARISON_PAGE = Page(
    "vergleich.html",
    "Stadtbezirke vergleichen",
    "Stadtbezirke vergleichen",
    "Vergleich",
    section=OVERVIEW_PAGE.filename,
)
CHANGES_PAGE = Page(
    "aenderungen.html",
    "Änderungen seit dem letzten Bericht",
    "Änderungen seit dem letzten Bericht",
    "Änderungen",
    section=START_PAGE,  # reached from the start page, which the navigation marks
)


FRONT_MATTER_NUMBER = 0
"""Chapters numbered ``00`` (the summaries) come before the report's chapters and carry no number."""


def chapter_number(chapter_id: str) -> int:
    """``"01_bevoelkerung"`` → 1: chapters are numbered by their id, as notebook and stage are."""
    return int(chapter_id.split("_", 1)[0])


def is_front_matter(chapter_id: str) -> bool:
    """True for ``00_kurzfassung`` and the like: a page before the numbered chapters."""
    return chapter_number(chapter_id) == FRONT_MATTER_NUMBER


def chapter_pages(config: EditionConfig) -> tuple[Page, ...]:
    pages = []
    for chapter in config.chapters:
        number = chapter_number(chapter.id)
        label = chapter.title if is_front_matter(chapter.id) else f"{number} {chapter.title}"
        pages.append(Page(f"{chapter.id}.html", chapter.title, label, label, chapter_id=chapter.id))
    return tuple(pages)


def profile_page(district: District) -> Page:
    title = f"Stadtteilprofil {district.name}"
    return Page(
        f"{PROFILE_PREFIX}{district.kennziffer}.html",
        title,
        title,
        district.name,
        kennziffer=district.kennziffer,
        section=OVERVIEW_PAGE.filename,
    )


def district_list(frame: pd.DataFrame) -> tuple[District, ...]:
    """The statistical districts of a reference-data frame, in its order."""
    return tuple(
        District(int(row.kennziffer), str(row.stadtbezirk), str(row.stadtbereich), str(row.teil))
        for row in frame.itertuples(index=False)
    )


@dataclass(frozen=True)
class SiteMap:
    """Every page of one edition, the main navigation and the neighbours of each page."""

    start: Page
    chapters: tuple[Page, ...]
    overview: Page
    profiles: tuple[Page, ...]
    accessibility: Page
    districts: tuple[District, ...]
    search: Page = SEARCH_PAGE
    comparison: Page = COMPARISON_PAGE
    changes: Page = CHANGES_PAGE

    @classmethod
    def of(cls, config: EditionConfig, districts: tuple[District, ...]) -> SiteMap:
        start = Page(START_PAGE, "Startseite", config.title, "Startseite")
        profiles = tuple(profile_page(d) for d in districts)
        return cls(start, chapter_pages(config), OVERVIEW_PAGE, profiles, ACCESSIBILITY_PAGE, districts)

    @property
    def pages(self) -> tuple[Page, ...]:
        """Every page, in the order above."""
        return (
            self.start,
            *self.chapters,
            self.overview,
            self.comparison,
            *self.profiles,
            self.changes,
            self.accessibility,
            self.search,
        )

    @property
    def navigation(self) -> tuple[Page, ...]:
        """The items of the main navigation: the profiles appear only as their overview."""
        return (self.start, *self.chapters, self.overview, self.accessibility)

    @property
    def easy_language(self) -> Page | None:
        """The summary in Leichte Sprache (id ending in ``_leichte_sprache``), if the edition has one."""
        return next((p for p in self.chapters if p.chapter_id.endswith(EASY_LANGUAGE_SUFFIX)), None)

    @property
    def front_matter(self) -> tuple[Page, ...]:
        """The chapters before the numbered ones (:func:`is_front_matter`), in report order."""
        return tuple(p for p in self.chapters if is_front_matter(p.chapter_id))

    @property
    def numbered_chapters(self) -> tuple[Page, ...]:
        """The report's numbered chapters, without the front matter."""
        return tuple(p for p in self.chapters if not is_front_matter(p.chapter_id))

    @property
    def method_chapter(self) -> Page | None:
        """The chapter on methods and definitions (id ending in ``_methodik``), if the edition has one."""
        return next((p for p in self.chapters if p.chapter_id.endswith(METHOD_CHAPTER_SUFFIX)), None)

    def district(self, page: Page) -> District:
        return next(d for d in self.districts if d.kennziffer == page.kennziffer)

    def neighbours(self, page: Page) -> tuple[Page | None, Page | None]:
        """The previous and next page of the same kind (chapter or profile); none for other pages."""
        series = self.chapters if page.chapter_id is not None else self.profiles if page.kennziffer is not None else ()
        if page not in series:
            return None, None
        position = series.index(page)
        return (
            series[position - 1] if position else None,
            series[position + 1] if position + 1 < len(series) else None,
        )


def site_map(edition: Edition) -> SiteMap:
    """The pages of ``edition``; the districts come from the project's reference data, limited to
    ``profiles.districts`` where the edition names some."""
    return SiteMap.of(edition.config, district_list(load.profile_districts(edition)))
