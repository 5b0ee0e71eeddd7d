"""SPC (Making Data Count) trend charts for one KPI, with an active title and alt text from the data.

Why these choices:

* **Object-oriented matplotlib, no pyplot.** A ``Figure`` drawn on an Agg canvas is never
  registered with pyplot, so a notebook's inline backend does not also emit an untitled
  ``image/png`` without alt text, no backend is switched (``matplotlib.use`` in a notebook stops
  papermill capturing figures), and nothing is left open between cells.
* **One markdown output per figure**, ``![alt text](data:image/png;base64,...)``: the render step
  (Quarto or pandoc + typst) turns it into an image with its alt text in both HTML and PDF.
* **Deterministic PNG**: fixed size and dpi, months on an integer axis with fixed tick labels, no
  ``Software``/date metadata. Same data -> same bytes.
* **MDC conventions for the SPC layer** (research note §A3: NHSRplotthedots colours; blue =
  improvement, orange = concern, grey = common cause, purple = neutral; dashed process limits;
  red target line) with a distinct marker *shape* per point type so colour is never the only
  carrier, and the Analysis Function dark grey for text, axes and the mean.
* **An audience with disclosure on** (the public): a suppressed value is never plotted. When no month of the series is
  suppressed the full SPC chart is drawn. When some are, the chart shows only the published
  months, with gaps, and *without* the mean and process limits: they are computed from every
  month, so with one month hidden its value could be recovered from the mean. (Every plotted value
  is one the public metric table already prints, after secondary suppression.) When the latest
  month is suppressed, or fewer than 13 months would remain, there is no chart: the title and alt
  text carry the SPC and RAG words only.
"""

from __future__ import annotations

import base64
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from torbayreport.report import chartcache, chartdata, chartrender
from torbayreport.report.chartdata import DATA_SUMMARY, chart_data  # noqa: F401 (DATA_SUMMARY re-exported)
from torbayreport.report.chartcache import png_bytes as _png_bytes
from torbayreport.report.tables import (
    VARIATION_WORDS,
    _missing,
    decimals_for,
    format_value,
)

# MDC colours (NHSRplotthedots ptd_spc_colours, research note §A3); AF palette for the rest.
# The legend's words are the tables' words (tables.VARIATION_WORDS): one vocabulary for the reading.
POINT_STYLE = {
    point_type: {**style, "label": VARIATION_WORDS[point_type]}
    for point_type, style in {
        "common_cause": {"color": "#a6a6a6", "marker": "o"},
        "special_cause_improvement": {"color": "#00b0f0", "marker": "^"},
        "special_cause_concern": {"color": "#e46c0a", "marker": "s"},
        "special_cause_neutral": {"color": "#490092", "marker": "D"},
    }.items()
}
MEAN_COLOUR = "#000000"
LIMIT_COLOUR = "#3D3D3D"
TARGET_COLOUR = "#de1b1b"
LINE_COLOUR = "#a6a6a6"
TEXT_COLOUR = "#3D3D3D"
GRID_COLOUR = "#D9D9D9"

#: Inches, fixed so every chart has the same size. In the PDF a chart takes about 70% of the line
#: with its compact table (chartdata.py) beside it, about as high as the chart, so a page holds
#: two measures; drawn 6 in wide, its type prints at about three quarters of its size there.
FIGSIZE = (6.0, 4.0)
#: The axes before the title, subtitle and legend above them are measured (figure fractions).
AXES_RECT = (0.08, 0.13, 0.76, 0.62)
#: Characters per line of the title and subtitle (DejaVu Sans, bold titles are wide), and legend
#: columns, at this width.
TITLE_WRAP, SUBTITLE_WRAP, LEGEND_COLUMNS = 54, 74, 3
#: 125 dpi: 750 x 500 px, about 165 ppi at 70% of the PDF's text width; with ``chartcache.PNG_COLOURS`` it keeps
#: the full internal HTML (51 charts) under 2.5 MB (measured: 150 dpi / 64 colours gave 2.8 MB).
DPI = 125
MIN_MONTHS = 13

MONTH_LONG = "%B %Y"


