"""SPC charts: alt text from the data, deterministic PNGs, and no suppressed value ever plotted."""

from __future__ import annotations

import re
import struct

import numpy as np
import pandas as pd
import pytest

from torbayreport.report import charts

TITLE = "Assessments completed within 45 working days"


def _series(n: int = 36, last: str = "2020-12", **overrides) -> pd.DataFrame:
    """P04-like series: values 60.0, 60.5, ... rising by 0.5 a month; last month 78.3."""
    months = pd.period_range(end=pd.Period(last, "M"), periods=n, freq="M")
    values = 60.0 + 0.5 * np.arange(n)
    values[-1] = 78.3
    frame = pd.DataFrame({
        "month": months, "kpi_id": "P04", "title": TITLE, "unit": "percent", "polarity": "up",
        "numerator": np.round(values * 0.6), "denominator": 60.0, "value": values,
        "target": 83.0, "spc_mean": 68.0, "spc_lpl": 61.0, "spc_upl": 75.0,
        "point_type": ["common_cause"] * (n - 1) + ["special_cause_improvement"],
        "direction": "improved", "rag": "Amber", "value_suppressed": False,
    })
    for k, v in overrides.items():
        frame[k] = v
    return frame


def test_alt_text_is_built_from_the_plotted_data():
    # Window: the last 24 months of 36, i.e. Jan 2019 .. Dec 2020. First value in the window is
    # month index 12: 60.0 + 0.5 * 12 = 66.0; the last is 78.3; target 83 -> "83.0%".
    alt = charts.alt_text(_series(), "2020-12", la_name="Torbay", disclosure=False, trend_months=24)
    assert alt == (
        f"Line chart of {TITLE}, Torbay, January 2019 to December 2020: rose from 66.0% to 78.3%; "
        "target 83.0%; the latest month shows special-cause improvement."
    )


def test_chart_markdown_is_an_image_with_alt_text_then_its_data_table():
    chart = charts.spc_chart(_series(), "2020-12", la_name="Torbay", disclosure=False, trend_months=24)
    md = chart._repr_markdown_()
    image, table, compact = md.split("\n\n", 1)[0], chart.data_table(), md.rsplit("\n\n", 1)[1]
    assert md == f"{image}\n\n{table}\n\n{compact}"
    assert re.fullmatch(r"!\[[^\]\n]+\]\(data:image/png;base64,[A-Za-z0-9+/=]+\)", image)
    assert md.startswith(f"![Line chart of {TITLE}, Torbay")
    # issue 12 item 5: the figures beside the chart, one row per month of the 24-month window
    assert table.startswith(f'<details class="chart-data"><summary>{charts.DATA_SUMMARY}</summary>')
    assert table.endswith("</details>") and "{#chartdata-P04}" in table
    # cells are inert markdown (punctuation backslash-escaped): compare the text as printed
    rows = [line.replace("\\", "") for line in table.splitlines() if line.startswith("| ")]
    assert len(rows) == 1 + 24
    assert "Jan 2019" in rows[1] and "66.0%" in rows[1]
    assert "Dec 2020" in rows[-1] and "78.3%" in rows[-1]  # 60.0 + 0.5 * 12 = 66.0 first, 78.3 last
    # the counts behind the rate: numerator round(value * 0.6) of 60, e.g. Dec 2020 round(46.98) = 47
    assert "47/60" in rows[-1]


def _cells(markdown: str) -> list[list[str]]:
    return [[c.strip().replace("\\", "") for c in line.strip().strip("|").split("|")]
            for line in markdown.splitlines() if line.startswith("| ")]


def test_pdf_table_beside_the_chart_has_the_last_12_months():
    """Issue 12 item 5: in the PDF a compact table beside each chart (a ``chart-compact`` div the
    Lua filter keeps for the PDF only), from the same frame as the HTML's <details> table."""
    chart = charts.spc_chart(_series(), "2020-12", la_name="Torbay", disclosure=False, trend_months=24)
    compact = chart.markdown().rsplit("\n\n", 1)[1]
    assert compact.startswith("::: chart-compact\n") and compact.endswith("\n:::")
    rows = _cells(compact)
    assert rows[0] == ["Month", "Value", "n/d"] and len(rows) == 1 + 12
    # Jan 2020 is series index 24: 60.0 + 0.5 * 24 = 72.0%, numerator round(72.0 * 0.6) = 43 (of 60);
    # Nov 2020 index 34: 77.0%, round(46.2) = 46; Dec 2020 is set to 78.3%, round(46.98) = 47
    assert rows[1] == ["Jan 2020", "72.0%", "43/60"]
    assert rows[-2:] == [["Nov 2020", "77.0%", "46/60"], ["Dec 2020", "78.3%", "47/60"]]


