"""Data frames the notebook API returns, and how it reads the prepared report folder back.

Why a module of its own: each frame here is *data* an analyst keeps working with (real dtypes) that
also *displays* in a notebook as the report's table (``_repr_markdown_``), and the readers undo the
spreadsheet-safe writing of the build's CSVs (``disclose.csvsafe``). :mod:`.context` composes them.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pandas as pd

from torbayreport.disclose import csvsafe
from torbayreport.disclose.text import inert_markdown
from torbayreport.report import tables
from torbayreport.report.tables import Markdown

NUMERIC_COLUMNS = (
    "numerator", "denominator", "value", "target", "tolerance", "previous_value", "benchmark_value",
    "spc_mean", "spc_lpl", "spc_upl",
)
BOOL_SUFFIX = "_suppressed"
#: flags the CSV holds as the words True/False (a string "False" is truthy: read them back as booleans)
BOOL_COLUMNS = ("spc_trial",)
ARTEFACT_VERSION = 1
NO_COMMENTARY = "No commentary was provided for this month."
#: Last month's metrics as published, copied into the report folder by the build when they exist.
PREVIOUS_METRICS = "previous-metrics.csv"
#: Exception-list columns that hold dates or whole numbers (read back with those dtypes).
DATE_COLUMNS = ("last_visit", "assessment_start", "audit_date")
INTEGER_COLUMNS = ("working_days_open",)
#: Exception-list column headings as the report prints them.
LIST_LABELS = {"child_id": "Child", "worker_id": "Worker", "worker_name": "Name", "team": "Team", "role": "Role",
               "record": "Record", "last_visit": "Last visit", "assessment_start": "Assessment started",
               "audit_id": "Audit", "audit_date": "Audit date", "working_days_open": "Working days open"}


def council_name(context: dict) -> str:
    """The council's name as the report prints it (cover, title block, running head): params
    ``front_matter.council``, else ``la.name``. The one place that choice is made; ``context`` is
    the prepared ``context.json`` (its ``params`` as the build read them, and ``la``)."""
    front = (context.get("params") or {}).get("front_matter") or {}
    return str(front.get("council") or (context.get("la") or {}).get("name") or "")


def _read_metrics(path: Path) -> pd.DataFrame:
    frame = csvsafe.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    frame["month"] = pd.PeriodIndex(frame["month"], freq="M")
    for column in NUMERIC_COLUMNS:
        if column in frame.columns:
            frame[column] = pd.to_numeric(frame[column], errors="coerce")
    for column in [c for c in frame.columns if c.endswith(BOOL_SUFFIX) or c in BOOL_COLUMNS]:
        frame[column] = frame[column].map({"True": True, "False": False, "true": True, "false": False}).astype("boolean")
    return frame


def _read_csv(path: Path) -> pd.DataFrame:
    if not path.is_file() or path.stat().st_size == 0 or path.read_text(encoding="utf-8").strip() == "":
        return pd.DataFrame()
    # the build writes its CSVs spreadsheet-safe (disclose.csvsafe); read back the text as it came in
    return csvsafe.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])


_LIST_START = re.compile(r"([-*+]|[0-9]{1,3}[.)]) ")


def _analyst_text(label: str, text) -> Markdown:
    """``label`` then the analyst's prose, made inert (``disclose.text.inert_markdown``): raw HTML,
    TeX, Typst, citations and the like print as typed; emphasis, https links and lists are kept.
    Prose that opens with a list starts on its own line after the label, so it stays a list."""
    body = inert_markdown(text) if text is not None and str(text).strip() else NO_COMMENTARY
    separator = "\n\n" if _LIST_START.match(body) else " "
    return Markdown(f"{label}{separator}{body}" if label else body)


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    """An exception list with real dtypes: dates as datetime64, counts as integers."""
    out = frame.copy()
    for column in out.columns:
        if column in DATE_COLUMNS:
            out[column] = pd.to_datetime(out[column], format="%Y-%m-%d")
        elif column in INTEGER_COLUMNS:
            out[column] = pd.to_numeric(out[column]).astype("Int64")
    return out


class ExceptionList(pd.DataFrame):
    """An exception list as data (real dtypes) that displays in a notebook as the report's table."""

    _metadata = ["why"]

    @property
    def _constructor(self):
        return ExceptionList

    def _repr_markdown_(self) -> str:
        # the text the report prints: the values as written to the artefact, headed as in the report
        text = pd.read_csv(io.StringIO(pd.DataFrame(self).to_csv(index=False)), dtype=str,
                           keep_default_na=False, na_values=[""]) if len(self.columns) else pd.DataFrame()
        if not len(self):  # one sentence, not "0 this month. None this month."
            return f"{getattr(self, 'why', '')} None this month.".strip()
        table = tables.markdown_table(text.rename(columns=LIST_LABELS), empty="None this month.")
        return f"{getattr(self, 'why', '')} **{len(self)}** this month.\n\n{table}"


class RevisedFigures(pd.DataFrame):
    """Measures whose figure for last month has changed since it was published (data: the columns
    of ``assess.revisions.REVISION_COLUMNS``); displays as the summary's "Revised figures" section."""

    _metadata = ["note"]

    @property
    def _constructor(self):
        return RevisedFigures

    def _repr_markdown_(self) -> str:
        heading = "## Revised figures"
        if not len(self):
            return f"{heading}\n\n{getattr(self, 'note', '')}"
        rows = pd.DataFrame({
            "Measure": [f"{k} {t}" for k, t in zip(self["kpi_id"], self["title"])],
            "As published": [tables.format_value(v, u, tables.decimals_for(k))
                             for v, u, k in zip(self["published_value"], self["unit"], self["kpi_id"])],
            "Now": [tables.format_value(v, u, tables.decimals_for(k))
                    for v, u, k in zip(self["revised_value"], self["unit"], self["kpi_id"])],
        })
        return f"{heading}\n\n{getattr(self, 'note', '')}\n\n{tables.markdown_table(rows)}"


class ComparisonTable(pd.DataFrame):
    """"How we compare" rows (already written as text by the region package, audience-safe) that
    display in a notebook as the report's table."""

    def _repr_markdown_(self) -> str:
        return str(tables.markdown_table(pd.DataFrame(self), empty="No regional comparison was given for this build."))