@dataclass
class Chart:
    """A rendered chart (or the reason there is none) that a notebook displays as markdown."""

    kpi_id: str
    title: str
    alt: str
    png: bytes | None = None
    reason: str = ""  # why no chart was drawn (public small numbers, no data)
    plotted: pd.DataFrame = field(default_factory=pd.DataFrame)  # month, value, point_type actually drawn

    cached: bool = False  # True when the image came from the chart cache (drawn by an earlier build)
    withheld: bool = False  # this month's figure is withheld: the words say only that there is no chart
    data: pd.DataFrame = field(default_factory=pd.DataFrame)  # the figures the chart shows, for its data table

    def markdown(self) -> str:
        """The image with its alt text, then its figures: every month in a closed ``<details>``
        (HTML) and the recent months in a compact table (PDF); see :mod:`.chartdata`."""
        if self.png is None:
            return f"*{self.reason}*" if self.withheld else f"*{self.title}.* {self.reason}".strip()
        data = base64.b64encode(self.png).decode("ascii")
        image = f"![{_alt_safe(self.alt)}](data:image/png;base64,{data})"
        return "\n\n".join(part for part in (image, self.data_table(), chartdata.compact_table(self.data)) if part)

    def data_table(self) -> str:
        """The chart's figures as a table inside ``<details>`` (:func:`chartdata.data_table`)."""
        return chartdata.data_table(self.data, kpi_id=self.kpi_id, title=self.title)

    def _repr_markdown_(self) -> str:
        return self.markdown()

    def __repr__(self) -> str:
        return f"<Chart {self.kpi_id}: {self.alt}>"


def _alt_safe(text: str) -> str:
    """Alt text inside ``![...]``: one line, no brackets that would end the alt early."""
    return " ".join(text.split()).replace("[", "(").replace("]", ")")


def _month_long(period: pd.Period) -> str:
    return period.strftime(MONTH_LONG)


def _is_true(x) -> bool:
    return (not _missing(x)) and bool(x)


def chart_window(series: pd.DataFrame, month, trend_months: int = 24) -> pd.DataFrame:
    """The rows of one KPI from ``month - trend_months + 1`` to ``month`` (at least 13 months)."""
    months = max(int(trend_months), MIN_MONTHS)
    end = pd.Period(month, "M")
    start = end - (months - 1)
    m = series["month"]
    if m.dtype == pd.PeriodDtype("M") and m.is_monotonic_increasing and m.is_unique:
        # the usual case (ReportContext's series: monthly periods, sorted): one slice, no copies
        first, stop = m.searchsorted(start, side="left"), m.searchsorted(end, side="right")
        return series.iloc[first:stop].reset_index(drop=True)
    m = m.astype("period[M]") if not isinstance(m.dtype, pd.PeriodDtype) else m
    out = series.assign(month=m)
    out = out[(out["month"] >= start) & (out["month"] <= end)].sort_values("month").reset_index(drop=True)
    return out


def _series_hidden(series: pd.DataFrame, window: pd.DataFrame) -> bool:
    """True when any value the chart or its SPC lines depend on is suppressed (or blanked)."""
    flags = []
    for frame in (series, window):
        if "value_suppressed" in frame.columns:
            flags.append(frame["value_suppressed"].fillna(False).astype(bool).any())
    return any(flags)


