"""One figure style for the whole report, and figures that carry their own alt text.

Figures are drawn on a plain :class:`matplotlib.figure.Figure` (no pyplot state, so nothing is shown
twice in a notebook) and published as PNG inside ``<figure>`` with alt text and a caption. Values
are labelled on the marks, so colour is never the only carrier of meaning; hidden (confidential)
values are left out as gaps and said so, never drawn as zero.
"""

from __future__ import annotations

import base64
import html
import io
from dataclasses import dataclass

import matplotlib
import pandas as pd
import seaborn as sns
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from sozialplanung.core.formats import format_number

# Dark, colour-blind-safe colours with at least 3:1 contrast against white.
PALETTE = ("#1f4e79", "#b35806", "#00695c", "#5e3c99", "#595959", "#8c2d04")
CITY_LINE_COLOUR = "#333333"
DPI = 110

_STYLE = {
    "font.family": "DejaVu Sans",
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "axes.edgecolor": "#333333",
    "axes.labelcolor": "#1a1a1a",
    "xtick.color": "#1a1a1a",
    "ytick.color": "#1a1a1a",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "svg.hashsalt": "sozialplanung",
    "axes.formatter.use_locale": False,
}


@dataclass(frozen=True)
class FigureOutput:
    """A rendered figure with its accessible description."""

    png: bytes
    alt: str
    caption: str
    width: int
    height: int
    cells: tuple[tuple[str, str], ...] = ()
    """The figure's numbers with their public meaning (``cell_key``, shown text), written as
    ``data-zellen`` so that the publish gate reads what the picture shows."""

    def to_html(self) -> str:
        data = base64.b64encode(self.png).decode("ascii")
        cells = ";".join(f"{key}={text}" for key, text in self.cells)
        meaning = f' data-zellen="{html.escape(cells)}"' if cells else ""
        return (
            f'<figure class="abbildung"{meaning}>'
            f'<img src="data:image/png;base64,{data}" alt="{html.escape(self.alt)}" '
            f'width="{self.width}" height="{self.height}">'
            f"<figcaption>{html.escape(self.caption)}</figcaption></figure>"
        )

    def _repr_html_(self) -> str:
        return self.to_html()


def _new_figure(width: float, height: float) -> tuple[Figure, matplotlib.axes.Axes]:
    with matplotlib.rc_context(_STYLE):
        sns.set_theme(style="whitegrid", rc=_STYLE)
        figure = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
        FigureCanvasAgg(figure)
        axes = figure.add_subplot()
    return figure, axes


def _render(figure: Figure, alt: str, caption: str) -> FigureOutput:
    buffer = io.BytesIO()
    # No "Software" stamp: the PNG depends on the data only.
    figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    width, height = (int(round(v)) for v in figure.get_size_inches() * DPI)
    return FigureOutput(png=buffer.getvalue(), alt=alt, caption=caption, width=width, height=height)


def _german_axis(axes: matplotlib.axes.Axes, axis: str, decimals: int) -> None:
    formatter = matplotlib.ticker.FuncFormatter(lambda v, _pos: format_number(v, decimals))
    (axes.xaxis if axis == "x" else axes.yaxis).set_major_formatter(formatter)


