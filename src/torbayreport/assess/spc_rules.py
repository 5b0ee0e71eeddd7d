"""The Making Data Count rules of :mod:`torbayreport.assess.spc`, one function per R function.

Why a module of its own: these are the small, pure building blocks (limits, the four rules,
point types, icons, assurance) that the NHSRplotthedots unit tests exercise one by one; the
chart assembly (segments, missing values, p-charts, the result frame) lives in ``spc``, which
re-exports every name here so ``spc.trend`` etc. keep working.
"""

from __future__ import annotations

from typing import Literal, Sequence

import numpy as np
import pandas as pd

Improvement = Literal["up", "down", "neutral"]

LIMIT_CONSTANT = 2.66  # 3 / d2 (d2 = 1.128), as rounded by NHSRplotthedots
SCREEN_CONSTANT = 3.267  # D4 for subgroups of 2: upper limit of the moving-range chart
RUN_LENGTH = 7
TREND_LENGTH = 7

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


def variation_icon(point_type: str | None, side: int, improvement: Improvement | None = None) -> str | None:
    """MDC variation icon name for one point (NHSRplotthedots ``inst/icons/variation``).

    The point type already carries the improvement direction, so ``improvement`` is not needed
    (kept for callers that pass it).
    """
    if point_type is None or point_type is pd.NA or (isinstance(point_type, float) and np.isnan(point_type)):
        return None
    return variation_icons([point_type], [side])[0]


def variation_icons(point_type, side) -> np.ndarray:
    """Vectorised :func:`variation_icon`: object array of icon names, None where there is no point type."""
    ptype = np.asarray(point_type, dtype=object)
    high = np.asarray(side, dtype=int) > 0
    icon = np.select(
        [ptype == "common_cause", ptype == "special_cause_improvement", ptype == "special_cause_concern",
         ptype == "special_cause_neutral"],
        ["common_cause", np.where(high, "improvement_high", "improvement_low"),
         np.where(high, "concern_high", "concern_low"), np.where(high, "neutral_high", "neutral_low")],
        "",
    ).astype(object)
    icon[icon == ""] = None
    return icon


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


def _direction(improvement: str) -> int:
    if improvement not in _DIRECTION:
        raise ValueError(f"improvement must be one of {tuple(_DIRECTION)}, not {improvement!r}")
    return _DIRECTION[improvement]
