"""Downloads of the published tables: one CSV per table and one XLSX workbook per chapter.

Chapter notebooks write no files. A :class:`~sozialplanung.report.tables.ReportTable` shown in a notebook
leaves its published cells as a JSON payload in the executed notebook (:data:`TABLE_MIMETYPE`);
the publisher collects the payloads (:func:`tables_in_notebook`), writes the files into the site
(:func:`write_chapter_downloads`) and puts a download line under each table of the chapter page
(:func:`link_downloads`). A download therefore holds exactly what the page shows: the same ``.``,
``–`` and ``x`` symbols, never the number behind a hidden cell.

Layout of the files in the site::

    downloads/<chapter_id>/<table_id>.csv   one table, ``;``, decimal comma, UTF-8 with BOM, CRLF
    downloads/<chapter_id>.xlsx             sheet "Inhalt" plus one sheet per table

A CSV starts with the header row, so tools read the table directly; after one empty line follow
the caption, the notes (symbol legend), the source and the edition's footer lines, so a file that
travels alone still says what its symbols mean and that sample data are synthetic. Both file types
are byte-identical from build to build: the XLSX carries the edition's Stichtag as its dates and
fixed timestamps in its zip entries.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Collection, Iterable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from bs4 import BeautifulSoup
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.xml.functions import tostring

from sozialplanung.core.config import EditionConfig
from sozialplanung.core.errors import PublishError
from sozialplanung.core.formats import format_date
from sozialplanung.report.tables import SHEET_NAME_MAX, TABLE_ID_PATTERN, TABLE_MIMETYPE
from sozialplanung.site.citation import licence_line
from sozialplanung.site.cleaning import is_hidden

DOWNLOADS_DIR = "downloads"
PAYLOAD_KEYS = ("table_id", "caption", "headers", "kinds", "decimals", "rows", "notes", "source")
NUMERIC_KINDS = frozenset({"count", "number", "rate", "change", "formatted"})
SYMBOLS = frozenset({".", "\u2013", "x"})
CONTENTS_SHEET = "Inhalt"
ZIP_DATE_TIME = (1980, 1, 1, 0, 0, 0)
"""The earliest date a zip entry can carry; every entry gets it, so builds compare byte for byte."""
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_CHAPTER_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_PERIOD = re.compile(
    r"\s(?P<word>(?:am|seit|bis|ab)\s)?(?P<day>\d{1,2}\.\d{1,2}\.)?(?P<first>\d{4})(?:–(?P<century>\d{2})(?P<last>\d{2}))?$"
)
"""The period a caption ends with: ``2024``, ``2019–2024``, ``seit 2023``, ``am 31.12.2024``."""
_SPARE_PHRASES = (
    re.compile(r"\s\([^()]*\)"),
    re.compile(r"\s(?:in\s)?der Gesamtstadt\b"),
    re.compile(r"\snach Stadtbezirken\b"),
)
"""Left out first when a caption is too long for a sheet name: remarks in parentheses, then where
(the city, the districts; the period and the other sheets tell the tables apart)."""
_WEAK_ENDINGS = frozenset({"alle", "nicht", "der", "die", "das", "dem", "den", "des", "ein", "eine"})
"""Capitalised words that end no title (a German title ends on a noun; other words are lowercase)."""
_BOLD = Font(bold=True)


# --- collecting the payloads ----------------------------------------------------------------


def tables_in_notebook(notebook: Any) -> list[dict[str, Any]]:
    """The published tables of an executed chapter notebook, in the order the page shows them.

    Cells tagged ``parameters``/``injected-parameters`` and stream or error outputs are skipped,
    as the publisher skips them. A table shown twice with the same content counts once; two
    different tables with the same id raise :class:`PublishError`.
    """
    payloads = []
    for number, cell in enumerate(notebook.cells, start=1):
        if cell.cell_type != "code" or is_hidden(cell):  # a parameter cell's tables are never published
            continue
        for output in cell.get("outputs", []):
            if output.output_type in ("display_data", "execute_result") and TABLE_MIMETYPE in output.get("data", {}):
                payloads.append(_checked_payload(output["data"][TABLE_MIMETYPE], f"cell {number}"))
    return unique_tables(payloads)


def _checked_payload(raw: Any, where: str) -> dict[str, Any]:
    missing = [key for key in PAYLOAD_KEYS if key not in raw] if isinstance(raw, dict) else list(PAYLOAD_KEYS)
    if missing:
        raise PublishError(f"The table in {where} lacks {', '.join(missing)}: execute the chapter again.")
    payload = json.loads(json.dumps({key: raw[key] for key in PAYLOAD_KEYS}))  # plain dicts, not nbformat nodes
    if raw.get("sheet_name"):  # optional: without it, the sheet name is made from the caption
        payload["sheet_name"] = str(raw["sheet_name"])
    if not TABLE_ID_PATTERN.match(str(payload["table_id"])):
        raise PublishError(f"The table in {where} has the invalid table id {payload['table_id']!r}.")
    width = len(payload["headers"])
    if {len(payload["kinds"]), len(payload["decimals"]), *(len(row) for row in payload["rows"])} - {width}:
        raise PublishError(f"Table {payload['table_id']!r} in {where} has rows or columns of different widths.")
    return payload


def unique_tables(payloads: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """``payloads`` without repeats of the same table; different tables sharing an id raise."""
    seen: dict[str, dict[str, Any]] = {}
    for payload in payloads:
        earlier = seen.setdefault(payload["table_id"], payload)
        if earlier != payload:
            raise PublishError(
                f"Two different tables of the chapter have the table id {payload['table_id']!r} "
                f"(captions {earlier['caption']!r} and {payload['caption']!r}); their downloads would "
                "overwrite each other. Give one of them another caption, or pass table_id= to report_table."
            )
    return list(seen.values())


# --- the download line on the page ----------------------------------------------------------


def download_paths(chapter_id: str, table_id: str) -> tuple[str, str]:
    """Site-relative paths of a table's CSV and of its chapter's workbook."""
    if not _CHAPTER_ID.match(chapter_id):
        raise PublishError(f"Chapter id {chapter_id!r} cannot name a download folder.")
    if not TABLE_ID_PATTERN.match(table_id):
        raise PublishError(f"Table id {table_id!r} cannot name a download file.")
    return f"{DOWNLOADS_DIR}/{chapter_id}/{table_id}.csv", f"{DOWNLOADS_DIR}/{chapter_id}.xlsx"


def link_downloads(html_fragment: str, chapter_id: str, table_ids: Collection[str] | None = None) -> str:
    """Put a download line under every published table (``div[data-table-id]``) of a chapter's HTML.

    The line links the table's CSV and the chapter's workbook with exact relative hrefs; each link
    has an ``aria-label`` that contains its visible text and names the table. Applying it twice
    gives the same result. With ``table_ids`` (the ids that :func:`write_chapter_downloads` gets),
    a table without a download raises :class:`PublishError` instead of getting a dead link.
    """
    soup = BeautifulSoup(html_fragment, "html.parser")
    for wrapper in soup.find_all("div", attrs={"data-table-id": True}):
        table_id = wrapper["data-table-id"]
        if table_ids is not None and table_id not in table_ids:
            raise PublishError(
                f"Chapter {chapter_id} shows table {table_id!r}, but the executed notebook holds no download "
                "for it. Execute the chapter again (`sozialbericht execute`)."
            )
        csv_path, xlsx_path = download_paths(chapter_id, table_id)
        caption = wrapper.find("caption")
        name = " ".join(caption.get_text(" ").split()) if caption else table_id
        for old in wrapper.find_all("p", class_="downloads", recursive=False):
            old.decompose()
        line = soup.new_tag("p", attrs={"class": "downloads"})
        line.append("Tabelle herunterladen: ")
        line.append(
            _link(soup, csv_path, "csv", table_id, "CSV", f"Tabelle „{name}“ als CSV herunterladen", "text/csv")
        )
        line.append(" · ")
        label = "Excel (alle Tabellen dieser Seite)"
        line.append(_link(soup, xlsx_path, "xlsx", table_id, label, f"{label} herunterladen", XLSX_MIMETYPE))
        wrapper.append(line)
    return str(soup)


def _link(soup: BeautifulSoup, href: str, kind: str, table_id: str, text: str, label: str, mimetype: str):
    attributes = {
        "href": href,
        "download": "",
        "type": mimetype,
        "data-download": kind,
        "data-table-id": table_id,
        "aria-label": label,
    }
    link = soup.new_tag("a", attrs=attributes)
    link.string = text
    return link


def link_notebook_downloads(notebook: Any, chapter_id: str, table_ids: Collection[str] | None = None) -> None:
    """:func:`link_downloads` applied in place to every HTML output of a (cleaned) notebook.

    For engines that render the notebook themselves (Quarto) rather than an HTML fragment.
    """
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if "text/html" in data:
                html = data["text/html"]
                html = "".join(html) if isinstance(html, list) else html
                if "data-table-id" in html:
                    data["text/html"] = link_downloads(html, chapter_id, table_ids)


# --- the files --------------------------------------------------------------------------------


def download_footer(config: EditionConfig) -> list[str]:
    """The lines every download of an edition ends with: edition, Stichtag, synthetic-data notice,
    publisher and licence (:func:`~sozialplanung.site.citation.licence_line`)."""
    lines = [f"{config.title}, Stichtag {format_date(config.reference_date)}"]
    if config.data.synthetic:
        lines.append(
            "Synthetische Beispieldaten – keine amtliche Statistik. Alle Zahlen dieser Ausgabe sind künstlich erzeugt."
        )
    lines.append(licence_line(config))
    return lines


def write_chapter_downloads(
    folder: Path,
    chapter_id: str,
    chapter_title: str,
    payloads: list[dict[str, Any]],
    footer_lines: list[str],
    *,
    reference_date: date,
) -> list[Path]:
    """Write the CSV of every table and the chapter's workbook under ``folder/downloads``.

    ``folder`` is the site root (while building: the staging folder). ``reference_date`` (the
    edition's Stichtag) becomes the workbook's creation and modification date. A chapter without
    tables gets no files. Returns the written paths: the CSV files in table order, then the workbook.
    """
    tables = unique_tables(payloads)
    if not tables:
        return []
    written = []
    for table in tables:
        csv_path, _ = download_paths(chapter_id, table["table_id"])
        written.append((folder / csv_path, table_csv(table, footer_lines)))
    _, xlsx_path = download_paths(chapter_id, tables[0]["table_id"])
    written.append((folder / xlsx_path, chapter_workbook(chapter_title, tables, footer_lines, reference_date)))
    for path, data in written:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return [path for path, _data in written]


def csv_cell(value: str, kind: str) -> str:
    """A published cell for Excel: a change's typographic minus becomes ``-`` and ``±`` is dropped,
    so German Excel reads ``−0,4`` as the number -0,4; everything else stays as published."""
    if kind == "change" and value not in SYMBOLS:
        return value.replace("\u2212", "-").replace("±", "")
    return value


def table_csv(table: dict[str, Any], footer_lines: list[str]) -> bytes:
    """One table as CSV bytes: header row, rows, an empty line, then caption, notes, source, footer."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(table["headers"])
    for row in table["rows"]:
        writer.writerow([csv_cell(value, kind) for value, kind in zip(row, table["kinds"])])
    writer.writerow([])
    for line in _footer(table, footer_lines, caption=True):
        writer.writerow([line])
    return buffer.getvalue().encode("utf-8-sig")


def _footer(table: dict[str, Any], footer_lines: list[str], caption: bool) -> list[str]:
    source = [f"Quelle: {table['source']}"] if table["source"] else []
    return [*([f"Tabelle: {table['caption']}"] if caption else []), *table["notes"], *source, *footer_lines]


def published_number(value: str, kind: str) -> int | float | None:
    """The number a published cell shows (``"1.234"`` → 1234, ``"8,6"`` → 8.6, ``"−0,4"`` → -0.4),
    or None for a symbol or text."""
    if kind not in NUMERIC_KINDS or value in SYMBOLS:
        return None
    text = value.replace(".", "").replace(",", ".").replace("\u2212", "-").replace("±", "")
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    if not number.is_finite():
        return None
    return int(number) if number == number.to_integral_value() and "." not in text else float(number)


def number_format(kind: str, decimals: int) -> str:
    """Excel's format for a published number: thousands separator, the published decimals, and for
    changes the published sign (``+``, ``−``, ``±``). German Excel shows ``1.234,5``."""
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    if kind == "change":
        zero = "0" + ("." + "0" * decimals if decimals > 0 else "")
        return f'"+"{pattern};"\u2212"{pattern};"±"{zero}'
    return pattern


def sheet_names(captions: list[str], short_names: list[str] | None = None) -> list[str]:
    """Excel sheet names for the tables: each table's short name (``sheet_name``) where it has one,
    else its caption, without the characters Excel forbids and shortened to 31 characters by
    :func:`short_title`; unique (a repeat gets `` (2)``) and apart from "Inhalt"."""
    names: list[str] = []
    taken = {CONTENTS_SHEET.casefold()}
    for caption, short in zip(captions, short_names or [""] * len(captions)):
        base = short_title(short or caption)
        name, number = base, 1
        while name.casefold() in taken:
            number += 1
            suffix = f" ({number})"
            name = short_title(base, SHEET_NAME_MAX - len(suffix)) + suffix
        taken.add(name.casefold())
        names.append(name)
    return names


def short_title(text: str, limit: int = SHEET_NAME_MAX) -> str:
    """A title of at most ``limit`` characters that still says what the table is.

    Characters Excel forbids in sheet names become spaces. A longer title keeps its period
    (``2024``, ``2019–2024``, ``am 31.12.2024``; ``2019–24`` if that is what it takes) and loses,
    until it fits, remarks in parentheses, "in der Gesamtstadt" and "nach Stadtbezirken"; then the
    period, if the rest fits without it; then words from its end, so that it never ends on an
    article, preposition, conjunction, adjective or a word broken at a hyphen (a German title ends
    on a noun).
    ``"Bevölkerungskennzahlen der Gesamtstadt 2019–2024"`` → ``"Bevölkerungskennzahlen 2019–24"``,
    ``"Maßnahmen mit verändertem Umsetzungsstand seit 2023"`` → ``"Maßnahmen seit 2023"``. A table
    whose caption says too little that way is given its short name (``sheet_name``)."""
    full = " ".join(_SHEET_FORBIDDEN.sub(" ", text).split()).strip("'").strip()
    if _width(full) <= limit:
        return full
    period = _PERIOD.search(full)
    head, periods = full, [""]
    if period:
        head = full[: period.start()]
        periods = [period.group(0).strip()]
        if period["last"]:
            periods.append(periods[0].replace(f"–{period['century']}{period['last']}", f"–{period['last']}"))
    heads = [head]
    for phrase in _SPARE_PHRASES:
        heads.append(" ".join(phrase.sub("", heads[-1]).split()))
    for span in [*periods, ""]:  # a whole head says more without its period than cut short with it
        room = limit - (_width(span) + 1 if span else 0)
        for candidate in heads:
            if candidate and _width(candidate) <= room and not _weak(candidate.split()[-1]):
                return f"{candidate} {span}".strip()
    for span in periods:
        cut = _cut(heads[-1], limit - (_width(span) + 1 if span else 0))
        if cut:
            return f"{cut} {span}".strip()
    return _cut(full, limit) or _cut(full, limit, strong=False) or full[:limit].rstrip()


def _width(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _weak(word: str) -> bool:
    return (
        word[:1].islower()
        or word.casefold() in _WEAK_ENDINGS
        or word.endswith("-")
        or word.count("(") > word.count(")")
    )


def _cut(text: str, room: int, strong: bool = True) -> str:
    """The longest beginning of ``text`` in whole words within ``room`` (without a comma it ends
    on) that ends on a strong word; with ``strong=False`` on any word."""
    words: list[str] = []
    for word in text.split():
        if _width(" ".join([*words, word.rstrip(",;")])) > room:
            break
        words.append(word)
    while words:
        words[-1] = words[-1].rstrip(",;")
        if words[-1] and not (strong and _weak(words[-1])):
            break
        words.pop()
    return " ".join(words)


def chapter_workbook(
    chapter_title: str, tables: list[dict[str, Any]], footer_lines: list[str], reference_date: date
) -> bytes:
    """The chapter's tables as XLSX bytes, the same for the same input on every run."""
    workbook = Workbook()
    contents = workbook.active
    contents.title = CONTENTS_SHEET
    names = sheet_names([t["caption"] for t in tables], [t.get("sheet_name", "") for t in tables])
    _text(contents, 1, 1, chapter_title, Font(bold=True, size=12))
    _text(contents, 3, 1, "Tabellenblatt", _BOLD)
    _text(contents, 3, 2, "Tabelle", _BOLD)
    for row, (name, table) in enumerate(zip(names, tables), start=4):
        cell = _text(contents, row, 1, name, Font(underline="single", color="0563C1"))
        cell.hyperlink = Hyperlink(ref=cell.coordinate, location=f"'{name}'!A1", display=name)
        _text(contents, row, 2, table["caption"])
    for offset, line in enumerate(footer_lines, start=len(tables) + 5):
        _text(contents, offset, 1, line)
    contents.column_dimensions["A"].width = max((len(n) for n in names), default=12) + 2
    contents.column_dimensions["B"].width = min(max((len(t["caption"]) for t in tables), default=8) + 2, 100)
    for name, table in zip(names, tables):
        _table_sheet(workbook.create_sheet(name), table, footer_lines)
    stamp = datetime(reference_date.year, reference_date.month, reference_date.day)
    properties = workbook.properties
    properties.title, properties.creator, properties.language = chapter_title, "sozialplanung", "de-DE"
    buffer = io.BytesIO()
    workbook.save(buffer)
    properties.created = properties.modified = stamp  # save() sets "modified" to now; core.xml is redone below
    return _fixed_zip(buffer.getvalue(), {"docProps/core.xml": tostring(properties.to_tree())})


def _text(sheet: Worksheet, row: int, column: int, value: str, font: Font | None = None):
    cell = sheet.cell(row=row, column=column, value=value)
    cell.data_type = "s"  # text stays text, even when it begins with "=" (never a formula)
    if font is not None:
        cell.font = font
    return cell


def _table_sheet(sheet: Worksheet, table: dict[str, Any], footer_lines: list[str]) -> None:
    """Caption in row 1, header in row 3, rows from row 4, then notes, source and footer."""
    _text(sheet, 1, 1, table["caption"], Font(bold=True, size=12))
    header_style = Alignment(wrap_text=True, vertical="top")
    for column, header in enumerate(table["headers"], start=1):
        _text(sheet, 3, column, header, _BOLD).alignment = header_style
    right = Alignment(horizontal="right")
    for row_number, row in enumerate(table["rows"], start=4):
        for column, (value, kind, decimals) in enumerate(zip(row, table["kinds"], table["decimals"]), start=1):
            number = published_number(value, kind)
            if number is None:
                cell = _text(sheet, row_number, column, value)
                if kind in NUMERIC_KINDS:
                    cell.alignment = right  # a symbol stands where the number would
            else:
                sheet.cell(row=row_number, column=column, value=number).number_format = number_format(kind, decimals)
    first_note = len(table["rows"]) + 5
    for offset, line in enumerate(_footer(table, footer_lines, caption=False)):
        _text(sheet, first_note + offset, 1, line)
    for column, header in enumerate(table["headers"], start=1):
        cells = [len(row[column - 1]) for row in table["rows"]]
        longest_word = max((len(word) for word in header.split()), default=0)
        width = max([*cells, longest_word, min(len(header), 24)]) + 2
        sheet.column_dimensions[sheet.cell(row=3, column=column).column_letter].width = min(max(width, 8), 60)
    sheet.freeze_panes = "B4"


def _fixed_zip(data: bytes, replacements: dict[str, bytes]) -> bytes:
    """The zip archive rewritten with fixed entry dates and attributes, entries in their order."""
    output = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(output, "w") as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_DATE_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.create_system = 0  # otherwise the host system would be recorded
            entry.external_attr = 0
            target.writestr(entry, replacements.get(info.filename, source.read(info)), compresslevel=6)
    return output.getvalue()
