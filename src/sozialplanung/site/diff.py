"""``sozialbericht diff OLD_SITE NEW_SITE``: what changed between two builds, page by page, for a reviewer.

Two built sites are compared as a reader sees them, not byte for byte:

- **pages** (every ``.html`` file) added and removed;
- per page the **numbers** that changed, named by their public meaning: the cell key of every
  ``data-zelle`` (table cells and numbers in the text) and of every ``key=text`` pair in a figure's
  ``data-zellen``, with the old and the new text (a key shown only before or only after is
  listed with ``None`` on the other side);
- per page the **sentences** that changed: the page's running text (the ``<main>`` element without its
  navigation; headings, paragraphs, list items, captions, image descriptions), split into sentences.
  Sentences are matched with :mod:`difflib`; a removed and an added sentence that are alike are shown
  as one changed sentence with its word-level differences.

Header and footer (navigation, draft mark, notices, provenance), the ``<title>`` and every file that
is not a page (downloads, ``provenance.json``, ``manifest.json``, the stylesheet) are left out: they
either carry the same numbers as the pages or describe the build, not the report. Table cells are
compared through their cell keys; a table's row labels and other unmarked cells are not running text.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from bs4 import BeautifulSoup, NavigableString, Tag

from sozialplanung.core.errors import SozialplanungError

START_PAGE = "index.html"
SIMILAR = 0.5
"""A removed and an added sentence at least this alike (difflib ratio of their words) are one change."""
BLOCKS = frozenset(
    {"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "caption", "figcaption", "dt", "dd", "blockquote", "div", "td"}
    | {"th", "tr", "table", "ul", "ol", "dl", "section", "article", "figure", "details", "summary", "pre"}
)
LEFT_OUT = ("nav", "header", "footer", "script", "style", "template")
ABBREVIATIONS = frozenset(
    {"bzw", "ca", "vgl", "nr", "abs", "inkl", "ggf", "usw", "etc", "mio", "mrd", "tsd", "ff", "dr", "prof"}
    | {"st", "jh", "gem", "bspw", "sog", "evtl", "einschl", "zzgl", "abzgl"}
)
"""Words a period follows without ending the sentence (besides single letters: ``z. B.``, ``u. a.``)."""
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”“»)]*\s+(?=[\"'„“»(]?[A-ZÄÖÜ0-9])")
_LAST_WORD = re.compile(r"(\S+)$")


class DiffError(SozialplanungError):
    """A folder to compare is missing or is not a built site."""


@dataclass(frozen=True)
class Page:
    """What a reader sees of one page: its heading, its marked numbers and its sentences."""

    title: str
    numbers: dict[str, tuple[str, ...]]
    """Cell key → the texts shown for it, in page order (one number may be shown twice)."""
    sentences: tuple[str, ...]


@dataclass(frozen=True)
class NumberChange:
    key: str
    old: str | None
    new: str | None


@dataclass(frozen=True)
class SentenceChange:
    """A removed (``new`` is ``None``), added (``old`` is ``None``) or changed sentence."""

    old: str | None
    new: str | None

    @property
    def kind(self) -> str:
        return "removed" if self.new is None else "added" if self.old is None else "changed"

    def words(self) -> list[tuple[str, str]]:
        """The sentence as ``(operation, words)``: ``equal``, ``delete`` (old only), ``insert`` (new only)."""
        old, new = (self.old or "").split(), (self.new or "").split()
        parts = []
        for operation, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
            if operation == "equal":
                parts.append(("equal", " ".join(old[i1:i2])))
                continue
            if i2 > i1:
                parts.append(("delete", " ".join(old[i1:i2])))
            if j2 > j1:
                parts.append(("insert", " ".join(new[j1:j2])))
        return parts


@dataclass(frozen=True)
class PageDiff:
    page: str
    title: str
    numbers: tuple[NumberChange, ...] = ()
    sentences: tuple[SentenceChange, ...] = ()


@dataclass(frozen=True)
class SiteDiff:
    old: str
    new: str
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    pages: tuple[PageDiff, ...] = field(default=())
    """Pages in both sites whose numbers or sentences changed, in path order."""

    @property
    def identical(self) -> bool:
        return not (self.added or self.removed or self.pages)

    def summary(self) -> str:
        numbers = sum(len(p.numbers) for p in self.pages)
        sentences = sum(len(p.sentences) for p in self.pages)
        if self.identical:
            return "No differences in pages, numbers or sentences."
        return (
            f"{len(self.pages)} page(s) changed, {len(self.added)} added, {len(self.removed)} removed; "
            f"{numbers} number(s) and {sentences} sentence(s) changed."
        )

    def to_dict(self) -> dict:
        return {
            "old": self.old,
            "new": self.new,
            "identical": self.identical,
            "pages_added": list(self.added),
            "pages_removed": list(self.removed),
            "pages": [
                {
                    "page": page.page,
                    "title": page.title,
                    "numbers": [{"key": n.key, "old": n.old, "new": n.new} for n in page.numbers],
                    "sentences": [{"change": s.kind, "old": s.old, "new": s.new} for s in page.sentences],
                }
                for page in self.pages
            ],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2) + "\n"

    def to_markdown(self) -> str:
        """A review ticket: one section per changed page; word changes as ~~old~~ **new**."""
        lines = [f"# Changes from `{self.old}` to `{self.new}`", "", self.summary(), ""]
        if self.added:
            lines += ["## Pages added", "", *[f"- `{page}`" for page in self.added], ""]
        if self.removed:
            lines += ["## Pages removed", "", *[f"- `{page}`" for page in self.removed], ""]
        for page in self.pages:
            lines += [f"## `{page.page}` – {_md(page.title)}", ""]
            if page.numbers:
                lines += ["| cell | old | new |", "|---|---|---|"]
                lines += [f"| `{n.key}` | {_md(_shown(n.old))} | {_md(_shown(n.new))} |" for n in page.numbers]
                lines.append("")
            for sentence in page.sentences:
                if sentence.kind == "removed":
                    lines.append(f"- removed: ~~{_md(sentence.old)}~~")
                elif sentence.kind == "added":
                    lines.append(f"- added: **{_md(sentence.new)}**")
                else:
                    marked = {"equal": "{}", "delete": "~~{}~~", "insert": "**{}**"}
                    words = " ".join(marked[op].format(_md(text)) for op, text in sentence.words())
                    lines.append(f"- changed: {words}")
            if page.sentences:
                lines.append("")
        return "\n".join(lines).rstrip("\n") + "\n"


def _shown(text: str | None) -> str:
    return "(not shown)" if text is None else text


def _md(text: str | None) -> str:
    return (text or "").replace("\\", "\\\\").replace("|", "\\|").replace("*", "\\*").replace("~", "\\~")


# --- reading a page ---------------------------------------------------------------------------------


def _cells(attribute: str) -> Iterable[tuple[str, str]]:
    """The ``key=text`` pairs of a figure's ``data-zellen`` (a key may itself hold ``=``)."""
    for item in attribute.split(";"):
        key, separator, text = item.rpartition("=")
        if separator and key.strip():
            yield key.strip(), text.strip()


