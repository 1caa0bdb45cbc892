"""The validation report: one HTML page with every problem, what was read and what to do.

Written by the validate stage to ``data/processed/<edition>/validierung.html`` (beside the processed
tables, never into the published site), whether validation passed or not. Each problem has file,
row, column, value, rule and a hint; below follow warnings (files that belong to no table), what
the loader found in each file (sheet, header row, encoding, names, total rows, protected cells) and
the source notes kept from below the data. The page is self-contained (no scripts, no requests).
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from pathlib import Path

from sozialplanung.core.atomic import replace_file
from sozialplanung.data.layout import PROTECTED_SYMBOLS
from sozialplanung.data.problems import Inspection, Problem

_HINTS = (
    ("required file missing", "Put the table's file into the raw folder, named like the table (any case)."),
    ("could both hold", "Move every file but the one to use out of the raw folder."),
    ("mixes encodings", "Save the whole file again in one encoding (CSV UTF-8)."),
    ("garbled umlauts", "Export the table again from the source and save it once, as CSV UTF-8."),
    ("neither UTF-8", "Save the file again as CSV UTF-8."),
    ("not a table in CSV", "Put the exported table (CSV or .xlsx) here instead of this file."),
    ("MiB", "Check the file: it should hold one table once; split or shorten it."),
    ("no header row", "Name the columns of the header row as the data contract does."),
    ("reads as", "Write the number without thousands separator (1000), or save the file with ';'."),
    ("English notation", "Write the number the German way (1.234,5)."),
    ("no correct German number", "Write the number the German way: thousands dot only in groups of three."),
    ("name of a statistical district", "Correct the name, or add the variant to data/reference/stadtbezirk_namen.csv."),
    ("same district", "Correct either the name or the code so that both name the same district."),
    ("total row", "Compare the total row with the district rows of the export; one of them is wrong."),
    ("duplicate key", "Remove the repeated rows: each key may appear once."),
    ("unexpected column", "Rename the column as the data contract names it, or delete it."),
    ("required column missing", "Add the column (header as in the data contract)."),
    ("whole number", "Write a whole number; * . x … mark values withheld at source, - a true zero."),
    ("value required", "Fill in the value; - marks a true zero, * . x … a value withheld at source."),
    ("count ≥ 0", "Counts are never negative: check the export."),
    ("allowed codes", "Use one of the codes listed in the rule."),
    ("year between", "Check the year; the edition's years are given in the rule."),
    ("data for every", "Add the missing rows; a district without cases gets 0 or -."),
    ("a row for every", "Add the missing rows; a district without cases gets 0 or -."),
    ("more problem(s)", "Fix the cause of the examples above; the rest usually disappears with it."),
)
_CROSS_TABLE = "Compare both counts for this year and district: one of the two tables is wrong."


def hint(problem: Problem) -> str:
    """What to do about a problem, in one sentence."""
    for needle, text in _HINTS:
        if needle in problem.rule:
            return text
    if any(op in problem.rule for op in (" ≤ ", " = ", " ≥ ")):
        return _CROSS_TABLE
    return "Correct the value in the raw file so that it meets the rule."


def _cell(value: object) -> str:
    return f"<td>{escape('' if value is None else str(value))}</td>"


def _problem_rows(problems: Sequence[Problem]) -> str:
    return "\n".join(
        "<tr>" + "".join(_cell(v) for v in (p.file, p.row, p.column, p.value, p.rule, hint(p))) + "</tr>"
        for p in problems
    )


def render(inspection: Inspection, folder: str) -> str:
    """The report as an HTML page."""
    problems = inspection.problems
    total = sum(p.count for p in problems)
    verdict = (
        f"{total} problem(s) found; no processed table was written."
        if problems
        else f"All tables valid: {len(inspection.tables)} tables written."
    )
    parts = [
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">',
        f"<title>Validation report: {escape(folder)}</title>",
        "<style>body{font-family:sans-serif;margin:2em;color:#111}table{border-collapse:collapse}"
        "th,td{border:1px solid #888;padding:.2em .5em;text-align:left;vertical-align:top}</style>",
        "</head>\n<body>",
        f"<h1>Validation report: {escape(folder)}</h1>",
        f"<p>{escape(verdict)}</p>",
    ]
    if problems:
        parts += [
            "<h2>Problems</h2>",
            "<table><caption>Every problem with file, row (as the spreadsheet numbers it), column, value, "
            "rule and what to do</caption>",
            "<tr><th>file</th><th>row</th><th>column</th><th>value</th><th>rule</th><th>hint</th></tr>",
            _problem_rows(problems),
            "</table>",
        ]
    if inspection.warnings:
        parts += ["<h2>Warnings</h2>", "<ul>", *(f"<li>{escape(w)}</li>" for w in inspection.warnings), "</ul>"]
    if inspection.notes:
        parts += [
            "<h2>What was read</h2>",
            "<ul>",
            *(f"<li>{escape(file)}: {escape(note)}</li>" for file, note in inspection.notes),
            "</ul>",
        ]
    if not inspection.protected.empty:
        counts = inspection.protected.groupby(["tabelle", "zeichen"]).size()
        parts += [
            "<h2>Cells protected at source</h2>",
            "<p>Hidden in every published number that rests on them.</p>",
            "<ul>",
            *(
                f"<li>{escape(t)}: {n} × {escape(z)} — {escape(PROTECTED_SYMBOLS.get(z, 'symbol of the source'))}</li>"
                for (t, z), n in counts.items()
            ),
            "</ul>",
        ]
    if inspection.source_notes:
        parts += [
            "<h2>Source notes</h2>",
            "<dl>",
            *(
                f"<dt>{escape(name)}</dt><dd>{escape(text).replace(chr(10), '<br>')}</dd>"
                for name, text in sorted(inspection.source_notes.items())
            ),
            "</dl>",
        ]
    parts.append("</body>\n</html>\n")
    return "\n".join(parts)


def write_report(path: Path, inspection: Inspection, folder: str) -> None:
    """Write the report atomically (UTF-8, ``\\n``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    replace_file(path, render(inspection, folder).encode("utf-8"))
