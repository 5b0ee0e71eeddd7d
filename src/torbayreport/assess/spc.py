"""Statistical process control as NHS England's "Making Data Count" (MDC) does it.

Why a port of NHSRplotthedots rather than a library: it is the reference implementation of the MDC
rules (the R package written with the MDC team), it is small, and the Python packages on PyPI each
deviate from it (run lengths 8/6, no screening, inclusive assurance, "last special cause anywhere"
icons). Each step is a small function named after its R counterpart so the R unit tests port
directly (see tests/assess/test_spc.py):

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

from typing import Literal, Sequence

import numpy as np
import pandas as pd

Improvement = Literal["up", "down", "neutral"]

LIMIT_CONSTANT = 2.66  # 3 / d2 (d2 = 1.128), as rounded by NHSRplotthedots
SCREEN_CONSTANT = 3.267  # D4 for subgroups of 2: upper limit of the moving-range chart
D2 = 1.128
RUN_LENGTH = 7
TREND_LENGTH = 7
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

_DIRECTION = {"up": 1, "down": -1, "neutral": 0}


# --------------------------------------------------------------------------------------------
# Limits (ptd_spc_standard)
# --------------------------------------------------------------------------------------------


def moving_ranges(y: Sequence[float]) -> np.ndarray:
    """|y_i − y_{i−1}|, NaN for the first point (R: ``c(NA, abs(diff(y)))``)."""
    y = np.asarray(y, dtype=float)
    if y.size == 0:
        return np.array([], dtype=float)
    return np.concatenate([[np.nan], np.abs(np.diff(y))])


def mean_moving_range(mr: Sequence[float], *, screen_outliers: bool = True) -> float:
    """Mean of the moving ranges, optionally after dropping ranges ≥ 3.267 × mean once.

    Single pass, strict ``<`` keeps (as R). Skipped when the mean is 0 (see module docstring).
    """
    mr = np.asarray(mr, dtype=float)
    mr = mr[~np.isnan(mr)]
    if mr.size == 0:
        return float("nan")
    amr = float(mr.mean())
    if screen_outliers and amr > 0:
        amr = float(mr[mr < SCREEN_CONSTANT * amr].mean())
    return amr


def xmr_limits(
    y: Sequence[float],
    *,
    screen_outliers: bool = True,
    limit_constant: float = LIMIT_CONSTANT,
    fix_after_n_points: int | None = None,
) -> dict[str, float]:
    """Mean and limits of one segment (no NaNs): mean, amr, lpl, upl, nlpl, nupl.

    The "2σ" lines (nlpl/nupl) sit at two thirds of the limit distance, as R's ``limitclose``.
    """
    y = np.asarray(y, dtype=float)
    base = y if fix_after_n_points is None else y[:fix_after_n_points]
    mean = float(base.mean()) if base.size else float("nan")
    amr = mean_moving_range(moving_ranges(base), screen_outliers=screen_outliers)
    width, near = limit_constant * amr, 2 * (limit_constant / 3) * amr
    return {"mean": mean, "amr": amr, "lpl": mean - width, "upl": mean + width, "nlpl": mean - near, "nupl": mean + near}


def outside_limits(y, lpl, upl) -> np.ndarray:
    """Strictly above the upper or below the lower process limit (NaN limits never flag)."""
    y, lpl, upl = (np.asarray(a, dtype=float) for a in (y, lpl, upl))
    with np.errstate(invalid="ignore"):
        return (y > upl) | (y < lpl)


def relative_to_mean(y, mean) -> np.ndarray:
    """sign(y − mean): +1 above, −1 below, 0 on the mean (which breaks a run)."""
    with np.errstate(invalid="ignore"):
        return np.nan_to_num(np.sign(np.asarray(y, dtype=float) - np.asarray(mean, dtype=float))).astype(int)


def close_to_limits(y, lpl, upl, nlpl, nupl) -> np.ndarray:
    """In the band between the 2σ and 3σ lines; points outside the limits are not "close" (R)."""
    y, nlpl, nupl = (np.asarray(a, dtype=float) for a in (y, nlpl, nupl))
    with np.errstate(invalid="ignore"):
        return ~outside_limits(y, lpl, upl) & ((y < nlpl) | (y > nupl))


# --------------------------------------------------------------------------------------------
# Rules (ptd_calculate_point_type)
# --------------------------------------------------------------------------------------------


def _windows(a: np.ndarray, n: int) -> np.ndarray:
    return np.lib.stride_tricks.sliding_window_view(a, n)


def one_side_of_mean(rtm: Sequence[int], n: int = RUN_LENGTH) -> np.ndarray:
    """1 at the n-th and later points of a run of ≥ n points on the same (non-zero) side of the mean.

    R ``ptd_seven_point_one_side_mean``: ``c(rep(1,8),-1)`` → ``c(0,0,0,0,0,0,1,1,0)``.
    """
    rtm = np.asarray(rtm, dtype=int)
    out = np.zeros(rtm.size, dtype=int)
    if rtm.size >= n:
        w = _windows(rtm, n)
        out[n - 1 :] = ((w == w[:, -1:]).all(axis=1) & (w[:, -1] != 0)).astype(int)
    return out


def trend(y: Sequence[float], n: int = TREND_LENGTH) -> np.ndarray:
    """+1 / −1 at the last point of n points strictly rising / falling (n − 1 same-sign steps).

    A tie (step of 0) breaks the trend. R ``ptd_seven_point_trend``.
    """
    y = np.asarray(y, dtype=float)
    out = np.zeros(y.size, dtype=int)
    if y.size >= n and n >= 2:
        w = _windows(np.sign(np.diff(y)), n - 1)
        out[n - 1 :] = np.where((w == 1).all(axis=1), 1, np.where((w == -1).all(axis=1), -1, 0))
    return out


def part_of_run(v: Sequence[int], n: int = RUN_LENGTH) -> np.ndarray:
    """1 where this point or one of the next n − 1 points is a run/trend detection (|v| == 1).

    Turns "detected at the 7th point" into "every point of the run". R ``ptd_part_of_seven_trend``.
    """
    v = np.abs(np.asarray(v, dtype=int)) == 1
    if v.size == 0:
        return np.zeros(0, dtype=int)
    padded = np.concatenate([v, np.zeros(n - 1, dtype=bool)])
    return _windows(padded, n).any(axis=1).astype(int)


def two_in_three(close: Sequence[bool], rtm: Sequence[int]) -> np.ndarray:
    """1 where the point belongs to a 3-point window with ≥ 2 points close to a limit and all 3
    points on the same side of the mean. R ``ptd_two_in_three`` (fix for #143)."""
    close = np.asarray(close, dtype=int)
    rtm = np.asarray(rtm, dtype=int)
    if close.size == 0:
        return np.zeros(0, dtype=int)
    if rtm.size != close.size:  # R recycles a length-1 rtm; only the all-zero case is meaningful
        rtm = np.resize(rtm, close.size)
    cp = np.concatenate([[0, 0], close, [0, 0]])
    rp = np.concatenate([[0, 0], rtm, [0, 0]])
    hit = (_windows(cp, 3).sum(axis=1) >= 2) & (np.abs(_windows(rp, 3).sum(axis=1)) == 3)  # window j = points j-2..j
    # point i is in windows starting (padded) at i, i+1, i+2
    return (hit[:-2] | hit[1:-1] | hit[2:]).astype(int)


def part_of_two_in_three(v: Sequence[int], close: Sequence[bool]) -> np.ndarray:
    """Only the points of a 2-in-3 window that are themselves close to a limit are flagged."""
    return ((np.asarray(v) == 1) & (np.abs(np.asarray(close, dtype=int)) == 1)).astype(int)


def special_cause_type(
    y: Sequence[float],
    rtm: Sequence[int],
    close: Sequence[bool],
    outside: Sequence[bool],
    *,
    run_length: int = RUN_LENGTH,
    trend_length: int = TREND_LENGTH,
) -> tuple[np.ndarray, np.ndarray]:
    """(rule, side) per point. rule ∈ RULES or ""; side +1 high / −1 low / 0.

    Precedence as R's ``case_when``: outside_limits > trend > two_in_three > shift. The side of an
    outside/2-in-3/shift point is its side of the mean; a trend point's side is the trend's
    direction (R fix #171): the step to the next point when that is also in the trend, else the
    step from the previous point.
    """
    y = np.asarray(y, dtype=float)
    rtm = np.asarray(rtm, dtype=int)
    outside = np.asarray(outside, dtype=bool)
    part_trend = part_of_run(trend(y, trend_length), trend_length).astype(bool)
    part_2in3 = part_of_two_in_three(two_in_three(close, rtm), close).astype(bool)
    part_shift = part_of_run(one_side_of_mean(rtm, run_length), run_length).astype(bool)

    step = np.sign(np.diff(y)) if y.size else np.zeros(0)
    step_after = np.concatenate([step, [0]])
    step_before = np.concatenate([[0], step])
    next_in_trend = np.concatenate([part_trend[1:], [False]])
    trend_side = np.where(next_in_trend & part_trend, step_after, step_before)
    trend_side = np.where(trend_side == 1, 1, -1)  # R: "In" if sdy == 1 else "De"

    rule = np.select(
        [outside, part_trend, part_2in3, part_shift], ["outside_limits", "trend", "two_in_three", "shift"], ""
    )
    mean_side = np.where(rtm > 0, 1, -1)
    side = np.select([outside, part_trend, part_2in3 | part_shift], [mean_side, trend_side, mean_side], 0)
    return rule.astype(object), side.astype(int)


def point_type(side: Sequence[int], improvement: Improvement) -> np.ndarray:
    """Orient each special cause by the improvement direction (R ``ptd_point_type``)."""
    side = np.asarray(side, dtype=int)
    direction = _direction(improvement)
    if direction == 0:
        return np.where(side != 0, "special_cause_neutral", "common_cause").astype(object)
    oriented = side * direction
    return np.select(
        [oriented > 0, oriented < 0], ["special_cause_improvement", "special_cause_concern"], "common_cause"
    ).astype(object)


def variation_icon(point_type: str | None, side: int, improvement: Improvement) -> str | None:
    """MDC variation icon name for one point (NHSRplotthedots ``inst/icons/variation``)."""
    if point_type is None or point_type is pd.NA or (isinstance(point_type, float) and np.isnan(point_type)):
        return None
    if point_type == "common_cause":
        return "common_cause"
    high = side > 0
    return {
        "special_cause_improvement": "improvement_high" if high else "improvement_low",
        "special_cause_concern": "concern_high" if high else "concern_low",
        "special_cause_neutral": "neutral_high" if high else "neutral_low",
    }[point_type]


def assurance_type(target, lpl, upl, improvement: Improvement):
    """Target against the limits (R ``ptd_calculate_assurance_type``, strict inequalities).

    Vectorised: arrays in, object array out (None where there is no answer: neutral measure, no
    target or no limits). Scalars in, scalar out.
    """
    scalar = np.ndim(target) == 0 and np.ndim(lpl) == 0 and np.ndim(upl) == 0
    direction = _direction(improvement)
    t, lo, hi = np.broadcast_arrays(*(np.asarray(a, dtype=float) for a in (target, lpl, upl)))
    with np.errstate(invalid="ignore"):
        above, below = t > hi, t < lo
    known = ~(np.isnan(t) | np.isnan(lo) | np.isnan(hi))
    if direction == 0:
        out = np.full(t.shape, None, dtype=object)
    else:
        out = np.select(
            [above, below],
            ["consistent_fail" if direction > 0 else "consistent_pass", "consistent_pass" if direction > 0 else "consistent_fail"],
            "inconsistent",
        ).astype(object)
        out[~known] = None
    return out.item() if scalar else out


# --------------------------------------------------------------------------------------------
# Public charts
# --------------------------------------------------------------------------------------------


def _direction(improvement: str) -> int:
    if improvement not in _DIRECTION:
        raise ValueError(f"improvement must be one of {tuple(_DIRECTION)}, not {improvement!r}")
    return _DIRECTION[improvement]


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


def _classify(frame: pd.DataFrame, improvement: str, run_length: int, trend_length: int) -> None:
    """Run the rules per segment over the non-missing points; write rule/side/point_type in place."""
    rule = np.full(len(frame), "", dtype=object)
    side = np.zeros(len(frame), dtype=int)
    ok = frame["value"].notna().to_numpy()
    for seg in np.unique(frame["segment"].to_numpy()):
        idx = np.flatnonzero((frame["segment"].to_numpy() == seg) & ok)
        if idx.size == 0:
            continue
        part = frame.iloc[idx]
        y = part["value"].to_numpy()
        rtm = relative_to_mean(y, part["mean"].to_numpy())
        out = outside_limits(y, part["lpl"].to_numpy(), part["upl"].to_numpy())
        close = close_to_limits(y, part["lpl"], part["upl"], part["nlpl"], part["nupl"])
        r, s = special_cause_type(y, rtm, close, out, run_length=run_length, trend_length=trend_length)
        rule[idx], side[idx] = r, s
    types = point_type(side, improvement)
    frame["point_type"] = pd.array(np.where(ok, types, None), dtype="string")
    frame["rule"] = pd.array(rule, dtype="string")
    frame["side"] = side


def _finish(
    frame: pd.DataFrame, improvement: str, target, chart: str, options: dict, min_segment_points: int
) -> pd.DataFrame:
    """Flag short segments and attach the series summary.

    A segment with fewer than ``min_segment_points`` non-missing points keeps the limits computed
    from its own points, flagged as *trial* limits: NHSRplotthedots does the same
    (``R/ptd_add_short_group_warnings.R``: the limits are drawn, ``short_group_warning`` is set per
    facet × rebase group and the chart is captioned), rather than refusing the rebase or borrowing
    the previous segment's limits.
    """
    counts = frame.loc[frame["value"].notna()].groupby("segment").size()
    frame["trial_limits"] = frame["segment"].map(counts).fillna(0).to_numpy() < min_segment_points
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
    non-missing points: its limits are provisional, see :func:`_finish`).
    ``attrs``: variation, assurance, chart, improvement, target and the options used.

    Limits are computed per segment from its non-missing points, or from its first
    ``fix_after_n_points`` non-missing points and extended to the rest of the segment.
    """
    _check_common(improvement, run_length, trend_length, fix_after_n_points, min_segment_points)
    s = _as_series(values)
    frame = pd.DataFrame({"value": s.to_numpy()}, index=s.index)
    frame["segment"] = segments(s.index, rebase_at)
    for col in ("mean", "lpl", "upl", "nlpl", "nupl"):
        frame[col] = np.nan
    ok = frame["value"].notna().to_numpy()
    for seg in np.unique(frame["segment"].to_numpy()):
        in_seg = frame["segment"].to_numpy() == seg
        y = frame["value"].to_numpy()[in_seg & ok]
        if y.size == 0:
            continue
        lim = xmr_limits(y, screen_outliers=screen_outliers, limit_constant=limit_constant, fix_after_n_points=fix_after_n_points)
        for col in ("mean", "lpl", "upl", "nlpl", "nupl"):
            frame.loc[in_seg, col] = lim[col]
    _classify(frame, improvement, run_length, trend_length)
    options = {
        "fix_after_n_points": fix_after_n_points,
        "rebase_at": list(rebase_at or []),
        "screen_outliers": screen_outliers,
        "limit_constant": limit_constant,
        "run_length": run_length,
        "trend_length": trend_length,
    }
    return _finish(frame, improvement, target, "xmr", options, min_segment_points)


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
    if len(x) != len(n):
        raise ValueError(f"numerators ({len(x)}) and denominators ({len(n)}) differ in length")
    xv, nv = x.to_numpy(), n.to_numpy()
    with np.errstate(invalid="ignore"):
        bad = (xv < 0) | (nv < 0) | (xv > nv)
    if bad.any():
        pos = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"p-chart point {x.index[pos]!r}: numerator {xv[pos]} and denominator {nv[pos]} are not 0 ≤ x ≤ n"
        )
    ok = ~np.isnan(xv) & ~np.isnan(nv) & (nv > 0)
    p = np.where(ok, xv / np.where(ok, nv, 1), np.nan)
    frame = pd.DataFrame({"value": p * 100}, index=x.index)
    frame["segment"] = segments(x.index, rebase_at)
    for col in ("mean", "lpl", "upl", "nlpl", "nupl"):
        frame[col] = np.nan
    sigma_z = {}
    seg_ids = frame["segment"].to_numpy()
    for seg in np.unique(seg_ids):
        in_seg = seg_ids == seg
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
        frame.loc[in_seg, "mean"] = pbar * 100
        frame.loc[in_seg, "lpl"] = np.clip(pbar - 3 * s_i[rows], 0, 1) * 100
        frame.loc[in_seg, "upl"] = np.clip(pbar + 3 * s_i[rows], 0, 1) * 100
        frame.loc[in_seg, "nlpl"] = np.clip(pbar - 2 * s_i[rows], 0, 1) * 100
        frame.loc[in_seg, "nupl"] = np.clip(pbar + 2 * s_i[rows], 0, 1) * 100
    _classify(frame, improvement, run_length, trend_length)
    options = {
        "fix_after_n_points": fix_after_n_points,
        "rebase_at": list(rebase_at or []),
        "laney": laney,
        "sigma_z": sigma_z,
        "run_length": run_length,
        "trend_length": trend_length,
    }
    return _finish(frame, improvement, target, "pprime" if laney else "p", options, min_segment_points)


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