def read_page(html: str) -> Page:
    """The heading, marked numbers and sentences of one page's HTML."""
    soup = BeautifulSoup(html, "html.parser")
    body = soup.find("main") or soup.body or soup
    for element in body.find_all(LEFT_OUT):
        element.decompose()
    heading = body.find("h1") or soup.find("title")
    numbers: dict[str, list[str]] = {}
    for element in body.find_all(True):
        if element.has_attr("data-zelle"):
            numbers.setdefault(str(element["data-zelle"]), []).append(_normal(element.get_text()))
        if element.has_attr("data-zellen"):
            for key, text in _cells(str(element["data-zellen"])):
                numbers.setdefault(key, []).append(text)
    return Page(
        title=_normal(heading.get_text()) if heading else "",
        numbers={key: tuple(texts) for key, texts in numbers.items()},
        sentences=tuple(sentence for block in _blocks(body) for sentence in split_sentences(block)),
    )


def _blocks(body: Tag) -> list[str]:
    """The running text as blocks: headings, paragraphs, list items, captions, image descriptions.
    Table rows are left out (their numbers are compared by cell key)."""
    for row in body.find_all("tr"):
        row.decompose()
    for image in body.find_all("img"):
        image.replace_with(NavigableString(f"\n\n{image.get('alt', '')}\n\n"))
    for element in body.find_all(BLOCKS):
        element.insert_before(NavigableString("\n\n"))
        element.insert_after(NavigableString("\n\n"))
    for line_break in body.find_all("br"):
        line_break.replace_with(NavigableString(" "))
    blocks = (_normal(block) for block in re.split(r"\n\s*\n", body.get_text()))
    return [block for block in blocks if block]


