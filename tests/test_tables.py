import json

import pandas as pd
import pytest
from bs4 import BeautifulSoup
from IPython.core.formatters import DisplayFormatter

from sozialplanung.report.tables import TABLE_ID_MAX_LENGTH, TABLE_MIMETYPE, Column, report_table, table_slug
from sozialplanung.statistics.confidentiality import Confidentiality


def _table():
    frame = pd.DataFrame(
        {
            "stadtbezirk": ["Altstadt", "Lahnberge", "Ronhausen"],
            "lb": [412, 2, 0],
            "ew": [4800, 110, 250],
            "quote": [412 / 4800 * 100, 2 / 110 * 100, 0.0],
        }
    )
    columns = [
        Column("Stadtbezirk", "stadtbezirk"),
        Column("Leistungsberechtigte", "lb", "count"),
        Column("SGB-II-Quote", "quote", "rate", numerator="lb", denominator="ew"),
    ]
    return report_table(
        frame, columns, caption="SGB II nach Stadtbezirken 2024", rule=Confidentiality(3), source="Test"
    )


def test_cells_are_formatted_through_the_confidentiality_rule():
    table = _table()
    # 412 / 4800 * 100 = 8.583 -> "8,6"; Lahnberge's 2 cases are hidden; Ronhausen's zero is a dash
    assert table.rows == (("Altstadt", "412", "8,6"), ("Lahnberge", ".", "."), ("Ronhausen", "\u2013", "\u2013"))


def test_html_is_accessible_and_explains_symbols():
    soup = BeautifulSoup(_table().to_html(), "html.parser")
    assert soup.find("caption").get_text() == "SGB II nach Stadtbezirken 2024"
    assert [th["scope"] for th in soup.select("thead th")] == ["col", "col", "col"]
    assert [th.get_text() for th in soup.select("tbody th[scope=row]")] == ["Altstadt", "Lahnberge", "Ronhausen"]
    assert soup.select("td.zahl")[0].get_text() == "412"
    notes = soup.select_one(".tabellen-hinweise").get_text(" ")
    assert "weniger als 3 Fällen" in notes
    assert "nichts vorhanden" in notes
    assert "Quelle: Test" in notes


def test_text_is_escaped():
    frame = pd.DataFrame({"name": ["<b>A&B</b>"], "n": [10]})
    table = report_table(frame, [Column("Name", "name"), Column("Anzahl", "n", "count")], "c", Confidentiality(3))
    assert "<b>" not in table.to_html()
    assert "&lt;b&gt;A&amp;B&lt;/b&gt;" in table.to_html()


# --- table ids and the download payload ---------------------------------------------------------


@pytest.mark.parametrize(
    ("caption", "slug"),
    [
        ("SGB II nach Stadtbezirken 2024", "sgb-ii-nach-stadtbezirken-2024"),
        ("Bevölkerungskennzahlen der Gesamtstadt 2019–2024", "bevoelkerungskennzahlen-der-gesamtstadt-2019-2024"),
        ("Maßnahmen mit verändertem Umsetzungsstand", "massnahmen-mit-veraendertem-umsetzungsstand"),
        ("Schwerbehinderte Menschen (GdB ≥ 50) – Café", "schwerbehinderte-menschen-gdb-50-cafe"),
        ("Übersicht am 31.12.2024", "uebersicht-am-31-12-2024"),
        ("≥ –", "tabelle"),
    ],
)
def test_table_slug_is_ascii_and_readable(caption, slug):
    assert table_slug(caption) == slug


def test_long_captions_get_short_distinct_ids():
    common = "Leistungsberechtigte nach dem SGB II nach Stadtbezirken und Altersgruppen " * 2
    first, second = table_slug(common + "2023"), table_slug(common + "2024")
    assert first != second
    assert len(first) <= TABLE_ID_MAX_LENGTH and len(second) <= TABLE_ID_MAX_LENGTH
    assert first.startswith("leistungsberechtigte-nach-dem-sgb-ii-")
    assert "--" not in first and not first.endswith("-")


def test_table_id_defaults_to_the_caption_slug_or_is_given():
    assert _table().table_id == "sgb-ii-nach-stadtbezirken-2024"
    frame = pd.DataFrame({"name": ["A"], "n": [10]})
    columns = [Column("Name", "name"), Column("Anzahl", "n", "count")]
    table = report_table(frame, columns, "Tabelle", Confidentiality(3), table_id="eigene-id-1")
    assert table.table_id == "eigene-id-1"
    assert 'data-table-id="eigene-id-1"' in table.to_html()
    with pytest.raises(ValueError, match="not a slug"):
        report_table(frame, columns, "Tabelle", Confidentiality(3), table_id="../böse")


def test_payload_holds_the_published_cells_and_column_kinds():
    payload = _table().payload()
    assert payload == {
        "table_id": "sgb-ii-nach-stadtbezirken-2024",
        "caption": "SGB II nach Stadtbezirken 2024",
        "headers": ["Stadtbezirk", "Leistungsberechtigte", "SGB-II-Quote"],
        "kinds": ["text", "count", "rate"],
        "decimals": [0, 0, 1],
        "rows": [["Altstadt", "412", "8,6"], ["Lahnberge", ".", "."], ["Ronhausen", "\u2013", "\u2013"]],
        "notes": [
            ". = Zahlenwert geheim zu halten (beruht auf weniger als 3 Fällen)",
            "\u2013 = nichts vorhanden (genau null)",
        ],
        "source": "Test",
    }


def test_payload_never_holds_a_hidden_value():
    # Lahnberge: 2 recipients of 110 residents (1,8 %) must not be recoverable from the payload.
    text = json.dumps(_table().payload(), ensure_ascii=False)
    assert "1,8" not in text and "1.8" not in text and "110" not in text
    assert '["Lahnberge", ".", "."]' in text


def test_jupyter_stores_html_and_the_payload():
    data, _metadata = DisplayFormatter().format(_table())
    assert data[TABLE_MIMETYPE] == _table().payload()
    assert data["text/html"] == _table().to_html()
    assert json.loads(json.dumps(data[TABLE_MIMETYPE])) == data[TABLE_MIMETYPE]


def test_change_columns_keep_their_decimals():
    frame = pd.DataFrame({"jahr": ["2024"], "d": [-0.44]})
    table = report_table(
        frame, [Column("Jahr", "jahr"), Column("Veränderung", "d", "change", decimals=2)], "c", Confidentiality(3)
    )
    assert table.kinds == ("text", "change") and table.decimals == (0, 2)
    assert table.rows == (("2024", "\u22120,44"),)
