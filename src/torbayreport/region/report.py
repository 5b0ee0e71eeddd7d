"""The regional report's content: scorecard, quartile charts and data coverage, audience-safe.

What the regional report shows (issue 14, part 3), as data the report chapters lay out with the
toolkit's own table and render path (no markdown or HTML is made here, so the render path that
turns a council's chapters into HTML + PDF is the one place that writes documents):

* :func:`scorecard_frame` — councils × headline KPIs for the month, each cell
  "value · RAG word · quarter" (e.g. ``82.0% · Green · Q1``);
* :func:`quartile_chart` — per KPI, every council's value on one axis with the regional median
  and middle half shaded, a matplotlib ``Figure`` and its alt text written from the data;
* :func:`coverage_frame` — per council: computed or left out (and why), KPIs with a value this
  month, findings.

Audiences: ``internal`` shows every council's value; ``public`` applies the same disclosure rule
to every council's figures as each council's own public report — a value its report withholds is
``[c]`` here, is not plotted, and gets no quarter; the quarter, median and middle half shown are
the ``public_*`` statistics (computed only from publishable values). Councils are named (they are
public bodies); no child or worker appears in any output.

Headline KPIs: the region's params ``region: {headline: [ids]}`` if given, else every KPI with a
published England figure (the measures a region can compare nationally) — decided in
:func:`headline_kpis` only.
"""

from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from torbayreport.disclose.formatting import format_value
from torbayreport.disclose.symbols import CONFIDENTIAL, NOT_APPLICABLE, NOT_AVAILABLE

AUDIENCES = ("internal", "public")


def headline_kpis(region_table: pd.DataFrame, params: Mapping | None = None) -> list[str]:
    """The scorecard's KPIs (see the module docstring), in catalogue order."""
    chosen = ((params or {}).get("region") or {}).get("headline")
    ids = list(dict.fromkeys(region_table["kpi_id"]))
    if chosen:
        unknown = sorted(set(chosen) - set(ids))
        if unknown:
            raise ValueError(f"params region: headline: KPI id(s) not in the regional table: {unknown}")
        return [k for k in ids if k in set(chosen)]
    with_england = set(region_table.loc[region_table["england_value"].notna(), "kpi_id"])
    return [k for k in ids if k in with_england]


def _month_rows(region_table: pd.DataFrame, month: str | None, audience: str) -> tuple[pd.DataFrame, str]:
    if audience not in AUDIENCES:
        raise ValueError(f"audience must be one of {AUDIENCES}, got {audience!r}")
    table = region_table.assign(month=region_table["month"].astype(str), la_code=region_table["la_code"].astype(str))
    month = month or table["month"].max()
    rows = table[table["month"] == month].copy()
    if rows.empty:
        raise ValueError(f"the regional table has no month {month}")
    ok = (rows["availability"].astype("string") == "ok").fillna(False)
    hidden = rows["public_suppressed"].astype("boolean").fillna(True) & ok if audience == "public" else ok & False
    rows["_ok"], rows["_hidden"] = ok.to_numpy(), hidden.to_numpy(dtype=bool)
    return rows, month


def _decimals(kpi_ids: pd.Series) -> pd.Series:
    from torbayreport.metrics import REGISTRY

    return kpi_ids.map(lambda k: REGISTRY[k].decimals if k in REGISTRY else 1)


def scorecard_frame(region_table: pd.DataFrame, audience: str, *, month: str | None = None,
                    kpi_ids: list[str] | None = None) -> pd.DataFrame:
    """Councils (rows, by name) × KPIs (columns, by id): "value · RAG · Qn" text for ``audience``."""
    rows, month = _month_rows(region_table, month, audience)
    kpi_ids = kpi_ids or headline_kpis(region_table)
    rows = rows[rows["kpi_id"].isin(kpi_ids)]
    pre = "public_" if audience == "public" else ""
    values = [format_value(v, u, d) for v, u, d in zip(rows["value"].astype(float), rows["unit"], _decimals(rows["kpi_id"]))]
    parts = []
    for v, ok, hidden, avail, rag, q in zip(values, rows["_ok"], rows["_hidden"], rows["availability"].astype(str),
                                            rows["rag"], rows[f"{pre}quartile"]):
        if hidden:
            parts.append(CONFIDENTIAL)
        elif not ok:
            parts.append(NOT_APPLICABLE if avail == "no_events" else NOT_AVAILABLE)
        else:
            bits = [v] + ([str(rag)] if not pd.isna(rag) else []) + ([f"Q{int(q)}"] if not pd.isna(q) else [])
            parts.append(" · ".join(bits))
    rows = rows.assign(cell=parts, council=rows["la_name"].astype(str) + " (" + rows["la_code"] + ")")
    grid = rows.pivot(index="council", columns="kpi_id", values="cell").reindex(columns=kpi_ids)
    grid = grid.fillna(NOT_AVAILABLE).reset_index().rename(columns={"council": "Council"})
    grid.columns.name = None
    grid.attrs.update({"month": month, "audience": audience})
    return grid.astype("string")


