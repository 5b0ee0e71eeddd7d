"""Regional comparison statistics per KPI and month: median, quartiles, rank and quartile.

Definitions (the known-answer tests in ``tests/region/test_stats.py`` are worked from these):

* **Councils compared**: those with a value for the KPI and month (availability ``ok``). A council
  without a value gets no rank and no quartile, and is not in the median or the quartiles; the
  row says how many councils were compared (``n_councils``).
* **Regional median and quartiles** (``region_median``, ``region_q1``, ``region_q3``): the 50th,
  25th and 75th percentiles of the compared values with linear interpolation between order
  statistics (pandas' default, "type 7" of Hyndman & Fan, as Excel's ``QUARTILE.INC``). ``q1`` is
  the lower value whatever the polarity.
* **Rank** (1 = best) respecting polarity: ``up`` highest first, ``down`` lowest first, ``target``
  closest to the target first (distance rounded to 9 decimals so 19.7 and 20.3 tie around 20).
  ``neutral`` context measures, and ``target`` KPIs without a target, are not ranked. Ties share
  the best rank of the tie ("1, 2, 2, 4", competition ranking); ``rank_of`` is the number of
  councils ranked.
* **Quartile** (1 = best quarter): ``ceil(4 × rank ÷ rank_of)``; tied councils share a quartile.
"""

from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd

STAT_COLUMNS = ["n_councils", "region_median", "region_q1", "region_q3", "rank", "rank_of", "quartile"]
RANKED_POLARITIES = ("up", "down", "target")


def _score(frame: pd.DataFrame, polarity: Mapping[str, str], target: Mapping[str, float | None]) -> pd.Series:
    """Lower is better; NaN for rows not ranked."""
    pol = frame["kpi_id"].map(polarity)
    tgt = pd.to_numeric(frame["kpi_id"].map(lambda k: target.get(k)), errors="coerce").astype(float)
    value = frame["value"].astype(float)
    score = np.select(
        [pol == "up", pol == "down", pol == "target"],
        [-value, value, (value - tgt).abs().round(9)],
        np.nan,
    )
    return pd.Series(score, index=frame.index, dtype=float)


def compare_councils(
    frame: pd.DataFrame,
    polarity: Mapping[str, str],
    target: Mapping[str, float | None] | None = None,
) -> pd.DataFrame:
    """``frame`` (la_code, month, kpi_id, value[, availability]) with :data:`STAT_COLUMNS` added.

    ``polarity``: {kpi_id: up/down/target/neutral}; ``target``: {kpi_id: target} (only ``target``
    polarity uses it). Vectorised over every KPI and month at once.
    """
    target = target or {}
    unknown = sorted(set(frame["kpi_id"]) - set(polarity))
    if unknown:
        raise ValueError(f"no polarity for KPI id(s) {unknown}")
    out = frame.copy()
    value = out["value"].astype(float)
    if "availability" in out.columns:
        value = value.where(out["availability"].astype("string").fillna("") == "ok")
    keys = [out["month"], out["kpi_id"]]
    grouped = value.groupby(keys, observed=True, sort=False)
    out["n_councils"] = grouped.transform("count").astype("int64")
    out["region_median"] = grouped.transform("median")
    out["region_q1"] = grouped.transform("quantile", q=0.25)
    out["region_q3"] = grouped.transform("quantile", q=0.75)
    score = _score(out.assign(value=value), polarity, target)
    by_score = score.groupby(keys, observed=True, sort=False)
    rank = by_score.rank(method="min")
    rank_of = by_score.transform("count")
    out["rank"] = rank.astype("Int64")
    out["rank_of"] = rank_of.where(rank_of > 0).astype("Int64")
    quartile = np.ceil(4 * rank / rank_of)
    out["quartile"] = pd.Series(quartile, index=out.index).astype("Int64")
    return out