def _normal(text: str) -> str:
    return " ".join(text.split())


def split_sentences(text: str) -> list[str]:
    """German sentences of a block of text. No split after an abbreviation (``z. B.``, ``bzw.``,
    ``Nr.``), a single letter or an ordinal number (``am 31. Dezember``)."""
    sentences, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        before = _LAST_WORD.search(text[start : match.start()])
        word = before.group(1).rstrip(".!?…") if before else ""
        if (
            word.casefold() in ABBREVIATIONS
            or (len(word) == 1 and word.isalpha())
            or (word.isdigit() and len(word) <= 2)
        ):
            continue
        sentences.append(text[start : match.start()].strip())
        start = match.end()
    sentences.append(text[start:].strip())
    return [sentence for sentence in sentences if sentence]


# --- comparing -----------------------------------------------------------------------------------------


def site_pages(folder: Path, role: str) -> dict[str, Path]:
    """Every page of a built site by its path in the site; :class:`DiffError` for a missing folder
    or one that is not a built site."""
    folder = Path(folder)
    if not folder.exists():
        raise DiffError(f"The {role} site {folder} does not exist.")
    if not folder.is_dir():
        raise DiffError(f"The {role} site {folder} is a file, not the folder of a built site.")
    if not (folder / START_PAGE).is_file():
        raise DiffError(
            f"The {role} site {folder} is not a built site: it has no {START_PAGE} "
            "(a built edition is in outputs/<edition>/site)."
        )
    return {path.relative_to(folder).as_posix(): path for path in sorted(folder.rglob("*.html")) if path.is_file()}


def _read(path: Path) -> Page:
    try:
        return read_page(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise DiffError(f"{path} is not UTF-8 text (byte {exc.start}); a built page always is.") from None


def compare_numbers(old: dict[str, tuple[str, ...]], new: dict[str, tuple[str, ...]]) -> list[NumberChange]:
    """Every cell key whose shown texts differ, in the new page's order, then keys no longer shown."""
    changes = []
    for key in [*new, *(key for key in old if key not in new)]:
        before, after = old.get(key), new.get(key)
        if before != after:
            shown_before = " / ".join(before) if before else None
            changes.append(NumberChange(key, shown_before, " / ".join(after) if after else None))
    return changes


def compare_sentences(old: Iterable[str], new: Iterable[str]) -> list[SentenceChange]:
    """Removed, added and changed sentences, in page order."""
    old, new = list(old), list(new)
    changes = []
    for operation, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if operation == "equal":
            continue
        removed, added = old[i1:i2], new[j1:j2]
        while removed or added:
            if removed and added and _alike(removed[0], added[0]):
                changes.append(SentenceChange(removed.pop(0), added.pop(0)))
            elif removed and (not added or not any(_alike(removed[0], a) for a in added)):
                changes.append(SentenceChange(removed.pop(0), None))
            else:
                changes.append(SentenceChange(None, added.pop(0)))
    return changes


def _alike(old: str, new: str) -> bool:
    return difflib.SequenceMatcher(None, old.split(), new.split(), autojunk=False).ratio() >= SIMILAR


def diff_sites(old_site: Path, new_site: Path) -> SiteDiff:
    """Compare two built sites page by page (see the module's docstring)."""
    old_pages, new_pages = site_pages(old_site, "old"), site_pages(new_site, "new")
    changed = []
    for name in sorted(set(old_pages) & set(new_pages)):
        if old_pages[name].read_bytes() == new_pages[name].read_bytes():
            continue
        before, after = _read(old_pages[name]), _read(new_pages[name])
        numbers = compare_numbers(before.numbers, after.numbers)
        sentences = compare_sentences(before.sentences, after.sentences)
        if numbers or sentences:
            changed.append(PageDiff(name, after.title, tuple(numbers), tuple(sentences)))
    return SiteDiff(
        old=str(old_site),
        new=str(new_site),
        added=tuple(sorted(set(new_pages) - set(old_pages))),
        removed=tuple(sorted(set(old_pages) - set(new_pages))),
        pages=tuple(changed),
    )
