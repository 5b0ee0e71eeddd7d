"""Drawing chart figures to pixels cheaply, with the same pixels matplotlib's Agg backend draws.

Why: a build draws about 50 SPC charts, and most of a chart's time went on work that is the same
for every chart: measuring and laying out the same tick labels and legend words again, rasterising
the same glyphs again, and writing a PNG only to read it straight back. Three savings, each pixel
for pixel what a fresh ``FigureCanvasAgg`` + ``savefig`` gives (tests/report/test_chartrender.py
compares the bytes with stock matplotlib):

* **One renderer per image size and thread** (:class:`Canvas`). matplotlib caches text metrics per
  renderer, so a fresh canvas per chart measured every label again. The renderer is cleared before
  each draw (``FigureCanvasAgg.draw``), so it starts from the same blank buffer as a new one.
* **Text laid out and glyphs rasterised once** (:class:`Renderer`, matplotlib >= 3.10, which draws
  text glyph by glyph with FreeType). A string's layout depends only on the font, size, dpi, hinting
  and the string; a glyph's bitmap only on the font, size, dpi, hinting, angle and the fractional
  part (1/64 pixel) of its position: FreeType applies the translation after hinting, to a 26.6
  fixed-point outline, so a whole-pixel shift moves the bitmap by whole pixels and nothing else.
  Rotated text, mathtext and font features take matplotlib's own path.
* **Pixels straight from the canvas** (:func:`rgb_image`) instead of encoding a PNG and decoding it.
"""

from __future__ import annotations

import io
import math
import threading

import matplotlib
import numpy as np
from matplotlib.backends import backend_agg
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.ft2font import FT2Font, RenderMode
from matplotlib.transforms import Bbox

#: matplotlib releases whose glyph-by-glyph text drawing :class:`Renderer` copies and which
#: tests/report/test_chartrender.py has checked pixel for pixel. The caches lean on private
#: methods, so a release outside this range draws with matplotlib's own renderer (the same pixels,
#: at the old speed) until it has been checked and added here.
GLYPH_RELEASES = ((3, 10), (3, 11))
#: True when this matplotlib draws text glyph by glyph in a checked release: the layout and glyph
#: caches apply.
GLYPH_API = tuple(int(part) for part in matplotlib.__version__.split(".")[:2]) in GLYPH_RELEASES and hasattr(RendererAgg, "_draw_text_glyphs_and_boxes") and hasattr(RendererAgg, "_prepare_font") and all(
    hasattr(FT2Font, name) for name in ("_layout", "_set_transform", "_render_glyph"))
#: Entries each cache keeps before it starts again (a long Jupyter session draws many charts).
CACHE_LIMIT = 20_000


class Renderer(RendererAgg):
    """Agg renderer that keeps each string's layout and each glyph's bitmap (see the module docstring)."""

    def __init__(self, width, height, dpi):
        super().__init__(width, height, dpi)
        self._layouts: dict = {}
        self._glyphs: dict = {}

    def draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):
        features = mtext.get_fontfeatures() if mtext is not None else None
        language = mtext.get_language() if mtext is not None else None
        if ismath or angle != 0 or features is not None or language is not None:
            return super().draw_text(gc, x, y, s, prop, angle, ismath, mtext)
        flags = backend_agg.get_hinting_flag()
        key = (s, prop, flags)
        items = self._layouts.get(key)
        if items is None:  # as RendererAgg.draw_text lays it out
            if len(self._layouts) > CACHE_LIMIT:
                self._layouts.clear()
            font = self._prepare_font(prop)
            items = tuple((item.ft_object, item.glyph_index, item.x, item.y)
                          for item in font._layout(s, flags=flags, features=None, language=None))
            self._layouts[(s, prop.copy(), flags)] = items
        size = prop.get_size_in_points()
        antialiased = gc.get_antialiased()
        # RendererAgg._draw_text_glyphs_and_boxes for angle 0, with each glyph's bitmap kept
        cos, sin = math.cos(math.radians(angle)), math.sin(math.radians(angle))
        height = self.height
        draw_image = self._renderer.draw_text_image
        for font, glyph_index, dx, dy in items:
            ix, fx = divmod(round(0x40 * (x + dx * cos - dy * sin)), 0x40)
            iy, fy = divmod(round(0x40 * (height - y + dx * sin + dy * cos)), 0x40)
            glyph_key = (font, size, self.dpi, glyph_index, fx, fy, flags, antialiased)
            glyph = self._glyphs.get(glyph_key)
            if glyph is None:
                if len(self._glyphs) > CACHE_LIMIT:
                    self._glyphs.clear()
                font.set_size(size, self.dpi)
                font._set_transform(np.array([[0x10000, 0], [0, 0x10000]]), [fx, fy])
                bitmap = font._render_glyph(glyph_index, flags, RenderMode.NORMAL if antialiased else RenderMode.MONO)
                buffer = np.array(bitmap.buffer)
                if not antialiased:
                    buffer *= 0xff
                glyph = self._glyphs[glyph_key] = (buffer, bitmap.left, bitmap.top)
            buffer, left, top = glyph
            draw_image(buffer, left + ix, int(height) - (top + iy) + buffer.shape[0], 0, gc)


