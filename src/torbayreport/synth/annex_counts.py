"""Annex A's look-back count columns, worked out from the synthetic history.

Why: a council's Annex A workbook carries counts that reach further back than its lists
(Number of Referrals in Last 12 Months, Number of Previous Child Protection Plans, Number of
Placements in the Last 12 months, the S47 and ICPC counts), and the metrics fall back on them when
the history is too short (P02, P11, P20). Synthetic data without them never exercises that path;
with them, the synthetic workbook can be checked against the history it came from (the counts
and the history must tell the same story: tests/synth/test_annex_counts.py).

Definitions (research: ``/work/shared/research/annex_a_ecosystem.md`` 1.2 and 4; the DfE
definitions quoted there), counted from the generated tables (the history they keep), all
vectorised with one sorted search per column:

* ``referrals.referrals_last_12m`` — per referral, the child's *other* referrals dated before it
  and on or after the same date 12 months earlier (same-day referrals are one episode). This is
  D2I's "referrals the child has received within the 12 months prior to their latest referral"
  read per row, and the DfE re-referral test: a count above 0 is a re-referral (how the P02
  fallback reads it).
* ``cp_plans.previous_cp_plans`` — per plan, the child's plans that started before it, however
  long ago (DfE's "second or subsequent plan ... regardless of how long ago").
* ``cla_periods.placements_last_12m`` — as at the extract date, the child's placements during
  the 12 months to it (a placement counts if any part of it falls in those 12 months, as DfE
  counts "placements during the year"); temporary placements (SSDA903 codes T0-T4: holidays,
  hospital, respite) are absences, not moves, and are not counted.
* ``s47.s47_last_12m`` / ``s47.icpc_last_12m`` — as at the extract date, the child's section 47
  enquiries (strategy discussions) / initial conferences in the 12 months to it.

A count already present in a row is kept; only blanks are filled.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

_SPAN = np.int64(1) << 32  # room per key in the sorted search: more days than any calendar needs
_EPOCH_SHIFT = np.int64(1) << 20  # days added so dates before 1970 stay positive
TEMPORARY_PREFIX = "T"  # SSDA903 placement codes T0-T4 are the temporary ones


def _days(values) -> np.ndarray:
    """Dates as int64 days (NaT -> a sentinel the callers mask)."""
    return pd.to_datetime(pd.Series(values)).to_numpy(dtype="datetime64[D]").astype("int64")


def count_between(row_keys, lo, hi, event_keys, event_dates, closed: str) -> np.ndarray:
    """Per row, the events with the row's key dated within (lo, hi]: ``closed="right"``, or
    [lo, hi): ``closed="left"``. Vectorised: keys and days folded into one sorted int64 array."""
    row_keys, event_keys = pd.Series(row_keys).astype("string"), pd.Series(event_keys).astype("string")
    codes, _ = pd.factorize(pd.concat([event_keys, row_keys], ignore_index=True))
    ev_code, row_code = codes[: len(event_keys)].astype("int64"), codes[len(event_keys):].astype("int64")
    ev_dates = pd.to_datetime(pd.Series(event_dates))
    present = ev_dates.notna().to_numpy() & (ev_code >= 0)
    events = np.sort(ev_code[present] * _SPAN + _days(ev_dates[present]) + _EPOCH_SHIFT)
    base = row_code * _SPAN + _EPOCH_SHIFT
    side = "right" if closed == "right" else "left"
    upper = np.searchsorted(events, base + _days(hi), side=side)
    lower = np.searchsorted(events, base + _days(lo), side=side)
    return (upper - lower).astype("int64")


def _fill(frame: pd.DataFrame, column: str, counts: np.ndarray) -> pd.DataFrame:
    given = frame[column] if column in frame else pd.Series(pd.NA, index=frame.index, dtype="Int64")
    frame = frame.copy()
    frame[column] = given.astype("Int64").fillna(pd.Series(counts, index=frame.index, dtype="Int64"))
    return frame


def with_counts(tables: dict[str, pd.DataFrame], extract) -> dict[str, pd.DataFrame]:
    """``tables`` with the Annex A count columns filled (see the module docstring); ``extract`` is
    the extract date the as-at counts are taken at."""
    extract = pd.Timestamp(extract).normalize()
    year_ago = extract - pd.DateOffset(months=12)
    out = dict(tables)

    refs = tables["referrals"]
    if len(refs):
        date = refs["referral_date"]
        n = count_between(refs["child_id"], date - pd.DateOffset(months=12), date,
                          refs["child_id"], date, closed="left")
        out["referrals"] = _fill(refs, "referrals_last_12m", n)

    plans = tables["cp_plans"]
    if len(plans):
        start = plans["cp_start"]
        n = count_between(plans["child_id"], pd.Series(pd.Timestamp("1900-01-01"), index=plans.index), start,
                          plans["child_id"], start, closed="left")
        out["cp_plans"] = _fill(plans, "previous_cp_plans", n)

    cla, placements = tables["cla_periods"], tables["placements"]
    if len(cla):
        counted = placements[~placements["placement_type"].astype("string").str.startswith(TEMPORARY_PREFIX)
                             .fillna(False).to_numpy(dtype=bool)]
        first_day = extract - pd.DateOffset(years=1) + pd.Timedelta(days=1)
        # any part in the 12 months: started by the extract date and not ended before its first day
        during = counted[(counted["placement_start"] <= extract).to_numpy()
                         & (counted["placement_end"].isna() | (counted["placement_end"] >= first_day)).to_numpy()]
        per_child = during.groupby("child_id", observed=True).size()
        n = cla["child_id"].map(per_child).fillna(0).to_numpy(dtype="int64")
        out["cla_periods"] = _fill(cla, "placements_last_12m", n)

    s47 = tables["s47"]
    if len(s47):
        keys = s47["child_id"]
        lo, hi = pd.Series(year_ago, index=s47.index), pd.Series(extract, index=s47.index)
        frame = _fill(s47, "s47_last_12m", count_between(keys, lo, hi, keys, s47["strategy_date"], closed="right"))
        out["s47"] = _fill(frame, "icpc_last_12m", count_between(keys, lo, hi, keys, s47["icpc_date"], closed="right"))
    return out
