"""Benchmark: the four figures of a district profile (location map, two trend charts, pyramid), each
made and rendered in several ways one after the other in this process, with seconds and bytes per
figure. Prints figures only; nothing here asserts a target.

- ``png savefig``: ``Figure.savefig`` — with a layout engine it draws the figure once without
  rendering (to run the constrained layout) and then again into the PNG;
- ``png one draw``: what the report does (:func:`sozialplanung.report.figures.png_bytes`) — the
  canvas draws once, running the layout first, and its pixels are written as RGB PNG;
- ``svg paths`` / ``svg text``: the same figure as SVG (``savefig``), glyphs as paths
  (``svg.fonttype: path``) or text kept as text (``svg.fonttype: none``).

Needs a built edition (``sozialbericht build -C DIR``)::

    .venv/bin/python benchmarks/profile_figures.py --project-dir DIR [--kennziffer 243] [--repeat 5]
"""

from __future__ import annotations

import argparse
import io
import statistics
import time
from collections import defaultdict
from collections.abc import Callable

import matplotlib
from matplotlib.figure import Figure

from sozialplanung.report import figures, maps
from sozialplanung.report.profile import open_profile


def png_savefig(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=figures.DPI, metadata={"Software": None})
    return buffer.getvalue()


def svg(fonttype: str) -> Callable[[Figure], bytes]:
    def render(figure: Figure) -> bytes:
        buffer = io.BytesIO()
        with matplotlib.rc_context({"svg.fonttype": fonttype, "svg.hashsalt": "sozialplanung"}):
            figure.savefig(buffer, format="svg", metadata={"Date": None})
        return buffer.getvalue()

    return render


MODES = {
    "png savefig": png_savefig,
    "png one draw": figures.png_bytes,
    "svg paths": svg("path"),
    "svg text": svg("none"),
}


def measure(profile, render: Callable[[Figure], bytes]) -> dict[str, tuple[float, float, int]]:
    """Per figure: seconds to make it, seconds to render it, bytes."""
    results: dict[str, tuple[float, float, int]] = {}
    original = figures._render
    rendered: list[tuple[float, int]] = []

    def timed_render(figure, alt, caption):
        start = time.perf_counter()
        data = render(figure)
        rendered.append((time.perf_counter() - start, len(data)))
        return original(figures._new_figure(0.1, 0.1)[0], alt, caption)  # a tiny stand-in keeps the return type

    calls = {
        "location_map": profile.location_map,
        "trend sgb2_quote": lambda: profile.trend_figure("sgb2_quote"),
        "trend kinderarmut": lambda: profile.trend_figure("kinderarmut"),
        "pyramid": profile.pyramid,
    }
    figures._render = maps._render = timed_render
    try:
        for name, call in calls.items():
            rendered.clear()
            start = time.perf_counter()
            call()
            total = time.perf_counter() - start
            if rendered:
                seconds, size = rendered[0]
                results[name] = (total - seconds, seconds, size)
    finally:
        figures._render = maps._render = original
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project-dir", required=True)
    parser.add_argument("--edition", default="2024")
    parser.add_argument("--kennziffer", type=int, default=243)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    profile = open_profile(args.edition, args.kennziffer, args.project_dir)
    measure(profile, png_savefig)  # warm up: data, fonts, caches
    samples: dict[tuple[str, str], list[tuple[float, float, int]]] = defaultdict(list)
    for _ in range(args.repeat):
        for mode, render in MODES.items():  # interleaved, so load from elsewhere hits every mode alike
            for figure, result in measure(profile, render).items():
                samples[(mode, figure)].append(result)
    print(f"Profile {args.kennziffer}, median of {args.repeat} runs per mode (seconds; bytes)")
    print(f"{'mode':<14}{'figure':<20}{'make s':>9}{'render s':>10}{'bytes':>10}")
    for mode in MODES:
        make_total = render_total = size_total = 0.0
        for (name, figure), values in samples.items():
            if name != mode:
                continue
            make = statistics.median(v[0] for v in values)
            render = statistics.median(v[1] for v in values)
            size = values[0][2]
            make_total, render_total, size_total = make_total + make, render_total + render, size_total + size
            print(f"{mode:<14}{figure:<20}{make:>9.3f}{render:>10.3f}{size:>10,}")
        print(f"{mode:<14}{'all four':<20}{make_total:>9.3f}{render_total:>10.3f}{int(size_total):>10,}")


if __name__ == "__main__":
    main()
