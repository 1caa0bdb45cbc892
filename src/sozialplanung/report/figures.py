"""One figure style for the whole report, and figures that carry their own alt text.

Figures are drawn on a plain :class:`matplotlib.figure.Figure` (no pyplot state, so nothing is shown
twice in a notebook) and published as PNG inside ``<figure>`` with alt text and a caption. Values
are labelled on the marks, so colour is never the only carrier of meaning; the labels use the
tables' symbols: a true zero is ``–``, hidden (confidential) values are left out as gaps (bars:
"nicht ausgewiesen", pyramid and column labels: ``.``) and said so, never drawn as zero. Line
charts start their value axis at zero, so a small change does not fill the whole height.

Each chart has a ``*_figure`` function that returns the unrendered Figure and its alt text (what the
tests read) and a function that renders it (:func:`_render`).

**Rendering once, as PNG.** The figures use the constrained layout. ``Figure.savefig`` then draws
each figure twice: once without rendering, to run the layout, and once into the file. The canvas's
``draw`` draws once, running the layout at the start of that draw; the pixels are the same. They
are written as RGB: a figure is opaque (white background), so an alpha channel carries nothing,
and without it the PNGs are about a tenth smaller (the site 6 %) and the print edition need not
split each one into colour and mask.

Measured for the four figures of a profile, still as RGBA PNG (``benchmarks/profile_figures.py``,
profile 243, median of 3 runs on a shared 2-core machine, seconds to render and bytes; before the line
charts started at zero, which changes their bytes by a few kB; a later run of 5 under three times
the load from other jobs: 2,31 s with savefig, 1,88 s in one draw, 1,68 s as SVG text):

==================  ===============  ===============  ===============  ===============
figure              PNG savefig      PNG one draw     SVG glyph paths  SVG text
==================  ===============  ===============  ===============  ===============
location map        0,27 s  101 kB   0,17 s  101 kB   0,15 s   99 kB   0,12 s   42 kB
trend chart (each)  0,15 s   39 kB   0,11 s   39 kB   0,11 s   40 kB   0,09 s   11 kB
pyramid             0,25 s   61 kB   0,19 s   61 kB   0,23 s   64 kB   0,20 s   38 kB
all four            0,82 s  241 kB   0,59 s  241 kB   0,61 s  243 kB   0,49 s  102 kB
==================  ===============  ===============  ===============  ===============

PNG stays: drawn once it is about as fast as SVG; SVG with glyphs as paths is no smaller and no
more accessible; SVG that keeps text as text is smaller, but inside ``<img>`` its text is neither
read aloud nor searchable (the alt text is what assistive technology gets, for either format) and
it is set in whatever font the reader's system has, so labels laid out for DejaVu Sans could
overflow their tiles and bars, and the page would no longer look the same on every machine.
"""

from __future__ import annotations

import base64
import html
import io
from dataclasses import dataclass

import matplotlib
import pandas as pd
import PIL.Image
from cycler import cycler
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from sozialplanung.core.formats import format_number
from sozialplanung.report.sentences import extremes, join_names
from sozialplanung.statistics.confidentiality import SYMBOL_CONFIDENTIAL, SYMBOL_ZERO

# Dark, colour-blind-safe colours with at least 3:1 contrast against white.
PALETTE = ("#1f4e79", "#b35806", "#00695c", "#5e3c99", "#595959", "#8c2d04")
CITY_LINE_COLOUR = "#333333"
DPI = 110