def public_view(series: pd.DataFrame, window: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """What a public chart may show: ("full", window), ("gaps", window without suppressed values
    and SPC lines) or ("none", window) when the latest month is withheld or < 13 months remain."""
    if not _series_hidden(series, window):
        return window, "full"
    flags = window["value_suppressed"].fillna(False).astype(bool) if "value_suppressed" in window else False
    shown = window.assign(value=pd.to_numeric(window["value"], errors="coerce").where(~flags))
    for column in ("spc_mean", "spc_lpl", "spc_upl"):
        if column in shown.columns:
            shown[column] = np.nan
    if shown.empty or pd.isna(shown["value"].iloc[-1]) or shown["value"].notna().sum() < MIN_MONTHS:
        return shown, "none"
    return shown, "gaps"


def _spc_words(point_type) -> str:
    if _missing(point_type):
        return ""
    return VARIATION_WORDS.get(str(point_type), str(point_type)).replace("Special cause: ", "special-cause ").lower()


def _fmt(kpi_id: str, unit: str, x) -> str:
    return format_value(x, unit, decimals_for(kpi_id))


def active_title(latest: pd.Series | dict, *, hidden: bool = False) -> str:
    """The chart's headline: what happened this month, e.g.

    "Assessments completed within 45 working days improved to 78.3%: special-cause improvement".
    """
    latest = dict(latest)
    title = str(latest.get("title", latest.get("kpi_id", "")))
    kpi_id = str(latest.get("kpi_id", ""))
    unit = str(latest.get("unit", "percent"))
    spc = _spc_words(latest.get("point_type"))
    tail = f": {spc}" if spc else ""
    if hidden or _is_true(latest.get("value_suppressed")):
        return f"{title}: this month's figure is withheld because the numbers are small"
    value = latest.get("value")
    if _missing(value):
        return f"{title}: no data this month"
    direction = latest.get("direction")
    verb = {"improved": "improved to", "worsened": "worsened to", "no change": "unchanged at"}.get(
        str(direction) if not _missing(direction) else "", "was"
    )
    conflict = (str(direction), spc) in {("worsened", "special-cause improvement"), ("improved", "special-cause concern")}
    if conflict:  # a one-month change against the run of the data: say both, plainly
        return f"{title} {verb} {_fmt(kpi_id, unit, value)}, but the trend shows {spc}"
    return f"{title} {verb} {_fmt(kpi_id, unit, value)}{tail}"


def subtitle(window: pd.DataFrame, *, la_name: str, unit: str, kpi_window: str | None = None) -> str:
    """Statistical subtitle: measure, area, period."""
    measure = {"percent": "Percentage", "ratio": "Ratio", "count": "Number"}.get(unit, unit)
    period_words = {"r12m": "rolling 12 months", "r3m": "rolling 3 months", "snapshot": "at month end", "flow": "monthly"}
    if kpi_window in period_words:
        measure = f"{measure}, {period_words[kpi_window]}"
    first, last = window["month"].iloc[0], window["month"].iloc[-1]
    return f"{measure}, {la_name}, {_month_long(first)} to {_month_long(last)}"


def alt_text(series: pd.DataFrame, month, *, la_name: str, disclosure: bool, trend_months: int) -> str:
    """Alt text built from the data the chart shows (or, with no chart, the words that replace it).

    "Line chart of Assessments completed within 45 working days, Torbay, January 2019 to December
    2020: rose from 61.0% to 78.3%; target 83.0%; the latest month shows special-cause improvement."
    """
    window = chart_window(series, month, trend_months)
    view = public_view(series, window) if disclosure and not window.empty else (window, "full")
    return _alt_text(window, *view, la_name=la_name, disclosure=disclosure)


def _alt_text(window: pd.DataFrame, shown: pd.DataFrame, status: str, *, la_name: str, disclosure: bool) -> str:
    """:func:`alt_text` from the chart's window and what of it is shown (:func:`public_view`)."""
    if window.empty:
        return f"No data for {la_name} in the period."
    latest = window.iloc[-1]
    title = str(latest.get("title", latest["kpi_id"]))
    kpi_id, unit = str(latest["kpi_id"]), str(latest.get("unit", "percent"))
    period = f"{la_name}, {_month_long(window['month'].iloc[0])} to {_month_long(window['month'].iloc[-1])}"
    spc = _spc_words(latest.get("point_type"))
    spc_text = f"the latest month shows {spc}" if spc else "no SPC reading for the latest month"
    target = latest.get("target")
    target_text = "" if _missing(target) else f"; target {_fmt(kpi_id, unit, target)}"
    gaps = ""
    if disclosure:
        window = shown
        gaps = " (months with small numbers are not shown)" if status == "gaps" else ""
    if disclosure and status == "none":
        if _is_true(latest.get("value_suppressed")):
            return (f"No chart of {title}, {period}: this month's numbers are small and are withheld, with "
                    f"the rating worked out from them, to protect confidentiality{target_text}.")
        return (
            f"No chart of {title}, {period}: too many months have small numbers, which are withheld to protect "
            f"confidentiality{target_text}; {spc_text}."
        )
    rows = np.flatnonzero(window["value"].notna().to_numpy())  # the months with a value
    if not rows.size:
        return f"Line chart of {title}, {period}: no data in the period{target_text}."
    a, b = float(window["value"].iloc[rows[0]]), float(window["value"].iloc[rows[-1]])
    first_month, last_month = window["month"].iloc[rows[0]], window["month"].iloc[rows[-1]]
    fa, fb = _fmt(kpi_id, unit, a), _fmt(kpi_id, unit, b)
    if fa == fb:
        move = f"stayed at {fb}"
    else:
        move = f"{'rose' if b > a else 'fell'} from {fa} to {fb}"
    if last_month != window["month"].iloc[-1]:
        move += f" (latest value {_month_long(last_month)}; no data for the final month)"
    elif first_month != window["month"].iloc[0]:
        move += f" (first value {_month_long(first_month)})"
    recalc = ""
    if "spc_mean" in window.columns and pd.to_numeric(window["spc_mean"], errors="coerce").notna().any():
        months = recalculated_months(window)
        if months:
            recalc = "; average and limits recalculated from " + " and ".join(_month_long(m) for m in months)
    return f"Line chart of {title}, {period}{gaps}: {move}{target_text}; {spc_text}{recalc}."


def _style_axes(ax) -> None:
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.spines["bottom"].set_color(TEXT_COLOUR)
    ax.tick_params(colors=TEXT_COLOUR, labelsize=9, length=3)
    ax.tick_params(axis="y", length=0)
    ax.yaxis.grid(True, color=GRID_COLOUR, linewidth=0.8)
    ax.set_axisbelow(True)


def _line_steps(values: pd.Series) -> np.ndarray:
    return pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)


