"""The assessed metrics table: every KPI-month with its target, RAG, direction, benchmarks and SPC.

Why one table again: disclosure control, scorecards, charts and the executive summary all read
the same judgements, so a "Red" in a table and "consistently failing" in a sentence cannot
disagree. It extends the tidy metrics table (metrics/engine.py) row for row.

SPC over time, vectorised: the chart is computed once per KPI over its whole series (or the last
``spc_months`` months) and each month keeps its own point type, limits and icon. So the
``variation`` of the latest month is exactly MDC's variation icon for the report; for an earlier
month it is that point's classification *with hindsight* (limits from the whole series), which can
differ from what a report built in that month would have shown. ``assurance`` compares the target
with that month's limits.

Baselines as Making Data Count advises: limits are recalculated only at a known cause of change,
listed in params (``spc: rebase: [YYYY-MM, …]``; defaults.yaml names the Improvement Plan's start,
and a council adds or removes months there or per KPI under ``kpis: {ID: {spc: {rebase: […]}}}``).
Limits spanning a step change are too wide and centred between the two levels, which both hides
the new level and flags most months as special cause. Each month carries its segment's mean and
limits plus ``spc_segment`` (0, 1, … within the KPI's window) and ``spc_segment_start`` (the
segment's first month), so a chart draws each segment's lines separately and marks where they
were recalculated. A segment with fewer than ``spc: min_segment_points`` points has *trial*
limits (``spc_trial``), computed from its own points as NHSRplotthedots does. Rebase months outside
the SPC window are ignored so that a back-dated build still works.

Availability (issue 10): the metrics table says per row whether the data support the figure
(``availability``: ok / no_events / missing_source / short_history, see
:mod:`torbayreport.metrics.coverage`). Only ``ok`` months are judged: another month's value is
treated as missing whatever it holds, so it gets no RAG, the next month gets no direction of
travel, and the SPC chart runs over the ``ok`` months alone (no point, limits or signal for the
others, and they do not count towards limits or runs). A table without the column (older
callers, the tests' hand-made rows) is taken as all ``ok``; ``availability`` is carried into the
assessed table so every later step reads the same answer.

Polarity → SPC improvement direction: up → up, down → down, target and neutral → neutral (neither
direction is good), so target-polarity measures get neutral variation icons and no assurance.
"""

from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd

from torbayreport.assess import benchmarks as bm
from torbayreport.assess.params import kpi_settings
from torbayreport.assess.rag import direction, rag
from torbayreport.assess.spc import assurance_type, pchart_arrays, segments, variation_icons, xmr_arrays

# spc_segment_start sits next to month on purpose: the public identifier scan (context.prepare)
# reads a CSV row as one stream of tokens, so "2019-10" beside a number (16.2) or a label ending in
# a year ("England 2018-19,,1,2019-10") reads as a date (2019-10-16, 19/1/2019) and stops the build.
ASSESSED_COLUMNS = [
    "month", "spc_segment_start", "kpi_id", "title", "pillar", "ref", "polarity", "unit",
    "numerator", "denominator", "value", "availability",
    "target", "tolerance", "rag", "previous_value", "direction",
    "benchmark_value", "benchmark_label", "sn_value", "sn_label",
    "spc_segment", "spc_chart", "spc_mean", "spc_lpl", "spc_upl", "spc_trial",
    "point_type", "spc_rule", "variation", "assurance",
]
METRIC_INPUT = ["month", "kpi_id", "numerator", "denominator", "value", "unit"]
#: the values of ``availability`` (metrics.coverage.AVAILABILITY; repeated here because assess sits
#: after metrics but must not need the engine to read a table); only OK months are judged
AVAILABILITY = ("ok", "no_events", "missing_source", "short_history")
OK = "ok"
IMPROVEMENT = {"up": "up", "down": "down", "target": "neutral", "neutral": "neutral"}
SPC_COLUMNS = ["spc_segment", "spc_segment_start", "spc_chart", "spc_mean", "spc_lpl", "spc_upl", "spc_trial", "point_type", "spc_rule", "variation", "assurance"]


