"""The publish gate: the finished edition is checked once more before it replaces the previous one.

Confidentiality is applied where numbers are formatted (:mod:`sozialplanung.statistics.confidentiality`); the
gate is the independent check on what ends up in the site folder — pages, CSV and XLSX downloads and
every other text file. :func:`check_site` lists, :func:`enforce` refuses: a published count
``1 ≤ v < threshold`` (table and download cells, ``<span class="anzahl">``/``data-art="anzahl"``,
running text such as "2 Kinder"); a hidden cell (``.``) that a published total gives away, also when
several tables of the site show the same column; leaked internals (absolute paths, tracebacks,
raw-data file names, log and stderr lines). A column counts unless its header names a rate, share,
quotient or change ("je 100 …", "Quote", "Anteil", "Veränderung"), a key ("Jahr", "Kennziffer",
"Nr.") or things rather than people ("Maßnahmen"); ``data-art`` on a header or cell decides instead
(``anzahl``/``count``: a count; anything else, e.g. ``number`` or ``rate``: not a count).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from bs4 import BeautifulSoup, Tag
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from sozialplanung.core.errors import PublishError
from sozialplanung.data.contract import TABLES

HIDDEN = "."
NOTHING = frozenset({"\u2013", "-", "0", "x", "X"})
"""Cells that add nothing to a total: a true zero (``–``) or no value (``x``)."""
TOTAL_LABELS = frozenset(
    {
        "marburg gesamt",
        "gesamt",
        "insgesamt",
        "summe",
        "gesamtstadt",
        "zusammen",
        "marburg insgesamt",
        "stadt insgesamt",
    }
)
COUNT_ARTS = frozenset({"anzahl", "count"})
COUNT_NOUNS = (
    "mensch",
    "person",
    "einwohner",
    "bewohner",
    "kind",
    "kinder",
    "jugendliche",
    "erwachsene",
    "haushalt",
    "haushalte",
    "familie",
    "leistungsberechtigte",
    "bedarfsgemeinschaft",
    "empfänger",
    "bezieher",
    "inhaber",
    "fall",
    "fälle",
    "arbeitslose",
    "wohnungslose",
    "obdachlose",
    "alleinerziehende",
    "wohnung",
    "frau",
    "männer",
    "mädchen",
    "junge",
    "senior",
    "schüler",
    "studierende",
    "geflüchtete",
    "asylbewerber",
    "beschäftigte",
    "pflegebedürftige",
    "schwerbehinderte",
    "betroffene",
    "mütter",
    "väter",
    "eltern",
    "elternteil",
    "elternteile",
    "säugling",
    "säuglinge",
    "neugeborene",
    "geburt",
    "zuzüge",
    "fortzüge",
    "verfahren",
    "räumungsklage",
    "beratung",
    "bürger",
    "teilnehmende",
    "teilnehmer",
    "leute",
    "ausländer",
    "deutsche",
    "rentner",
    "paar",
    "paare",
)
"""Endings of nouns that count people, households, cases or dwellings ("Familienhaushalte"); inflected
forms are found by dropping a final ``-n``/``-en`` and a gender ending (``-innen``, ``*innen``)."""
_SKIP_AFTER = frozenset(
    [
        "unter",
        "über",
        "unterhalb",
        "oberhalb",
        "ab",
        "bis",
        "je",
        "pro",
        "mindestens",
        "höchstens",
        "maximal",
        "minimal",
        "jeder",
        "jedes",
        "jede",
        "jeden",
        "§",
        "§§",
        "nr",
        "nr.",
        "kapitel",
        "abs",
        "abs.",
        "absatz",
        "art",
        "art.",
        "artikel",
        "sgb",
        "satz",
        "stufe",
        "seite",
        "tabelle",
        "abbildung",
        "kennziffer",
        "gruppe",
        "klasse",
        "rang",
        "platz",
        "ziffer",
        "nummer",
    ]
)
"""A number after these words is a threshold, legal reference or label, not a count."""
_SKIP_AFTER_PAIR = frozenset({"weniger als", "mehr als", "kleiner als", "größer als", "bis zu"})
_NOT_ADJECTIVES = frozenset(
    [
        "unter",
        "über",
        "oder",
        "aber",
        "der",
        "die",
        "das",
        "den",
        "dem",
        "des",
        "eine",
        "einer",
        "einem",
        "einen",
        "eines",
        "jeder",
        "jede",
        "jedes",
        "sowie",
        "wieder",
        "immer",
        "weiter",
        "später",
        "früher",
        "mehr",
        "weniger",
        "diese",
        "dieser",
        "diesen",
        "alle",
        "allen",
        "aller",
        "oben",
        "unten",
    ]
)
_ADJECTIVE = re.compile(r"[a-zäöüß][a-zäöüß\-]*(?:e|en|er|es|em)")
_GENDER = re.compile(r"[*:_]?in(?:nen)?$", re.IGNORECASE)
_NUMBER = re.compile(r"(?<![\w.,+\-\u2212±/§])(\d{1,3}(?:\.\d{3})+|\d+)(?![\d.,]\d|\.\s*\w|[\w%‰])")
_WHOLE = re.compile(r"\d{1,3}(?:\.\d{3})+|\d+")
_WORD = re.compile(r"[^\W\d_][\w*:\-]*")
_RATE_HEADER = re.compile(
    r"\bje\b|\bpro\b|quote|anteil|quotient|änderung|differenz|saldo|gegenüber|prozent|"
    r"%|dichte|index|durchschnitt|mittelwert|median|gewicht|wert\b|^z\b",
    re.I,
)
_KEY_HEADER = re.compile(
    r"^\s*(?:jahre?\b|kennziffer|nr\b|nummer|stand\b|stichtag|datum|rang|plz|postleitzahl|"
    r"schlüssel|code\b|id\b|alter\b|altersgruppe|kapitel|seite)",
    re.IGNORECASE,
)
_THING = re.compile(
    r"^\s*(?:\d+\s+)?(?:maßnahme|massnahme|handlungsfeld|projekt|einrichtung|angebot|standort|"
    r"sitzung|stadtbezirk|stadtteil|bezirk)",
    re.IGNORECASE,
)
_BASE64 = re.compile(r"data:[\w/+.\-]+(?:;[\w=.\-]+)*;base64,[A-Za-z0-9+/=\s]*")
_RAW_NAMES = "|".join(sorted(map(re.escape, TABLES), key=len, reverse=True))
_RAW_FILE = rf"(?:{_RAW_NAMES})\.(?:csv|xlsx|xls)"
LEAK_RULES = (
    (
        "absolute file path",
        re.compile(
            r"file://[^\s\"'<>]+|(?<![\w.~:/\\\-])/(?:home|root|tmp|usr|work|var|opt|etc|mnt|srv|Users|private|"
            r"builds|runner|workspaces?|github)/[^\s\"'<>;,)]*|(?<![\w/\\])[A-Za-z]:(?:\\{1,2}[\w$.~]|/(?:Users|"
            r"Windows|Program|Temp|home|work))[^\s\"'<>;,)]*"
        ),
    ),
    (
        "Python traceback",
        re.compile(
            r"Traceback \(most recent call last\)|\bFile \"[^\"\n]+\", line \d+|"
            r"\bCell In\[\d+\], line \d+|\x1b\[[\d;]*m"
        ),
    ),
    ("raw data file name", re.compile(rf"(?<![\w\-]){_RAW_FILE}\b", re.IGNORECASE)),
    (
        "log or stderr output",
        re.compile(
            r"\[(?:IPKernelApp|NbConvertApp|NotebookApp|ServerApp|KernelRestarter|papermill)\b[^\]\n]*\]|"
            r"\b(?:DEBUG|INFO|WARNING|ERROR|CRITICAL):[\w.]+:|\b[A-Z]\w*Warning\b|\bWarning:|"
            r"\b(?:[A-Z]\w*)?Error:|\bException:"
        ),
    ),
)


@dataclass(frozen=True)
class Finding:
    """One reason the edition must not be published; ``file`` is relative to the site folder."""

    file: str
    location: str
    value: str
    rule: str

    def __str__(self) -> str:
        return f"{self.file}: {self.location}: {self.value!r} — {self.rule}"


@dataclass
class _Table:
    """A published table of a page, CSV or worksheet; column 0 holds the row labels. ``arts`` and
    ``header_arts`` are the ``data-art`` marks of cells and headers; ``positions`` the line (CSV) or
    row (XLSX) number of each row, None for HTML."""

    file: str
    name: str
    headers: list[str]
    rows: list[list[str]]
    arts: list[list[str | None]]
    header_arts: list[str | None]
    positions: list[int] | None = None
    sheet: str | None = None

    def where(self, i: int, j: int) -> str:
        what = f'row "{self.rows[i][0]}", column "{self.headers[j]}"'
        if self.positions is None:
            return f'table "{self.name}", {what}'
        if self.sheet is not None:
            return f'sheet "{self.sheet}", cell {get_column_letter(j + 1)}{self.positions[i]} ({what})'
        return f"row {self.positions[i]}, column {j + 1} ({what})"

    def count_columns(self) -> list[int]:
        things = bool(_THING.match(self.name))
        return [
            j
            for j, (header, art) in enumerate(zip(self.headers, self.header_arts))
            if j > 0 and (art.casefold() in COUNT_ARTS if art else _count_column(header, things))
        ]


def check_site(site_dir: Path, threshold: int) -> list[Finding]:
    """Every finding in the edition under ``site_dir``, in file order (empty when it may be published)."""
    if threshold < 1:
        raise ValueError(f"The confidentiality threshold must be at least 1, not {threshold}.")
    site_dir = Path(site_dir)
    if not site_dir.is_dir():
        raise PublishError(f"The publish gate found no edition at {site_dir}: build the site before checking it.")
    findings: list[Finding] = []
    tables: list[_Table] = []
    for path in sorted(p for p in site_dir.rglob("*") if p.is_file()):
        rel = path.relative_to(site_dir).as_posix()
        if re.fullmatch(_RAW_FILE, path.name, re.IGNORECASE):
            findings.append(Finding(rel, "file name", path.name, "raw data file copied into the site"))
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            findings += _check_workbook(path, rel, threshold, tables)
            continue
        data = path.read_bytes()
        if b"\0" in data[:8192]:
            continue  # images, fonts and other binary files
        text = data.decode("utf-8-sig", errors="replace")
        findings += _leaks(text, rel)
        if path.suffix.lower() in (".html", ".htm"):
            findings += _check_html(text, rel, threshold, tables)
        elif path.suffix.lower() == ".csv":
            findings += _check_csv(text, rel, threshold, tables)
    for table in tables:
        findings += _table_counts(table, threshold) + _row_total_findings(table)
    return sorted(dict.fromkeys(findings + _column_total_findings(tables)), key=lambda finding: finding.file)


def enforce(site_dir: Path, threshold: int) -> None:
    """Raise :class:`PublishError` listing every finding; do nothing when the edition is clean."""
    refuse(check_site(site_dir, threshold), threshold)


def refuse(findings: list[Finding], threshold: int) -> None:
    """Raise :class:`PublishError` listing ``findings`` of :func:`check_site`, if there are any."""
    if findings:
        listed = "\n".join(f"  - {finding}" for finding in findings)
        raise PublishError(
            f"The publish gate stopped the edition ({len(findings)} problem(s); confidentiality threshold "
            f"{threshold}):\n{listed}\nThe previous edition stays in place. Hide the small counts through "
            "sozialplanung.statistics.confidentiality, remove log output and paths from the chapters, and build again."
        )


# --- leaked internals and counts in text -------------------------------------------------------


def _leaks(text: str, rel: str, place: str | None = None) -> list[Finding]:
    text = _BASE64.sub(lambda m: "\n" * m.group().count("\n"), text)  # images are not text
    findings = []
    for rule, pattern in LEAK_RULES:
        for m in pattern.finditer(text):
            where = place or f"line {text.count(chr(10), 0, m.start()) + 1}"
            findings.append(Finding(rel, f"{where}: {_snippet(text, m.start(), m.end())}", m.group(), rule))
    return findings


def _snippet(text: str, start: int, end: int, width: int = 40) -> str:
    inner = " ".join(text[max(0, start - width) : end + width].split())
    return f"…{inner}…" if (start > width or end + width < len(text)) else inner


def _count_noun(word: str) -> bool:
    if not word[:1].isupper():
        return False
    word = _GENDER.sub("", word.rstrip(".,;:!?)")).casefold()
    return any(form.endswith(COUNT_NOUNS) for form in (word, word.removesuffix("n"), word.removesuffix("en")))


def _counted(after: str) -> bool:
    """True when ``after`` (the text behind a number) starts with a counting noun, optionally behind
    up to two adjectives ("2 wohnungslose Menschen")."""
    for position, word in enumerate(after.split()[:3]):
        if _count_noun(word):
            return True
        if position == 2 or not _ADJECTIVE.fullmatch(word) or word in _NOT_ADJECTIVES:
            return False
    return False


def text_counts(text: str, threshold: int) -> list[tuple[str, str]]:
    """``(value, snippet)`` of every count below ``threshold`` that ``text`` states ("2 Kinder")."""
    found = []
    for match in _NUMBER.finditer(text):
        value = int(match.group().replace(".", ""))
        if not 0 < value < threshold or not _counted(text[match.end() : match.end() + 80]):
            continue
        words = [w.strip("([{„“\"'") for w in text[max(0, match.start() - 40) : match.start()].casefold().split()]
        if words and (
            words[-1] in _SKIP_AFTER
            or " ".join(words[-2:]) in _SKIP_AFTER_PAIR
            or (words[-1] in ("auf", "von") and value >= 10 and str(value).rstrip("0") == "1")
        ):
            continue  # a threshold, a reference or a base ("auf 100 Menschen")
        found.append((match.group(), _snippet(text, match.start(), match.end())))
    return found


def _prose(text: str, rel: str, threshold: int, place: str = "text") -> list[Finding]:
    return [
        Finding(rel, f"{place}: {snippet}", value, f"count below the threshold {threshold} in text")
        for value, snippet in text_counts(text, threshold)
    ]


# --- tables ------------------------------------------------------------------------------------


def _whole(text: str) -> int | None:
    text = text.strip().replace("\u00a0", "").replace("\u202f", "")
    return int(text.replace(".", "")) if _WHOLE.fullmatch(text) else None


def _label(text: str) -> str:
    return " ".join(text.split()).casefold()


def _count_column(header: str, things: bool) -> bool:
    if not header.strip() or _RATE_HEADER.search(header) or _KEY_HEADER.match(header):
        return False
    if things or _THING.match(header):
        return any(_count_noun(word) for word in _WORD.findall(header))
    return True


def _table_counts(table: _Table, threshold: int) -> list[Finding]:
    columns = set(table.count_columns())
    return [
        Finding(table.file, table.where(i, j), cell.strip(), f"count below the threshold {threshold}")
        for i, row in enumerate(table.rows)
        for j, cell in enumerate(row)
        if j > 0
        and 0 < (_whole(cell) or 0) < threshold
        and (table.arts[i][j].casefold() in COUNT_ARTS if table.arts[i][j] else j in columns)
    ]


def _recoverable(cells: list[str], total: int) -> int | None:
    """Index of the only hidden cell when ``total`` minus the other (published) cells gives it away."""
    hidden = [k for k, cell in enumerate(cells) if cell == HIDDEN]
    if len(hidden) != 1 or any(c != HIDDEN and c not in NOTHING and _whole(c) is None for c in cells):
        return None
    return hidden[0] if total - sum(_whole(c) or 0 for c in cells if c != HIDDEN) > 0 else None


def _part_rows(table: _Table) -> tuple[int, dict[str, int]] | None:
    """The total row and the rows that add up to it (by label), or None without a total row."""
    totals = [i for i, row in enumerate(table.rows) if _label(row[0]) in TOTAL_LABELS]
    parts = [
        i
        for i, row in enumerate(table.rows)
        if i not in totals and not _label(row[0]).startswith(("darunter", "davon"))
    ]
    labels = {_label(table.rows[i][0]): i for i in parts}
    return (totals[-1], labels) if totals and len(labels) == len(parts) > 1 else None


def _column_total_findings(tables: list[_Table]) -> list[Finding]:
    """Hidden cells a column total gives away; tables that show the same column (same header, total
    and rows: a page table and its downloads, a table repeated in two chapters) are merged."""
    groups: dict[tuple, list[tuple[_Table, int, dict[str, int]]]] = defaultdict(list)
    for table in tables:
        if (split := _part_rows(table)) is not None:
            total_row, labels = split
            for j in table.count_columns():
                if (total := _whole(table.rows[total_row][j])) is not None:
                    groups[(_label(table.headers[j]), total, frozenset(labels))].append((table, j, labels))
    findings = []
    for (_, total, labels), members in groups.items():
        shown: dict[str, tuple[str, _Table, int, int]] = {}
        for table, j, rows in members:
            for label, i in rows.items():
                if table.rows[i][j].strip() != HIDDEN:
                    shown.setdefault(label, (table.rows[i][j].strip(), table, i, j))
        for table, j, rows in members:
            for label, i in rows.items():
                if table.rows[i][j].strip() == HIDDEN and label in shown:
                    _, other, k, m = shown[label]
                    findings.append(
                        Finding(
                            table.file,
                            table.where(i, j),
                            HIDDEN,
                            f"hidden cell is shown in {other.file}, {other.where(k, m)}",
                        )
                    )
        order = sorted(labels)
        hidden = _recoverable([shown[label][0] if label in shown else HIDDEN for label in order], total)
        if hidden is not None:
            findings += [
                Finding(
                    table.file,
                    table.where(rows[order[hidden]], j),
                    HIDDEN,
                    "hidden cell can be recomputed from the column total",
                )
                for table, j, rows in members
            ]
    return findings


def _row_total_findings(table: _Table) -> list[Finding]:
    """Hidden cells a row total gives away, for headers like "Männer: Anzahl" … "Insgesamt: Anzahl"."""
    split = {j: table.headers[j].split(":", 1) for j in table.count_columns() if ":" in table.headers[j]}
    findings = []
    for j, (prefix, suffix) in split.items():
        parts = [
            k
            for k, (p, s) in split.items()
            if s == suffix and _label(p) not in TOTAL_LABELS and not _label(p).startswith("darunter")
        ]
        if _label(prefix) not in TOTAL_LABELS or len(parts) < 2:
            continue
        for i, row in enumerate(table.rows):
            total = _whole(row[j])
            if total and (hidden := _recoverable([row[k].strip() for k in parts], total)) is not None:
                findings.append(
                    Finding(
                        table.file,
                        table.where(i, parts[hidden]),
                        HIDDEN,
                        "hidden cell can be recomputed from the row total",
                    )
                )
    return findings


# --- downloads -----------------------------------------------------------------------------------


def _grid(
    rows: list[list[str]], rel: str, threshold: int, name: str, sheet: str | None, tables: list[_Table]
) -> list[Finding]:
    """A CSV or worksheet: title lines, the header row, data rows up to an empty row, then notes
    (a note ``Tabelle: <caption>`` names the table); title lines and notes are checked as text."""
    filled = [sum(1 for cell in row if cell.strip()) for row in rows]
    head = next((n for n, count in enumerate(filled) if count >= 2), len(rows))
    end = next((n for n in range(head + 1, len(rows)) if filled[n] == 0), len(rows))
    notes = [next(c.strip() for c in row if c.strip()) for n, row in enumerate(rows) if filled[n] and n < head]
    notes += [c.strip() for row in rows[end:] for c in row if c.strip().startswith("Tabelle: ")]
    if head < len(rows):
        width = len(rows[head])
        body = [(rows[n] + [""] * width)[:width] for n in range(head + 1, end)]
        name = notes[-1].removeprefix("Tabelle: ") if notes else name
        tables.append(
            _Table(
                rel,
                name,
                [c.strip() for c in rows[head]],
                body,
                [[None] * width for _ in body],
                [None] * width,
                list(range(head + 2, end + 1)),
                sheet,
            )
        )
    return [
        finding
        for n, row in enumerate(rows)
        if not head <= n < end
        for j, cell in enumerate(row)
        for finding in _prose(
            cell,
            rel,
            threshold,
            f'sheet "{sheet}", cell {get_column_letter(j + 1)}{n + 1}' if sheet else f"row {n + 1}",
        )
    ]


def _check_csv(text: str, rel: str, threshold: int, tables: list[_Table]) -> list[Finding]:
    first = text.split("\n", 1)[0]
    rows = list(csv.reader(io.StringIO(text), delimiter=";" if ";" in first or "," not in first else ","))
    return _grid(rows, rel, threshold, Path(rel).stem, None, tables)


def _xlsx_text(value: object) -> str:
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value).replace(".", ",")
    return "" if value is None else str(value)


def _check_workbook(path: Path, rel: str, threshold: int, tables: list[_Table]) -> list[Finding]:
    try:
        workbook = load_workbook(path, data_only=True)
        with zipfile.ZipFile(path) as archive:
            properties = [
                (m, archive.read(m).decode("utf-8", "replace")) for m in archive.namelist() if m.startswith("docProps/")
            ]
    except Exception as error:
        return [Finding(rel, "whole file", path.name, f"unreadable workbook ({type(error).__name__})")]
    findings = [finding for member, text in properties for finding in _leaks(text, rel, member)]
    for sheet in workbook.worksheets:
        findings += _leaks(sheet.title, rel, f'sheet name "{sheet.title}"')
        rows = [[_xlsx_text(v) for v in row] for row in sheet.iter_rows(min_row=1, min_col=1, values_only=True)]
        findings += [
            finding
            for n, row in enumerate(rows, start=1)
            for j, cell in enumerate(row, start=1)
            if cell
            for finding in _leaks(cell, rel, f'sheet "{sheet.title}", cell {get_column_letter(j)}{n}')
        ]
        findings += _grid(rows, rel, threshold, sheet.title, sheet.title, tables)
    return findings


# --- HTML pages --------------------------------------------------------------------------------


def _text(tag: Tag) -> str:
    return " ".join(tag.get_text(" ").split())


def _expanded(tr: Tag) -> list[Tag]:
    """The cells of a row, a cell with ``colspan="n"`` repeated n times."""
    cells = []
    for cell in tr.find_all(["th", "td"], recursive=False):
        span = str(cell.get("colspan", "1"))
        cells += [cell] * (int(span) if span.isdigit() and int(span) > 0 else 1)
    return cells


def _cell_art(cell: Tag | None) -> str | None:
    if cell is None or cell.get("data-art"):
        return None if cell is None else cell["data-art"]
    return "anzahl" if cell.select_one('.anzahl, [data-art="anzahl"]') is not None else None


def _html_table(element: Tag, rel: str) -> _Table:
    rows = [tr for tr in element.find_all("tr") if tr.find_parent("table") is element]
    heads = [tr for tr in rows if tr.find_parent("thead") is not None] or [
        tr for tr in rows[:1] if all(c.name == "th" and c.get("scope") != "row" for c in _expanded(tr))
    ]
    header_rows = [_expanded(tr) for tr in heads]
    body_rows = [_expanded(tr) for tr in rows if all(tr is not head for head in heads)]
    width = max((len(r) for r in header_rows + body_rows), default=0)
    headers = [
        ": ".join(dict.fromkeys(_text(r[j]) for r in header_rows if j < len(r) and _text(r[j]))) for j in range(width)
    ]
    header_arts = [
        next((r[j]["data-art"] for r in header_rows[::-1] if j < len(r) and r[j].get("data-art")), None)
        for j in range(width)
    ]
    padded = [cells + [None] * (width - len(cells)) for cells in body_rows]
    body = [[_text(c) if c is not None else "" for c in cells] for cells in padded]
    caption = _text(element.caption) if element.caption else ""
    return _Table(rel, caption, headers, body, [[_cell_art(c) for c in cells] for cells in padded], header_arts)


def _check_html(text: str, rel: str, threshold: int, tables: list[_Table]) -> list[Finding]:
    """Tables are collected for the table rules; marked counts, alt texts and the running text
    (without navigation, footer, headings and tables) are checked here."""
    soup = BeautifulSoup(text, "html.parser")
    for element in soup.find_all(["script", "style", "nav", "footer", "template", "noscript"]):
        element.decompose()
    tables += [_html_table(table, rel) for table in soup.find_all("table") if table.find_parent("table") is None]
    for element in soup.find_all(["table", "h1", "h2", "h3", "h4", "h5", "h6", "a"]):
        if not element.decomposed and (element.name != "a" or ".html" in element.get("href", "")):
            element.decompose()  # links to pages name them ("4 Familie und Kinder")
    findings = []
    for element in soup.select('.anzahl, [data-art="anzahl"]'):
        value = _whole(element.get_text())
        if value is not None and 0 < value < threshold:
            context = _text(element.parent) if element.parent else ""
            findings.append(
                Finding(
                    rel,
                    f"marked count: {context[:90]}",
                    element.get_text().strip(),
                    f"count below the threshold {threshold}",
                )
            )
        element.replace_with("[Anzahl]")  # checked once, not again as text
    for image in soup.find_all("img", alt=True):
        findings += _prose(image["alt"], rel, threshold, "alt text")
    return findings + _prose(soup.get_text(" "), rel, threshold)
