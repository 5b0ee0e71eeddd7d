"""The appendix's coverage table, from the prepared metrics' availability and reason columns."""

from __future__ import annotations

import pandas as pd

from torbayreport.metrics import REGISTRY
from torbayreport.report.coverage import COVERAGE_COLUMNS, CoverageTable, coverage_frame


def test_coverage_counts_the_months_with_a_figure_and_gives_the_reasons():
    months = pd.period_range("2020-09", "2020-12", freq="M")
    short = "needs 12 months of history before the month (referrals (referrals.referral_date)); the extracts start in May 2020"
    metrics = pd.DataFrame({
        "month": list(months) * 2,
        "kpi_id": ["P02"] * 4 + ["P01"] * 4,
        "value": [None, None, 20.0, 21.0] + [None] * 4,
        "availability": ["short_history", "short_history", "ok", "ok"] + ["missing_source"] * 3 + ["no_events"],
        "availability_reason": [short, short, "", ""] + ["not in this month's extracts: contacts not supplied"] * 3
                               + ["no contacts to measure in December 2020"],
    })
    frame = coverage_frame(metrics)
    assert list(frame.columns) == COVERAGE_COLUMNS
    p02, p01 = frame.iloc[0], frame.iloc[1]
    # P02: 2 of the 4 months ok (Nov, Dec); the short-history reason once, not twice
    assert p02["Measure"] == f"P02 {REGISTRY['P02'].title}"
    assert (p02["Months with a figure"], p02["First"], p02["Last"]) == ("2 of 4", "2020-11", "2020-12")
    assert p02["Not available because"] == short
    assert "referrals.referrals_last_12m" in p02["Sources"]  # its count-column fallback is named
    # P01: none ok; one month with nothing to count (not a reason for "not available")
    assert (p01["Months with a figure"], p01["First"], p01["Nothing to count"]) == ("0 of 4", "", "1")
    assert p01["Not available because"] == "not in this month's extracts: contacts not supplied"
    text = CoverageTable(frame)._repr_markdown_()
    assert text.startswith("**Data coverage.**") and "| P02 " in text
    assert "0%" not in text.split("\n\n", 1)[1]  # the table itself (the intro says "never 0%")