def _check_metrics(metrics: pd.DataFrame, known) -> pd.DataFrame:
    missing = [c for c in METRIC_INPUT if c not in metrics.columns]
    if missing:
        raise ValueError(f"metrics table: missing column(s) {missing}; expected {METRIC_INPUT}")
    m = metrics[METRIC_INPUT].copy()
    if "availability" in metrics.columns:
        avail = metrics["availability"].astype("string")
        bad = avail.isna() | ~avail.isin(AVAILABILITY)
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise ValueError(f"metrics table: row {row}: availability {metrics['availability'].iloc[row]!r} "
                             f"is not one of {AVAILABILITY}")
        m["availability"] = avail.to_numpy()
    else:
        m["availability"] = OK
    m["kpi_id"] = m["kpi_id"].astype("string")
    m["month"] = pd.PeriodIndex(m["month"], freq="M").to_numpy() if len(m) else pd.Series(dtype="period[M]")
    m["month"] = m["month"].astype("period[M]")
    unknown = sorted(set(m["kpi_id"].dropna()) - set(known))
    if unknown:
        raise ValueError(f"metrics table: KPI id(s) {unknown} are not in the KPI registry")
    dup = m.duplicated(["kpi_id", "month"])
    if dup.any():
        row = m[dup].iloc[0]
        raise ValueError(f"metrics table: {row['kpi_id']} {row['month']} appears more than once")
    for col in ("numerator", "denominator", "value"):
        m[col] = pd.to_numeric(m[col]).astype(float)
    # a month the data cannot support has no value to judge, whatever the column holds
    m["value"] = m["value"].where(m["availability"] == OK)
    return m


def _spc_one(out: dict, pos: np.ndarray, months_all: pd.PeriodIndex, judged: np.ndarray, table: dict, kpi,
             settings: dict, spc_months: int | None) -> None:
    """SPC columns for one KPI's rows (positions ``pos`` in the table, sorted by month), written
    into ``out`` (column -> object array over the whole table; rows left alone keep NaN).

    Why arrays, not a frame per KPI: the table has 51 KPIs and the pandas bookkeeping of a frame
    per KPI (indexing, ``.loc`` writes, a concat and a join) cost 0.6 of the 0.75 CPU s of the
    assessment on the sample; the charts are :func:`~torbayreport.assess.spc.xmr_arrays` /
    :func:`~torbayreport.assess.spc.pchart_arrays`, the same arithmetic :func:`xmr` and
    :func:`pchart` return as frames."""
    window = pos if spc_months is None else pos[-spc_months:]
    window = window[judged[window]]
    opts = dict(settings["spc"])
    chart = opts.pop("chart", "xmr")
    improvement = IMPROVEMENT[kpi.polarity]
    target = settings["target"]
    months = months_all[window]
    rebase = [pd.Period(str(m)[:7], freq="M") for m in (opts.pop("rebase", None) or [])]
    rebase = [r for r in rebase if len(months) and months[0] < r <= months[-1]]
    # Options absent from params fall back to the spc module's (NHSRplotthedots') defaults: no
    # second copy of them here. xmr-only options (screening, limit constant) stay in ``opts``.
    common = {"improvement": improvement}
    common.update({k: opts.pop(k) for k in ("fix_after_n_points", "run_length", "trend_length", "min_segment_points") if k in opts})
    if not len(window):
        return
    seg = segments(months, rebase)
    if chart == "xmr":
        res = xmr_arrays(table["value"][window], seg, **common, **opts)
    else:
        if kpi.unit != "percent":
            raise ValueError(f"{kpi.id}: spc chart {chart!r} needs a percentage KPI (numerator/denominator), not {kpi.unit}")
        res = pchart_arrays(table["numerator"][window], table["denominator"][window], seg, months,
                            laney=chart == "pprime", **common)
    ptype = res["point_type"]
    first = np.searchsorted(seg, seg, side="left")  # segments are numbered in month order
    out["spc_chart"][window] = chart
    out["spc_segment"][window] = seg
    out["spc_segment_start"][window] = months[first].to_numpy()
    out["spc_mean"][window] = res["mean"]
    out["spc_lpl"][window] = res["lpl"]
    out["spc_upl"][window] = res["upl"]
    out["spc_trial"][window] = res["trial_limits"]
    out["point_type"][window] = ptype
    out["spc_rule"][window] = res["rule"]
    out["variation"][window] = variation_icons(ptype, res["side"])
    tgt = np.nan if target is None else float(target)
    out["assurance"][window] = assurance_type(np.full(len(window), tgt), res["lpl"], res["upl"], improvement)


