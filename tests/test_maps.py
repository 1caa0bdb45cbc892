import hashlib
import json
from itertools import combinations

import numpy as np
import pandas as pd
import pytest

from sozialplanung.core.errors import DataError
from sozialplanung.data.load import read_districts
from sozialplanung.report.maps import (
    BORDER,
    HATCH,
    SEQUENTIAL,
    class_breaks,
    class_labels,
    contrast_ratio,
    map_figure,
    text_colour,
    tile_layout,
    tile_map,
    wrap_name,
)


@pytest.fixture(scope="module")
def districts(request):
    return read_districts(request.config.rootpath / "data" / "reference" / "marburg_stadtbezirke.csv")


def _cell(layout, districts, name):
    code = districts.loc[districts["stadtbezirk"] == name, "kennziffer"].item()
    row = layout.loc[layout["kennziffer"] == code].iloc[0]
    return int(row["col"]), int(row["row"])


def _values(districts, hidden=(), **by_name):
    values = dict.fromkeys(districts["kennziffer"], 5.0)
    names = districts.set_index("stadtbezirk")["kennziffer"]
    values.update({names[n.replace("_", " ")]: v for n, v in by_name.items()})
    values.update({names[n]: None for n in hidden})
    return pd.DataFrame({"kennziffer": list(values), "wert": list(values.values())})


def _texts(figure):
    return {text.get_gid(): text for text in figure.axes[0].texts}


# --- layout ------------------------------------------------------------------------------------------


def test_layout_gives_every_district_its_own_cell(districts):
    layout = tile_layout(districts)
    assert sorted(layout["kennziffer"]) == sorted(districts["kennziffer"])
    assert not layout.duplicated(["col", "row"]).any()
    assert layout["col"].min() == 0 and layout["row"].min() == 0
    # no empty column or row is left over
    assert set(layout["col"]) == set(range(layout["col"].max() + 1))
    assert set(layout["row"]) == set(range(layout["row"].max() + 1))


def test_layout_keeps_the_geography(districts):
    layout = tile_layout(districts)
    cell = {name: _cell(layout, districts, name) for name in districts["stadtbezirk"]}
    assert cell["Wehrda"][1] < cell["Cappel"][1]  # north above south
    assert cell["Wehrda"][1] < cell["Altstadt"][1] < cell["Cappel"][1]
    for west in ("Michelbach", "Dilschhausen"):
        for east in ("Bauerbach", "Schröck"):
            assert cell[west][0] < cell[east][0]
    # Kernstadt in the middle: its mean cell is nearer the grid's centre than the outer districts' mean
    centre = np.array([layout["col"].max() / 2, layout["row"].max() / 2])
    distance = {
        teil: np.linalg.norm(np.array([cell[n] for n in group["stadtbezirk"]]) - centre, axis=1).mean()
        for teil, group in districts.groupby("teil")
    }
    assert distance["Kernstadt"] < distance["Außenstadtteile"]
    # every pair more than ~2.5 km apart north-south (or east-west) keeps its order
    places = districts.set_index("stadtbezirk")
    for a, b in combinations(places.index, 2):
        if places.at[a, "lat_ca"] - places.at[b, "lat_ca"] > 0.022:
            assert cell[a][1] < cell[b][1], (a, b)
        if places.at[a, "lon_ca"] - places.at[b, "lon_ca"] > 0.035:
            assert cell[a][0] > cell[b][0], (a, b)


def test_layout_is_deterministic_and_independent_of_row_order(districts):
    first = tile_layout(districts)
    shuffled = tile_layout(districts.sample(frac=1.0, random_state=7))
    pd.testing.assert_frame_equal(first, shuffled)


# --- binning, labels, colours -----------------------------------------------------------------------


def test_class_breaks_by_hand():
    # range 9 -> step 1; quantiles at 20/40/60/80 % are 2.8, 4.6, 6.4, 8.2 -> 3, 5, 6, 8
    assert class_breaks([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0]) == (1.0, 3.0, 5.0, 6.0, 8.0, 10.0)


def test_class_breaks_round_outer_edges_and_merge_empty_classes():
    # range 0.75 -> step 0.1; quantiles 2.5, 2.5, 2.5, 2.62 -> 2.5, 2.6 (duplicates go); outer 2.4 and 3.2
    assert class_breaks([2.43, 2.5, 2.5, 2.5, 2.5, 2.5, 2.7, 3.18], decimals=2) == (2.4, 2.5, 2.6, 3.2)
    # range 10 -> step 1; quantiles 2.76, 4.62, 4.68, 6.82 -> 3, 5, 5, 7; class 5 to 7 would be empty: merged
    assert class_breaks([0.0, 4.6, 4.7, 10.0]) == (0.0, 3.0, 5.0, 10.0)
    # values are binned as shown: 3.96 shows as 4,0, so all values are equal and form one class
    assert class_breaks([3.96, 4.0]) == (4.0, 4.0)
    assert class_labels((4.0, 4.0)) == ["4,0"]
    assert class_breaks([None, float("nan")]) == ()