_WHITEGRID = {
    # The "whitegrid" theme of seaborn 0.13 (light grid behind the marks, no ticks, thicker axes),
    # written out: seaborn served only this, and importing it (with SciPy's statistics) cost every
    # kernel 1.3 s. The colour cycle is the report's palette; every mark sets its colour anyway.
    "axes.axisbelow": True,
    "axes.grid": True,
    "axes.linewidth": 1.25,
    "axes.prop_cycle": cycler(color=PALETTE),
    "font.sans-serif": ["Arial", "DejaVu Sans", "Liberation Sans", "Bitstream Vera Sans", "sans-serif"],
    "grid.color": ".8",
    "grid.linewidth": 1.0,
    "legend.fontsize": 11.0,
    "legend.title_fontsize": 12.0,
    "lines.solid_capstyle": "round",
    "patch.edgecolor": "w",
    "patch.force_edgecolor": True,
    "text.color": ".15",
    "xtick.bottom": False,
    "xtick.labelsize": 11.0,
    "xtick.major.size": 6.0,
    "xtick.major.width": 1.25,
    "xtick.minor.size": 4.0,
    "xtick.minor.width": 1.0,
    "ytick.labelsize": 11.0,
    "ytick.left": False,
    "ytick.major.size": 6.0,
    "ytick.major.width": 1.25,
    "ytick.minor.size": 4.0,
    "ytick.minor.width": 1.0,
}
_STYLE = {
    **_WHITEGRID,
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
        figure = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
        FigureCanvasAgg(figure)
        axes = figure.add_subplot()
    return figure, axes


def value_label(value: float, decimals: int) -> str:
    """A shown value as the tables print it: ``12,3``, and ``–`` for a true zero."""
    return SYMBOL_ZERO if value == 0 else format_number(value, decimals)


def spoken_value(value: float, decimals: int) -> str:
    """A shown value for alt text: as labelled, a zero with the symbol's meaning (``– (nichts vorhanden)``)."""
    return f"{SYMBOL_ZERO} (nichts vorhanden)" if value == 0 else format_number(value, decimals)


def _extreme_in_words(values: dict[str, float], decimals: int, highest: bool) -> str:
    """Every district at the highest (lowest) shown value, as the sentences name it: "Lahnberge,
    Dilschhausen und Haddamshausen mit – (nichts vorhanden)"."""
    zeros = {name: value for name, value in values.items() if value == 0}
    if not highest and zeros:  # "–" (nothing) lies below "0,0" (a little, rounded down), as the tables show
        values = zeros
    extreme = extremes(values, decimals, highest=highest)
    shown = SYMBOL_ZERO + " (nichts vorhanden)" if extreme.exact_zero else format_number(extreme.value, decimals)
    return f"{join_names(extreme.names)} mit {shown}"


def png_bytes(figure: Figure) -> bytes:
    """The figure as RGB PNG in one draw (the layout runs at its start; see the module's note)."""
    figure.canvas.draw()
    pixels = PIL.Image.frombuffer(
        "RGBA", figure.canvas.get_width_height(physical=True), figure.canvas.buffer_rgba(), "raw", "RGBA", 0, 1
    )
    buffer = io.BytesIO()
    pixels.convert("RGB").save(buffer, format="png")  # no metadata: the PNG depends on the data only
    return buffer.getvalue()


def _render(figure: Figure, alt: str, caption: str) -> FigureOutput:
    """The figure as published: its PNG (:func:`png_bytes`), size and accessible description."""
    width, height = (int(round(v)) for v in figure.get_size_inches() * DPI)
    return FigureOutput(png=png_bytes(figure), alt=alt, caption=caption, width=width, height=height)


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
    """Horizontal bars, one per district, as a published figure; see :func:`bar_figure`."""
    figure, alt = bar_figure(data, title=title, axis_label=axis_label, city_value=city_value, decimals=decimals)
    return _render(figure, alt, caption)


def bar_figure(
    data: pd.DataFrame,
    *,
    title: str,
    axis_label: str,
    city_value: float | None = None,
    decimals: int = 1,
) -> tuple[Figure, str]:
    """Horizontal bars, one per district, sorted by value, labelled with the value; unrendered, with
    the alt text.

    ``data`` has columns ``stadtbezirk`` and ``wert``; ``wert`` is None/NaN where the value must
    not be shown (confidential or not computable): such districts are listed with a gap.
    """
    ordered = data.assign(_sort=data["wert"].fillna(-1.0)).sort_values(["_sort", "stadtbezirk"])
    shown = ordered["wert"].notna()
    figure, axes = _new_figure(7.5, 0.26 * len(ordered) + 1.2)
    positions = range(len(ordered))
    axes.barh(list(positions), ordered["wert"].fillna(0.0).where(shown, 0.0), color=PALETTE[0], height=0.7)
    for position, (value, visible) in enumerate(zip(ordered["wert"], shown)):
        label = value_label(value, decimals) if visible else "nicht ausgewiesen"
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
            f" Stadt: {value_label(city_value, decimals)}",
            fontsize=8,
            color=CITY_LINE_COLOUR,
            va="bottom",
            transform=axes.get_xaxis_transform(),
        )
    visible = ordered[shown]
    parts = [f"Balkendiagramm: {title}."]
    if len(visible):
        values = dict(zip(visible["stadtbezirk"], visible["wert"]))
        parts.append(
            f"Höchster Wert: {_extreme_in_words(values, decimals, highest=True)}; "
            f"niedrigster Wert: {_extreme_in_words(values, decimals, highest=False)}."
        )
    if city_value is not None:
        parts.append(f"Gesamtstadt: {spoken_value(city_value, decimals)} (gestrichelte Linie).")
    hidden = ordered.loc[~shown, "stadtbezirk"].tolist()
    if hidden:
        parts.append(f"Nicht ausgewiesen: {', '.join(hidden)}.")
    return figure, " ".join(parts)


def line_over_years(
    data: pd.DataFrame,
    *,
    title: str,
    axis_label: str,
    caption: str,
    decimals: int = 1,
) -> FigureOutput:
    """Lines over the years as a published figure; see :func:`line_figure`."""
    figure, alt = line_figure(data, title=title, axis_label=axis_label, decimals=decimals)
    return _render(figure, alt, caption)


