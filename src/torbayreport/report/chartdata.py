"""The figures behind a chart, as the tables that go with it: the full table (HTML, in ``<details>``)
and a compact one (PDF, beside the chart).

Why: no reader may depend on seeing a chart (issue 12 item 5). The HTML gives every month the chart
shows on request; a printed page cannot open a ``<details>``, so the PDF sets a compact table of
the last :data:`PDF_MONTHS` months beside the chart instead (report.typ ``chart-with-data``).
Both come from one frame, :func:`chart_data`, built from the same audience-safe window the chart
is drawn from: a value withheld for small numbers prints as ``[c]`` (the disclosed
``value_display``), a month the data cannot support as its GSS symbol, never a number.

How each table reaches its format: the markdown marks the full table ``{#chartdata-<KPI>}`` inside
``<details>`` and wraps the compact one in a ``::: chart-compact`` div; the Lua filter
(reports/assets/filters/report.lua) keeps the first in the HTML and the second in the PDF.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from torbayreport.report import tables
from torbayreport.report.tables import VARIATION_WORDS, WITHHELD, _missing, decimals_for, format_value

#: The words that open a chart's data table in the HTML (its <summary>); report.lua drops whatever
#: stands between <summary> and </summary> from the PDF, where a page cannot open the table.
DATA_SUMMARY = "Show the figures in this chart"
#: Column headings of the chart's data that the compact table keeps (with the month).
VALUE, COUNTS = "Value", "n/d"
#: Months in the PDF's compact table beside a chart (the latest ones): a year, about as high as the chart.
PDF_MONTHS = 12
#: The compact table's column widths (report.markdown): month, value, n/d.
COMPACT_WIDTHS = {"Month": 8, VALUE: 6.5, COUNTS: 10}
#: The class of the div that holds the compact table (report.lua: PDF only).
COMPACT_CLASS = "chart-compact"


def _formatter(unit: str, decimals: int):
    """``format_value`` for one unit, each distinct value formatted once ("" for a missing one):
    a chart's mean, limits and target repeat one figure for every month."""
    seen: dict = {}

    def text(v) -> str:
        if pd.isna(v):
            return ""
        if v == 0:  # 0.0 and -0.0 are one key but may print apart
            return format_value(v, unit, decimals)
        if v not in seen:
            seen[v] = format_value(v, unit, decimals)
        return seen[v]

    return text


def _numbers(window: pd.DataFrame, name: str) -> list:
    """Column ``name`` as numbers (NaN where not a number, or absent), as Python floats."""
    if name not in window.columns:
        return [np.nan] * len(window)
    return pd.to_numeric(window[name], errors="coerce").tolist()


def _display(window: pd.DataFrame, name: str, unit: str, decimals: int) -> np.ndarray:
    """``name`` as this audience prints it: the disclosed ``<name>_display`` where there is one
    (``[c]``, ``[x]``, the formatted figure), else ``[c]`` where flagged suppressed, else the raw
    figure in the report's number format ("" where there is none). An object array."""
    fmt = _formatter(unit, decimals)
    text = [fmt(v) for v in _numbers(window, name)]
    flag = window.get(f"{name}_suppressed")
    if flag is not None:
        if isinstance(flag.dtype, pd.BooleanDtype) or flag.dtype == bool:
            flags = flag.to_numpy(dtype=bool, na_value=False)
        else:
            flags = flag.astype("boolean").fillna(False).astype(bool).to_numpy()
        text = [WITHHELD if f else t for t, f in zip(text, flags)]
    shown = window.get(f"{name}_display")
    if shown is not None:
        text = [t if _missing(d) else d for t, d in zip(text, shown.astype("object").tolist())]
    out = np.empty(len(text), dtype=object)
    out[:] = text
    return out


def chart_data(window: pd.DataFrame, *, kpi_id: str, unit: str) -> pd.DataFrame:
    """The figures a chart shows, as text in the report's number format: month, value, the counts
    behind a rate (n/d), SPC reading, mean, process limits, target (a column only when the chart
    draws it). ``window`` is the audience-safe window the chart is drawn from
    (:func:`charts.public_view`), so a withheld month is ``[c]`` here as it is a gap there.

    Plain Python over the 24 rows rather than pandas operations: one chart's table took longer
    to build than its chart to draw."""
    decimals = decimals_for(kpi_id)
    withheld = tables.withheld_mask(window).to_numpy()
    out = {"Month": [m.strftime("%b %Y") for m in window["month"]]}
    out[VALUE] = np.where(withheld, WITHHELD, _display(window, "value", unit, decimals))
    if unit != "count" and {"numerator", "denominator"} <= set(window.columns):
        num = _display(window, "numerator", "count", 0)
        den = _display(window, "denominator", "count", 0)
        has_value = pd.to_numeric(window["value"], errors="coerce").notna().to_numpy()
        pair = np.array([f"{n}/{d}" if (n != "" and d != "" and v) else "" for n, d, v in zip(num, den, has_value)],
                        dtype=str)
        # a withheld value shows only its marker: "[c]/79" or "[c]/[c]" adds nothing a reader can use
        pair = np.where(withheld, WITHHELD, pair)
        if (pair != "").any():
            out[COUNTS] = pair
    if "point_type" in window.columns:
        words = ["" if _missing(p) else VARIATION_WORDS.get(str(p), "") for p in window["point_type"].astype("object").tolist()]
        out["SPC reading"] = np.where(withheld, WITHHELD, np.array(words, dtype=object))
    for column, label in (("spc_mean", "Mean"), ("spc_lpl", "Lower limit"), ("spc_upl", "Upper limit"),
                          ("target", "Target")):
        values = _numbers(window, column)
        if column in window.columns and not all(pd.isna(v) for v in values):
            fmt = _formatter(unit, decimals)
            out[label] = [fmt(v) for v in values]
    return pd.DataFrame(out)


def compact_frame(data: pd.DataFrame, months: int = PDF_MONTHS) -> pd.DataFrame:
    """The PDF's table beside a chart: the last ``months`` rows of :func:`chart_data`, with the
    month, the value and, for a rate, n/d (the SPC lines are drawn on the chart and in the HTML)."""
    return data.tail(months)[[c for c in ("Month", VALUE, COUNTS) if c in data.columns]].reset_index(drop=True)


def data_table(data: pd.DataFrame, *, kpi_id: str, title: str) -> str:
    """The chart's figures for the HTML: every month, in a closed ``<details>``."""
    if data.empty:
        return ""
    caption = tables._cell(f"Data for the chart: {title}")
    return (f'<details class="chart-data"><summary>{DATA_SUMMARY}</summary>\n\n'
            f"{tables.markdown_table(data)}\n\n: {caption} {{#chartdata-{kpi_id}}}\n\n</details>")


def compact_table(data: pd.DataFrame) -> str:
    """The chart's recent figures for the PDF (:func:`compact_frame`), in a ``chart-compact`` div."""
    if data.empty:
        return ""
    frame = compact_frame(data)
    widths = [COMPACT_WIDTHS[c] for c in frame.columns]
    return f"::: {COMPACT_CLASS}\n{tables.markdown_table(frame, widths=widths)}\n:::"