def test_public_chart_tables_show_c_for_a_withheld_month_never_its_figure():
    series = _suppress(_series(), [30])  # 2020-07 holds 99.9, flagged suppressed
    series["numerator_suppressed"] = series["value_suppressed"]
    chart = charts.spc_chart(series, "2020-12", la_name="Torbay", disclosure=True, trend_months=24)
    md = chart.markdown()
    assert "99.9" not in md and "60/60" not in md  # round(99.9 * 0.6) = 60
    compact = {row[0]: row for row in _cells(md.rsplit("\n\n", 1)[1])}
    assert compact["Jul 2020"] == ["Jul 2020", "[c]", "[c]"]
    full = {row[0]: row for row in _cells(chart.data_table())}
    assert full["Jul 2020"][1:3] == ["[c]", "[c]"]


def test_chart_data_table_keeps_text_inside_its_cell():
    chart = charts.spc_chart(_series(title="a | b"), "2020-12", la_name="Torbay", disclosure=False,
                             trend_months=24)
    assert "a \\| b" in chart.data_table()


def test_segments_are_drawn_apart_and_named_in_the_alt_text():
    series = _series(spc_segment=[0] * 21 + [1] * 15, spc_trial=False)
    chart = charts.spc_chart(series, "2020-12", la_name="Torbay", disclosure=False, trend_months=24)
    # segment 1 starts at month index 21 of 36 = October 2019 (Dec 2020 minus 14 months)
    assert chart.alt.endswith("; average and limits recalculated from October 2019.")


def test_chart_cache_reuses_an_identical_chart(tmp_path):
    a = charts.spc_chart(_series(), "2020-12", la_name="Torbay", disclosure=False, trend_months=24, cache_dir=tmp_path)
    b = charts.spc_chart(_series(), "2020-12", la_name="Torbay", disclosure=False, trend_months=24, cache_dir=tmp_path)
    c = charts.spc_chart(_series(target=90.0), "2020-12", la_name="Torbay", disclosure=False, trend_months=24,
                         cache_dir=tmp_path)
    assert (a.cached, b.cached, c.cached) == (False, True, False) and a.png == b.png != c.png
    assert len(list(tmp_path.glob("*.png"))) == 2


