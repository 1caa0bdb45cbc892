"""The raw folder's files: which file holds which table, how its bytes decode, and its cells as rows.

**Names.** A table's file is ``<table>.csv`` (also ``.txt``, ``.tsv``) or ``<table>.xlsx``, matched
without regard to case; a name that goes on after the table's name with a non-letter
(``Wohngeld_2024_neu.csv``) is a candidate too. Two candidates for one table are an error naming
both, never a silent pick. Files that belong to no table are listed (:func:`unknown_files`).

**Bytes.** A text file's encoding is told by its byte order mark (UTF-8, UTF-16), else by its NUL
bytes (UTF-16 without BOM), else it is UTF-8 when it decodes as such and Windows-1252 otherwise.
Lines in both UTF-8 and Windows-1252, and umlauts converted twice (``Ã¤`` for ``ä``), are errors
that name that cause. Images, PDFs, old ``.xls`` workbooks and other binary files are rejected by
name, and a file over :data:`MAX_FILE_BYTES` is refused before it is read.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from sozialplanung.core.errors import DataError

TEXT_SUFFIXES = (".csv", ".txt", ".tsv")
WORKBOOK_SUFFIXES = (".xlsx",)
RAW_SUFFIXES = (*TEXT_SUFFIXES, *WORKBOOK_SUFFIXES)
SEPARATORS = (";", ",", "\t")  # in order of preference when the header is ambiguous
MAX_FILE_BYTES = 16 * 1024 * 1024
"""Largest raw file read: 16 MiB, about 35 times the largest table of the sample edition, and validated
within 60 s and 1 GB (benchmarks/validate_large.py); larger files are refused before they are read."""
DOCUMENT_NAMES = re.compile(r"^(liesmich|readme)\b", re.IGNORECASE)
"""Files that document a raw folder and belong to no table (not listed as unknown)."""

_MAGIC = (
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"\xd0\xcf\x11\xe0", "an old Excel workbook (.xls) or another Office file"),
    (b"PK\x03\x04", "a zip archive (perhaps an Excel workbook)"),
)
_GARBLED = re.compile("Ã[¤¶¼Ÿ„–œ]|â€[“”žœ™]")  # UTF-8 umlauts and dashes read as Windows-1252


@dataclass(frozen=True)
class TextFile:
    """A decoded text file: its text and the encoding that was found."""

    text: str
    encoding: str


def candidates(raw_dir: Path, name: str) -> list[Path]:
    """Files of ``raw_dir`` that may hold table ``name``, sorted by name."""
    pattern = re.compile(rf"{re.escape(name)}(?:[^a-zäöüß].*)?", re.IGNORECASE)
    return sorted(
        path
        for path in raw_dir.iterdir()
        if path.is_file() and path.suffix.lower() in RAW_SUFFIXES and pattern.fullmatch(path.stem)
    )


def find_file(raw_dir: Path, name: str) -> Path | None:
    """The one file of table ``name`` in ``raw_dir``, None if there is none, an error if several."""
    found = candidates(raw_dir, name)
    if len(found) > 1:
        names = " and ".join(path.name for path in found)
        raise DataError(
            f"{names} could both hold table {name}; keep only the one to use in the raw folder "
            "(move the other one out), so no file is picked silently."
        )
    return found[0] if found else None


def unknown_files(raw_dir: Path, names: list[str]) -> list[str]:
    """Files of ``raw_dir`` that belong to no table and document nothing, sorted."""
    known = {path for name in names for path in candidates(raw_dir, name)}
    return sorted(
        path.name
        for path in raw_dir.iterdir()
        if path.is_file()
        and path not in known
        and not path.name.startswith(".")
        and not DOCUMENT_NAMES.match(path.name)
    )


def check_size(path: Path) -> None:
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise DataError(
            f"{path.name} has {size / 2**20:.0f} MiB, more than the {MAX_FILE_BYTES // 2**20} MiB a raw table may "
            "have; it was not read. Check that it holds one table once (no repeated rows or whole registers)."
        )


def binary_kind(data: bytes) -> str | None:
    """What a binary file is (``"a PNG image"``), or None for text."""
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    head = data[:4096]
    if b"\x00" in head and _utf16(head) is None:
        return "a binary file"
    return None


def _utf16(head: bytes) -> str | None:
    """``utf-16-le``/``-be`` when NUL bytes sit at every other position, as in UTF-16 text."""
    if len(head) < 4:
        return None
    even, odd = head[0::2].count(0), head[1::2].count(0)
    if odd > 0.3 * len(head) / 2 and even == 0:
        return "utf-16-le"
    if even > 0.3 * len(head) / 2 and odd == 0:
        return "utf-16-be"
    return None


def decode(data: bytes, name: str) -> TextFile:
    """The text of a raw text file in whichever encoding it uses (see the module docstring)."""
    kind = binary_kind(data)
    if kind is not None:
        raise DataError(f"{name} is {kind}, not a table in CSV text; export the table as CSV or .xlsx.")
    if data.startswith(b"\xef\xbb\xbf"):
        return _checked(data, "utf-8-sig", name)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _checked(data, "utf-16", name)
    encoding = _utf16(data[:4096])
    if encoding:
        return _checked(data, encoding, name)
    try:
        return _checked(data, "utf-8", name)
    except UnicodeDecodeError:
        pass
    mixed = _utf8_lines(data)
    if mixed:
        raise DataError(
            f"{name} mixes encodings: line(s) {mixed} are UTF-8, other lines Windows-1252 (umlauts would be "
            "garbled); save the whole file again in one encoding, preferably CSV UTF-8."
        )
    try:
        return _checked(data, "cp1252", name)
    except UnicodeDecodeError as exc:
        raise DataError(
            f"{name} is neither UTF-8 nor Windows-1252 text (byte {data[exc.start]:#04x} at position {exc.start}); "
            "save it again as CSV (UTF-8)."
        ) from None


def _checked(data: bytes, encoding: str, name: str) -> TextFile:
    text = data.decode(encoding)
    garbled = _GARBLED.search(text)
    if garbled:
        line = text.count("\n", 0, garbled.start()) + 1
        raise DataError(
            f"{name} holds garbled umlauts ({garbled.group()!r} in line {line}): the file was converted between "
            "UTF-8 and Windows-1252 twice; export it again from the source and save it once, as CSV UTF-8."
        )
    return TextFile(text, {"utf-8-sig": "UTF-8 with BOM", "cp1252": "Windows-1252"}.get(encoding, encoding.upper()))


def _utf8_lines(data: bytes, limit: int = 5) -> str:
    """Lines with non-ASCII bytes that are valid UTF-8, when others are not ("" when all or none are)."""
    utf8, other = [], 0
    for number, line in enumerate(data.split(b"\n"), start=1):
        if max(line, default=0) < 0x80:
            continue
        try:
            line.decode("utf-8")
            utf8.append(str(number))
        except UnicodeDecodeError:
            other += 1
    if not utf8 or not other:
        return ""
    return ", ".join(utf8[:limit]) + (f" and {len(utf8) - limit} more" if len(utf8) > limit else "")


def separator_of(text: str) -> str:
    """The field separator: the one found most often in the first lines (ties: ``;`` before ``,``)."""
    lines = [line for line in text.splitlines()[:60] if line.strip()]
    return max(SEPARATORS, key=lambda s: max((line.count(s) for line in lines), default=0))


def text_rows(text: str, separator: str) -> list[list[str]]:
    """The cells of a CSV text, row by row (one row per line; blank lines are empty rows).

    A field that opens with a quote but goes on after the closing quote (``"Marburg inklusiv" –
    Kampagne``) is no quoted field: it is kept exactly as written, quotes included.
    """
    lines = text.splitlines()
    rows: list[list[str]] = []
    start = 0
    while start < len(lines):
        reader = csv.reader(lines[start:], delimiter=separator, strict=True)
        try:
            rows.extend(reader)
            break
        except csv.Error:
            bad = start + reader.line_num - 1  # the line the reader stopped in
            del rows[bad:]
            rows.append(_lenient_split(lines[bad], separator))
            start = bad + 1
    return rows


def _lenient_split(line: str, separator: str) -> list[str]:
    """One line split at separators; only a field quoted from start to end loses its quotes."""
    fields, i = [], 0
    while True:
        if line.startswith('"', i):
            match = re.compile(rf'"((?:[^"]|"")*)"(?={re.escape(separator)}|$)').match(line, i)
            if match:
                fields.append(match.group(1).replace('""', '"'))
                i = match.end() + 1
                if i > len(line):
                    return fields
                continue
        end = line.find(separator, i)
        if end < 0:
            fields.append(line[i:])
            return fields
        fields.append(line[i:end])
        i = end + len(separator)


def read_text_rows(path: Path) -> tuple[list[list[object]], str, str]:
    """The rows of a CSV text file, its separator and its encoding."""
    decoded = decode(path.read_bytes(), path.name)
    if not decoded.text.strip():
        raise DataError(f"{path.name} is empty; it needs a header row and data rows.")
    separator = separator_of(decoded.text)
    return text_rows(decoded.text, separator), separator, decoded.encoding


def read_sheets(path: Path, sheet: str | None = None) -> list[tuple[str, list[list[object]]]]:
    """Every sheet of a workbook as (name, rows); merged cells hold their value in the first cell.

    With ``sheet`` (from ``data.sheets`` of the edition's parameters) only that sheet is read; its
    name is matched exactly, else without regard to case and surrounding spaces (as Excel compares
    sheet names). A workbook without it is an error naming the file, the sheet and the sheets present.
    """
    import openpyxl  # imported here: only workbooks need it

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken file
        raise DataError(f"{path.name} cannot be read as an Excel workbook ({exc}); save it again as .xlsx.") from exc
    try:
        sheets = workbook.worksheets
        if sheet is not None:
            exact = [s for s in sheets if s.title == sheet]
            sheets = exact or [s for s in sheets if s.title.strip().casefold() == sheet.strip().casefold()]
            if not sheets:
                present = ", ".join(repr(s.title) for s in workbook.worksheets) or "none"
                raise DataError(
                    f"{path.name} has no sheet {sheet!r}, which data.sheets of the edition's parameters names; "
                    f"its sheets: {present}. Correct the sheet name in the parameters (or remove the entry to "
                    "find the sheet by its header)."
                )
            sheets = sheets[:1]
        return [(s.title, [list(row) for row in s.iter_rows(values_only=True)]) for s in sheets]
    finally:
        workbook.close()


def csv_text(rows: list[list[str]], separator: str = ";") -> str:
    """Rows as CSV text (used by the sample generator and tests)."""
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=separator, lineterminator="\n").writerows(rows)
    return buffer.getvalue()
