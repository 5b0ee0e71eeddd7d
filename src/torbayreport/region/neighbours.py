"""Statistical-neighbour sets supplied by the region, and each council's neighbour average.

Why a CSV the region supplies: statistical neighbours are published by the DfE (the children's
services statistical neighbour benchmarking tool gives each LA its 10 closest LAs); the toolkit
does not invent them. Two shapes are read:

* long: ``la_code,neighbour_code[,rank]`` (one row per pair; what ``synth --las`` writes);
* wide: ``la_code,sn1,sn2,...`` (one row per council, as copied from the DfE tool).

Codes are three-digit DfE LA codes. Errors name the file, the row (spreadsheet line, header = 1)
and the column. A neighbour outside the region is kept: it simply has no figures here, and the
comparison says how many neighbours had a value (``neighbours_n``).

The neighbour figure is the plain mean of the neighbours' values for that KPI and month (the DfE
tool's "statistical neighbour average" is likewise an unweighted mean of the LAs' figures).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

NEIGHBOUR_COLUMNS = ["la_code", "neighbour_code", "rank"]
_CODE = re.compile(r"^\d{3}$")
_WIDE = re.compile(r"^sn\s*(\d+)$", re.IGNORECASE)


def load_neighbours(path: str | Path) -> pd.DataFrame:
    """The neighbour sets in long form (:data:`NEIGHBOUR_COLUMNS`), validated."""
    label = str(path)
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    except Exception as exc:  # noqa: BLE001 - reported with the file named
        raise ValueError(f"{label}: cannot read as CSV: {exc}") from None
    raw.columns = [c.strip() for c in raw.columns]
    raw = raw.apply(lambda col: col.str.strip())
    raw["_line"] = raw.index + 2
    if "la_code" not in raw.columns:
        raise ValueError(f"{label}: missing column 'la_code'; expected la_code,neighbour_code[,rank] or la_code,sn1,sn2,...")
    wide = [c for c in raw.columns if _WIDE.match(c)]
    if "neighbour_code" in raw.columns:
        long = raw.assign(rank=raw["rank"] if "rank" in raw.columns else "")
    elif wide:
        long = raw.melt(id_vars=["la_code", "_line"], value_vars=wide, var_name="_col", value_name="neighbour_code")
        long["rank"] = long["_col"].str.extract(_WIDE, expand=False)
        long = long[long["neighbour_code"] != ""]
    else:
        raise ValueError(f"{label}: missing column 'neighbour_code' (or sn1, sn2, ... columns)")
    for col in ("la_code", "neighbour_code"):
        bad = ~long[col].str.match(_CODE)
        if bad.any():
            row = long[bad].iloc[0]
            shown = row["_col"] if col == "neighbour_code" and "_col" in row.index else col
            raise ValueError(f"{label}: row {row['_line']}, column {shown}: {row[col]!r} is not a three-digit LA code")
    self_pair = long["la_code"] == long["neighbour_code"]
    if self_pair.any():
        row = long[self_pair].iloc[0]
        raise ValueError(f"{label}: row {row['_line']}: {row['la_code']} is listed as its own neighbour")
    dup = long.duplicated(["la_code", "neighbour_code"])
    if dup.any():
        row = long[dup].iloc[0]
        raise ValueError(f"{label}: row {row['_line']}: {row['la_code']} -> {row['neighbour_code']} appears more than once")
    rank = pd.to_numeric(long["rank"].replace("", None), errors="coerce")
    if (long["rank"] != "").any() and rank[long["rank"] != ""].isna().any():
        row = long[(long["rank"] != "") & rank.isna()].iloc[0]
        raise ValueError(f"{label}: row {row['_line']}, column rank: {row['rank']!r} is not a whole number")
    out = pd.DataFrame({"la_code": long["la_code"].to_numpy(), "neighbour_code": long["neighbour_code"].to_numpy(),
                        "rank": rank.astype("Int64").to_numpy()})
    return out.sort_values(["la_code", "rank", "neighbour_code"], na_position="last").reset_index(drop=True)


def neighbour_values(values: pd.DataFrame, sets: pd.DataFrame) -> pd.DataFrame:
    """Per (la_code, month, kpi_id): ``neighbours_value`` (mean of the neighbours' values) and
    ``neighbours_n`` (how many neighbours had a value); councils without neighbours are absent.

    ``values``: la_code, month, kpi_id, value (NaN when not available).
    """
    if sets is None or sets.empty:
        return pd.DataFrame(columns=["la_code", "month", "kpi_id", "neighbours_value", "neighbours_n"])
    theirs = values.rename(columns={"la_code": "neighbour_code"})[["neighbour_code", "month", "kpi_id", "value"]]
    pairs = sets[["la_code", "neighbour_code"]].merge(theirs, on="neighbour_code", how="inner")
    grouped = pairs.groupby(["la_code", "month", "kpi_id"], observed=True, sort=False)["value"]
    out = pd.DataFrame({"neighbours_value": grouped.mean(), "neighbours_n": grouped.count().astype("int64")})
    return out.reset_index()