def _segments(window: pd.DataFrame) -> list[tuple[int, int, bool]]:
    """(first row, row after the last, trial) of each run of months sharing ``spc_segment``."""
    n = len(window)
    if "spc_segment" not in window.columns or n == 0:
        return [(0, n, False)] if n else []
    ids = pd.to_numeric(window["spc_segment"], errors="coerce").fillna(-1).to_numpy()
    starts = [0] + [i for i in range(1, n) if ids[i] != ids[i - 1]]
    trial = window["spc_trial"] if "spc_trial" in window.columns else pd.Series(False, index=window.index)
    trial = [_is_true(v) for v in trial]
    return [(a, b, trial[a]) for a, b in zip(starts, starts[1:] + [n])]


def recalculated_months(window: pd.DataFrame) -> list[pd.Period]:
    """The months inside the window where the SPC limits were recalculated (a later segment starts)."""
    return [window["month"].iloc[a] for a, _b, _t in _segments(window)[1:]]


def draw(window: pd.DataFrame, *, title: str, sub: str, unit: str, kpi_id: str, kept: bool = False) -> Figure:
    """Draw the SPC chart for the rows in ``window`` (already filtered for disclosure); ``kept``:
    on the thread's kept figure (:func:`chartrender.blank`, emptied by the next chart)."""
    if kept:
        fig, ax = chartrender.blank(FIGSIZE, DPI, AXES_RECT, _style_axes)
    else:
        fig = Figure(figsize=FIGSIZE, dpi=DPI)
        chartrender.Canvas(fig)
        ax = fig.add_axes(AXES_RECT)
        _style_axes(ax)
    # Lay out top-down in figure fractions: title (wrapped), subtitle, legend, then the axes.
    height_pt = FIGSIZE[1] * 72
    title_lines = textwrap.wrap(title, TITLE_WRAP) or [""]
    y_top = 0.965
    fig.text(0.02, y_top, "\n".join(title_lines), fontsize=11.5, fontweight="bold", color=TEXT_COLOUR,
             ha="left", va="top", linespacing=1.25)
    y_sub = y_top - len(title_lines) * 11.5 * 1.3 / height_pt - 0.012
    sub_lines = textwrap.wrap(sub, SUBTITLE_WRAP) or [""]
    fig.text(0.02, y_sub, "\n".join(sub_lines), fontsize=9.5, color=TEXT_COLOUR, ha="left", va="top",
             linespacing=1.25)
    y_legend = y_sub - len(sub_lines) * 9.5 * 1.3 / height_pt - 0.015
    x = np.arange(len(window))
    y = _line_steps(window["value"])

    ax.plot(x, y, color=LINE_COLOUR, linewidth=1.4, zorder=2)
    handles: list = []
    types = window.get("point_type", pd.Series(["common_cause"] * len(window))).astype("object")
    types = types.where(types.isin(list(POINT_STYLE)), "common_cause")
    for point_type, style in POINT_STYLE.items():
        mask = (types == point_type).to_numpy() & np.isfinite(y)
        if mask.any():
            ax.scatter(
                x[mask], y[mask], s=34, color=style["color"], marker=style["marker"],
                edgecolors="#3D3D3D", linewidths=0.5, zorder=3,
            )
            handles.append(Line2D([], [], linestyle="", marker=style["marker"], color=style["color"],
                                  markeredgecolor="#3D3D3D", markeredgewidth=0.5, label=style["label"]))

    # SPC lines segment by segment (limits recalculated at a known cause of change): no line joins
    # two segments, and a trial segment (too few points for firm limits) is drawn lighter.
    segments = _segments(window)
    trial_drawn = False

    def hline(column: str, **kw):
        nonlocal trial_drawn
        if column not in window.columns:
            return False
        v = _line_steps(window[column])
        drawn = False
        for start, stop, trial in segments:
            part = v[start:stop]
            if not np.isfinite(part).any():
                continue
            style = dict(kw, alpha=0.45, linestyle=(0, (1.5, 2))) if trial else kw
            # a flat line over the segment's months, reaching half a month either side
            ax.plot([start - 0.4, stop - 0.6], [part[np.isfinite(part)][0]] * 2, **style)
            drawn = True
            trial_drawn = trial_drawn or trial
        return drawn

    if hline("spc_mean", color=MEAN_COLOUR, linewidth=1.0, zorder=1):
        handles.append(Line2D([], [], color=MEAN_COLOUR, linewidth=1.0, label="Mean"))
    shown_upl = hline("spc_upl", color=LIMIT_COLOUR, linewidth=1.0, linestyle=(0, (4, 3)), zorder=1)
    shown_lpl = hline("spc_lpl", color=LIMIT_COLOUR, linewidth=1.0, linestyle=(0, (4, 3)), zorder=1)
    if shown_upl or shown_lpl:
        handles.append(Line2D([], [], color=LIMIT_COLOUR, linewidth=1.0, linestyle=(0, (4, 3)), label="Process limits"))
    if trial_drawn:
        handles.append(Line2D([], [], color=LIMIT_COLOUR, linewidth=1.0, alpha=0.45, linestyle=(0, (1.5, 2)),
                              label="Trial limits (few months)"))
    has_limits = "spc_mean" in window.columns and np.isfinite(_line_steps(window["spc_mean"])).any()
    for start, _stop, _trial in segments[1:] if has_limits else []:
        ax.axvline(start - 0.5, color=TEXT_COLOUR, linewidth=0.9, linestyle=(0, (1, 2)), zorder=1)
        ax.annotate(f"Limits recalculated: {window['month'].iloc[start].strftime('%b %Y')}",
                    xy=(start - 0.5, 1.0), xycoords=("data", "axes fraction"), xytext=(3, -2),
                    textcoords="offset points", va="top", ha="left", fontsize=8, color=TEXT_COLOUR)
    if "target" in window.columns and pd.to_numeric(window["target"], errors="coerce").notna().any():
        t = _line_steps(window["target"])
        # above the axis line (zorder > spines), so a target of 0% is not hidden under the axis
        ax.plot(x, t, color=TARGET_COLOUR, linewidth=1.4, linestyle=(0, (8, 2, 2, 2)), zorder=3, clip_on=False)
        handles.append(Line2D([], [], color=TARGET_COLOUR, linewidth=1.4, linestyle=(0, (8, 2, 2, 2)), label="Target"))
        last_t = t[np.isfinite(t)][-1]
        ax.annotate(
            f"Target {format_value(last_t, unit, decimals_for(kpi_id))}", xy=(x[-1], last_t), xytext=(6, 0),
            textcoords="offset points", va="center", ha="left", fontsize=8.5, color=TARGET_COLOUR,
            annotation_clip=False,
        )

    # y range: percentages stay within 0..100 but zoom to the data; counts start at zero.
    stack = [y]
    for column in ("spc_lpl", "spc_upl", "target"):
        if column in window.columns:
            stack.append(_line_steps(window[column]))
    finite = np.concatenate([s[np.isfinite(s)] for s in stack]) if stack else np.array([])
    if finite.size:
        lo, hi = float(finite.min()), float(finite.max())
        pad = max((hi - lo) * 0.08, 1.0 if unit == "percent" else 0.5)
        lo, hi = lo - pad, hi + pad
        if unit == "percent":
            lo, hi = max(lo, 0.0), min(hi, 100.0)
            if hi - lo < 5:
                hi = min(lo + 5, 100.0)
                lo = max(hi - 5, 0.0)
        else:
            lo = max(lo, 0.0)
        if lo == 0.0 and finite.min() <= 0.0:  # a value or target at zero sits just above the axis
            lo = -0.03 * (hi - lo)
        ax.set_ylim(lo, hi)
    if unit == "percent":
        ax.yaxis.set_major_formatter(lambda v, _pos: f"{v:.0f}%" if v >= 0 else "")
    else:
        ax.yaxis.set_major_formatter(lambda v, _pos: f"{v:g}" if v >= 0 else "")

    months = list(window["month"])
    ticks = [i for i, m in enumerate(months) if (len(months) - 1 - i) % 3 == 0]
    ax.set_xticks(ticks)
    ax.set_xticklabels([months[i].strftime("%b\n%Y") for i in ticks])
    ax.set_xlim(-0.6, len(months) - 0.4)

    ncol = min(len(handles), LEGEND_COLUMNS) or 1
    legend_rows = -(-len(handles) // ncol)
    if handles:
        fig.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.015, y_legend), ncol=ncol,
                   frameon=False, fontsize=8.5, handlelength=2.2, columnspacing=1.2, labelcolor=TEXT_COLOUR,
                   borderaxespad=0.0, borderpad=0.0)
    axes_top = y_legend - legend_rows * 8.5 * 1.6 / height_pt - 0.025
    ax.set_position((0.08, 0.13, 0.76, axes_top - 0.13))
    return fig


