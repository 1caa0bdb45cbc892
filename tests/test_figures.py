import hashlib

import pandas as pd
from bs4 import BeautifulSoup

from sozialplanung.report.figures import bar_by_district, grouped_bars, line_over_years


def _bars():
    data = pd.DataFrame({"stadtbezirk": ["Altstadt", "Lahnberge", "Waldtal"], "wert": [3.5, None, 24.25]})
    return bar_by_district(data, title="SGB-II-Quote 2024", axis_label="je 100", caption="Abbildung", city_value=6.1)


def test_bar_chart_alt_text_names_extremes_city_and_hidden_districts():
    figure = _bars()
    assert figure.alt == (
        "Balkendiagramm: SGB-II-Quote 2024. Höchster Wert: Waldtal mit 24,3; niedrigster Wert: Altstadt mit 3,5. "
        "Gesamtstadt: 6,1 (gestrichelte Linie). Nicht ausgewiesen: Lahnberge."
    )


def test_figure_html_has_alt_caption_and_inline_png():
    soup = BeautifulSoup(_bars().to_html(), "html.parser")
    image = soup.find("img")
    assert image["alt"].startswith("Balkendiagramm")
    assert image["src"].startswith("data:image/png;base64,")
    assert soup.find("figcaption").get_text() == "Abbildung"


def test_png_is_deterministic_and_carries_no_software_stamp():
    first, second = _bars().png, _bars().png
    assert hashlib.sha256(first).digest() == hashlib.sha256(second).digest()
    assert b"matplotlib version" not in first
    assert first.startswith(b"\x89PNG")


def test_line_chart_alt_text_summarises_each_series():
    data = pd.DataFrame(
        {
            "jahr": [2019, 2024, 2019, 2024],
            "reihe": ["Stadt", "Stadt", "Kinder", "Kinder"],
            "wert": [6.0, 6.5, 14.0, 13.2],
        }
    )
    figure = line_over_years(data, title="Quoten", axis_label="je 100", caption="c")
    assert (
        figure.alt
        == "Liniendiagramm: Quoten. Stadt von 6,0 (2019) auf 6,5 (2024); Kinder von 14,0 (2019) auf 13,2 (2024)."
    )


def test_grouped_bars_alt_text_names_the_largest_bar():
    data = pd.DataFrame(
        {
            "kategorie": ["unter 6", "unter 6", "80+", "80+"],
            "reihe": ["2019", "2024"] * 2,
            "wert": [4100.0, 4300.0, 3900.0, 4400.0],
        }
    )
    figure = grouped_bars(data, title="Altersgruppen", axis_label="Personen", caption="c")
    assert figure.alt == "Säulendiagramm: Altersgruppen. Größter Wert: 2024, 80+ mit 4.400."


def test_pyramid_leaves_hidden_bars_out_and_says_which():
    from sozialplanung.report.figures import population_pyramid

    data = pd.DataFrame(
        {
            "altersgruppe": ["0-2", "0-2", "80+", "80+"],
            "reihe": ["Männer", "Frauen"] * 2,
            "wert": [12.0, None, 40.0, 55.0],
        }
    )
    figure = population_pyramid(data, title="Lahnberge 2024", caption="c")
    assert figure.alt == (
        "Bevölkerungspyramide: Lahnberge 2024. Männer links (52 ausgewiesen), Frauen rechts "
        "(55 ausgewiesen). Aus Gründen der Geheimhaltung nicht ausgewiesen: 1 Wert (Frauen 0-2)."
    )


def test_line_chart_alt_text_for_series_with_few_shown_values():
    data = pd.DataFrame(
        {
            "jahr": [2022, 2023, 2024] * 2,
            "reihe": ["Lahnberge"] * 3 + ["Waldtal"] * 3,
            "wert": [None, 3.6, None, None, None, None],
        }
    )
    figure = line_over_years(data, title="Quote", axis_label="je 100", caption="c")
    assert figure.alt == (
        "Liniendiagramm: Quote. Lahnberge 3,6 (2023), übrige Jahre nicht ausgewiesen; Waldtal nicht ausgewiesen."
    )
