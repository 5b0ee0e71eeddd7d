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

#: The words that open a chart's data table in the HTML; report.lua drops exactly these words
#: from the PDF (pandoc keeps the text of an HTML <summary> as a paragraph), so change both together.
DATA_SUMMARY = "Show the figures in this chart"
#: Column headings of the chart's data that the compact table keeps (with the month).
VALUE, COUNTS = "Value", "n/d"
#: Months in the PDF's compact table beside a chart (the latest ones): a year, about as high as the chart.
PDF_MONTHS = 12
#: The compact table's column widths (report.markdown): month, value, n/d.
COMPACT_WIDTHS = {"Month": 8, VALUE: 6.5, COUNTS: 10}
#: The class of the div that holds the compact table (report.lua: PDF only).
COMPACT_CLASS = "chart-compact"


def _display(window: pd.DataFrame, name: str, unit: str, decimals: int) -> pd.Series:
    """``name`` as this audience prints it: the disclosed ``<name>_display`` where there is one
    (``[c]``, ``[x]``, the formatted figure), else ``[c]`` where flagged suppressed, else the raw
    figure in the report's number format ("" where there is none)."""
    raw = pd.to_numeric(window[name], errors="coerce") if name in window.columns else pd.Series(np.nan, window.index)
    text = pd.Series([("" if pd.isna(v) else format_value(v, unit, decimals)) for v in raw], index=window.index,
                     dtype="object")
    flag = window.get(f"{name}_suppressed")
    if flag is not None:
        text = text.mask(flag.astype("boolean").fillna(False).astype(bool), WITHHELD)
    shown = window.get(f"{name}_display")
    if shown is not None:
        shown = shown.astype("object")
        text = shown.where(~shown.map(_missing), text)
    return text


def chart_data(window: pd.DataFrame, *, kpi_id: str, unit: str) -> pd.DataFrame:
    """The figures a chart shows, as text in the report's number format: month, value, the counts
    behind a rate (n/d), SPC reading, mean, process limits, target (a column only when the chart
    draws it). ``window`` is the audience-safe window the chart is drawn from
    (:func:`charts.public_view`), so a withheld month is ``[c]`` here as it is a gap there."""
    decimals = decimals_for(kpi_id)
    withheld = tables.withheld_mask(window).to_numpy()
    out = pd.DataFrame({"Month": [m.strftime("%b %Y") for m in window["month"]]})
    out[VALUE] = np.where(withheld, WITHHELD, _display(window, "value", unit, decimals).to_numpy())
    if unit != "count" and {"numerator", "denominator"} <= set(window.columns):
        num = _display(window, "numerator", "count", 0).to_numpy()
        den = _display(window, "denominator", "count", 0).to_numpy()
        has_value = pd.to_numeric(window["value"], errors="coerce").notna().to_numpy()
        pair = np.where((num != "") & (den != "") & has_value, np.char.add(np.char.add(num.astype(str), "/"),
                                                                            den.astype(str)), "")
        # a withheld value shows only its marker: "[c]/79" or "[c]/[c]" adds nothing a reader can use
        pair = np.where(withheld, WITHHELD, pair)
        if (pair != "").any():
            out[COUNTS] = pair
    if "point_type" in window.columns:
        words = window["point_type"].astype("object").map(lambda p: "" if _missing(p) else VARIATION_WORDS.get(str(p), ""))
        out["SPC reading"] = np.where(withheld, WITHHELD, words.to_numpy())
    for column, label in (("spc_mean", "Mean"), ("spc_lpl", "Lower limit"), ("spc_upl", "Upper limit"),
                          ("target", "Target")):
        if column in window.columns and pd.to_numeric(window[column], errors="coerce").notna().any():
            values = pd.to_numeric(window[column], errors="coerce")
            out[label] = ["" if pd.isna(v) else format_value(v, unit, decimals) for v in values]
    return out


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
