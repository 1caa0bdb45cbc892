"""District maps: a schematic tile map (one equal square per district, placed by its approximate
centre, north up), or a choropleth when a GeoJSON file of the boundaries is supplied.

Every district carries its name and its value (or class) as text, so colour is never the only carrier
of meaning; a true zero reads ``–`` as in the tables; districts without a published value are hatched
and named in the legend and alt text. Drawn and rendered once, as PNG (see :mod:`.figures`).
"""

from __future__ import annotations

import itertools
import json
import math
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, PathPatch, Rectangle
from matplotlib.path import Path as MplPath
from scipy.optimize import linear_sum_assignment

from sozialplanung.core.errors import DataError
from sozialplanung.core.formats import format_count, format_number, round_half_up
from sozialplanung.report.figures import FigureOutput, _new_figure, _render, spoken_value, value_label

# Light to dark blue; every fill takes black or white text at >= 4.5:1 (see text_colour).
SEQUENTIAL = ("#eff3ff", "#bdd7e7", "#6baed6", "#2171b5", "#08306b")
BORDER = "#4d4d4d"  # 8.4:1 against white: tile and area outlines
OUTLINE = "#000000"  # boundary of the first district group (Kernstadt)
HATCH = "#666666"  # 5.7:1 against white
NOT_SHOWN = "n. a."
NOT_SHOWN_LEGEND = "n. a. = nicht ausgewiesen"
SCHEMATIC_NOTE = (
    "Schematische Karte: ein gleich großes Feld je Stadtbezirk, nach ungefährer Lage angeordnet (Norden oben)"
)
_SUFFIXES = ("hausen", "viertel", "weimar", "bahnhof", "berg", "bach", "dorf", "haus", "stadt", "tal", "feld", "heim")
_TEXT_BOX = {"facecolor": "white", "edgecolor": "none", "pad": 1.0}  # keeps text legible on hatching
Boundaries = dict[int, list[list[np.ndarray]]]


def tile_layout(districts: pd.DataFrame, density: float = 1.5) -> pd.DataFrame:
    """Grid cells for the districts: ``kennziffer``, ``col`` (0 = west) and ``row`` (0 = north).

    Centres (``lat_ca``/``lon_ca``) are projected (longitude scaled by cos(latitude)) and scaled,
    keeping the aspect ratio, onto a grid of about ``density`` cells per district; each district then
    gets its own cell by a minimum-cost assignment of squared distances (Hungarian method, so the
    result is deterministic); rows and columns that stay empty are dropped.
    """
    frame = districts.sort_values("kennziffer", ignore_index=True)
    x, y = _project(frame["lon_ca"].to_numpy(float), frame["lat_ca"].to_numpy(float), frame["lat_ca"].mean())
    width, height = max(float(np.ptp(x)), 1e-9), max(float(np.ptp(y)), 1e-9)
    cells = density * len(frame)
    cols = max(1, round(math.sqrt(cells * width / height)))
    rows = max(1, round(math.sqrt(cells * height / width)), math.ceil(len(frame) / cols))
    scale = min((cols - 1) / width, (rows - 1) / height)
    px = (x - x.min()) * scale + ((cols - 1) - width * scale) / 2
    py = (y.max() - y) * scale + ((rows - 1) - height * scale) / 2  # row 0 is the northernmost
    grid_col, grid_row = (a.ravel() for a in np.meshgrid(np.arange(cols), np.arange(rows)))
    cost = (px[:, None] - grid_col[None, :]) ** 2 + (py[:, None] - grid_row[None, :]) ** 2
    district_index, cell_index = linear_sum_assignment(cost)
    layout = pd.DataFrame(
        {
            "kennziffer": frame["kennziffer"].to_numpy()[district_index],
            "col": grid_col[cell_index],
            "row": grid_row[cell_index],
        }
    )
    for axis in ("col", "row"):  # drop empty columns and rows
        layout[axis] = layout[axis].rank(method="dense").astype(int) - 1
    return layout.sort_values("kennziffer", ignore_index=True)


