"""The data-quality appendix's coverage table: each KPI, its sources, and the months it could be computed.

Why here and built from the prepared metrics: the public report holds no extracts, only the
disclosed metrics table, and every display of a month without a figure must read the same words.
So the table is worked out from ``metrics.csv``'s ``availability`` and ``availability_reason``
columns (written by :func:`torbayreport.publish.prepare.prepare` from
:func:`torbayreport.metrics.coverage.reasons`) and the KPI declarations (``needs``, ``history``,
``fallback``), not recomputed from the data. A month with nothing to count (``no_events``) was
computed, honestly, as "nothing to count"; it is counted apart from the months with a figure.
"""

from __future__ import annotations

import pandas as pd

from torbayreport.report.tables import Markdown, declare_widths, markdown_table

#: column headings, in order (the notebook API's DataFrame uses them as printed)
#: The table's columns and their widths in the PDF (report.markdown.declare_widths): the measure
#: and its sources wide, the month counts narrow.
COVERAGE_WIDTHS = declare_widths({"Measure": 24, "Sources": 30, "Look-back": 15, "Months with a figure": 9,
                                  "First": 7.5, "Last": 7.5, "Nothing to count": 8, "Not available because": 17})
COVERAGE_COLUMNS = list(COVERAGE_WIDTHS)
INTRO = ("**Data coverage.** For each measure, the tables and columns of the extracts it needs, how far "
         "back it looks, and in how many months of this report's window the data supported a figure. "
         "A month without one shows [x] (not available) or [z] (nothing to count) in the tables, never 0%.")


def _sources(kpi) -> str:
    text = ", ".join(kpi.needs) if kpi.needs else "none declared"
    if kpi.fallback is not None:
        text += f"; for too short a history, the count column(s) {', '.join(kpi.fallback.needs)}"
    return text


def _lookback(kpi) -> str:
    if kpi.history is None:
        return "the month only"
    ref, months = kpi.history
    return f"{months} months ({ref})"


def _month_words(period) -> str:
    """YYYY-MM, as the report's window is written. Not "Jan 2020": beside the month count ("12 of
    12") that reads "12 Jan 2020", a date the public identifier scan rightly refuses as a possible
    date of birth."""
    return "" if period is None or pd.isna(period) else str(pd.Period(period, "M"))


def coverage_frame(metrics: pd.DataFrame, registry=None) -> pd.DataFrame:
    """One row per KPI of ``metrics`` (columns month, kpi_id, availability[, availability_reason],
    title) in the table's order; a table without ``availability`` counts every month with a value."""
    if registry is None:
        from torbayreport.metrics import REGISTRY as registry  # noqa: N811
    frame = metrics.copy()
    if "availability" not in frame.columns:
        frame["availability"] = frame["value"].notna().map({True: "ok", False: "no_events"})
    status = frame["availability"].astype("string").fillna("ok")
    reason = frame.get("availability_reason", pd.Series(pd.NA, index=frame.index)).astype("string")
    rows = []
    for kpi_id, idx in frame.groupby("kpi_id", sort=False).groups.items():
        kpi = registry[kpi_id]
        st = status.loc[idx]
        months = pd.PeriodIndex(frame.loc[idx, "month"], freq="M")
        ok = months[(st == "ok").to_numpy()]
        gaps = (st.isin(["missing_source", "short_history"])).to_numpy()
        why = list(dict.fromkeys(r for r in reason.loc[idx][gaps].dropna() if str(r).strip()))
        if gaps.any() and not why:
            why = sorted(set(st[gaps]))
        rows.append({
            "Measure": f"{kpi_id} {kpi.title}",
            "Sources": _sources(kpi),
            "Look-back": _lookback(kpi),
            "Months with a figure": f"{len(ok)} of {len(months)}",
            "First": _month_words(ok.min()) if len(ok) else "",
            "Last": _month_words(ok.max()) if len(ok) else "",
            "Nothing to count": str(int((st == "no_events").sum())),
            "Not available because": "; ".join(why),
        })
    return pd.DataFrame(rows, columns=COVERAGE_COLUMNS)


class CoverageTable(pd.DataFrame):
    """The coverage table as data that displays in a notebook (and the report) as the appendix's table."""

    @property
    def _constructor(self):
        return CoverageTable

    def _repr_markdown_(self) -> str:
        table = markdown_table(pd.DataFrame(self), empty="No measures were computed.")
        return f"{INTRO}\n\n{table}"

    def markdown(self) -> Markdown:
        return Markdown(self._repr_markdown_())
