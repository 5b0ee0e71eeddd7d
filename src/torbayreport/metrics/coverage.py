"""Data coverage: for each KPI and month, do the extracts support the figure?

Why: a figure the data cannot support must show as "not available" with its reason, never as 0%
(a missing contacts decision column would otherwise read as "0% decided in time", a referral
history that starts last month as "no re-referrals"). Each KPI declares what it needs (see
:class:`registry.KPI`: ``needs``, ``history``, ``fallback``); this module is the one place that
turns those declarations and the tables into an ``availability`` per (KPI, month):

* ``missing_source`` — a needed table is absent or has no rows, or a needed column is absent or
  blank in every row ("not supplied");
* ``short_history`` — the history the KPI looks back over does not reach back far enough: its
  source column's earliest date falls in a month later than ``month - lookback``. Where the KPI has
  a count-column fallback and the extract carries those columns, those months are counted from
  the counts instead and are ``ok``;
* ``no_events`` — a rate whose denominator is 0 (nothing to measure that month);
* ``ok`` — the value stands.

History is judged from the tables themselves (the earliest date in the declared column), month by
month, so an extract starting on 3 May 2020 covers May 2020 — except where the loader says the
rows are not a full history (``io.findings.TableOrigin``, carried by ``load(...).tables.origins``):
a table read from an Annex A workbook has history only from the extract's period start (the lists
hold the episodes open in the period, whose old start dates prove nothing about earlier events),
and a table of each child's latest event only (Annex A's most recent placement, last visit, latest
review) has none before the as-at month. The history then starts at the later of the two. This
is what keeps P20 (three or more placements in 12 months) from reading 0% on a workbook that
holds one placement per child.
"""

from __future__ import annotations

from typing import Iterable

import numpy as np
import pandas as pd

from torbayreport.metrics.registry import KPI, REGISTRY, Tables

AVAILABILITY = ("ok", "no_events", "missing_source", "short_history")


def _split(ref: str) -> tuple[str, str]:
    table, _, column = ref.partition(".")
    return table, column


def _label(ref: str) -> str:
    table, column = _split(ref)
    return f"{table.replace('_', ' ')} ({ref})"


def missing_sources(refs: Iterable[str], tables: Tables) -> list[str]:
    """The ``table.column`` refs the extracts do not supply (table absent or empty, column absent
    or blank in every row), in the order given."""
    missing = []
    for ref in refs:
        table, column = _split(ref)
        frame = tables.get(table) if hasattr(tables, "get") else (tables[table] if table in tables else None)
        if frame is None or len(frame) == 0 or column not in frame.columns or frame[column].isna().all():
            missing.append(ref)
    return missing


def table_origin(tables: Tables, table: str):
    """The loader's provenance of ``table`` (``io.findings.TableOrigin``), or None when the tables
    were not built by ``io.load`` (then the dates are the history, as for CSVs)."""
    return getattr(tables, "origins", {}).get(table)


def history_start(ref: str, tables: Tables) -> pd.Period | None:
    """The month from which ``table.column`` is a full history: the month of its earliest date, or
    the table's ``history_from`` when the loader set a later one (None when there is no date)."""
    table, column = _split(ref)
    frame = tables.get(table) if hasattr(tables, "get") else None
    if frame is None or column not in frame.columns or frame[column].isna().all():
        return None
    values = frame[column]
    start = values.min() if isinstance(values.dtype, pd.PeriodDtype) else pd.Period(pd.to_datetime(values).min(), "M")
    origin = table_origin(tables, table)
    if origin is not None and origin.history_from is not None:
        return max(start, origin.history_from)
    return start


def period_start(kpi: KPI, tables: Tables) -> pd.Period | None:
    """The first month all the tables the KPI needs cover, where the loader says they start (the
    latest ``history_from`` among them; None when none of them has one, as for CSVs): a flow
    measure in a month before an Annex A extract's period would count a part of the month's
    events (an assessment started earlier but listed) as if it were all of them."""
    origins = (table_origin(tables, _split(ref)[0]) for ref in kpi.needs)
    starts = [o.history_from for o in origins if o is not None and o.history_from is not None]
    return max(starts) if starts else None


def _short_by_history(kpi: KPI, tables: Tables, months: pd.PeriodIndex) -> np.ndarray:
    if kpi.history is None:
        return np.zeros(len(months), dtype=bool)
    ref, lookback = kpi.history
    start = history_start(ref, tables)
    if start is None:
        return np.ones(len(months), dtype=bool)
    return np.asarray((months - lookback) < start, dtype=bool)


def short_history_months(kpi: KPI, tables: Tables, months: pd.PeriodIndex) -> np.ndarray:
    """Boolean per month: the KPI's declared history does not reach back far enough, or the month
    is before the period its tables cover (:func:`period_start`)."""
    short = _short_by_history(kpi, tables, months)
    start = period_start(kpi, tables)
    if start is not None:
        short = short | np.asarray(months < start, dtype=bool)
    return short


def availability(kpi: KPI, tables: Tables, months: pd.PeriodIndex, denominator) -> np.ndarray:
    """``availability`` per month (before any count-column fallback is used)."""
    out = np.full(len(months), "ok", dtype=object)
    if kpi.unit != "count":
        den = np.asarray(denominator, dtype=float)
        out[~(den > 0)] = "no_events"
    out[short_history_months(kpi, tables, months)] = "short_history"
    if missing_sources(kpi.needs, tables):
        out[:] = "missing_source"
    return out