def spc_chart(
    series: pd.DataFrame,
    month,
    *,
    la_name: str,
    disclosure: bool,
    trend_months: int,
    cache_dir: Path | None = None,
) -> Chart:
    """The SPC chart for one KPI's assessed (and, with ``disclosure`` on, disclosed) rows; a
    disclosed series never plots a suppressed month (see :func:`public_view`).

    ``series`` holds every month of one KPI (columns of the assessed table: month, kpi_id, title,
    unit, value, target, spc_mean, spc_lpl, spc_upl, point_type, direction, rag, value_suppressed…).
    Returns a :class:`Chart` whose markdown is the image with alt text, or, when no chart may be
    drawn, a sentence saying why.
    """
    window = chart_window(series, month, trend_months)
    kpi_id = str(series["kpi_id"].iloc[0]) if len(series) else ""
    view = public_view(series, window) if disclosure and not window.empty else (window, "full")
    alt = _alt_text(window, *view, la_name=la_name, disclosure=disclosure)
    if window.empty or window["month"].iloc[-1] != pd.Period(month, "M"):
        return Chart(kpi_id, f"{kpi_id}: no data", alt, reason="There is no data for this month.")
    latest = window.iloc[-1]
    window, status = view
    hidden = status == "none"
    latest_withheld = _is_true(latest.get("value_suppressed"))
    # "withheld" is said only of what is withheld: when this month's figure is shown, the title
    # gives it and only the chart is left out
    title = active_title(latest, hidden=latest_withheld)
    if hidden:
        reason = (
            # the measure's reading above already says what is withheld and why: one short line
            "No chart is shown, because this month's numbers are small."
            if latest_withheld else
            "No chart is shown in the public report: too many months in this series have small numbers, "
            "which are withheld to protect the confidentiality of the people they describe. This month's "
            "figure is published and given above."
        )
        return Chart(kpi_id, title, alt, reason=reason, withheld=latest_withheld)
    if not pd.to_numeric(window["value"], errors="coerce").notna().any():
        return Chart(kpi_id, title, alt, reason="There is no data in the period, so no chart is drawn.")
    from torbayreport.metrics import REGISTRY

    kpi = REGISTRY.get(kpi_id)
    unit = str(latest.get("unit", "percent"))
    sub = subtitle(window, la_name=la_name, unit=unit, kpi_window=kpi.window if kpi else None)
    if status == "gaps":
        sub += ". Months with small numbers are not shown, so no average or limits are drawn"
    key = chartcache.cache_key(window, title=title, sub=sub, unit=unit, kpi_id=kpi_id)
    png, reused = chartcache.cached_png(cache_dir, key,
                              lambda: _png_bytes(draw(window, title=title, sub=sub, unit=unit, kpi_id=kpi_id, kept=True),
                                                 dpi=DPI, clear=False))
    keep = window["value"].notna().to_numpy()
    plotted = pd.DataFrame({column: window[column][keep].reset_index(drop=True) for column in ("month", "value")})
    plotted["point_type"] = (window["point_type"][keep].reset_index(drop=True) if "point_type" in window.columns
                             else "common_cause")
    return Chart(kpi_id, title, alt, png=png, plotted=plotted, cached=reused,
                 data=chart_data(window, kpi_id=kpi_id, unit=unit))


def png_bytes(fig: Figure) -> bytes:
    """A chart figure as the report's deterministic palette PNG at :data:`DPI`."""
    return _png_bytes(fig, dpi=DPI)