def test_class_labels_are_german_ranges():
    assert class_labels((2.0, 4.0, 6.0, 10.0)) == ["2,0 bis unter 4,0", "4,0 bis unter 6,0", "6,0 bis 10,0"]
    assert class_labels((1000.0, 2500.0), decimals=0) == ["1.000 bis 2.500"]


def test_palette_text_and_borders_keep_wcag_contrast():
    for fill in (*SEQUENTIAL, "white"):
        assert contrast_ratio(fill, text_colour(fill)) >= 4.5
    assert contrast_ratio(BORDER, "white") >= 3.0
    assert contrast_ratio(HATCH, "white") >= 3.0
    assert text_colour(SEQUENTIAL[0]) == "#000000" and text_colour(SEQUENTIAL[-1]) == "#ffffff"


def test_long_names_are_wrapped_before_the_place_name_ending():
    assert wrap_name("Dagobertshausen") == "Dagoberts-\nhausen"
    assert wrap_name("Campusviertel") == "Campus-\nviertel"
    assert wrap_name("Oberer Richtsberg") == "Oberer\nRichtsberg"
    assert wrap_name("Altstadt") == "Altstadt"
    assert wrap_name("sehr niedrig", 9) == "sehr\nniedrig"


# --- numeric map -------------------------------------------------------------------------------------


def test_numeric_map_alt_text_names_extremes_hidden_districts_and_says_schematic(districts):
    values = _values(
        districts,
        hidden=("Lahnberge", "Ronhausen"),
        Waldtal=24.25,
        Oberer_Richtsberg=19.0,
        Lahnberge=None,
        Elnhausen=0.4,
        Bortshausen=0.44,
    )
    _figure, alt = map_figure(values, districts, title="SGB-II-Quote 2024", legend_title="je 100")
    assert alt.startswith("Schematische Kachelkarte der 33 Stadtbezirke (keine echten Grenzen")
    assert "SGB-II-Quote 2024." in alt
    # 0,4 and 0,44 both show as 0,4: a tie, both named
    assert "Höchster Wert: Waldtal mit 24,3; niedrigster Wert: Elnhausen und Bortshausen mit 0,4." in alt
    assert alt.endswith("Nicht ausgewiesen: Lahnberge, Ronhausen.")


def test_alt_text_summarises_ties_briefly(districts):
    names = districts["stadtbezirk"].tolist()
    tied = _values(districts, **{n.replace(" ", "_"): 9.0 for n in names[:4]}, Cappel=1.0)
    assert (
        "Höchster Wert: 4 Stadtbezirke mit 9,0; niedrigster Wert: Cappel mit 1,0."
        in map_figure(tied, districts, title="t", legend_title="l")[1]
    )
    _figure, alt = map_figure(_values(districts, hidden=("Wehrda",)), districts, title="t", legend_title="l")
    assert alt.endswith("t. Alle ausgewiesenen Stadtbezirke: 5,0. Nicht ausgewiesen: Wehrda.")


def test_every_tile_shows_name_and_value_inside_its_tile(districts):
    values = _values(districts, hidden=("Dilschhausen",), Altstadt=12.345)
    figure, _alt = map_figure(values, districts, title="t", legend_title="je 100")
    texts = _texts(figure)
    for code, name in zip(districts["kennziffer"], districts["stadtbezirk"]):
        assert texts[f"name-{code}"].get_text().replace("-\n", "").replace("\n", " ") == name
    names = districts.set_index("stadtbezirk")["kennziffer"]
    assert texts[f"value-{names['Altstadt']}"].get_text() == "12,3"
    assert texts[f"value-{names['Dilschhausen']}"].get_text() == "n. a."
    _assert_labels_inside_tiles(figure)


def _assert_labels_inside_tiles(figure):
    """Legible at the published size: every label stays inside its own tile."""
    figure.draw_without_rendering()  # applies the constrained layout, as saving does
    renderer = figure.canvas.get_renderer()
    tiles = figure.axes[0].patches
    assert len(tiles) == 33
    for text in figure.axes[0].texts:
        box = text.get_window_extent(renderer)
        assert any(
            t.get_window_extent(renderer).contains(box.x0, box.y0)
            and t.get_window_extent(renderer).contains(box.x1, box.y1)
            for t in tiles
        ), text.get_text()


