"""RAG rating against a target and month-on-month direction of travel, by polarity.

Why both exist beside SPC: members' scorecards conventionally carry a RAG and a direction-of-travel
arrow (Kent, Bromley, Early Help reports — research note §C). MDC warns that both are two-point or
single-point judgements, so the report shows them next to the SPC icons, never instead of them.

RAG rules (the comment at the top of ``kpis:`` in params/defaults.yaml):

* ``up``:     value ≥ target → Green; value ≥ target − tolerance → Amber; else Red.
* ``down``:   value ≤ target → Green; value ≤ target + tolerance → Amber; else Red.
* ``target``: |value − target| ≤ tolerance → Green; ≤ 2 × tolerance → Amber; else Red.
* ``neutral``, a null target, or a missing value → no RAG (<NA>).

Boundaries are inclusive, with a 1e-9 allowance so that a value equal to the threshold in
decimal (59.1 − 10 = 49.1) is not pushed across it by binary floating point.

Direction of travel compares this month's value with last month's (both as published, i.e. as
rounded in the metrics table): ``improved`` / ``worsened`` / ``no change`` for ``up`` and ``down``;
for ``target`` moving closer to the target is ``improved``. Neutral context measures, and
``target`` measures without a target, have no good direction, so they get the plain words
``higher`` / ``lower`` / ``no change`` instead. A missing current or previous month gives <NA>.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

RAG_CODES = ("Red", "Amber", "Green")
DIRECTIONS = ("improved", "worsened", "no change")
NEUTRAL_DIRECTIONS = ("higher", "lower", "no change")
POLARITIES = ("up", "down", "target", "neutral")
EPS = 1e-9


def _floats(a) -> np.ndarray:
    """Any scalar/sequence/Series (None and <NA> allowed) as a 1-D float array."""
    flat = pd.Series(np.atleast_1d(np.asarray(a, dtype=object)).reshape(-1), dtype=object)
    return pd.to_numeric(flat.where(flat.notna(), np.nan), errors="raise").to_numpy(dtype=float)


def _broadcast(*cols) -> list[np.ndarray]:
    return [np.array(a) for a in np.broadcast_arrays(*(_floats(c) for c in cols))]


def _polarity_array(polarity, length: int) -> np.ndarray:
    pol = np.asarray(polarity, dtype=object).reshape(-1)
    pol = np.broadcast_to(pol, (length,)) if pol.size == 1 else pol
    if pol.size != length:
        raise ValueError(f"polarity has {pol.size} values for {length} rows")
    unknown = sorted({str(p) for p in pol if p not in POLARITIES})
    if unknown:
        raise ValueError(f"unknown polarity {unknown}; expected one of {POLARITIES}")
    return pol


def rag(value, target, tolerance, polarity) -> pd.Series:
    """RAG per row ("Green"/"Amber"/"Red" or <NA>); arguments are scalars or aligned arrays."""
    v, t, tol, _ = _broadcast(value, target, tolerance, np.zeros(np.size(polarity)))
    pol = _polarity_array(polarity, len(v))
    tol = np.where(np.isnan(tol), 0.0, tol)
    with np.errstate(invalid="ignore"):
        gap = np.select(
            [pol == "up", pol == "down", pol == "target"],
            [t - v, v - t, np.abs(v - t)],
            np.nan,
        )  # how far on the wrong side of the target (≤ 0 is on target)
        green_at = np.where(pol == "target", tol, 0.0)
        amber_at = np.where(pol == "target", 2 * tol, tol)
        out = np.select([gap <= green_at + EPS, gap <= amber_at + EPS], ["Green", "Amber"], "Red").astype(object)
    out[np.isnan(v) | np.isnan(t) | (pol == "neutral")] = None
    return pd.Series(pd.array(out, dtype="string"))


def direction(current, previous, polarity, target=None) -> pd.Series:
    """Direction of travel per row (see module docstring for the words)."""
    cur, prev, t, _ = _broadcast(current, previous, target, np.zeros(np.size(polarity)))
    pol = _polarity_array(polarity, len(cur))
    with np.errstate(invalid="ignore"):
        better = np.select(
            [pol == "up", pol == "down", pol == "target"],
            [cur - prev, prev - cur, np.abs(prev - t) - np.abs(cur - t)],
            np.nan,
        )  # > 0 improved, < 0 worsened
        judged = np.select(
            [better > EPS, better < -EPS, np.abs(better) <= EPS], ["improved", "worsened", "no change"], ""
        ).astype(object)
        change = cur - prev
        plain = np.select([change > EPS, change < -EPS], ["higher", "lower"], "no change").astype(object)
    use_plain = (pol == "neutral") | ((pol == "target") & np.isnan(t))
    out = np.where(use_plain, plain, judged).astype(object)
    out[np.isnan(cur) | np.isnan(prev)] = None
    return pd.Series(pd.array(out, dtype="string"))