def fallback_months(kpi: KPI, tables: Tables, months: pd.PeriodIndex) -> np.ndarray:
    """Boolean per month: the KPI's count-column fallback can answer it (the extracts carry the
    count columns, and for an as-at-extract count the month is the extract's last month)."""
    fallback = kpi.fallback
    if fallback is None or missing_sources(fallback.needs, tables):
        return np.zeros(len(months), dtype=bool)
    if not fallback.as_at_extract:
        return np.ones(len(months), dtype=bool)
    latest = extract_month(kpi, tables)
    if latest is None:
        return np.zeros(len(months), dtype=bool)
    return np.asarray(months == latest, dtype=bool)


def extract_month(kpi: KPI, tables: Tables) -> pd.Period | None:
    """When the extract was taken, as far as this KPI's data can tell: the as-at month the loader
    gives its count columns' tables (an Annex A count is as at the workbook's as-at date), else
    the month of the latest date in its source tables (its ``needs`` and count columns' tables)."""
    counted = [table_origin(tables, _split(ref)[0]) for ref in (kpi.fallback.needs if kpi.fallback else ())]
    stated = [o.as_at for o in counted if o is not None and o.as_at is not None]
    if stated:
        return pd.Period(max(stated), "M")
    names = dict.fromkeys(_split(ref)[0] for ref in (*kpi.needs, *(kpi.fallback.needs if kpi.fallback else ())))
    latest = pd.NaT
    for name in names:
        frame = tables.get(name) if hasattr(tables, "get") else None
        if frame is None or frame.empty:
            continue
        dates = frame.select_dtypes(include=["datetime"])
        if dates.shape[1]:
            latest = max(latest, dates.max().max()) if pd.notna(latest) else dates.max().max()
    return None if pd.isna(latest) else pd.Period(latest, "M")


def _month_name(month: pd.Period) -> str:
    return month.strftime("%B %Y")


def reason(kpi_id: str, month, status: str, tables: Tables) -> str:
    """Plain-English reason a (KPI, month) has no value ("" when ``ok``), for the report."""
    kpi = REGISTRY[kpi_id]
    month = pd.Period(month, "M")
    if status == "ok":
        return ""
    if status == "no_events":
        return f"no {kpi.grain} to measure in {_month_name(month)}"
    if status == "missing_source":
        missing = missing_sources(kpi.needs, tables)
        listed = "; ".join(_label(ref) for ref in missing) or "a needed table"
        return f"not in this month's extracts: {listed} not supplied"
    if status == "short_history":
        covered = period_start(kpi, tables)
        by_history = bool(_short_by_history(kpi, tables, pd.PeriodIndex([month]))[0])
        if covered is not None and month < covered and not by_history:
            binding = [(t, o) for t, o in ((_split(r)[0], table_origin(tables, _split(r)[0])) for r in kpi.needs)
                       if o is not None and o.history_from == covered]
            table, origin = binding[0]
            if origin.latest_only:
                as_at = f" as at {origin.as_at:%d %B %Y}" if origin.as_at is not None else ""
                return f"before the extract's month: the Annex A workbook holds {table.replace('_', ' ')} only{as_at}"
            return f"before the extracts' period: the Annex A lists start in {_month_name(covered)}"
        ref, lookback = kpi.history
        start = history_start(ref, tables)
        need = f"needs {lookback} months of history before the month ({_label(ref)})"
        if start is None:
            return f"{need}; the extracts have none"
        origin = table_origin(tables, _split(ref)[0])
        if origin is not None and origin.latest_only:
            as_at = f", as at {origin.as_at:%d %B %Y}" if origin.as_at is not None else ""
            what = _split(ref)[0].replace("_", " ")
            return f"{need}; the Annex A workbook holds only the latest of each child's {what}{as_at}"
        return f"{need}; the extracts start in {_month_name(start)}"
    raise ValueError(f"unknown availability {status!r}; expected one of {AVAILABILITY}")


def reasons(metrics: pd.DataFrame, tables: Tables) -> pd.Series:
    """:func:`reason` for every row of a metrics table (columns kpi_id, month, availability)."""
    return pd.Series(
        [reason(k, m, a, tables) for k, m, a in metrics[["kpi_id", "month", "availability"]].itertuples(index=False)],
        index=metrics.index,
        dtype="string",
    )


def coverage_table(metrics: pd.DataFrame, tables: Tables) -> pd.DataFrame:
    """One row per KPI for the data-quality appendix: its sources, look-back, where its history
    starts, and the months it could be computed (``ok``) out of the window's.

    Columns: kpi_id, title, sources, history, history_from, months_ok, months, first_ok, last_ok,
    not_available (the distinct reasons, "; "-joined).
    """
    rows = []
    for kpi_id, group in metrics.groupby("kpi_id", sort=False):
        kpi = REGISTRY[kpi_id]
        ok = group[group["availability"] == "ok"]
        start = history_start(kpi.history[0], tables) if kpi.history else None
        gaps = group[group["availability"].isin(["missing_source", "short_history"])]
        why = dict.fromkeys(reason(kpi_id, m, a, tables) for m, a in zip(gaps["month"], gaps["availability"]))
        rows.append(
            {
                "kpi_id": kpi_id,
                "title": kpi.title,
                "sources": ", ".join(kpi.needs),
                "history": f"{kpi.history[0]}, {kpi.history[1]} months" if kpi.history else "",
                "history_from": str(start) if start is not None else "",
                "months_ok": len(ok),
                "months": len(group),
                "first_ok": str(ok["month"].min()) if len(ok) else "",
                "last_ok": str(ok["month"].max()) if len(ok) else "",
                "not_available": "; ".join(why),
            }
        )
    return pd.DataFrame(rows)