def bar_by_district(
    data: pd.DataFrame,
    *,
    title: str,
    axis_label: str,
    caption: str,
    city_value: float | None = None,
    decimals: int = 1,
) -> FigureOutput:
    """Horizontal bars, one per district, sorted by value, labelled with the value.

    ``data`` has columns ``stadtbezirk`` and ``wert``; ``wert`` is None/NaN where the value must
    not be shown (confidential or not computable): such districts are listed with a gap.
    """
    ordered = data.assign(_sort=data["wert"].fillna(-1.0)).sort_values(["_sort", "stadtbezirk"])
    shown = ordered["wert"].notna()
    figure, axes = _new_figure(7.5, 0.26 * len(ordered) + 1.2)
    positions = range(len(ordered))
    axes.barh(list(positions), ordered["wert"].fillna(0.0).where(shown, 0.0), color=PALETTE[0], height=0.7)
    for position, (value, visible) in enumerate(zip(ordered["wert"], shown)):
        label = format_number(value, decimals) if visible else "nicht ausgewiesen"
        axes.annotate(
            label,
            (value if visible else 0.0, position),
            xytext=(3, 0),
            textcoords="offset points",
            va="center",
            fontsize=8,
            color="#1a1a1a",
        )
    axes.set_yticks(list(positions), ordered["stadtbezirk"].tolist(), fontsize=8)
    axes.set_xlabel(axis_label)
    axes.set_title(title, loc="left", pad=16)
    axes.grid(axis="y", visible=False)
    _german_axis(axes, "x", 0)
    if city_value is not None:
        axes.axvline(city_value, color=CITY_LINE_COLOUR, linestyle="--", linewidth=1.2)
        axes.text(
            city_value,
            1.0,
            f" Stadt: {format_number(city_value, decimals)}",
            fontsize=8,
            color=CITY_LINE_COLOUR,
            va="bottom",
            transform=axes.get_xaxis_transform(),
        )
    visible = ordered[shown]
    parts = [f"Balkendiagramm: {title}."]
    if len(visible):
        top, bottom = visible.iloc[-1], visible.iloc[0]
        parts.append(
            f"Höchster Wert: {top['stadtbezirk']} mit {format_number(top['wert'], decimals)}; "
            f"niedrigster Wert: {bottom['stadtbezirk']} mit {format_number(bottom['wert'], decimals)}."
        )
    if city_value is not None:
        parts.append(f"Gesamtstadt: {format_number(city_value, decimals)} (gestrichelte Linie).")
    hidden = ordered.loc[~shown, "stadtbezirk"].tolist()
    if hidden:
        parts.append(f"Nicht ausgewiesen: {', '.join(hidden)}.")
    return _render(figure, " ".join(parts), caption)


def line_over_years(
    data: pd.DataFrame,
    *,
    title: str,
    axis_label: str,
    caption: str,
    decimals: int = 1,
) -> FigureOutput:
    """Lines over the years, one per ``reihe``, each end labelled with its name and last value
    (so no legend is needed and colour is not the only cue; markers differ too).

    ``data`` has columns ``jahr``, ``reihe`` (series name) and ``wert`` (None/NaN = gap).
    """
    figure, axes = _new_figure(7.5, 3.8)
    markers = ("o", "s", "^", "D", "v", "P")
    series_names = list(dict.fromkeys(data["reihe"]))
    summaries = []
    for index, name in enumerate(series_names):
        series = data[data["reihe"] == name].sort_values("jahr")
        axes.plot(
            series["jahr"],
            series["wert"],
            marker=markers[index % len(markers)],
            color=PALETTE[index % len(PALETTE)],
            linewidth=2,
            label=name,
        )
        last = series.dropna(subset=["wert"]).iloc[-1:]
        if len(last):
            year, value = int(last["jahr"].iloc[0]), float(last["wert"].iloc[0])
            axes.annotate(
                f"{name}: {format_number(value, decimals)}",
                (year, value),
                xytext=(6, 0),
                textcoords="offset points",
                va="center",
                fontsize=8,
                color=PALETTE[index % len(PALETTE)],
            )
            shown = series.dropna(subset=["wert"])
            first = shown.iloc[0]
            if len(shown) == 1:
                summaries.append(f"{name} {format_number(value, decimals)} ({year}), übrige Jahre nicht ausgewiesen")
            else:
                summaries.append(
                    f"{name} von {format_number(first['wert'], decimals)} ({int(first['jahr'])}) "
                    f"auf {format_number(value, decimals)} ({year})"
                )
        else:
            summaries.append(f"{name} nicht ausgewiesen")
    years = sorted(data["jahr"].unique())
    axes.set_xticks(years, [str(y) for y in years])
    axes.set_xlim(years[0] - 0.3, years[-1] + 1.6)
    axes.set_ylabel(axis_label)
    axes.set_title(title, loc="left")
    _german_axis(axes, "y", 0 if data["wert"].max() >= 100 else 1)
    alt = f"Liniendiagramm: {title}. " + "; ".join(summaries) + "."
    return _render(figure, alt, caption)


