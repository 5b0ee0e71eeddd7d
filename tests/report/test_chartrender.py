"""The cheaper chart drawing (report/chartrender.py) gives the pixels stock matplotlib gives.

The reference here is not our code: each figure is drawn a second time on matplotlib's own
``FigureCanvasAgg`` and written with ``savefig`` (a PNG, read back with Pillow), as the charts were
drawn before chartrender existed. The sample build's 57 chart PNGs were also compared byte for
byte with a build from before the change (see the branch's closing note).
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from torbayreport.report import chartcache, chartrender, charts

from .test_charts import _series


def _stock_rgb(fig: Figure, dpi: int) -> bytes:
    """The figure as stock matplotlib writes it: a fresh Agg canvas, savefig to PNG, decoded."""
    FigureCanvasAgg(fig)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None}, facecolor="white")
    return Image.open(io.BytesIO(buffer.getvalue())).convert("RGB").tobytes()


def _window(**overrides) -> pd.DataFrame:
    return charts.chart_window(_series(**overrides), "2020-12", 24)


CASES = {
    "percent with target": dict(kw={}, unit="percent"),
    "segments, trial limits and a recalculation note": dict(
        kw=dict(spc_segment=[0] * 21 + [1] * 15, spc_trial=[False] * 21 + [True] * 15), unit="percent"),
    "count without target": dict(kw=dict(target=np.nan, unit="count", value=np.linspace(3, 41, 36)), unit="count"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_chart_pixels_match_stock_matplotlib(case):
    spec = CASES[case]
    args = dict(title="Assessments completed within 45 working days improved to 78.3%: special-cause improvement",
                sub="Percentage, Torbay, January 2019 to December 2020", unit=spec["unit"], kpi_id="P04")
    ours = []
    for _ in range(2):  # the second draw reuses the renderer, its layouts and its glyphs
        fig = charts.draw(_window(**spec["kw"]), **args)
        assert isinstance(fig.canvas, chartrender.Canvas)
        ours.append(chartrender.rgb_image(fig, charts.DPI).tobytes())
    stock = _stock_rgb(charts.draw(_window(**spec["kw"]), **args), charts.DPI)
    assert ours[0] == stock and ours[1] == stock


def test_text_at_every_subpixel_offset_matches_stock_matplotlib():
    """A glyph's bitmap is kept per 1/64-pixel offset: text placed at many fractional positions,
    in two sizes and weights, draws exactly as matplotlib draws it."""

    def figure() -> Figure:
        fig = Figure(figsize=(4, 3), dpi=125)
        chartrender.Canvas(fig)
        for i in range(40):
            fig.text(0.013 * i + 0.0031 * (i % 7), 0.023 * i + 0.0017 * (i % 5), f"Jan\n20{i:02d} 78.{i}%",
                     fontsize=8.5 + (i % 3), fontweight="bold" if i % 2 else "normal", color="#3D3D3D")
        return fig

    first, second = chartrender.rgb_image(figure(), 125).tobytes(), chartrender.rgb_image(figure(), 125).tobytes()
    stock = _stock_rgb(figure(), 125)
    assert first == stock and second == stock


def test_rotated_text_takes_matplotlibs_own_path():
    def figure() -> Figure:
        fig = Figure(figsize=(3, 3), dpi=125)
        chartrender.Canvas(fig)
        fig.text(0.5, 0.5, "Limits recalculated", rotation=33, fontsize=9)
        return fig

    assert chartrender.rgb_image(figure(), 125).tobytes() == _stock_rgb(figure(), 125)


def test_a_figure_at_another_dpi_is_written_as_savefig_writes_it():
    """The region charts are drawn at 110 dpi and written at 125: the canvas shortcut does not
    apply, and the pixels are savefig's at 125 dpi."""

    def figure() -> Figure:
        fig = Figure(figsize=(3, 2), dpi=110)
        FigureCanvasAgg(fig)
        fig.add_subplot().plot([1, 3, 2])
        return fig

    image = chartrender.rgb_image(figure(), 125)
    assert image.size == (375, 250)  # 3 x 2 inches at 125 dpi
    assert image.tobytes() == _stock_rgb(figure(), 125)


def test_png_bytes_are_those_of_the_stock_pipeline():
    """chartcache.png_bytes: the palette PNG of the same pixels (quantised and written as before)."""
    args = dict(title="A title", sub="A subtitle", unit="percent", kpi_id="P04")
    ours = chartcache.png_bytes(charts.draw(_window(), **args), dpi=charts.DPI)
    stock = Image.frombytes("RGB", (750, 500), _stock_rgb(charts.draw(_window(), **args), charts.DPI))
    stock = stock.quantize(colors=chartcache.PNG_COLOURS, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    out = io.BytesIO()
    stock.save(out, format="PNG", optimize=True, dpi=(charts.DPI, charts.DPI))
    assert ours == out.getvalue()


def test_the_kept_figure_draws_each_chart_as_a_new_figure_does():
    """charts drawn one after another on the thread's kept figure (emptied for each), in an order
    that changes the number of ticks, segments, legend rows and the unit, give the pixels of the
    same chart on a new figure drawn by stock matplotlib."""
    args = dict(title="Assessments completed within 45 working days improved to 78.3%: special-cause improvement",
                sub="Percentage, Torbay, January 2019 to December 2020", kpi_id="P04")
    order = ["segments, trial limits and a recalculation note", "count without target", "percent with target",
             "segments, trial limits and a recalculation note", "count without target"]
    for case in order:
        spec = CASES[case]
        kept = charts.draw(_window(**spec["kw"]), unit=spec["unit"], kept=True, **args)
        pixels = chartrender.rgb_image(kept, charts.DPI).tobytes()
        assert pixels == _stock_rgb(charts.draw(_window(**spec["kw"]), unit=spec["unit"], **args), charts.DPI), case


def test_cache_key_follows_every_digit_and_the_dtype():
    """The chart cache key (report/chartcache.py) changes with any value the chart shows, to the
    last digit, and with a column's dtype (the text "False" and the boolean False draw apart)."""
    window = _window(spc_trial=False)
    key = chartcache.cache_key(window, title="t")
    assert chartcache.cache_key(window.copy(), title="t") == key
    nudged = window.assign(value=window["value"].where(window.index != 5, window["value"] + 1e-9))
    assert chartcache.cache_key(nudged, title="t") != key
    assert chartcache.cache_key(window.assign(spc_trial=window["spc_trial"].astype(str)), title="t") != key
    assert chartcache.cache_key(window, title="T") != key