def test_png_is_deterministic_fixed_size_and_125_dpi():
    a = charts.spc_chart(_series(), "2020-12", la_name="Torbay", disclosure=False, trend_months=24).png
    b = charts.spc_chart(_series(), "2020-12", la_name="Torbay", disclosure=False, trend_months=24).png
    assert a == b
    assert a[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", a[16:24])
    assert (width, height) == (750, 500)  # 6 x 4 inches at 125 dpi
    phys = a.index(b"pHYs")
    ppm = struct.unpack(">I", a[phys + 4: phys + 8])[0]
    assert round(ppm * 0.0254) == 125


def test_plotted_points_are_the_window_values():
    series = _series()
    chart = charts.spc_chart(series, "2020-12", la_name="Torbay", disclosure=False, trend_months=24)
    expected = series.iloc[-24:][["month", "value"]].reset_index(drop=True)
    pd.testing.assert_frame_equal(chart.plotted[["month", "value"]], expected)


def test_at_least_13_months_are_shown():
    chart = charts.spc_chart(_series(), "2020-12", la_name="Torbay", disclosure=False, trend_months=6)
    assert len(chart.plotted) == 13


def test_charts_leave_no_pyplot_figure_open():
    plt = pytest.importorskip("matplotlib.pyplot")
    before = set(plt.get_fignums())
    charts.spc_chart(_series(), "2020-12", la_name="Torbay", disclosure=False, trend_months=24)
    assert set(plt.get_fignums()) == before


def _suppress(series: pd.DataFrame, rows, value: float = 99.9) -> pd.DataFrame:
    """Flag rows as suppressed but leave a distinctive value in them: the chart must not use it."""
    series = series.copy()
    series["value_suppressed"] = False
    series.loc[rows, "value"] = value
    series.loc[rows, "value_suppressed"] = True
    return series


def test_public_series_with_a_suppressed_month_plots_only_published_months():
    series = _suppress(_series(), [30])  # 2020-07, inside the 24-month window
    chart = charts.spc_chart(series, "2020-12", la_name="Torbay", disclosure=True, trend_months=24)
    assert chart.png is not None
    assert pd.Period("2020-07", "M") not in set(chart.plotted["month"])
    assert 99.9 not in set(chart.plotted["value"]) and len(chart.plotted) == 23
    assert "99.9" not in chart.alt and "(months with small numbers are not shown)" in chart.alt


def test_public_chart_with_gaps_draws_no_spc_lines():
    series = _suppress(_series(), [30])
    window, status = charts.public_view(series, charts.chart_window(series, "2020-12"))
    assert status == "gaps"
    assert window[["spc_mean", "spc_lpl", "spc_upl"]].isna().all().all()


def test_public_series_with_the_latest_month_suppressed_has_no_chart():
    series = _suppress(_series(), [35])
    chart = charts.spc_chart(series, "2020-12", la_name="Torbay", disclosure=True, trend_months=24)
    assert chart.png is None
    md = chart._repr_markdown_()
    assert "data:image" not in md and "small" in md
    # the words only: no value of the series, no limits
    for number in ("99.9", "78.3", "66.0", "68.0", "61.0", "75.0"):
        assert number not in chart.alt and number not in md
    # issue 12 item 3: a reading worked out from a withheld value gives it back within a band, so
    # neither the alt text nor the words say the RAG rating or the SPC reading of that month
    assert "special-cause" not in chart.alt and "Amber" not in chart.alt and "Amber" not in md
    assert "withheld" in chart.title


def test_public_chart_left_out_for_history_says_this_month_is_shown():
    """Issue 12 item 3 (Q08): when only the history is too small to chart, the latest figure is
    published, so the words must not say "figures withheld" beside it."""
    series = _suppress(_series(), list(range(12, 24)))  # 12 of 24 window months withheld, the latest shown
    chart = charts.spc_chart(series, "2020-12", la_name="Torbay", disclosure=True, trend_months=24)
    assert chart.png is None
    assert "withheld because" not in chart.title and "78.3%" in chart.title
    assert "This month's figure is published" in chart.reason


def test_public_series_with_too_few_published_months_has_no_chart():
    series = _suppress(_series(), list(range(12, 24)))  # 12 of the 24 window months withheld -> 12 < 13 left
    chart = charts.spc_chart(series, "2020-12", la_name="Torbay", disclosure=True, trend_months=24)
    assert chart.png is None and chart.alt.startswith("No chart of")


def test_internal_audience_plots_everything():
    series = _series()
    series["value_suppressed"] = False
    chart = charts.spc_chart(series, "2020-12", la_name="Torbay", disclosure=False, trend_months=24)
    assert chart.png is not None


def test_public_series_without_suppression_is_plotted():
    chart = charts.spc_chart(_series(), "2020-12", la_name="Torbay", disclosure=True, trend_months=24)
    assert chart.png is not None and chart.alt.startswith("Line chart")


def test_active_title_states_the_message():
    latest = _series().iloc[-1]
    assert charts.active_title(latest) == f"{TITLE} improved to 78.3%: special-cause improvement"
    worse = dict(latest, direction="worsened", point_type="common_cause")
    assert charts.active_title(worse) == f"{TITLE} worsened to 78.3%: common cause"


def test_falling_series_and_missing_final_month_in_alt_text():
    series = _series(n=13)
    series["value"] = np.linspace(40.0, 28.0, 13)  # 40.0 -> 28.0 in steps of 1.0
    series.loc[12, "value"] = np.nan
    series["target"] = np.nan
    alt = charts.alt_text(series, "2020-12", la_name="Torbay", disclosure=False, trend_months=24)
    # last value shown is month 12 of 13 (Nov 2020): 40 - 11 = 29.0
    assert alt.startswith(f"Line chart of {TITLE}, Torbay, December 2019 to December 2020: fell from 40.0% to 29.0%")
    assert "no data for the final month" in alt and "target" not in alt


def test_no_row_for_the_month_gives_no_chart():
    chart = charts.spc_chart(_series(last="2020-10"), "2020-12", la_name="Torbay", disclosure=False, trend_months=24)
    assert chart.png is None


def test_chart_log_counts_reused_and_drawn(tmp_path):
    from torbayreport.report import chartcache

    for kpi_id, reused in (("P01", True), ("P02", True), ("P03", False)):
        chartcache.log_chart(tmp_path, kpi_id, reused)
    assert chartcache.summary(tmp_path) == "charts: 2 reused from the chart cache, 1 drawn"

