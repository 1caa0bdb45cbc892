import hashlib
import io

import numpy
import pandas as pd
import PIL.Image
import pytest
from bs4 import BeautifulSoup

from sozialplanung.report.figures import DPI, bar_by_district, grouped_bars, line_over_years


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


# --- the tables' symbols ---------------------------------------------------------------------------


def _annotations(figure):
    return [text.get_text() for text in figure.axes[0].texts]


def test_bar_labels_and_alt_text_show_a_true_zero_as_the_tables_do():
    from sozialplanung.report.figures import bar_figure

    data = pd.DataFrame({"stadtbezirk": ["Ronhausen", "Moischt", "Waldtal"], "wert": [0.0, 0.04, 12.0]})
    figure, alt = bar_figure(data, title="Quote", axis_label="je 100", city_value=0.0)
    # sorted by value: Ronhausen (zero: "–"), Moischt (0,04 rounds to 0,0 but is no zero), Waldtal
    assert _annotations(figure) == ["–", "0,0", "12,0", " Stadt: –"]
    assert alt == (
        "Balkendiagramm: Quote. Höchster Wert: Waldtal mit 12,0; niedrigster Wert: Ronhausen mit "
        "– (nichts vorhanden). Gesamtstadt: – (nichts vorhanden) (gestrichelte Linie)."
    )


def test_bar_alt_text_names_every_district_tied_at_the_published_extreme():
    from sozialplanung.report.figures import bar_figure

    # 36,62 and 36,58 are both published as 36,6; three districts have none (–), one 0,04 (0,0)
    data = pd.DataFrame(
        {
            "stadtbezirk": ["Waldtal", "Oberer Richtsberg", "Lahnberge", "Dilschhausen", "Haddamshausen", "Moischt"],
            "wert": [36.62, 36.58, 0.0, 0.0, 0.0, 0.04],
        }
    )
    _figure, alt = bar_figure(data, title="Quote", axis_label="je 100")
    assert alt == (
        "Balkendiagramm: Quote. Höchster Wert: Oberer Richtsberg und Waldtal mit 36,6; niedrigster Wert: "
        "Dilschhausen, Haddamshausen und Lahnberge mit – (nichts vorhanden)."
    )


def test_column_labels_show_zero_as_dash_and_hidden_as_dot_and_say_so():
    from sozialplanung.report.figures import grouped_figure

    data = pd.DataFrame(
        {
            "kategorie": ["unter 6", "unter 6", "80+", "80+"],
            "reihe": ["2019", "2024"] * 2,
            "wert": [0.0, 4300.0, 3900.0, None],
        }
    )
    figure, alt = grouped_figure(data, title="Altersgruppen", axis_label="Personen")
    assert _annotations(figure) == ["–", "3.900", "4.300", "."]  # series 2019 first, then 2024
    assert alt == "Säulendiagramm: Altersgruppen. Größter Wert: 2024, unter 6 mit 4.300. Nicht ausgewiesen: 2024, 80+."


def test_pyramid_labels_a_zero_with_a_dash_and_a_hidden_count_with_a_dot():
    from sozialplanung.report.figures import pyramid_figure

    data = pd.DataFrame(
        {"altersgruppe": ["0-2", "0-2", "80+", "80+"], "reihe": ["Männer", "Frauen"] * 2, "wert": [0.0, None, 4.0, 5.0]}
    )
    figure, _alt = pyramid_figure(data, title="t")
    assert _annotations(figure) == ["–", "4", ".", "5"]  # Männer, then Frauen


def test_line_chart_labels_a_zero_end_value_with_a_dash():
    from sozialplanung.report.figures import line_figure

    data = pd.DataFrame({"jahr": [2019, 2024], "reihe": ["Ronhausen"] * 2, "wert": [1.5, 0.0]})
    figure, alt = line_figure(data, title="Quote", axis_label="je 100")
    assert _annotations(figure) == ["Ronhausen: –"]
    assert alt == "Liniendiagramm: Quote. Ronhausen von 1,5 (2019) auf – (nichts vorhanden) (2024)."


# --- value axes --------------------------------------------------------------------------------------


def test_rate_trend_axis_starts_at_zero_with_headroom_above_the_largest_value():
    from sozialplanung.report.figures import line_figure

    data = pd.DataFrame(
        {
            "jahr": [2019, 2024, 2019, 2024],
            "reihe": ["Richtsberg", "Richtsberg", "Stadt", "Stadt"],
            "wert": [11.0, 15.5, 12.0, None],
        }
    )
    figure, _alt = line_figure(data, title="Kinderarmut", axis_label="je 100")
    bottom, top = figure.axes[0].get_ylim()
    assert bottom == 0.0
    assert top == pytest.approx(15.5 * 1.08)  # 8 % of the range 0 to 15,5 above the largest value


def test_count_trend_axis_starts_at_zero_and_a_chart_without_values_still_has_an_axis():
    from sozialplanung.report.figures import line_figure

    counts = pd.DataFrame({"jahr": [2019, 2024], "reihe": ["Einwohner"] * 2, "wert": [76800.0, 77800.0]})
    figure, _alt = line_figure(counts, title="Einwohner", axis_label="Personen", decimals=0)
    assert figure.axes[0].get_ylim() == pytest.approx((0.0, 77800 * 1.08))
    empty = pd.DataFrame({"jahr": [2019, 2024], "reihe": ["Lahnberge"] * 2, "wert": [None, None]})
    figure, _alt = line_figure(empty, title="Quote", axis_label="je 100")
    assert figure.axes[0].get_ylim() == (0.0, 1.0)


# --- rendering ---------------------------------------------------------------------------------------


def test_a_figure_is_drawn_once_and_its_rgb_png_has_the_pixels_savefig_with_its_layout_pass_gives():
    from sozialplanung.report.figures import _render, line_figure

    data = pd.DataFrame({"jahr": [2019, 2024], "reihe": ["Stadt"] * 2, "wert": [6.0, 6.5]})
    figure, alt = line_figure(data, title="Quote", axis_label="je 100")
    draws = []
    draw = figure.draw
    figure.draw = lambda renderer: (draws.append(renderer), draw(renderer))
    output = _render(figure, alt, "c")
    assert len(draws) == 1
    reference = io.BytesIO()  # savefig: a draw for the constrained layout, then one into the file (RGBA)
    line_figure(data, title="Quote", axis_label="je 100")[0].savefig(reference, format="png", dpi=DPI)
    drawn = numpy.asarray(PIL.Image.open(reference))
    published = PIL.Image.open(io.BytesIO(output.png))
    # The figures are opaque, so leaving the alpha channel out loses nothing.
    assert published.mode == "RGB"
    assert (drawn[..., 3] == 255).all()
    assert numpy.array_equal(numpy.asarray(published), drawn[..., :3])
