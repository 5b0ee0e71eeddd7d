"""Published comparators: England figures shipped with the package, statistical neighbours from the LA.

Why shipped as data with a source per row: national figures come from annual DfE releases (children
in need, children looked after, social work workforce), lag local monthly data by 6–18 months and
are derived in some cases; a reader must be able to see which release and year each one is. The
England file is ``england_benchmarks.csv`` in this package (figures from the team's research note
annex_a_ecosystem.md §5.2 and indicators.md "Benchmarks"). A council's statistical-neighbour
averages come in a CSV of the same shape (``kpi_id,value,period,source``), named in the params as
``benchmarks: {neighbours: path}``.

Where a KPI has figures for several periods, each report month is compared with the latest figure
whose period starts no later than that month's year (a December 2019 report quotes the 2019
workforce figure, not 2023's); a month earlier than every published period gets the earliest one.
Periods sort by their first year, then the longer label (so ``2019-20`` follows ``2019``).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Iterable

import numpy as np
import pandas as pd

BENCHMARK_COLUMNS = ["kpi_id", "value", "period", "source"]
ENGLAND_FILE = "england_benchmarks.csv"


def load_benchmarks(path: str | Path | None = None, *, known_ids: Iterable[str] | None = None) -> pd.DataFrame:
    """Read and validate a benchmark CSV (default: the shipped England figures).

    Errors name the file, the row (spreadsheet line number, header = 1) and the column. With
    ``known_ids`` an unknown KPI id is an error too.
    """
    if path is None:
        ref = resources.files("torbayreport.assess").joinpath(ENGLAND_FILE)
        label = f"torbayreport/assess/{ENGLAND_FILE}"
        with resources.as_file(ref) as real:
            raw = pd.read_csv(real, dtype=str, keep_default_na=False)
    else:
        label = str(path)
        raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in BENCHMARK_COLUMNS if c not in raw.columns]
    if missing:
        raise ValueError(f"{label}: missing column(s) {missing}; expected {BENCHMARK_COLUMNS}")
    extra = [c for c in raw.columns if c not in BENCHMARK_COLUMNS]
    if extra:
        raise ValueError(f"{label}: unexpected column(s) {extra}; expected {BENCHMARK_COLUMNS}")
    raw = raw[BENCHMARK_COLUMNS].apply(lambda col: col.str.strip())
    line = raw.index.to_numpy() + 2
    for col in ("kpi_id", "value", "period"):
        blank = (raw[col] == "").to_numpy()
        if blank.any():
            raise ValueError(f"{label}: row {line[blank][0]}, column {col}: blank")
    values = pd.to_numeric(raw["value"], errors="coerce")
    bad = values.isna().to_numpy()
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(f"{label}: row {line[i]}, column value: {raw['value'].iloc[i]!r} is not a number")
    if known_ids is not None:
        known = set(known_ids)
        unknown = ~raw["kpi_id"].isin(known).to_numpy()
        if unknown.any():
            i = int(np.flatnonzero(unknown)[0])
            raise ValueError(f"{label}: row {line[i]}, column kpi_id: unknown KPI id {raw['kpi_id'].iloc[i]!r}")
    dup = raw.duplicated(["kpi_id", "period"]).to_numpy()
    if dup.any():
        i = int(np.flatnonzero(dup)[0])
        raise ValueError(
            f"{label}: row {line[i]}: {raw['kpi_id'].iloc[i]} {raw['period'].iloc[i]} appears more than once"
        )
    out = pd.DataFrame(
        {
            "kpi_id": raw["kpi_id"].astype("string"),
            "value": values.astype(float),
            "period": raw["period"].astype("string"),
            "source": raw["source"].astype("string"),
        }
    )
    out.attrs["file"] = label
    return out


def _period_key(period: pd.Series) -> pd.Series:
    first_year = pd.to_numeric(period.str.extract(r"(\d{4})", expand=False), errors="coerce").fillna(-1)
    return first_year * 100 + period.str.len()


def latest(benchmarks: pd.DataFrame) -> pd.DataFrame:
    """One row per KPI: the figure for the latest period."""
    if benchmarks.empty:
        return benchmarks.copy()
    order = benchmarks.assign(_key=_period_key(benchmarks["period"])).sort_values(["kpi_id", "_key"])
    return order.groupby("kpi_id", sort=False).tail(1).drop(columns="_key").reset_index(drop=True)


def as_of(benchmarks: pd.DataFrame, years: Iterable[int]) -> pd.DataFrame:
    """Per (kpi_id, year): the latest figure whose period starts in or before ``year``.

    A year before every published period gets the earliest figure, so a comparator is still shown
    (its label says which year it is).
    """
    years = sorted({int(y) for y in years})
    if benchmarks.empty or not years:
        return benchmarks.iloc[0:0].assign(year=pd.Series(dtype="int64"))
    keyed = benchmarks.assign(_key=_period_key(benchmarks["period"]), _first=_first_year(benchmarks["period"]))
    keyed = keyed.sort_values(["kpi_id", "_key"])
    grid = keyed.merge(pd.DataFrame({"year": years}), how="cross")
    eligible = grid[grid["_first"] <= grid["year"]]
    chosen = eligible.groupby(["kpi_id", "year"], sort=False).tail(1)
    earliest = keyed.groupby("kpi_id", sort=False).head(1).merge(pd.DataFrame({"year": years}), how="cross")
    missing = earliest.merge(chosen[["kpi_id", "year"]], on=["kpi_id", "year"], how="left", indicator=True)
    fallback = missing[missing["_merge"] == "left_only"].drop(columns="_merge")
    out = pd.concat([chosen, fallback], ignore_index=True)
    return out.drop(columns=["_key", "_first"]).sort_values(["kpi_id", "year"]).reset_index(drop=True)


def _first_year(period: pd.Series) -> pd.Series:
    return pd.to_numeric(period.str.extract(r"(\d{4})", expand=False), errors="coerce").fillna(-1).astype(int)


def benchmark_columns(
    england: pd.DataFrame | None = None,
    neighbours: pd.DataFrame | None = None,
    *,
    years: Iterable[int] = (),
    england_name: str = "England",
    neighbours_name: str = "Statistical neighbours",
) -> pd.DataFrame:
    """Per (kpi_id, year): benchmark_value, benchmark_label ("England 2018-19"), sn_value, sn_label."""
    england = load_benchmarks() if england is None else england
    years = list(years)
    parts = []
    for frame, name, val_col, lab_col in (
        (england, england_name, "benchmark_value", "benchmark_label"),
        (neighbours, neighbours_name, "sn_value", "sn_label"),
    ):
        if frame is None or frame.empty:
            parts.append(
                pd.DataFrame(
                    {val_col: pd.Series(dtype=float), lab_col: pd.Series(dtype="string")},
                    index=pd.MultiIndex.from_arrays([pd.Series(dtype="string"), pd.Series(dtype="int64")],
                                                    names=["kpi_id", "year"]),
                )
            )
            continue
        chosen = as_of(frame, years).set_index(["kpi_id", "year"])
        parts.append(
            pd.DataFrame(
                {val_col: chosen["value"].astype(float), lab_col: (name + " " + chosen["period"]).astype("string")}
            )
        )
    out = pd.concat(parts, axis=1)
    out.index = out.index.set_names(["kpi_id", "year"])
    return out