def test_numeric_map_legend_lists_bins_and_not_shown(districts):
    values = pd.DataFrame({"kennziffer": districts["kennziffer"], "wert": [float(i % 10 + 1) for i in range(33)]})
    values.loc[0, "wert"] = None
    figure, _alt = map_figure(values, districts, title="t", legend_title="je 100")
    legend = figure.legends[0]
    labels = [t.get_text() for t in legend.get_texts()]
    edges = class_breaks(values["wert"])
    assert labels == [*class_labels(edges), "n. a. = nicht ausgewiesen", "Grenze Kernstadt"]
    assert legend.get_title().get_text() == "je 100"


def test_tile_map_renders_png_with_alt_and_is_byte_identical(districts):
    values = _values(districts, hidden=("Lahnberge",), Waldtal=20.0)
    first = tile_map(values, districts, title="t", caption="Abbildung 1", legend_title="je 100")
    second = tile_map(values, districts, title="t", caption="Abbildung 1", legend_title="je 100")
    assert first.png.startswith(b"\x89PNG")
    assert hashlib.sha256(first.png).digest() == hashlib.sha256(second.png).digest()
    assert b"matplotlib version" not in first.png
    assert first.caption == "Abbildung 1" and first.width == 825
    assert 'alt="Schematische Kachelkarte' in first.to_html()


def test_a_true_zero_reads_as_the_tables_print_it_on_the_tile_and_in_the_alt_text(districts):
    values = _values(districts, Ronhausen=0.0, Moischt=0.04, Waldtal=20.0)
    figure, alt = map_figure(values, districts, title="t", legend_title="je 100")
    texts, names = _texts(figure), districts.set_index("stadtbezirk")["kennziffer"]
    assert texts[f"value-{names['Ronhausen']}"].get_text() == "–"
    assert texts[f"value-{names['Moischt']}"].get_text() == "0,0"  # shown as 0,0, but no true zero
    # Moischt (0,04) and Ronhausen (0) both show as the lowest shown value 0,0: not all are zeros
    assert "Höchster Wert: Waldtal mit 20,0; niedrigster Wert: Moischt und Ronhausen mit 0,0." in alt
    _figure, alt = map_figure(_values(districts, Ronhausen=0.0), districts, title="t", legend_title="l")
    assert "niedrigster Wert: Ronhausen mit – (nichts vorhanden)." in alt


def test_tile_map_is_drawn_once(districts, monkeypatch):
    from matplotlib.figure import Figure

    draws = []
    draw = Figure.draw
    monkeypatch.setattr(Figure, "draw", lambda self, renderer: (draws.append(self), draw(self, renderer)))
    tile_map(_values(districts), districts, title="t", caption="c", legend_title="je 100")
    assert len(draws) == 1


# --- class map -------------------------------------------------------------------------------------


def test_class_map_alt_text_counts_classes_and_tiles_show_the_class(districts):
    names = districts.set_index("stadtbezirk")["kennziffer"]
    klasse = dict.fromkeys(districts["kennziffer"], "mittel")
    klasse.update(
        {
            names["Waldtal"]: "sehr niedrig",
            names["Oberer Richtsberg"]: "sehr niedrig",
            names["Wehrda"]: "hoch",
            names["Lahnberge"]: None,
        }
    )
    values = pd.DataFrame({"kennziffer": list(klasse), "klasse": list(klasse.values())})
    classes = ("hoch", "mittel", "niedrig", "sehr niedrig")
    figure, alt = map_figure(
        values, districts, title="Status", legend_title="Statusklasse", kind="class", classes=classes
    )
    assert "hoch: 1 Stadtbezirk (Wehrda); mittel: 29 Stadtbezirke (" in alt
    assert "niedrig: 0 Stadtbezirke; sehr niedrig: 2 Stadtbezirke (Waldtal, Oberer Richtsberg)." in alt
    assert alt.endswith("Nicht ausgewiesen: Lahnberge.")
    texts = _texts(figure)
    assert texts[f"value-{names['Waldtal']}"].get_text() == "sehr\nniedrig"
    _assert_labels_inside_tiles(figure)
    assert [t.get_text() for t in figure.legends[0].get_texts()][:4] == list(classes)


def test_class_map_rejects_unknown_labels_and_districts(districts):
    with pytest.raises(ValueError, match="gut"):
        map_figure(
            pd.DataFrame({"kennziffer": [211], "klasse": ["gut"]}),
            districts,
            title="t",
            legend_title="l",
            kind="class",
            classes=("hoch", "mittel"),
        )
    with pytest.raises(ValueError, match="999"):
        map_figure(pd.DataFrame({"kennziffer": [999], "wert": [1.0]}), districts, title="t", legend_title="l")


