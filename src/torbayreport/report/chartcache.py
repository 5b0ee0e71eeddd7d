"""A folder of chart images keyed by what they show, shared by the audiences and builds of a month.

Why: the internal and public reports show the same chart for every measure with no small
numbers, and a rebuild of an unchanged month draws the same 50 charts again; drawing is most of a
notebook's time. A chart's key is the content it shows (the plotted, audience-safe series, its SPC
lines and target, the words on it) plus the drawing code, so a chart is drawn once per content
and a change to either draws it again. A notebook run alone in Jupyter draws and caches the same
way (beside its cached context). Each chart writes one line to ``charts.log`` in the build folder.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import io
import os
from pathlib import Path

import pandas as pd

from torbayreport.report import chartrender

#: The columns of a chart window that the image depends on.
CACHE_COLUMNS = ("month", "value", "point_type", "spc_mean", "spc_lpl", "spc_upl", "spc_segment", "spc_trial", "target")


@functools.cache
def _code_fingerprint() -> str:
    """The drawing code (charts.py, chartrender.py and this module's PNG writing): a change to how
    charts are drawn invalidates every cached chart."""
    here = Path(__file__)
    code = b"".join(here.with_name(name).read_bytes() for name in ("charts.py", "chartrender.py", here.name))
    return hashlib.sha256(code).hexdigest()[:16]


def cache_key(window: pd.DataFrame, **labels) -> str:
    """A key from the content a chart shows and the drawing code (see the module docstring)."""
    digest = hashlib.sha256(_code_fingerprint().encode())
    for column in (c for c in CACHE_COLUMNS if c in window.columns):
        values = window[column]
        # the dtype too: the text "False" and the boolean False print alike but draw differently;
        # repr keeps every digit of a float and quotes text
        digest.update(f"|{column}:{values.dtype}=".encode())
        digest.update(repr(values.tolist()).encode())
    for name in sorted(labels):
        digest.update(f"|{name}={labels[name]}".encode())
    return digest.hexdigest()[:24]


def cached_png(cache_dir: Path | None, key: str, draw_png) -> tuple[bytes, bool]:
    """(png, reused): read ``cache_dir/<key>.png`` or call ``draw_png`` and store it atomically."""
    if cache_dir is None:
        return draw_png(), False
    path = Path(cache_dir) / f"{key}.png"
    if path.is_file():
        return path.read_bytes(), True
    png = draw_png()
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(f".{os.getpid()}.tmp")
    partial.write_bytes(png)
    os.replace(partial, path)  # another notebook drawing the same chart writes the same bytes
    return png, False


#: The file beside a build's build.log where each chart is recorded. Not build.log itself: the
#: pipeline's log handler holds build.log open without O_APPEND, so lines appended from a notebook
#: kernel are overwritten. The pipeline adds :func:`summary` to build.log after the notebooks run.
LOG_NAME = "charts.log"


def log_chart(folder: Path, kpi_id: str, reused: bool) -> None:
    """Append "<kpi> chart reused from the chart cache" (or "drawn and cached") to
    ``folder/charts.log`` (a build folder only; a notebook run alone logs nothing)."""
    stamp = dt.datetime.now().strftime("%Y-%m-%d %H:%M:%S,%f")[:-3]
    word = "reused from the chart cache" if reused else "drawn and cached"
    with (Path(folder) / LOG_NAME).open("a", encoding="utf-8") as handle:
        handle.write(f"{stamp} INFO torbayreport.charts: {kpi_id} chart {word}\n")


def counts(folder: Path) -> dict[str, int]:
    """``{"drawn": N, "reused": M}``: the charts the notebooks of the build folder drew or took
    from the chart cache (read from ``charts.log``; a notebook taken whole from the build cache
    shows no chart here, it was not run)."""
    path = Path(folder) / LOG_NAME
    lines = path.read_text(encoding="utf-8").splitlines() if path.is_file() else []
    return {"drawn": sum(line.endswith("drawn and cached") for line in lines),
            "reused": sum(line.endswith("reused from the chart cache") for line in lines)}


def summary(folder: Path) -> str:
    """One line for the build log: "charts: 24 reused from the chart cache, 3 drawn"."""
    found = counts(folder)
    return f"charts: {found['reused']} reused from the chart cache, {found['drawn']} drawn"


#: Colours kept when a chart is reduced to a palette PNG: enough for the MDC colours and the
#: anti-aliased edges, about a third of the bytes of a full-colour PNG (issue 12: the internal
#: HTML embeds ~50 charts and must stay under 2.5 MB).
PNG_COLOURS = 32


def png_bytes(fig, *, dpi: int, clear: bool = True) -> bytes:
    """Deterministic, optimised PNG bytes (palette of :data:`PNG_COLOURS`, no software/date
    metadata, no dithering), then let the figure go (``clear``; not a kept figure,
    :func:`chartrender.blank`)."""
    from PIL import Image

    image = chartrender.rgb_image(fig, dpi)
    if clear:
        fig.clear()
    image = image.quantize(colors=PNG_COLOURS, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True, dpi=(dpi, dpi))
    return out.getvalue()
