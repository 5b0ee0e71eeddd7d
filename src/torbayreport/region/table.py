"""The regional table: every council's value per KPI and month beside the region, its
statistical neighbours and England.

One row per (la_code, month, kpi_id), columns :data:`REGION_COLUMNS`:

* the council's figures as computed (``numerator``, ``denominator``, ``value``, ``availability``),
  its own ``target`` and ``rag`` (its params merged over the region's, the single-council rule);
* the comparison statistics of :mod:`torbayreport.region.stats`;
* ``neighbours_value`` / ``neighbours_n`` from :mod:`torbayreport.region.neighbours`;
* ``england_value`` / ``england_label`` from assess's published England figures, chosen for the
  month's year exactly as the single-council report chooses them (``assess.benchmarks.as_of``).

Public columns (``public_suppressed`` and the ``public_*`` statistics): for the report month,
whether the council's own public report withholds its value (``disclose.apply``, run on the
worker) and the same statistics computed only from values the public may see. Public outputs
(the public regional report, a public "how we compare" chapter) use only these, so no median,
quartile or neighbour average can give back a withheld figure. Other months have no public
figures (NA).

``month`` is text ``YYYY-MM`` (the same in Parquet and CSV).
"""

from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd

from torbayreport.assess.benchmarks import benchmark_columns, load_benchmarks
from torbayreport.assess.params import kpi_settings
from torbayreport.assess.rag import rag
from torbayreport.region.neighbours import neighbour_values
from torbayreport.region.stats import STAT_COLUMNS, compare_councils

REGION_COLUMNS = [
    "la_code", "la_name", "month", "kpi_id", "title", "polarity", "unit",
    "numerator", "denominator", "value", "availability", "target", "rag",
    *STAT_COLUMNS, "neighbours_value", "neighbours_n", "england_value", "england_label",
    "public_suppressed", *[f"public_{c}" for c in STAT_COLUMNS], "public_neighbours_value", "public_neighbours_n",
]


def _targets(params_by_la: Mapping[str, Mapping], kpi_ids) -> pd.DataFrame:
    rows = [
        {"la_code": code, "kpi_id": k, **{key: kpi_settings(params, k)[key] for key in ("target", "tolerance")}}
        for code, params in params_by_la.items() for k in kpi_ids
    ]
    frame = pd.DataFrame(rows, columns=["la_code", "kpi_id", "target", "tolerance"])
    for col in ("target", "tolerance"):
        frame[col] = pd.to_numeric(frame[col], errors="coerce").astype(float)
    return frame


def regional_table(
    metrics: pd.DataFrame,
    *,
    region_params: Mapping,
    params_by_la: Mapping[str, Mapping],
    names: Mapping[str, str],
    neighbours: pd.DataFrame | None = None,
    england: pd.DataFrame | None = None,
    public: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The regional table from every council's tidy metrics (with ``la_code`` and ``availability``).

    ``region_params``: the region's params (targets used to rank ``target``-polarity KPIs, so every
    council is ranked on the same yardstick); ``params_by_la``: each council's merged params (its
    own targets, for its RAG); ``england``: default the shipped England figures; ``public``:
    la_code, month, kpi_id, public_suppressed (the workers' flags; None: no public figures).
    """
    from torbayreport.metrics import REGISTRY

    table = metrics.copy()
    table["month"] = table["month"].astype(str)
    kpi_ids = list(dict.fromkeys(table["kpi_id"]))
    polarity = {k: REGISTRY[k].polarity for k in kpi_ids}
    region_target = {k: kpi_settings(region_params, k)["target"] for k in kpi_ids}
    table = compare_councils(table, polarity, region_target)
    table = _with_public(table, public, polarity, region_target, neighbours)
    table["la_name"] = table["la_code"].map(names).astype("string")
    table["title"] = table["kpi_id"].map({k: REGISTRY[k].title for k in kpi_ids}).astype("string")
    table["polarity"] = table["kpi_id"].map(polarity).astype("string")

    targets = _targets(params_by_la, kpi_ids)
    table = table.merge(targets, on=["la_code", "kpi_id"], how="left")
    table["rag"] = rag(table["value"], table["target"], table["tolerance"], table["polarity"].to_numpy(dtype=object)).to_numpy()

    values = table[["la_code", "month", "kpi_id", "value"]].assign(
        value=table["value"].where(table["availability"].astype("string") == "ok"))
    table = table.merge(neighbour_values(values, neighbours), on=["la_code", "month", "kpi_id"], how="left")
    table["neighbours_n"] = table["neighbours_n"].astype("Int64")
    table["neighbours_value"] = table["neighbours_value"].astype(float)

    england = load_benchmarks() if england is None else england
    years = pd.PeriodIndex(table["month"], freq="M").year.astype("int64")
    bench = benchmark_columns(england, None, years=np.unique(years)).reset_index()[
        ["kpi_id", "year", "benchmark_value", "benchmark_label"]]
    table = table.assign(_year=years).merge(
        bench.rename(columns={"year": "_year", "benchmark_value": "england_value", "benchmark_label": "england_label"}),
        on=["kpi_id", "_year"], how="left")
    table["england_label"] = table["england_label"].astype("string")
    table["availability"] = table["availability"].astype("string")
    table["rag"] = table["rag"].astype("string")
    order = {k: i for i, k in enumerate(kpi_ids)}
    table = table.sort_values(["la_code", "kpi_id", "month"], key=lambda s: s.map(order) if s.name == "kpi_id" else s)
    return table[REGION_COLUMNS].reset_index(drop=True)


def _with_public(table, public, polarity, target, neighbours) -> pd.DataFrame:
    """``public_suppressed`` and the ``public_*`` statistics over the values the public may see."""
    if public is None or public.empty:
        flags = pd.Series(pd.NA, index=table.index, dtype="boolean")
    else:
        keyed = public.assign(month=public["month"].astype(str))
        flags = table[["la_code", "month", "kpi_id"]].merge(keyed, on=["la_code", "month", "kpi_id"], how="left")[
            "public_suppressed"].astype("boolean")
        flags.index = table.index
    table["public_suppressed"] = flags
    seen = table["value"].where(flags.fillna(True).eq(False).to_numpy()
                                & (table["availability"].astype("string") == "ok").fillna(False).to_numpy())
    stats = compare_councils(table[["la_code", "month", "kpi_id"]].assign(value=seen), polarity, target)
    for col in STAT_COLUMNS:
        table[f"public_{col}"] = stats[col]
    table["public_n_councils"] = table["public_n_councils"].where(flags.notna(), pd.NA).astype("Int64")
    near = neighbour_values(table[["la_code", "month", "kpi_id"]].assign(value=seen), neighbours)
    near = near.rename(columns={"neighbours_value": "public_neighbours_value", "neighbours_n": "public_neighbours_n"})
    merged = table[["la_code", "month", "kpi_id"]].merge(near, on=["la_code", "month", "kpi_id"], how="left")
    table["public_neighbours_value"] = merged["public_neighbours_value"].astype(float).to_numpy()
    count = merged["public_neighbours_n"].astype("Int64")
    count.index = table.index
    table["public_neighbours_n"] = count.mask(flags.isna())
    return table
