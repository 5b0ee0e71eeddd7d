""""How we compare": one council against its statistical neighbours, the region and England.

``how_we_compare(region_table, la_code, audience)`` gives the rows of the chapter a council's own
report adds with ``torbayreport build ... --region FILE`` (FILE: ``region.parquet`` or
``region.csv`` written by ``torbayreport region``): one row per KPI for the report month, every
figure already written as text by the toolkit's one formatter (``disclose.format_value``), so the
chapter only lays it out.

Audience safety (the same rules as the rest of the report):

* **internal**: the council's value and the comparison statistics over every council's value;
* **public**: the council's value as its own public report shows it (``[c]`` when disclosure
  control withholds it, decided on the worker by ``disclose.apply``), and the ``public_*``
  statistics, computed only from values the public may see in each council's own public report,
  so no median, quartile or neighbour average gives a withheld figure back. A withheld value gets
  no rank or quartile (its position would bound it). No other council is named and no
  numerator or denominator is shown, so no identifier and no small count can appear.

Ranks read "3rd of 12" (1st = best for the KPI's polarity); quartiles read "top quarter" …
"bottom quarter"; a KPI without a value this month says why (no events, not available).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from torbayreport.disclose.formatting import format_value
from torbayreport.disclose.symbols import CONFIDENTIAL, NOT_APPLICABLE, NOT_AVAILABLE

COMPARE_COLUMNS = ["kpi_id", "title", "polarity", "ours", "neighbours", "region_median", "region_middle_half",
                   "england", "rank", "quartile", "note"]
QUARTILE_WORDS = {1: "top quarter", 2: "second quarter", 3: "third quarter", 4: "bottom quarter"}
AUDIENCES = ("internal", "public")
_NOTES = {"no_events": "no events this month", "missing_source": "the data for this measure are missing",
          "short_history": "not enough history yet"}


def read_region_table(path: str | Path) -> pd.DataFrame:
    """The regional table from ``region.parquet`` or ``region.csv`` (codes and months as text)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"regional table not found: {path}")
    if path.suffix.lower() == ".parquet":
        return pd.read_parquet(path)
    return pd.read_csv(path, dtype={"la_code": str, "month": str, "kpi_id": str}, keep_default_na=True)


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _fmt(values: pd.Series, units: pd.Series, decimals: pd.Series) -> list[str]:
    return [format_value(v, u, d) for v, u, d in zip(values.astype(float), units, decimals)]


def how_we_compare(region_table: pd.DataFrame, la_code: str, audience: str, month: str | None = None) -> pd.DataFrame:
    """The chapter's rows for ``la_code`` (:data:`COMPARE_COLUMNS`), safe for ``audience``.

    ``month``: ``YYYY-MM`` (default: the latest month in the table). Raises ``ValueError`` naming
    the council or month when the table does not hold them.
    """
    from torbayreport.metrics import REGISTRY

    if audience not in AUDIENCES:
        raise ValueError(f"audience must be one of {AUDIENCES}, got {audience!r}")
    table = region_table.assign(la_code=region_table["la_code"].astype(str), month=region_table["month"].astype(str))
    ours = table[table["la_code"] == str(la_code)]
    if ours.empty:
        raise ValueError(f"the regional table has no council {la_code} (councils: {', '.join(sorted(table['la_code'].unique()))})")
    month = month or ours["month"].max()
    rows = ours[ours["month"] == month].reset_index(drop=True)
    if rows.empty:
        raise ValueError(f"the regional table has no month {month} for council {la_code}")
    public = audience == "public"
    if public and rows["public_suppressed"].isna().all():
        raise ValueError(f"the regional table has public figures only for its report month, not {month}: "
                         "run `torbayreport region --month` for that month")
    pre = "public_" if public else ""
    decimals = rows["kpi_id"].map(lambda k: REGISTRY[k].decimals if k in REGISTRY else 1)
    units = rows["unit"].astype(str)
    ok = (rows["availability"].astype("string") == "ok").fillna(False)
    hidden = rows["public_suppressed"].astype("boolean").fillna(True) if public else pd.Series(False, index=rows.index)
    hidden = hidden & ok

    value = _fmt(rows["value"], units, decimals)
    ours_text = [CONFIDENTIAL if h else (v if k else (NOT_APPLICABLE if a == "no_events" else NOT_AVAILABLE))
                 for v, h, k, a in zip(value, hidden, ok, rows["availability"].astype(str))]
    q1 = _fmt(rows[f"{pre}region_q1"], units, decimals)
    q3 = _fmt(rows[f"{pre}region_q3"], units, decimals)
    middle = [NOT_AVAILABLE if a == NOT_AVAILABLE else f"{a} to {b}" for a, b in zip(q1, q3)]
    england = [NOT_AVAILABLE if pd.isna(v) else f"{format_value(v, u, d)} ({label})"
               for v, u, d, label in zip(rows["england_value"], units, decimals, rows["england_label"])]
    rank, rank_of, quartile = rows[f"{pre}rank"], rows[f"{pre}rank_of"], rows[f"{pre}quartile"]
    rank_text = ["" if h or pd.isna(r) else f"{_ordinal(int(r))} of {int(n)}" for r, n, h in zip(rank, rank_of, hidden)]
    quartile_text = ["" if h or pd.isna(q) else QUARTILE_WORDS[int(q)] for q, h in zip(quartile, hidden)]
    notes = []
    for k, h, a, pol in zip(ok, hidden, rows["availability"].astype(str), rows["polarity"].astype(str)):
        if h:
            notes.append("withheld: a small number")
        elif not k:
            notes.append(_NOTES.get(a, "not available"))
        elif pol == "neutral":
            notes.append("context measure: not ranked")
        else:
            notes.append("")
    out = pd.DataFrame({
        "kpi_id": rows["kpi_id"].astype(str), "title": rows["title"].astype(str), "polarity": rows["polarity"].astype(str),
        "ours": ours_text, "neighbours": _fmt(rows[f"{pre}neighbours_value"], units, decimals),
        "region_median": _fmt(rows[f"{pre}region_median"], units, decimals), "region_middle_half": middle,
        "england": england, "rank": rank_text, "quartile": quartile_text, "note": notes,
    })
    out.attrs.update({"la_code": str(la_code), "la_name": str(rows["la_name"].iloc[0]), "month": month,
                      "audience": audience, "councils": int(table["la_code"].nunique())})
    return out[COMPARE_COLUMNS].astype("string")


def reader_headings(frame: pd.DataFrame) -> pd.DataFrame:
    """The chapter's columns with the headings a reader sees (the council's name over its values)."""
    name = frame.attrs.get("la_name", "This council")
    headings = {"kpi_id": "KPI", "title": "Measure", "ours": name, "neighbours": "Statistical neighbours (average)",
                "region_median": "Region (median)", "region_middle_half": "Region (middle half)",
                "england": "England", "rank": "Rank in region", "quartile": "Quarter", "note": "Note"}
    return frame.drop(columns=["polarity"]).rename(columns=headings)