def grouped_bars(
    data: pd.DataFrame,
    *,
    title: str,
    axis_label: str,
    caption: str,
    decimals: int = 0,
) -> FigureOutput:
    """Vertical bars by ``kategorie``, grouped by ``reihe``, hatched per series and labelled."""
    figure, axes = _new_figure(7.5, 4.0)
    categories = list(dict.fromkeys(data["kategorie"]))
    series_names = list(dict.fromkeys(data["reihe"]))
    width = 0.8 / len(series_names)
    hatches = ("", "//", "..", "xx")
    for index, name in enumerate(series_names):
        values = data[data["reihe"] == name].set_index("kategorie").reindex(categories)["wert"]
        offsets = [i + (index - (len(series_names) - 1) / 2) * width for i in range(len(categories))]
        bars = axes.bar(
            offsets,
            values.fillna(0.0),
            width=width * 0.95,
            color=PALETTE[index % len(PALETTE)],
            hatch=hatches[index % len(hatches)],
            edgecolor="white",
            label=name,
        )
        axes.bar_label(bars, labels=[format_number(v, decimals) for v in values], fontsize=7, padding=2)
    axes.set_xticks(range(len(categories)), categories, rotation=0, fontsize=8)
    axes.set_ylabel(axis_label)
    axes.set_title(title, loc="left")
    axes.grid(axis="x", visible=False)
    _german_axis(axes, "y", 0)
    if len(series_names) > 1:  # above the plot, where it never covers a bar
        axes.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), ncol=len(series_names), fontsize=8, frameon=False)
    largest = data.loc[data["wert"].idxmax()]
    alt = (
        f"Säulendiagramm: {title}. Größter Wert: {largest['reihe']}, {largest['kategorie']} mit "
        f"{format_number(largest['wert'], decimals)}."
    )
    return _render(figure, alt, caption)


def population_pyramid(
    data: pd.DataFrame,
    *,
    title: str,
    caption: str,
    left: str = "Männer",
    right: str = "Frauen",
) -> FigureOutput:
    """Age bands as rows, one sex to the left and one to the right, counts labelled on the bars.

    ``data`` has columns ``altersgruppe`` (youngest first), ``reihe`` (``left``/``right``) and
    ``wert`` (None/NaN where the count must not be shown: such bars are left out and said so).
    """
    groups = list(dict.fromkeys(data["altersgruppe"]))
    figure, axes = _new_figure(7.5, 0.28 * len(groups) + 1.4)
    hidden = []
    for side, sign, colour, hatch in ((left, -1, PALETTE[0], ""), (right, 1, PALETTE[1], "//")):
        values = data[data["reihe"] == side].set_index("altersgruppe").reindex(groups)["wert"]
        axes.barh(
            range(len(groups)),
            sign * values.fillna(0.0),
            color=colour,
            hatch=hatch,
            edgecolor="white",
            height=0.8,
            label=side,
        )
        for position, (group, value) in enumerate(values.items()):
            if pd.isna(value):
                hidden.append(f"{side} {group}")
                label, x = ".", 0.0  # the German symbol for a confidential value
            else:
                label, x = format_number(value, 0), sign * value
            axes.annotate(
                label,
                (x, position),
                xytext=(sign * 3, 0),
                textcoords="offset points",
                ha="left" if sign > 0 else "right",
                va="center",
                fontsize=7,
                color="#1a1a1a",
            )
    axes.set_yticks(range(len(groups)), groups, fontsize=8)
    axes.axvline(0, color="#333333", linewidth=0.8)
    limit = max(float(data["wert"].max(skipna=True) or 0.0), 1.0) * 1.25
    axes.set_xlim(-limit, limit)
    axes.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _pos: format_number(abs(v), 0)))
    axes.set_xlabel("Personen")
    axes.set_ylabel("Alter (Jahre)")
    axes.set_title(title, loc="left", pad=16)
    axes.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), ncol=2, fontsize=8, frameon=False)
    totals = data.groupby("reihe")["wert"].sum()
    alt = (
        f"Bevölkerungspyramide: {title}. {left} links ({format_number(totals.get(left, 0), 0)} ausgewiesen), "
        f"{right} rechts ({format_number(totals.get(right, 0), 0)} ausgewiesen)."
    )
    if hidden:
        noun = "Wert" if len(hidden) == 1 else "Werte"
        alt += f" Aus Gründen der Geheimhaltung nicht ausgewiesen: {len(hidden)} {noun} ({', '.join(hidden)})."
    return _render(figure, alt, caption)