def class_breaks(values: pd.Series | list[float], bins: int = 5, decimals: int = 1) -> tuple[float, ...]:
    """Edges of about ``bins`` quantile classes: values rounded as shown (``decimals``), inner edges
    their quantiles rounded to a step (a power of ten near range/bins, at least the shown precision),
    outer edges enclosing min and max, classes left empty by rounding merged. Class *i* holds
    ``edges[i] <= value < edges[i + 1]``; the last class includes its upper edge."""
    shown = np.sort(_rounded(values, decimals))
    if not len(shown):
        return ()
    low, high = float(shown[0]), float(shown[-1])
    unit = 10.0**-decimals
    step = max(unit, 10.0 ** math.floor(math.log10((high - low) / bins))) if high > low else unit
    places = max(decimals, -math.floor(math.log10(step)))
    lower = round(math.floor(low / step + 1e-9) * step, places)
    upper = round(math.ceil(high / step - 1e-9) * step, places)
    inner = [round(math.floor(q / step + 0.5) * step, places) for q in np.quantile(shown, np.arange(1, bins) / bins)]
    edges = [lower]
    for edge in sorted(set(inner)):
        if edges[-1] < edge < upper and ((shown >= edges[-1]) & (shown < edge)).any():
            edges.append(edge)
    return (*edges, upper)


def class_labels(edges: tuple[float, ...], decimals: int = 1) -> list[str]:
    """German legend labels: ``"2,0 bis unter 4,0"`` …, the last class ``"8,0 bis 10,0"``."""
    text = [format_number(edge, decimals) for edge in edges]
    labels = [f"{a} bis unter {b}" for a, b in itertools.pairwise(text[:-1])]
    if len(text) >= 2:
        labels.append(text[-2] if edges[-2] == edges[-1] else f"{text[-2]} bis {text[-1]}")
    return labels


def text_colour(fill: str) -> str:
    """Black or white, whichever contrasts more with ``fill`` (always at least 4.5:1)."""
    on_black = contrast_ratio(fill, "#000000")
    return "#000000" if on_black >= contrast_ratio(fill, "#ffffff") else "#ffffff"


