import pandas as pd
from bs4 import BeautifulSoup

from sozialplanung.confidentiality import Confidentiality
from sozialplanung.tables import Column, report_table


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
    return report_table(frame, columns, caption="SGB II nach Stadtbezirken 2024", rule=Confidentiality(3), source="Test")


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