def line_figure(data: pd.DataFrame, *, title: str, axis_label: str, decimals: int = 1) -> tuple[Figure, str]:
    """Lines over the years, one per ``reihe``, each end labelled with its name and last value
    (so no legend is needed and colour is not the only cue; markers differ too); unrendered, with
    the alt text.

    The value axis starts at zero (rates and counts are never negative; a negative value would
    extend it), so the height of a line shows its size and a change from 11 to 15,5 does not fill
    the whole chart. ``data`` has columns ``jahr``, ``reihe`` (series name) and ``wert``
    (None/NaN = gap).
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
                f"{name}: {value_label(value, decimals)}",
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
                summaries.append(f"{name} {spoken_value(value, decimals)} ({year}), übrige Jahre nicht ausgewiesen")
            else:
                summaries.append(
                    f"{name} von {spoken_value(first['wert'], decimals)} ({int(first['jahr'])}) "
                    f"auf {spoken_value(value, decimals)} ({year})"
                )
        else:
            summaries.append(f"{name} nicht ausgewiesen")
    years = sorted(data["jahr"].unique())
    axes.set_xticks(years, [str(y) for y in years])
    axes.set_xlim(years[0] - 0.3, years[-1] + 1.6)
    values = pd.to_numeric(data["wert"]).dropna()
    low, high = (min(float(values.min()), 0.0), max(float(values.max()), 0.0)) if len(values) else (0.0, 0.0)
    headroom = 0.08 * (high - low) if high > low else 1.0
    axes.set_ylim(low - (headroom if low < 0 else 0.0), high + headroom)
    axes.set_ylabel(axis_label)
    axes.set_title(title, loc="left")
    _german_axis(axes, "y", 0 if high >= 100 else 1)
    return figure, f"Liniendiagramm: {title}. " + "; ".join(summaries) + "."


def grouped_bars(
    data: pd.DataFrame,
    *,
    title: str,
    axis_label: str,
    caption: str,
    decimals: int = 0,
) -> FigureOutput:
    """Vertical bars by category and series as a published figure; see :func:`grouped_figure`."""
    figure, alt = grouped_figure(data, title=title, axis_label=axis_label, decimals=decimals)
    return _render(figure, alt, caption)


def grouped_figure(data: pd.DataFrame, *, title: str, axis_label: str, decimals: int = 0) -> tuple[Figure, str]:
    """Vertical bars by ``kategorie``, grouped by ``reihe``, hatched per series and labelled as the
    tables print them (``–`` for zero, ``.`` where ``wert`` is None/NaN because it must not be
    shown: no bar, said in the alt text); unrendered, with the alt text."""
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
        labels = [SYMBOL_CONFIDENTIAL if pd.isna(v) else value_label(v, decimals) for v in values]
        axes.bar_label(bars, labels=labels, fontsize=7, padding=2)
    axes.set_xticks(range(len(categories)), categories, rotation=0, fontsize=8)
    axes.set_ylabel(axis_label)
    axes.set_title(title, loc="left")
    axes.grid(axis="x", visible=False)
    _german_axis(axes, "y", 0)
    if len(series_names) > 1:  # above the plot, where it never covers a bar
        axes.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), ncol=len(series_names), fontsize=8, frameon=False)
    parts = [f"Säulendiagramm: {title}."]
    shown = data.dropna(subset=["wert"])
    if len(shown):
        largest = shown.loc[shown["wert"].idxmax()]
        parts.append(
            f"Größter Wert: {largest['reihe']}, {largest['kategorie']} mit {spoken_value(largest['wert'], decimals)}."
        )
    hidden = data[data["wert"].isna()]
    if len(hidden):
        parts.append(
            f"Nicht ausgewiesen: {', '.join(f'{r}, {k}' for r, k in zip(hidden['reihe'], hidden['kategorie']))}."
        )
    return figure, " ".join(parts)


def population_pyramid(
    data: pd.DataFrame,
    *,
    title: str,
    caption: str,
    left: str = "Männer",
    right: str = "Frauen",
) -> FigureOutput:
    """A population pyramid as a published figure; see :func:`pyramid_figure`."""
    figure, alt = pyramid_figure(data, title=title, left=left, right=right)
    return _render(figure, alt, caption)


def pyramid_figure(
    data: pd.DataFrame, *, title: str, left: str = "Männer", right: str = "Frauen"
) -> tuple[Figure, str]:
    """Age bands as rows, one sex to the left and one to the right, counts labelled on the bars as
    the tables print them (``–`` for zero); unrendered, with the alt text.

    ``data`` has columns ``altersgruppe`` (youngest first), ``reihe`` (``left``/``right``) and
    ``wert`` (None/NaN where the count must not be shown: such bars are left out, labelled ``.``
    and said so).
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
                label, x = SYMBOL_CONFIDENTIAL, 0.0
            else:
                label, x = value_label(value, 0), sign * value
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
    return figure, alt