def contrast_ratio(first: str, second: str) -> float:
    """WCAG 2.1 contrast ratio of two colours."""

    def luminance(colour: str) -> float:
        channels = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in to_rgb(colour)]
        return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]

    lighter, darker = sorted((luminance(first), luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def wrap_name(name: str, width: int = 11) -> str:
    """A district name in lines of at most ``width`` characters; long compounds are hyphenated
    before a common place-name ending (``"Dagoberts-\\nhausen"``)."""
    lines: list[str] = []
    for word in name.split():
        while len(word) > width:
            cut = next(
                (len(word) - len(s) for s in _SUFFIXES if word.endswith(s) and 0 < len(word) - len(s) < width),
                max(width - 1, 1),
            )
            lines.append(word[:cut] + "-")
            word = word[cut:]
        if lines and not lines[-1].endswith("-") and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "\n".join(lines)


def tile_map(
    values: pd.DataFrame,
    districts: pd.DataFrame,
    *,
    title: str,
    caption: str,
    legend_title: str,
    kind: Literal["numeric", "class"] = "numeric",
    classes: tuple[str, ...] | None = None,
    decimals: int = 1,
    boundaries: Path | None = None,
) -> FigureOutput:
    """The district map as a published figure (PNG, German alt text, caption); see :func:`map_figure`."""
    figure, alt = map_figure(
        values,
        districts,
        title=title,
        legend_title=legend_title,
        kind=kind,
        classes=classes,
        decimals=decimals,
        boundaries=boundaries,
    )
    return _render(figure, alt, caption)


def map_figure(
    values: pd.DataFrame,
    districts: pd.DataFrame,
    *,
    title: str,
    legend_title: str,
    kind: Literal["numeric", "class"] = "numeric",
    classes: tuple[str, ...] | None = None,
    decimals: int = 1,
    boundaries: Path | None = None,
) -> tuple[Figure, str]:
    """The district map as an unrendered Figure and its alt text.

    ``values`` has ``kennziffer`` and either ``wert`` (``kind="numeric"``; NaN/None: not shown, e.g.
    confidential) or ``klasse`` (``kind="class"``; a label from ``classes``, ordered light to dark;
    None: left out). Districts missing from ``values`` are not shown either. Without ``boundaries``
    a schematic tile map is drawn; with a GeoJSON file of the boundaries, a choropleth.
    """
    data, legend = _classify(values, districts, kind, classes, decimals)
    if boundaries is None:
        figure, axes = _draw_tiles(data, legend, districts)
        lead = (
            f"Schematische Kachelkarte der {format_count(len(data))} Stadtbezirke (keine echten Grenzen: ein "
            f"gleich großes Feld je Stadtbezirk, ungefähr nach Lage angeordnet, Norden oben): {title}."
        )
    else:
        figure, axes = _draw_areas(data, legend, read_boundaries(Path(boundaries), districts), districts)
        lead = f"Karte der {format_count(len(data))} Stadtbezirke: {title}."
    handles = [Patch(facecolor=colour, edgecolor=BORDER, label=label) for label, colour in legend]
    if (data["klasse_nr"] < 0).any():
        handles.append(
            Patch(facecolor="white", edgecolor=BORDER, hatch="////", hatchcolor=HATCH, label=NOT_SHOWN_LEGEND)
        )
    if boundaries is None and "teil" in districts:
        group = districts.sort_values("kennziffer")["teil"].iloc[0]
        handles.append(Line2D([], [], color=OUTLINE, linewidth=2.5, label=f"Grenze {group}"))
    figure.legend(
        handles=handles,
        title=legend_title,
        loc="outside lower center",
        ncol=min(3, len(handles)),
        fontsize=8,
        title_fontsize=9,
        frameon=False,
        handlelength=2.2,
        handleheight=1.4,
    )
    axes.set_title(title, loc="left")
    return figure, " ".join([lead, *_summary(data, kind, legend, decimals)])


def read_boundaries(path: Path, districts: pd.DataFrame) -> Boundaries:
    """Polygons (lists of lon/lat rings, exterior first) per kennziffer from a GeoJSON FeatureCollection
    in longitude/latitude whose features carry ``kennziffer`` and a (Multi)Polygon, covering exactly
    the districts given (a district may have several features)."""

    def fail(problem: str) -> DataError:
        return DataError(
            f"Boundary file {path}: {problem}. Fix the file or remove maps.boundaries from the "
            "edition's parameters to draw the schematic tile map."
        )

    try:
        collection = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise fail(f"cannot be read as GeoJSON ({exc})") from exc
    if not isinstance(collection, dict) or collection.get("type") != "FeatureCollection":
        raise fail("is not a GeoJSON FeatureCollection")
    shapes: Boundaries = {}
    for number, feature in enumerate(collection.get("features") or [], start=1):
        feature = feature if isinstance(feature, dict) else {}
        code = (feature.get("properties") or {}).get("kennziffer")
        try:
            code = int(code)
        except (TypeError, ValueError):
            raise fail(f"feature {number} has no valid 'kennziffer' property (found {code!r})") from None
        geometry = feature.get("geometry") or {}
        kind, coordinates = geometry.get("type"), geometry.get("coordinates")
        if kind not in ("Polygon", "MultiPolygon") or not coordinates:
            raise fail(f"feature {number} (kennziffer {code}) has geometry {kind!r}, expected Polygon or MultiPolygon")
        try:
            polygons = [
                [np.asarray(ring, dtype=float)[:, :2] for ring in polygon]
                for polygon in (coordinates if kind == "MultiPolygon" else [coordinates])
            ]
        except (TypeError, ValueError, IndexError):
            raise fail(f"feature {number} (kennziffer {code}) has malformed coordinates") from None
        if any(abs(ring).max(initial=0) > 180 for polygon in polygons for ring in polygon):
            raise fail(f"feature {number} (kennziffer {code}) is not in longitude/latitude (WGS 84)")
        shapes.setdefault(code, []).extend(polygons)
    known = set(districts["kennziffer"].astype(int))
    unknown, missing = sorted(set(shapes) - known), sorted(known - set(shapes))
    if unknown or missing:
        names = districts.set_index("kennziffer")["stadtbezirk"]
        parts = ([f"unknown kennziffer {', '.join(map(str, unknown))}"] if unknown else []) + (
            [f"no boundary for {', '.join(f'{k} {names[k]}' for k in missing)}"] if missing else []
        )
        raise fail("; ".join(parts))
    return shapes


# --- internals -------------------------------------------------------------------------------------------


def _project(lon: np.ndarray, lat: np.ndarray, lat0: float) -> tuple[np.ndarray, np.ndarray]:
    return np.asarray(lon, float) * math.cos(math.radians(lat0)), np.asarray(lat, float)


def _rounded(values, decimals: int) -> np.ndarray:
    return np.array([float(round_half_up(v, decimals)) for v in pd.Series(values, dtype="float64").dropna()])


def _palette(count: int) -> list[str]:
    if count > len(SEQUENTIAL):
        raise ValueError(f"A map shows at most {len(SEQUENTIAL)} classes, not {count}.")
    return [SEQUENTIAL[round(i)] for i in np.linspace(0, len(SEQUENTIAL) - 1, count)] if count > 1 else [SEQUENTIAL[2]]


def _classify(values, districts, kind, classes, decimals) -> tuple[pd.DataFrame, list[tuple[str, str]]]:
    """One row per district: kennziffer, stadtbezirk, text (shown on the map), klasse_nr (-1: not shown)."""
    column = {"numeric": "wert", "class": "klasse"}.get(kind)
    if column is None or column not in values:
        raise ValueError(f"kind={kind!r} needs values with the columns kennziffer and wert (numeric) or klasse (class)")
    unknown = sorted(set(values["kennziffer"]) - set(districts["kennziffer"]))
    if unknown or values["kennziffer"].duplicated().any():
        raise ValueError(
            f"Values must name each known district once; unknown: {', '.join(map(str, unknown)) or '-'}; "
            f"repeated: {', '.join(map(str, values['kennziffer'][values['kennziffer'].duplicated()]))}"
        )
    data = districts[["kennziffer", "stadtbezirk"]].merge(values[["kennziffer", column]], on="kennziffer", how="left")
    data = data.sort_values("kennziffer", ignore_index=True)
    if kind == "numeric":
        shown = pd.Series(pd.to_numeric(data["wert"]).to_numpy(dtype="float64", na_value=np.nan))
        edges = class_breaks(shown, decimals=decimals)
        labels = class_labels(edges, decimals)
        data["wert"] = shown
        data["text"] = [value_label(v, decimals) if pd.notna(v) else NOT_SHOWN for v in shown]
        data["klasse_nr"] = [
            int(np.searchsorted(edges[1:-1], float(round_half_up(v, decimals)), side="right")) if pd.notna(v) else -1
            for v in shown
        ]
    else:
        present = [c for c in data["klasse"] if isinstance(c, str)]
        labels = list(classes) if classes is not None else sorted(set(present))
        strange = sorted(set(present) - set(labels))
        if strange:
            raise ValueError(f"Class labels not in classes: {', '.join(strange)}")
        data["text"] = [wrap_name(c, 9) if isinstance(c, str) else NOT_SHOWN for c in data["klasse"]]
        data["klasse_nr"] = [labels.index(c) if isinstance(c, str) else -1 for c in data["klasse"]]
    return data, list(zip(labels, _palette(len(labels))))


def _fill(number: int, legend: list[tuple[str, str]]) -> tuple[str, str]:
    return (legend[number][1], "") if number >= 0 else ("white", "////")


def _draw_tiles(data: pd.DataFrame, legend: list[tuple[str, str]], districts: pd.DataFrame) -> tuple[Figure, Axes]:
    layout = tile_layout(districts).merge(districts, on="kennziffer").set_index("kennziffer")
    cols, rows = int(layout["col"].max()) + 1, int(layout["row"].max()) + 1
    tile = 7.3 / max(cols, 6)
    scale = min(1.0, tile * 8 / 7.3)  # text sizes suit tiles of 0.9 inch; smaller tiles, smaller text
    figure, axes = _new_figure(7.5, rows * tile + 1.5)
    for row in data.itertuples():
        x, y = layout.at[row.kennziffer, "col"], layout.at[row.kennziffer, "row"]
        fill, hatch = _fill(row.klasse_nr, legend)
        axes.add_patch(
            Rectangle(
                (x - 0.46, y - 0.46),
                0.92,
                0.92,
                facecolor=fill,
                edgecolor=BORDER,
                linewidth=0.8,
                hatch=hatch,
                hatchcolor=HATCH,
            )
        )
        colour = text_colour(fill)
        box = _TEXT_BOX if hatch else None
        axes.text(
            x,
            y - 0.05,
            wrap_name(row.stadtbezirk),
            ha="center",
            va="bottom",
            fontsize=8 * scale,
            color=colour,
            linespacing=1.1,
            bbox=box,
            gid=f"name-{row.kennziffer}",
        )
        axes.text(
            x,
            y + 0.06,
            row.text,
            ha="center",
            va="top",
            fontsize=10 * scale,
            fontweight="bold",
            color=colour,
            linespacing=1.1,
            bbox=box,
            gid=f"value-{row.kennziffer}",
        )
    if "teil" in layout:  # outline the first group (the Kernstadt) for orientation
        group = layout.sort_index()["teil"].iloc[0]
        cells = {(c, r) for c, r in layout.loc[layout["teil"] == group, ["col", "row"]].itertuples(index=False)}
        for c, r in sorted(cells):
            for dc, dr in ((1, 0), (-1, 0), (0, 1), (0, -1)):
                if (c + dc, r + dr) not in cells:
                    ends = [(c + dc / 2 + s * dr / 2, r + dr / 2 + s * dc / 2) for s in (-1, 1)]
                    axes.plot(*zip(*ends), color=OUTLINE, linewidth=2.5, solid_capstyle="projecting")
    axes.set_xlim(-0.55, cols - 0.45)
    axes.set_ylim(rows - 0.45, -0.55)
    _bare(axes, SCHEMATIC_NOTE)
    return figure, axes


def _draw_areas(
    data: pd.DataFrame, legend: list[tuple[str, str]], shapes: Boundaries, districts: pd.DataFrame
) -> tuple[Figure, Axes]:
    lat0 = float(districts["lat_ca"].mean())
    projected = {
        code: [[np.column_stack(_project(ring[:, 0], ring[:, 1], lat0)) for ring in polygon] for polygon in polygons]
        for code, polygons in shapes.items()
    }
    points = np.vstack([ring for polygons in projected.values() for polygon in polygons for ring in polygon])
    (x0, y0), (x1, y1) = points.min(axis=0), points.max(axis=0)
    aspect = (y1 - y0) / max(x1 - x0, 1e-9)
    figure, axes = _new_figure(7.5, min(7.3 * aspect, 9.0) + 2.0)
    for row in data.itertuples():
        fill, hatch = _fill(row.klasse_nr, legend)
        rings = [
            _oriented(ring, hole=index > 0)
            for polygon in projected[row.kennziffer]
            for index, ring in enumerate(polygon)
        ]
        path = MplPath.make_compound_path(*[MplPath(ring, closed=True) for ring in rings])
        axes.add_patch(PathPatch(path, facecolor=fill, edgecolor=BORDER, linewidth=0.8, hatch=hatch, hatchcolor=HATCH))
        cx, cy = _centroid(max(projected[row.kennziffer], key=lambda polygon: abs(_area(polygon[0]))))
        box = _TEXT_BOX if hatch else None
        for text, va, size, weight, kind in (
            (wrap_name(row.stadtbezirk), "bottom", 7, "normal", "name"),
            (row.text, "top", 8, "bold", "value"),
        ):
            colour = text_colour(fill)  # a halo in the other colour keeps contrast where a label overhangs
            halo = [patheffects.withStroke(linewidth=2, foreground="#ffffff" if colour == "#000000" else "#000000")]
            axes.text(
                cx,
                cy,
                text,
                ha="center",
                va=va,
                fontsize=size,
                fontweight=weight,
                color=colour,
                linespacing=1.0,
                bbox=box,
                gid=f"{kind}-{row.kennziffer}",
                path_effects=halo,
            )
    margin = 0.02 * max(x1 - x0, y1 - y0)
    axes.set_xlim(x0 - margin, x1 + margin)
    axes.set_ylim(y0 - margin, y1 + margin)
    _bare(axes, "Karte: Norden oben")
    return figure, axes


def _bare(axes: Axes, note: str) -> None:
    axes.set(aspect="equal", xticks=[], yticks=[])
    axes.grid(False)
    axes.spines[:].set_visible(False)
    axes.set_xlabel(note, fontsize=8, color="#1a1a1a")


def _area(ring: np.ndarray) -> float:
    x, y = ring[:, 0], ring[:, 1]
    return 0.5 * float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))