class Canvas(FigureCanvasAgg):
    """An Agg canvas that draws with one :class:`Renderer` per image size and thread for the whole process."""

    def get_renderer(self):
        w, h = self.get_width_height(physical=True)
        key = (w, h, self.figure.dpi)
        renderers = _RENDERERS.__dict__
        if key not in renderers:
            renderers[key] = (Renderer if GLYPH_API else RendererAgg)(w, h, self.figure.dpi)
        self.renderer, self._lastKey = renderers[key], key
        return self.renderer


_RENDERERS = threading.local()
_KEPT = threading.local()


def blank(figsize: tuple, dpi: int, rect: tuple, style) -> tuple[Figure, object]:
    """A figure of ``figsize`` at ``dpi`` with one axes at ``rect`` styled by ``style(ax)``, kept
    per thread and emptied for each chart instead of built again.

    Why: building the figure, its axes and their ticks was a third of a chart's time. What a
    chart adds (lines, markers, texts, legends) is removed, the data limits and autoscaling are
    as on a new axes, and the chart sets its own limits, ticks and formatters, so it draws the
    pixels a new figure draws (tests/report/test_chartrender.py). Not for a figure the caller
    keeps: the next chart empties it."""
    key = (figsize, dpi, rect, style)
    kept = _KEPT.__dict__.get(key)
    if kept is None:
        fig = Figure(figsize=figsize, dpi=dpi)
        Canvas(fig)
        ax = fig.add_axes(rect)
        style(ax)
        kept = _KEPT.__dict__[key] = (fig, ax)
        return kept
    fig, ax = kept
    for artist in [*ax.lines, *ax.collections, *ax.texts, *ax.patches, *ax.images, *ax.artists, *fig.texts,
                   *fig.legends, *fig.lines, *fig.patches, *fig.images, *fig.artists]:
        artist.remove()
    ax.dataLim.set_points(Bbox.null().get_points())
    ax.ignore_existing_data_limits = True
    ax.set_autoscale_on(True)
    ax.set_position(rect)
    return fig, ax


def rgb_image(fig, dpi: int):
    """The figure's pixels as an RGB ``PIL.Image``, as ``savefig(dpi=dpi, facecolor="white")``
    writes them to a PNG read back; without the PNG round trip when the figure is already drawn at
    ``dpi`` on white on an Agg canvas."""
    from PIL import Image

    if isinstance(fig.canvas, FigureCanvasAgg) and fig.dpi == dpi and to_rgba(fig.get_facecolor()) == (1, 1, 1, 1):
        fig.canvas.draw()
        pixels = np.asarray(fig.canvas.buffer_rgba())
        return Image.frombuffer("RGBA", (pixels.shape[1], pixels.shape[0]), pixels, "raw", "RGBA", 0, 1).convert("RGB")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None}, facecolor="white")
    return Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")
