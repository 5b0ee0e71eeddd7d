"""Statistical process control as NHS England's "Making Data Count" (MDC) does it.

Why a port of NHSRplotthedots rather than a library: it is the reference implementation of the MDC
rules (the R package written with the MDC team), it is small, and the Python packages on PyPI each
deviate from it (run lengths 8/6, no screening, inclusive assurance, "last special cause anywhere"
icons). Each step is a small function named after its R counterpart (in :mod:`spc_rules`,
re-exported here) so the R unit tests port directly (see tests/assess/test_spc.py):

============================  ==========================================================
R (``R/ptd_*.R``)              here
============================  ==========================================================
ptd_spc_standard (limits)      :func:`moving_ranges`, :func:`mean_moving_range`,
                               :func:`xmr_limits`, :func:`outside_limits`,
                               :func:`relative_to_mean`, :func:`close_to_limits`
ptd_seven_point_one_side_mean  :func:`one_side_of_mean`
ptd_seven_point_trend          :func:`trend`
ptd_part_of_seven_trend        :func:`part_of_run`
ptd_two_in_three               :func:`two_in_three`
ptd_part_of_two_in_three       :func:`part_of_two_in_three`
ptd_special_cause_type         :func:`special_cause_type`
ptd_point_type                 :func:`point_type`
ptd_get_icons                  :func:`variation_icon`, :func:`variation`
ptd_calculate_assurance_type   :func:`assurance_type`, :func:`assurance`
============================  ==========================================================

Defaults follow NHSRplotthedots v0.2.2: limits at mean ± 2.66 × mean moving range; moving ranges
≥ 3.267 × the mean moving range screened out once; special cause = a point strictly outside the
limits, 7 points in a row on one side of the mean (a point on the mean breaks the run), 7 points
strictly rising or falling (a tie breaks the trend), or 2 of 3 consecutive points in the band
between the 2σ and 3σ lines, all three on the same side of the mean. When several rules flag one
point the label follows R's ``case_when`` order: outside limits > trend > 2 of 3 > shift.

Deliberate, documented differences from the R code:

* Missing values (NaN) are *skipped*: the remaining points are treated as consecutive (moving
  ranges, runs and trends join across the gap). A skipped point carries its segment's limits (so a
  chart's lines stay continuous) but no point type.
* A constant series has a mean moving range of 0. R's screening (``mr < 3.267 × 0`` is false) would
  then discard every moving range and return NaN limits; here screening is skipped when the mean
  moving range is 0, so the limits collapse onto the mean and nothing is flagged.
* ``fix_after_n_points`` may be any whole number ≥ 2 (R insists on ≥ 12; MDC advises ≥ 12).
* Neutral measures get the single point type ``special_cause_neutral``; the ``side`` column says
  whether it was high or low (R: ``special_cause_neutral_high/low``).

Result shape: :func:`xmr` and :func:`pchart` return a DataFrame with one row per input point and
``attrs`` carrying the series-level summary — ``attrs["variation"]`` (the MDC variation icon name
of the latest point) and ``attrs["assurance"]`` (``consistent_pass`` / ``consistent_fail`` /
``inconsistent`` / None) — because pandas keeps ``attrs`` with the frame and the summary belongs
to the whole series, not to a row. :func:`variation` and :func:`assurance` recompute the same two
answers from any result (for another target, say).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from torbayreport.assess.spc_rules import (  # noqa: F401  (re-exported: the rules are part of this API)
    LIMIT_CONSTANT,
    RUN_LENGTH,
    SCREEN_CONSTANT,
    TREND_LENGTH,
    Improvement,
    _direction,
    assurance_type,
    close_to_limits,
    mean_moving_range,
    moving_ranges,
    one_side_of_mean,
    outside_limits,
    part_of_run,
    part_of_two_in_three,
    point_type,
    relative_to_mean,
    special_cause_type,
    trend,
    two_in_three,
    variation_icon,
    variation_icons,
    xmr_limits,
)

D2 = 1.128  # d2 for subgroups of 2 (Laney's sigma_z)
#: Library default for ``min_segment_points``: R's ``getOption("ptd_spc.warning_threshold", 13)``
#: (``short_group_warning = n() < 13``). A report takes its value from params (``spc:
#: min_segment_points``), which is where the toolkit's own choice lives.
TRIAL_LIMIT_POINTS = 13

POINT_TYPES = ("common_cause", "special_cause_improvement", "special_cause_concern", "special_cause_neutral")
RULES = ("outside_limits", "trend", "two_in_three", "shift")
VARIATION_ICONS = (
    "common_cause",
    "improvement_high",
    "improvement_low",
    "concern_high",
    "concern_low",
    "neutral_high",
    "neutral_low",
)
ASSURANCE_TYPES = ("consistent_pass", "consistent_fail", "inconsistent")

#: Plain-English text for each variation icon (alt text, tables, narrative).
VARIATION_TEXT = {
    "common_cause": "common cause variation (no significant change)",
    "improvement_high": "special cause variation: improvement (higher values)",
    "improvement_low": "special cause variation: improvement (lower values)",
    "concern_high": "special cause variation: concern (higher values)",
    "concern_low": "special cause variation: concern (lower values)",
    "neutral_high": "special cause variation: unusually high (neither good nor bad)",
    "neutral_low": "special cause variation: unusually low (neither good nor bad)",
}
ASSURANCE_TEXT = {
    "consistent_pass": "the target will consistently be met",
    "consistent_fail": "the target will consistently be missed",
    "inconsistent": "the target will be met and missed at random (hit and miss)",
}

OUTPUT_COLUMNS = [
    "value", "mean", "lpl", "upl", "nlpl", "nupl", "point_type", "rule", "side", "segment", "trial_limits",
]

# --------------------------------------------------------------------------------------------
# Public charts
# --------------------------------------------------------------------------------------------


def _as_series(values, name: str = "values") -> pd.Series:
    if isinstance(values, pd.Series):
        s = values
    else:
        s = pd.Series(np.asarray(values, dtype=float) if not isinstance(values, pd.Index) else values.to_numpy())
    try:
        return s.astype(float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be numeric: {exc}") from None


def segments(index: pd.Index, rebase_at: Sequence | None) -> np.ndarray:
    """Segment number (0, 1, …) per point: a new segment starts at each rebase position or date.

    Integers are positions (0-based); anything else is a date, matched against a DatetimeIndex or
    PeriodIndex: the segment starts at the first point on or after that date.
    """
    seg_start = np.zeros(len(index), dtype=int)
    for at in rebase_at or []:
        if isinstance(at, (int, np.integer)) and not isinstance(at, bool):
            if not 0 <= at < len(index):
                raise ValueError(f"rebase_at position {at} is outside the series (0..{len(index) - 1})")
            seg_start[at] = 1
            continue
        if isinstance(index, pd.PeriodIndex):
            key = pd.Period(at, freq=index.freq)
        elif isinstance(index, pd.DatetimeIndex):
            key = pd.Timestamp(at)
        else:
            raise ValueError(
                f"rebase_at {at!r} is a date but the values have no DatetimeIndex/PeriodIndex; give positions"
            )
        if not index.is_monotonic_increasing:
            raise ValueError("rebase_at dates need the values sorted by date")
        pos = int(index.searchsorted(key, side="left"))
        if pos >= len(index) or (pos == 0 and index[0] > key):
            raise ValueError(f"rebase_at {at!r} is outside the series ({index[0]} to {index[-1]})")
        seg_start[pos] = 1
    seg_start[:1] = 0
    return np.cumsum(seg_start)


LIMIT_COLUMNS = ("mean", "lpl", "upl", "nlpl", "nupl")


def _classify(value: np.ndarray, segment: np.ndarray, lim: dict, improvement: str, run_length: int,
              trend_length: int) -> dict:
    """Run the rules per segment over the non-missing points: rule, side and point_type arrays
    (point_type None for a missing value)."""
    rule = np.full(len(value), "", dtype=object)
    side = np.zeros(len(value), dtype=int)
    ok = ~np.isnan(value)
    for seg in np.unique(segment):
        idx = np.flatnonzero((segment == seg) & ok)
        if idx.size == 0:
            continue
        y = value[idx]
        rtm = relative_to_mean(y, lim["mean"][idx])
        out = outside_limits(y, lim["lpl"][idx], lim["upl"][idx])
        close = close_to_limits(y, lim["lpl"][idx], lim["upl"][idx], lim["nlpl"][idx], lim["nupl"][idx])
        r, s = special_cause_type(y, rtm, close, out, run_length=run_length, trend_length=trend_length)
        rule[idx], side[idx] = r, s
    types = point_type(side, improvement)
    return {"point_type": np.where(ok, types, None), "rule": rule, "side": side}


def _trial(value: np.ndarray, segment: np.ndarray, min_segment_points: int) -> np.ndarray:
    """True where the point's segment has fewer than ``min_segment_points`` non-missing points.

    A segment that short keeps the limits computed from its own points, flagged as *trial*
    limits: NHSRplotthedots does the same (``R/ptd_add_short_group_warnings.R``: the limits are
    drawn, ``short_group_warning`` is set per facet × rebase group and the chart is captioned),
    rather than refusing the rebase or borrowing the previous segment's limits.
    """
    if not len(segment):
        return np.zeros(0, dtype=bool)
    counts = np.bincount(segment[~np.isnan(value)], minlength=int(segment.max()) + 1)
    return counts[segment] < min_segment_points


def _frame(arrays: dict, index, improvement: str, target, chart: str, options: dict,
           min_segment_points: int) -> pd.DataFrame:
    """The result frame (:data:`OUTPUT_COLUMNS`) with the series summary in ``attrs``."""
    frame = pd.DataFrame({c: arrays[c] for c in ("value", *LIMIT_COLUMNS)}, index=index)
    frame["point_type"] = pd.array(arrays["point_type"], dtype="string")
    frame["rule"] = pd.array(arrays["rule"], dtype="string")
    frame["side"] = arrays["side"]
    frame["segment"] = arrays["segment"]
    frame["trial_limits"] = arrays["trial_limits"]
    frame = frame[OUTPUT_COLUMNS]
    frame.attrs.update(
        {"chart": chart, "improvement": improvement, "target": target, "min_segment_points": min_segment_points, **options}
    )
    frame.attrs["variation"] = variation(frame, improvement)
    frame.attrs["assurance"] = assurance(frame, target, improvement)
    return frame


def _check_common(improvement, run_length, trend_length, fix_after_n_points, min_segment_points=TRIAL_LIMIT_POINTS):
    _direction(improvement)
    if isinstance(min_segment_points, bool) or int(min_segment_points) != min_segment_points or min_segment_points < 1:
        raise ValueError(f"min_segment_points must be a whole number ≥ 1 (MDC advises 12), not {min_segment_points!r}")
    for name, n in (("run_length", run_length), ("trend_length", trend_length)):
        if int(n) != n or n < 2:
            raise ValueError(f"{name} must be a whole number ≥ 2, not {n!r}")
    if fix_after_n_points is not None and (int(fix_after_n_points) != fix_after_n_points or fix_after_n_points < 2):
        raise ValueError(f"fix_after_n_points must be a whole number ≥ 2 (MDC advises ≥ 12), not {fix_after_n_points!r}")


def xmr_arrays(
    value: np.ndarray,
    segment: np.ndarray,
    *,
    improvement: Improvement = "up",
    fix_after_n_points: int | None = None,
    screen_outliers: bool = True,
    limit_constant: float = LIMIT_CONSTANT,
    run_length: int = RUN_LENGTH,
    trend_length: int = TREND_LENGTH,
    min_segment_points: int = TRIAL_LIMIT_POINTS,
) -> dict[str, np.ndarray]:
    """:func:`xmr`'s columns as numpy arrays (no frame, no ``attrs``), from float values and the
    segment numbers of :func:`segments`. Why: the assessment charts every KPI, and building a
    pandas frame per chart cost more than the arithmetic (0.6 of 0.75 CPU s on the sample);
    :func:`xmr` is this plus the frame, so the two cannot disagree."""
    _check_common(improvement, run_length, trend_length, fix_after_n_points, min_segment_points)
    value = np.asarray(value, dtype=float)
    lim = {c: np.full(len(value), np.nan) for c in LIMIT_COLUMNS}
    ok = ~np.isnan(value)
    for seg in np.unique(segment):
        in_seg = segment == seg
        y = value[in_seg & ok]
        if y.size == 0:
            continue
        found = xmr_limits(y, screen_outliers=screen_outliers, limit_constant=limit_constant,
                           fix_after_n_points=fix_after_n_points)
        for col in LIMIT_COLUMNS:
            lim[col][in_seg] = found[col]
    return {"value": value, **lim, **_classify(value, segment, lim, improvement, run_length, trend_length),
            "segment": segment, "trial_limits": _trial(value, segment, min_segment_points)}


def xmr(
    values,
    *,
    improvement: Improvement = "up",
    target: float | None = None,
    fix_after_n_points: int | None = None,
    rebase_at: Sequence | None = None,
    screen_outliers: bool = True,
    limit_constant: float = LIMIT_CONSTANT,
    run_length: int = RUN_LENGTH,
    trend_length: int = TREND_LENGTH,
    min_segment_points: int = TRIAL_LIMIT_POINTS,
) -> pd.DataFrame:
    """XmR chart (MDC "plot the dots") of a series, one row per point, index = the input's index.

    Columns: value, mean, lpl, upl (process limits), nlpl/nupl (the 2σ lines used by the 2-in-3
    rule), point_type (one of POINT_TYPES; <NA> for a missing value), rule (which rule labelled the
    point: outside_limits / trend / two_in_three / shift, or ""), side (+1 high, −1 low, 0), segment
    (0, 1, … after each rebase), trial_limits (the segment has fewer than ``min_segment_points``
    non-missing points: its limits are provisional, see :func:`_trial`).
    ``attrs``: variation, assurance, chart, improvement, target and the options used.

    Limits are computed per segment from its non-missing points, or from its first
    ``fix_after_n_points`` non-missing points and extended to the rest of the segment.
    """
    _check_common(improvement, run_length, trend_length, fix_after_n_points, min_segment_points)
    s = _as_series(values)
    arrays = xmr_arrays(s.to_numpy(), segments(s.index, rebase_at), improvement=improvement,
                        fix_after_n_points=fix_after_n_points, screen_outliers=screen_outliers,
                        limit_constant=limit_constant, run_length=run_length, trend_length=trend_length,
                        min_segment_points=min_segment_points)
    options = {
        "fix_after_n_points": fix_after_n_points,
        "rebase_at": list(rebase_at or []),
        "screen_outliers": screen_outliers,
        "limit_constant": limit_constant,
        "run_length": run_length,
        "trend_length": trend_length,
    }
    return _frame(arrays, s.index, improvement, target, "xmr", options, min_segment_points)


def _check_counts(xv, nv, index: pd.Index) -> tuple[np.ndarray, np.ndarray]:
    """Numerators and denominators as float arrays of one length with 0 ≤ x ≤ n where known."""
    xv, nv = np.asarray(xv, dtype=float), np.asarray(nv, dtype=float)
    if len(xv) != len(nv):
        raise ValueError(f"numerators ({len(xv)}) and denominators ({len(nv)}) differ in length")
    with np.errstate(invalid="ignore"):
        bad = (xv < 0) | (nv < 0) | (xv > nv)
    if bad.any():
        pos = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"p-chart point {index[pos]!r}: numerator {xv[pos]} and denominator {nv[pos]} are not 0 ≤ x ≤ n"
        )
    return xv, nv


def pchart_arrays(
    xv: np.ndarray,
    nv: np.ndarray,
    segment: np.ndarray,
    index: pd.Index,
    *,
    improvement: Improvement = "up",
    fix_after_n_points: int | None = None,
    laney: bool = False,
    run_length: int = RUN_LENGTH,
    trend_length: int = TREND_LENGTH,
    min_segment_points: int = TRIAL_LIMIT_POINTS,
) -> dict:
    """:func:`pchart`'s columns as numpy arrays (see :func:`xmr_arrays`), plus ``sigma_z`` (a
    dict per segment). ``index`` only names a bad point in the error message."""
    _check_common(improvement, run_length, trend_length, fix_after_n_points, min_segment_points)
    xv, nv = _check_counts(xv, nv, index)
    ok = ~np.isnan(xv) & ~np.isnan(nv) & (nv > 0)
    p = np.where(ok, xv / np.where(ok, nv, 1), np.nan)
    value = p * 100
    lim = {c: np.full(len(value), np.nan) for c in LIMIT_COLUMNS}
    sigma_z = {}
    for seg in np.unique(segment):
        in_seg = segment == seg
        use = np.flatnonzero(in_seg & ok)
        if use.size == 0:
            continue
        base = use if fix_after_n_points is None else use[:fix_after_n_points]
        pbar = xv[base].sum() / nv[base].sum()
        with np.errstate(divide="ignore", invalid="ignore"):
            sigma = np.sqrt(pbar * (1 - pbar) / nv)  # per point; inf where n == 0 (skipped points)
        factor = 1.0
        if laney:
            with np.errstate(divide="ignore", invalid="ignore"):
                z = (p[base] - pbar) / sigma[base]
            dz = np.abs(np.diff(z))
            factor = float(np.nanmean(dz) / D2) if dz.size and pbar not in (0.0, 1.0) else float("nan")
            sigma_z[int(seg)] = factor
        s_i = np.where(ok, sigma * factor, np.nan)
        rows = np.flatnonzero(in_seg)
        lim["mean"][in_seg] = pbar * 100
        lim["lpl"][in_seg] = np.clip(pbar - 3 * s_i[rows], 0, 1) * 100
        lim["upl"][in_seg] = np.clip(pbar + 3 * s_i[rows], 0, 1) * 100
        lim["nlpl"][in_seg] = np.clip(pbar - 2 * s_i[rows], 0, 1) * 100
        lim["nupl"][in_seg] = np.clip(pbar + 2 * s_i[rows], 0, 1) * 100
    return {"value": value, **lim, **_classify(value, segment, lim, improvement, run_length, trend_length),
            "segment": segment, "trial_limits": _trial(value, segment, min_segment_points), "sigma_z": sigma_z}


def pchart(
    numerators,
    denominators,
    *,
    improvement: Improvement = "up",
    target: float | None = None,
    fix_after_n_points: int | None = None,
    rebase_at: Sequence | None = None,
    laney: bool = False,
    run_length: int = RUN_LENGTH,
    trend_length: int = TREND_LENGTH,
    min_segment_points: int = TRIAL_LIMIT_POINTS,
) -> pd.DataFrame:
    """p-chart (or Laney p′ with ``laney=True``) for a percentage, on the percent scale (0–100).

    p̄ = Σx/Σn over the segment's baseline; σ_i = √(p̄(1−p̄)/n_i); limits p̄ ± 3σ_i and 2σ lines
    p̄ ± 2σ_i, clipped to [0, 100]. Laney: z_i = (p_i − p̄)/σ_i over the baseline,
    σ_z = mean|Δz| / 1.128, and every σ_i is multiplied by σ_z (qicharts2 ``qic.pprime``).
    A month with a zero or missing denominator is skipped like a missing value. The same rules,
    point types, icons and columns as :func:`xmr`; ``target`` is in percent. ``attrs["sigma_z"]``
    holds σ_z per segment (Laney only; a diagnostic for over-dispersion even so).
    """
    _check_common(improvement, run_length, trend_length, fix_after_n_points, min_segment_points)
    x = _as_series(numerators, "numerators")
    n = _as_series(denominators, "denominators")
    _check_counts(x.to_numpy(), n.to_numpy(), x.index)  # before the rebase dates are read, as ever
    arrays = pchart_arrays(x.to_numpy(), n.to_numpy(), segments(x.index, rebase_at), x.index, improvement=improvement,
                           fix_after_n_points=fix_after_n_points, laney=laney, run_length=run_length,
                           trend_length=trend_length, min_segment_points=min_segment_points)
    options = {
        "fix_after_n_points": fix_after_n_points,
        "rebase_at": list(rebase_at or []),
        "laney": laney,
        "sigma_z": arrays["sigma_z"],
        "run_length": run_length,
        "trend_length": trend_length,
    }
    return _frame(arrays, x.index, improvement, target, "pprime" if laney else "p", options, min_segment_points)


def variation(result: pd.DataFrame, improvement: Improvement | None = None) -> str | None:
    """The MDC variation icon of the latest non-missing point (MDC: "based on latest data point").

    None when no point has a value. ``improvement`` defaults to ``result.attrs["improvement"]``; a
    different one re-orients the latest point's signal (its ``side``) without recomputing limits.
    """
    improvement = improvement or result.attrs.get("improvement", "up")
    valid = result[result["value"].notna()]
    if valid.empty:
        return None
    side = int(valid["side"].iloc[-1])
    return variation_icon(point_type([side], improvement)[0], side, improvement)


def assurance(result: pd.DataFrame, target: float | None = None, improvement: Improvement | None = None) -> str | None:
    """MDC assurance of the latest row's limits against ``target`` (default ``attrs["target"]``)."""
    improvement = improvement or result.attrs.get("improvement", "up")
    if target is None:
        target = result.attrs.get("target")
    if target is None or result.empty or (isinstance(target, float) and np.isnan(target)):
        return None
    last = result.iloc[-1]
    return assurance_type(float(target), last["lpl"], last["upl"], improvement)