def coverage_frame(region_table: pd.DataFrame, councils: pd.DataFrame, *, month: str | None = None) -> pd.DataFrame:
    """Per council: status, KPIs with a value this month (of all), months computed, findings.

    ``councils``: ``councils.csv`` as written by ``torbayreport region``. Internal and public
    alike (no figure about children is in it).
    """
    table = region_table.assign(month=region_table["month"].astype(str), la_code=region_table["la_code"].astype(str))
    month = month or table["month"].max()
    now = table[table["month"] == month]
    ok = (now["availability"].astype("string") == "ok").fillna(False)
    with_value = ok.groupby(now["la_code"]).sum()
    total = now.groupby("la_code")["kpi_id"].nunique()
    months = table.groupby("la_code")["month"].agg(["min", "max"])
    c = councils.assign(la_code=councils["la_code"].astype(str).str.zfill(3))
    out = pd.DataFrame({
        "Council": c["la_name"].astype(str) + " (" + c["la_code"] + ")",
        "Status": np.where(c["status"] == "ok", "included", "left out: " + c["reason"].fillna("").astype(str)),
        "KPIs with a value": [f"{int(with_value.get(k, 0))} of {int(total.get(k, 0))}" if k in total.index else "0"
                              for k in c["la_code"]],
        "Months": [f"{months.loc[k, 'min']} to {months.loc[k, 'max']}" if k in months.index else "none"
                   for k in c["la_code"]],
        "Errors": c["errors"].astype(int).astype(str), "Warnings": c["warnings"].astype(int).astype(str),
    })
    return out.astype("string")


def quartile_chart(region_table: pd.DataFrame, kpi_id: str, audience: str, *,
                   month: str | None = None) -> tuple[Figure, str]:
    """One KPI: each council's value (dots, labelled by code), median line, middle half shaded.

    Public: only publishable values are plotted and the public statistics drawn. Returns the
    figure (object-oriented matplotlib, never registered with pyplot) and its alt text.
    """
    rows, month = _month_rows(region_table, month, audience)
    rows = rows[rows["kpi_id"] == kpi_id]
    if rows.empty:
        raise ValueError(f"the regional table has no KPI {kpi_id}")
    pre = "public_" if audience == "public" else ""
    shown = rows[rows["_ok"] & ~rows["_hidden"]].sort_values("value")
    first = rows.iloc[0]
    unit, decimals = str(first["unit"]), int(_decimals(pd.Series([kpi_id])).iloc[0])
    median, q1, q3 = (first[f"{pre}region_{s}"] for s in ("median", "q1", "q3"))
    fig = Figure(figsize=(7.5, 1.2 + 0.22 * max(len(shown), 1)), dpi=110)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    y = np.arange(len(shown))
    if not pd.isna(q1):
        ax.axvspan(q1, q3, color="#d9e2ec", label="middle half of councils")
        ax.axvline(median, color="#3d3d3d", linestyle="--", label="regional median")
    ax.scatter(shown["value"].astype(float), y, color="#12436d", zorder=3)
    ax.set_yticks(y, [f"{n} ({c})" for n, c in zip(shown["la_name"].astype(str), shown["la_code"])], fontsize=7)
    ax.set_title(f"{kpi_id} {first['title']} — {month}", fontsize=9, loc="left")
    if len(shown):
        ax.legend(fontsize=7, loc="lower right", frameon=False)
    fig.tight_layout()
    word = {"up": "higher is better", "down": "lower is better", "target": "closest to target is best"}.get(
        str(first["polarity"]), "a context measure")
    fmt = lambda v: format_value(v, unit, decimals)  # noqa: E731
    withheld = int((rows["_hidden"]).sum())
    alt = (f"{kpi_id} {first['title']}, {month}, {word}: {len(shown)} councils shown"
           + (f" ({withheld} withheld)" if withheld else "")
           + (f", from {fmt(shown['value'].min())} to {fmt(shown['value'].max())}; regional median {fmt(median)}, "
              f"middle half {fmt(q1)} to {fmt(q3)}." if len(shown) and not pd.isna(median) else "."))
    return fig, alt