def _spc_columns(table: pd.DataFrame, ids: list, registry, settings: dict, spc_months: int | None) -> dict:
    """:data:`SPC_COLUMNS` for every row of ``table`` (object arrays; NaN where no chart)."""
    out = {c: np.full(len(table), np.nan, dtype=object) for c in SPC_COLUMNS}
    if not len(table):
        return out
    months_all = pd.PeriodIndex(table["month"], freq="M")
    judged = (table["month"].notna() & (table["availability"] == OK)).to_numpy(dtype=bool)
    arrays = {c: table[c].to_numpy(dtype=float) for c in ("value", "numerator", "denominator")}
    groups = table.groupby("kpi_id", sort=False).indices
    for k in ids:
        if k in groups:
            _spc_one(out, groups[k], months_all, judged, arrays, registry[k], settings[k], spc_months)
    return out


def assess(
    metrics: pd.DataFrame,
    params: Mapping,
    *,
    spc_months: int | None = None,
    registry: Mapping | None = None,
    england: pd.DataFrame | None = None,
    neighbours: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The assessed table (columns :data:`ASSESSED_COLUMNS`), one row per metrics row.

    ``params``: the merged params dict (:func:`torbayreport.assess.params.load_params`).
    ``spc_months``: compute SPC over each KPI's last N months only (earlier rows get no SPC);
    None = the whole table. ``england``/``neighbours``: benchmark frames
    (:func:`~torbayreport.assess.benchmarks.load_benchmarks`); by default the shipped England
    figures and, if the params name one (``benchmarks: {neighbours: path}``), the LA's
    statistical-neighbour file.
    """
    if registry is None:
        from torbayreport.metrics import REGISTRY as registry  # noqa: N811
    if spc_months is not None and (int(spc_months) != spc_months or spc_months < 1):
        raise ValueError(f"spc_months must be a whole number ≥ 1, not {spc_months!r}")
    m = _check_metrics(metrics, registry)
    order = {k: i for i, k in enumerate(dict.fromkeys(m["kpi_id"].tolist()))}
    m = m.assign(_o=m["kpi_id"].map(order)).sort_values(["_o", "month"]).drop(columns="_o").reset_index(drop=True)

    ids = list(order)
    settings = {k: kpi_settings(params, k) for k in ids}
    meta = pd.DataFrame(
        {
            "kpi_id": pd.array(ids, dtype="string"),
            "title": pd.array([registry[k].title for k in ids], dtype="string"),
            "pillar": pd.array([registry[k].pillar for k in ids], dtype="string"),
            "ref": pd.array([registry[k].ref for k in ids], dtype="string"),
            "polarity": pd.array([registry[k].polarity for k in ids], dtype="string"),
            "target": pd.array([settings[k]["target"] for k in ids], dtype="Float64").astype(float),
            "tolerance": pd.array([settings[k]["tolerance"] for k in ids], dtype="Float64").astype(float),
        }
    )
    table = m.merge(meta, on="kpi_id", how="left", validate="many_to_one")

    prev = m[["kpi_id", "month", "value"]].rename(columns={"value": "previous_value"})
    prev["month"] = prev["month"] + 1
    table = table.merge(prev, on=["kpi_id", "month"], how="left", validate="one_to_one")

    pol = table["polarity"].to_numpy(dtype=object)
    table["rag"] = rag(table["value"], table["target"], table["tolerance"], pol).to_numpy()
    table["direction"] = direction(table["value"], table["previous_value"], pol, table["target"]).to_numpy()

    if neighbours is None and (params.get("benchmarks") or {}).get("neighbours"):
        neighbours = bm.load_benchmarks(params["benchmarks"]["neighbours"], known_ids=registry)
    table["_year"] = table["month"].dt.year.astype("int64")
    bench = bm.benchmark_columns(england, neighbours, years=table["_year"].unique()).reset_index()
    bench["kpi_id"] = bench["kpi_id"].astype("string")
    table = table.merge(bench.rename(columns={"year": "_year"}), on=["kpi_id", "_year"], how="left").drop(
        columns="_year"
    )

    for col, values in _spc_columns(table, ids, registry, settings, spc_months).items():
        table[col] = values

    for col in ("rag", "direction", "benchmark_label", "sn_label", "spc_chart", "point_type", "spc_rule", "variation", "assurance", "unit"):
        table[col] = table[col].astype(object).where(table[col].notna(), None).astype("string")
    for col in ("spc_mean", "spc_lpl", "spc_upl", "benchmark_value", "sn_value", "previous_value"):
        table[col] = pd.to_numeric(table[col]).astype(float)
    table["spc_trial"] = table["spc_trial"].astype("boolean")
    table["spc_segment"] = pd.to_numeric(table["spc_segment"]).astype("Int64")
    table["spc_segment_start"] = table["spc_segment_start"].astype("period[M]")
    table["availability"] = table["availability"].astype("string")
    return table[ASSESSED_COLUMNS]