# --- choropleth from GeoJSON -----------------------------------------------------------------------


def _square(lon, lat, size=0.01):
    return [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]


def _geojson(tmp_path, features, name="grenzen.geojson"):
    path = tmp_path / name
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    return path


def _feature(code, geometry):
    return {"type": "Feature", "properties": {"kennziffer": code, "name": "x"}, "geometry": geometry}


@pytest.fixture
def three(districts):
    return districts[districts["kennziffer"].isin([211, 212, 311])].reset_index(drop=True)


@pytest.fixture
def boundaries(tmp_path):
    hole = _square(8.762, 50.802, 0.004)  # in the lower part of Altstadt's square
    parts = [[_square(8.77, 50.80)], [_square(8.785, 50.80, 0.002)]]  # Weidenhausen: a large and a small part
    return _geojson(
        tmp_path,
        [
            _feature(211, {"type": "Polygon", "coordinates": [_square(8.76, 50.80), hole]}),
            _feature("212", {"type": "MultiPolygon", "coordinates": parts}),
            _feature(311, {"type": "Polygon", "coordinates": [_square(8.755, 50.835)]}),
        ],
    )


def test_choropleth_from_geojson(three, boundaries):
    values = pd.DataFrame({"kennziffer": [211, 212, 311], "wert": [4.25, None, 12.0]})
    figure, alt = map_figure(values, three, title="Quote", legend_title="je 100", boundaries=boundaries)
    assert alt == (
        "Karte der 3 Stadtbezirke: Quote. Höchster Wert: Wehrda mit 12,0; niedrigster Wert: Altstadt "
        "mit 4,3. Nicht ausgewiesen: Weidenhausen."
    )
    assert len(figure.axes[0].patches) == 3
    texts = _texts(figure)
    assert (texts["name-211"].get_text(), texts["value-211"].get_text()) == ("Altstadt", "4,3")
    assert (texts["name-212"].get_text(), texts["value-212"].get_text()) == ("Weiden-\nhausen", "n. a.")
    # label at the centroid of the larger part; the hole moves Altstadt's centroid off the square's centre
    _x, y = texts["value-212"].get_position()
    assert y == pytest.approx(50.805)
    assert texts["value-311"].get_position()[1] == pytest.approx(50.84)
    assert texts["value-211"].get_position()[1] > 50.805
    labels = [t.get_text() for t in figure.legends[0].get_texts()]
    assert "Grenze Kernstadt" not in labels and "n. a. = nicht ausgewiesen" in labels
    output = tile_map(values, three, title="Quote", caption="c", legend_title="je 100", boundaries=boundaries)
    again = tile_map(values, three, title="Quote", caption="c", legend_title="je 100", boundaries=boundaries)
    assert output.png == again.png and output.alt.startswith("Karte")


def test_geojson_errors_name_the_file_and_the_problem(tmp_path, three):
    values = pd.DataFrame({"kennziffer": [211], "wert": [1.0]})

    def draw(path):
        return map_figure(values, three, title="t", legend_title="l", boundaries=path)

    broken = tmp_path / "kaputt.geojson"
    broken.write_text("{not json", encoding="utf-8")
    with pytest.raises(DataError, match="kaputt.geojson: cannot be read as GeoJSON"):
        draw(broken)
    with pytest.raises(DataError, match="fehlt.geojson: cannot be read"):
        draw(tmp_path / "fehlt.geojson")
    no_code = _geojson(
        tmp_path,
        [
            {
                "type": "Feature",
                "properties": {"name": "Altstadt"},
                "geometry": {"type": "Polygon", "coordinates": [_square(8.76, 50.8)]},
            }
        ],
    )
    with pytest.raises(DataError, match="feature 1 has no valid 'kennziffer' property"):
        draw(no_code)
    polygon = {"type": "Polygon", "coordinates": [_square(8.76, 50.8)]}
    unknown = _geojson(tmp_path, [_feature(211, polygon), _feature(999, polygon), _feature(212, polygon)])
    with pytest.raises(DataError, match=r"unknown kennziffer 999; no boundary for 311 Wehrda") as error:
        draw(unknown)
    assert "grenzen.geojson" in str(error.value)
    projected = _geojson(tmp_path, [_feature(211, {"type": "Polygon", "coordinates": [_square(484000, 5630000)]})])
    with pytest.raises(DataError, match="not in longitude/latitude"):
        draw(projected)
    point = _geojson(tmp_path, [_feature(211, {"type": "Point", "coordinates": [8.7, 50.8]})])
    with pytest.raises(DataError, match="expected Polygon or MultiPolygon"):
        draw(point)