def _oriented(ring: np.ndarray, hole: bool) -> np.ndarray:
    """Exterior rings counter-clockwise, holes clockwise, so holes stay empty when filled."""
    return ring[::-1] if (_area(ring) > 0) == hole else ring


def _centroid(polygon: list[np.ndarray]) -> tuple[float, float]:
    """Area-weighted centroid of a polygon with holes."""
    total, cx, cy = 0.0, 0.0, 0.0
    for index, ring in enumerate(polygon):
        ring = _oriented(ring, hole=index > 0)
        x, y, xn, yn = ring[:, 0], ring[:, 1], np.roll(ring[:, 0], -1), np.roll(ring[:, 1], -1)
        cross = x * yn - xn * y
        total += cross.sum() / 2
        cx, cy = cx + ((x + xn) * cross).sum() / 6, cy + ((y + yn) * cross).sum() / 6
    if abs(total) < 1e-15:  # degenerate (no area): the mean of the points
        return float(polygon[0][:, 0].mean()), float(polygon[0][:, 1].mean())
    return float(cx / total), float(cy / total)


def _summary(data: pd.DataFrame, kind: str, legend: list[tuple[str, str]], decimals: int) -> list[str]:
    """Alt-text sentences: extremes (numeric) or class members (class), then what is not shown."""
    parts = []
    shown = data[data["klasse_nr"] >= 0]
    if kind == "numeric" and len(shown):
        rounded = shown.assign(r=[float(round_half_up(v, decimals)) for v in shown["wert"]])
        for word, value in (("Höchster", rounded["r"].max()), ("niedrigster", rounded["r"].min())):
            names = rounded.loc[rounded["r"] == value, "stadtbezirk"].tolist()
            names = _join(names) if len(names) <= 3 else f"{format_count(len(names))} Stadtbezirke"
            parts.append(f"{word} Wert: {names} mit {_spoken(rounded, value, decimals)}")
        parts = ["; ".join(parts) + "."]
        if rounded["r"].nunique() == 1:
            parts = [f"Alle ausgewiesenen Stadtbezirke: {_spoken(rounded, rounded['r'].iloc[0], decimals)}."]
    elif kind == "class":
        for number, (label, _colour) in enumerate(legend):
            members = data.loc[data["klasse_nr"] == number, "stadtbezirk"].tolist()
            noun = "Stadtbezirk" if len(members) == 1 else "Stadtbezirke"
            listed = f" ({', '.join(members)})" if members else ""
            parts.append(f"{label}: {format_count(len(members))} {noun}{listed}")
        parts = ["; ".join(parts) + "."]
    hidden = data.loc[data["klasse_nr"] < 0, "stadtbezirk"].tolist()
    if hidden:
        parts.append(f"Nicht ausgewiesen: {', '.join(hidden)}.")
    return parts


def _spoken(rounded: pd.DataFrame, value: float, decimals: int) -> str:
    """The shown value ``value`` for alt text: ``–`` only where the values behind it are true zeros
    (a rate of 0,04 shows ``0,0``, as in the tables)."""
    true_zero = value == 0 and (rounded.loc[rounded["r"] == value, "wert"] == 0).all()
    return spoken_value(0.0, decimals) if true_zero else format_number(value, decimals)


def _join(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " und " + names[-1]
