"""The month's data beside the report: the tidy metrics CSV and the Excel workbook.

Why separate from the HTML/PDF rendering: analysts re-use the figures (pivot tables, their own
charts, a return to the DfE), and the next month's build reads this month's published metrics to
show revised figures (:mod:`torbayreport.assess.revisions`). Both are written from the prepared
report folder (``metrics.csv``, ``exceptions/``), so they carry the same numbers as the report,
and both are formula-safe: the CSV through :func:`torbayreport.disclose.csvsafe.write_csv`, the
workbook by storing every formula-like text cell as text with Excel's quote prefix.

A disclosure audience (the public report) gets only audience-safe columns: no SPC limits (with a
month suppressed, they give it back), values blanked by ``disclose.blank_for_public`` and RAG /
direction withheld by ``disclose.withhold_derived``, and no exception lists.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from torbayreport import config

#: The tidy metrics columns published beside the report, in order (columns absent are skipped).
#: A disclosure audience gets only the audience-safe ones: no SPC limits (they can give a
#: suppressed month back) and the values blanked as :func:`disclose.blank_for_public` and
#: :func:`disclose.withhold_derived` do.
PUBLISHED_COLUMNS = ["kpi_id", "title", "pillar", "month", "unit", "polarity", "availability", "numerator",
                     "denominator", "value", "target", "tolerance", "rag", "previous_value", "direction",
                     "benchmark_value", "benchmark_label", "variation", "assurance",
                     "numerator_suppressed", "denominator_suppressed", "value_suppressed"]
INTERNAL_ONLY_COLUMNS = ["spc_segment", "spc_segment_start", "spc_trial", "spc_mean", "spc_lpl", "spc_upl",
                         "point_type", "spc_rule"]


def published_metrics(artefacts: Path, audience: str) -> pd.DataFrame:
    """The tidy metrics of every month of the window as an analyst receives them, for ``audience``.

    Read from the prepared ``metrics.csv``; ``availability`` is taken from it when present, else
    "ok" where the figure exists and "not available" where it does not (reasons are in the report).
    """
    from torbayreport.disclose import blank_for_public, withhold_derived

    frame = pd.read_csv(Path(artefacts) / "metrics.csv", dtype={"month": str}, keep_default_na=False,
                        na_values=[""])
    for flag in [c for c in frame.columns if c.endswith("_suppressed")]:
        frame[flag] = frame[flag].map(lambda v: str(v).strip().lower() == "true")
    if "availability" not in frame.columns and "value" in frame.columns:
        frame["availability"] = frame["value"].notna().map({True: "ok", False: "not available"})
    disclosure = config.audience(audience).disclosure
    columns = PUBLISHED_COLUMNS + ([] if disclosure else INTERNAL_ONLY_COLUMNS)
    if disclosure:
        frame = withhold_derived(blank_for_public(frame))
    return frame[[c for c in columns if c in frame.columns]].reset_index(drop=True)


#: Excel number formats by column (anything else numeric gets "0.0"; text is text).
XLSX_NUMBER_FORMATS = {"numerator": "#,##0", "denominator": "#,##0", "spc_segment": "0",
                       "working_days_open": "#,##0"}
XLSX_DATE_FORMAT = "d mmm yyyy"
SCORECARD_COLUMNS = {"kpi_id": "KPI", "title": "Measure", "pillar": "Pillar", "unit": "Unit",
                     "availability": "Availability", "value": "Value", "numerator": "Numerator",
                     "denominator": "Denominator", "target": "Target", "rag": "RAG",
                     "previous_value": "Last month", "direction": "Direction", "variation": "Variation",
                     "assurance": "Assurance"}


def _write_sheet(workbook, title: str, frame: pd.DataFrame, formats: dict[str, str] | None = None) -> None:
    """One sheet: a bold frozen header row, real numbers and dates with number formats, and every
    text cell stored as text (a cell that a spreadsheet would run as a formula -- the triggers of
    :mod:`torbayreport.disclose.csvsafe` -- is written as a string with Excel's quote prefix, so it
    shows exactly as typed and stays text when edited)."""
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    from torbayreport.disclose.csvsafe import neutralise_value

    sheet = workbook.create_sheet(title[:31])
    formats = {**XLSX_NUMBER_FORMATS, **(formats or {})}
    columns = [str(c) for c in frame.columns]
    rows = frame.astype(object).where(frame.notna(), None).itertuples(index=False, name=None)

    def put(row_no: int, col_no: int, value):
        if isinstance(value, (pd.Timestamp, dt.date)):
            value = value.to_pydatetime() if isinstance(value, pd.Timestamp) else value
        elif hasattr(value, "item") and not isinstance(value, str):
            value = value.item()  # numpy scalar -> Python number
        cell = sheet.cell(row=row_no, column=col_no, value=value)
        if isinstance(value, str) and neutralise_value(value) != value:
            cell.data_type = "s"
            cell.quotePrefix = True
        return cell

    for col_no, name in enumerate(columns, start=1):
        put(1, col_no, name).font = Font(bold=True)
    for row_no, row in enumerate(rows, start=2):  # one pass to write the cells (openpyxl is cell-based)
        for col_no, value in enumerate(row, start=1):
            put(row_no, col_no, value)
    for col_no, (name, source) in enumerate(zip(columns, frame.columns), start=1):
        series = frame[source]
        if pd.api.types.is_datetime64_any_dtype(series):
            fmt = XLSX_DATE_FORMAT
        elif pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
            fmt = formats.get(str(source), "0.0")
            numbers = pd.to_numeric(series, errors="coerce").dropna()
            if fmt == "#,##0" and not (numbers == numbers.round()).all():
                fmt = "#,##0.0"  # a count of FTE (a caseload's denominator) is not whole
        else:
            fmt = None
        letter = get_column_letter(col_no)
        if fmt:
            for cell in sheet[letter][1:]:
                cell.number_format = fmt
        width = max([len(name), *series.astype(str).str.len().head(200).tolist()] or [8])
        sheet.column_dimensions[letter].width = min(max(width + 2, 8), 60)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions


def write_metrics_csv(artefacts: Path, audience: str, target: Path) -> Path:
    """``<stem>-metrics.csv``: :func:`published_metrics`, written formula-safe."""
    from torbayreport.disclose.csvsafe import write_csv

    return write_csv(published_metrics(artefacts, audience), target)


def read_published_metrics(path: Path) -> pd.DataFrame:
    """A published metrics CSV back as it was before neutralising (month as text)."""
    from torbayreport.disclose.csvsafe import read_csv

    return read_csv(path, dtype={"month": str}, keep_default_na=False, na_values=[""])


def write_workbook(artefacts: Path, audience: str, month: str, about: dict, target: Path, *,
                   built: dt.datetime | None = None) -> Path:
    """``<stem>.xlsx``: About (cover facts and marking), Scorecard (the report month), Metrics (every
    month, with availability) and, for an audience without disclosure, one sheet per exception list.

    ``built`` (the build time, ``SOURCE_DATE_EPOCH`` when set) dates the workbook: its created and
    modified properties and its zip entries, so two builds of the same inputs give the same bytes."""
    from openpyxl import Workbook

    from torbayreport.report.context import DATE_COLUMNS, INTEGER_COLUMNS

    metrics = published_metrics(artefacts, audience)
    workbook = Workbook()
    workbook.remove(workbook.active)
    _write_sheet(workbook, "About", pd.DataFrame({"Item": list(about), "Value": [str(v) for v in about.values()]}))
    current = metrics[metrics["month"] == str(month)] if "month" in metrics.columns else metrics
    scorecard = current[[c for c in SCORECARD_COLUMNS if c in current.columns]].rename(columns=SCORECARD_COLUMNS)
    _write_sheet(workbook, "Scorecard", scorecard, {"Numerator": "#,##0", "Denominator": "#,##0"})
    _write_sheet(workbook, "Metrics", metrics)
    if not config.audience(audience).disclosure:
        for path in sorted((Path(artefacts) / "exceptions").glob("*.csv")):
            if path.stat().st_size == 0:
                continue
            table = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
            for column in table.columns:
                if column in DATE_COLUMNS:
                    table[column] = pd.to_datetime(table[column], format="%Y-%m-%d")
                elif column in INTEGER_COLUMNS:
                    table[column] = pd.to_numeric(table[column]).astype("Int64")
            _write_sheet(workbook, path.stem, table)
    if built is not None:
        workbook.properties.created = built.astimezone(dt.timezone.utc).replace(tzinfo=None)
    workbook.save(target)
    if built is not None:
        _date_workbook(Path(target), built)
    return Path(target)


def _date_workbook(path: Path, built: dt.datetime) -> None:
    """Rewrite the saved workbook with ``built`` as its modified time (openpyxl stamps the time of
    saving) and as every zip entry's time (zipfile stamps the time of writing)."""
    import io
    import re
    import zipfile

    stamp = built.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    when = max(built.astimezone(dt.timezone.utc).timetuple()[:6], (1980, 1, 1, 0, 0, 0))  # zip's earliest date
    with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as saved, zipfile.ZipFile(path, "w") as out:
        for info in saved.infolist():
            data = saved.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                              rb"\g<1>" + stamp.encode() + rb"\g<2>", data)
            entry = zipfile.ZipInfo(info.filename, date_time=when)
            entry.compress_type, entry.external_attr = info.compress_type, info.external_attr
            out.writestr(entry, data)
