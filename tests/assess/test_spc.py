"""SPC (Making Data Count) known-answer tests.

Vectors come from the research note /work/shared/research/spc_and_disclosure.md §A6 (cited per
test as "§A6 a" etc.), which copied them from NHSRplotthedots, nhspy-plotthedots and PowerBI-SPC
test files; the small cases are worked by hand in the comments.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from torbayreport.assess import spc
from torbayreport.assess.spc import assurance, pchart, variation, xmr

# §A6 a: R set.seed(123); rnorm(20)
RNORM20 = [
    -0.56047565, -0.23017749, 1.55870831, 0.07050839, 0.12928774, 1.71506499, 0.46091621, -1.26506123,
    -0.68685285, -0.44566197, 1.22408180, 0.35981383, 0.40077145, 0.11068272, -0.55584113, 1.78691314,
    0.49785048, -1.96661716, 0.70135590, -0.47279141,
]


def limits(result, row=0):
    r = result.iloc[row]
    return (r["mean"], r["lpl"], r["upl"])


# ---------------------------------------------------------------------------------------------
# §A6 a — NHSRplotthedots snapshot tests/testthat/_snaps/ptd_spc_standard.md
# ---------------------------------------------------------------------------------------------


def test_a6a_r1_screened():
    result = xmr(RNORM20)
    assert limits(result) == pytest.approx((0.1416238, -3.01138, 3.294627), abs=1e-5)
    # summary snapshot (_snaps/ptd_spc.md): n = 20, all common cause, variation common_cause
    assert (result["point_type"] == "common_cause").all()
    assert result.attrs["variation"] == "common_cause"


def test_a6a_r2_outlier_screened_and_r3_unscreened():
    y = list(RNORM20)
    y[14] = 10  # R's y[15] (1-based)
    assert limits(xmr(y)) == pytest.approx((0.6694159, -2.383666, 3.722497), abs=1e-5)
    assert limits(xmr(y, screen_outliers=False)) == pytest.approx((0.6694159, -4.596625, 5.935457), abs=1e-5)


def test_a6a_fix_after_12_points():
    result = xmr(RNORM20, fix_after_n_points=12)
    assert limits(result) == pytest.approx((0.19417934, -2.6073998, 2.9957585), abs=1e-6)
    # the fixed limits extend unchanged to points 13..20
    assert result["upl"].nunique() == 1 and result["lpl"].nunique() == 1


# ---------------------------------------------------------------------------------------------
# §A6 b — NHSRplotthedots vignettes/deviations.Rmd
# ---------------------------------------------------------------------------------------------

DEVIATIONS = [1, 2, 1, 2, 10, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1]


@pytest.mark.parametrize(
    "screen, expected",
    [(True, (1.944444, -0.715556, 4.604444)), (False, (1.944444, -3.062614, 6.951503))],
)
def test_a6b_deviations_vignette(screen, expected):
    result = xmr(DEVIATIONS, screen_outliers=screen)
    assert limits(result) == pytest.approx(expected, abs=1e-5)
    # point 5 (value 10) is "Above UCL": an improvement for a higher-is-better measure
    assert result["point_type"].iloc[4] == "special_cause_improvement"
    assert result["rule"].iloc[4] == "outside_limits"
    assert (result["point_type"].drop(index=4) == "common_cause").all()


def test_a6b_by_hand():
    # mean = (9*1 + 8*2 + 10)/18 = 35/18 = 1.944444
    # moving ranges: 16 of size 1, plus |10-2| = 8 and |1-10| = 9 -> 17 ranges sum 32, AMR 32/17 = 1.882353
    # screening: 3.267 * 1.882353 = 6.149 -> drop 8 and 9; AMR = 15/15... (15 ranges of 1 left) = 1.0
    # limits = 1.944444 ± 2.66 * 1.0 -> (-0.715556, 4.604444); 2σ lines ± 1.773333
    r = xmr(DEVIATIONS).iloc[0]
    assert r["upl"] - r["mean"] == pytest.approx(2.66)
    assert r["nupl"] - r["mean"] == pytest.approx(2 * 2.66 / 3)


# ---------------------------------------------------------------------------------------------
# §A6 c — nhspy-plotthedots tests/unittests/test_limits_calculations.py: (mean, lpl, upl)
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "values, expected, near",
    [
        (list(range(1, 11)), (5.5, 2.84, 8.16), (3.72667, 7.27333)),
        ([1, 2, 3, 4, 5, 4, 3, 2, 1, 2], (2.7, 0.04, 5.36), (0.92667, 4.47333)),
        ([1, 2, 3], (2.0, -0.66, 4.66), None),
        (list(range(20)), (9.5, 6.84, 12.16), None),
    ],
)
def test_a6c_limits(values, expected, near):
    # every moving range is 1, so AMR = 1 and the limits are mean ± 2.66
    result = xmr(values)
    assert limits(result) == pytest.approx(expected, abs=1e-5)
    if near:
        assert (result["nlpl"].iloc[0], result["nupl"].iloc[0]) == pytest.approx(near, abs=1e-5)


def test_a6c_range20_signals():
    # 0..19 rising: limits 6.84..12.16, so 0..6 are below (concern for "up") and 13..19 above;
    # 7..12 are inside but part of a 7-point rising trend -> every point is special cause.
    result = xmr(list(range(20)))
    assert (result["rule"].iloc[:7] == "outside_limits").all()
    assert (result["rule"].iloc[7:13] == "trend").all()
    assert (result["point_type"].iloc[:7] == "special_cause_concern").all()
    assert (result["point_type"].iloc[7:] == "special_cause_improvement").all()
    assert result.attrs["variation"] == "improvement_high"


# ---------------------------------------------------------------------------------------------
# §A6 e — PowerBI-SPC p.test.ts (36 months, n = 40..84) and pprime.test.ts (NHS 4-hour data)
# ---------------------------------------------------------------------------------------------

P_N = [52, 64, 70, 60, 67, 69, 67, 54, 79, 59, 49, 61, 41, 51, 56, 43, 57, 48, 69, 41, 40, 46, 59, 62, 57, 65, 75, 70,
       76, 69, 64, 67, 84, 67, 69, 78]
P_X = [14, 12, 15, 8, 16, 11, 12, 14, 16, 17, 5, 11, 13, 10, 14, 5, 12, 10, 11, 5, 10, 8, 11, 12, 11, 18, 18, 21, 14, 15,
       18, 22, 17, 16, 20, 15]
P_UL99 = [38.76, 37.07, 36.4, 37.58, 36.72, 36.5, 36.72, 38.44, 35.53, 37.71, 39.28, 37.45, 40.92, 38.93, 38.14, 40.47,
          37.99, 39.46, 36.5, 40.92, 41.16, 39.84, 37.71, 37.32, 37.99, 36.95, 35.9, 36.4, 35.8, 36.5, 37.07, 36.72, 35.11,
          36.72, 36.5, 35.62]
P_LL99 = [4.5, 6.19, 6.87, 5.69, 6.54, 6.76, 6.54, 4.82, 7.74, 5.55, 3.99, 5.82, 2.34, 4.34, 5.13, 2.8, 5.27, 3.8, 6.76,
          2.34, 2.1, 3.42, 5.55, 5.95, 5.27, 6.31, 7.37, 6.87, 7.46, 6.76, 6.19, 6.54, 8.16, 6.54, 6.76, 7.65]
P_UL95 = [33.05, 31.93, 31.48]


def test_a6e_pchart_powerbi():
    result = pchart(P_X, P_N)
    assert result["mean"].iloc[0] == pytest.approx(21.6327, abs=1e-4)
    assert result["upl"].to_numpy() == pytest.approx(P_UL99, abs=0.006)
    assert result["lpl"].to_numpy() == pytest.approx(P_LL99, abs=0.006)
    assert result["nupl"].iloc[:3].to_numpy() == pytest.approx(P_UL95, abs=0.006)
    assert not result["rule"].eq("outside_limits").any()  # "no points outside"


def test_a6e_laney_sigma_z_small_denominators():
    assert pchart(P_X, P_N, laney=True).attrs["sigma_z"][0] == pytest.approx(1.141, abs=5e-4)


def test_a6e_pprime_nhs_accidents():
    num = [266501, 264225, 276532, 281461, 269071, 261215, 270409, 279778, 270483, 270320, 267923, 271478, 255353,
           256820, 261835, 259144, 255910, 260863, 264465, 260989]
    den = [280443, 276823, 291681, 296155, 282343, 275888, 283867, 295251, 284468, 282529, 279618, 283932, 266629,
           268091, 276803, 271578, 266005, 273520, 278574, 273772]
    result = pchart(num, den, laney=True)
    first = result.iloc[0]
    assert result.attrs["sigma_z"][0] == pytest.approx(10.6404, abs=1e-4)
    assert first["mean"] == pytest.approx(95.28997, abs=1e-5)
    assert (first["upl"], first["nupl"], first["nlpl"], first["lpl"]) == pytest.approx(
        (96.567, 96.1413, 94.4386, 94.013), abs=1e-4
    )
    assert result.attrs["chart"] == "pprime"


def test_pchart_by_hand():
    # x = 1, 3, 2, 4 of n = 10, 10, 20, 10 -> p̄ = 10/50 = 0.2
    # σ(n=10) = √(0.2·0.8/10) = √0.016 = 0.126491; σ(n=20) = √0.008 = 0.089443
    # n=10: UCL = 0.2 + 0.379473 = 0.579473 -> 57.9473%; LCL = 0.2 − 0.379473 < 0 -> clipped to 0
    # n=20: UCL = 0.2 + 0.268328 = 46.8328%; LCL clipped to 0; 2σ upper 0.2 + 0.178885 = 37.8885%
    result = pchart([1, 3, 2, 4], [10, 10, 20, 10], improvement="down")
    assert result["value"].tolist() == pytest.approx([10, 30, 10, 40])
    assert result["mean"].iloc[0] == pytest.approx(20.0)
    assert result["upl"].tolist() == pytest.approx([57.9473, 57.9473, 46.8328, 57.9473], abs=1e-4)
    assert result["lpl"].tolist() == [0.0, 0.0, 0.0, 0.0]
    assert result["nupl"].iloc[2] == pytest.approx(37.8885, abs=1e-4)
    assert (result["point_type"] == "common_cause").all()


def test_pchart_zero_denominator_is_skipped_and_bad_counts_rejected():
    result = pchart([1, 0, 3], [10, 0, 10])
    # p̄ = 4/20 = 0.2 from the two real months only
    assert np.isnan(result["value"].iloc[1]) and pd.isna(result["point_type"].iloc[1])
    assert result["mean"].iloc[0] == pytest.approx(20.0)
    with pytest.raises(ValueError, match="not 0 ≤ x ≤ n"):
        pchart([5], [4])


# ---------------------------------------------------------------------------------------------
# §A6 f — NHSRplotthedots tests/testthat/test-ptd_calculate_point_type.R, ported
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "rtm, expected",
    [
        ([], []),
        ([1] * 6, [0] * 6),
        ([1] * 6 + [-1], [0] * 7),
        ([1] * 8 + [-1], [0, 0, 0, 0, 0, 0, 1, 1, 0]),
        ([-1] * 8 + [1], [0, 0, 0, 0, 0, 0, 1, 1, 0]),
        ([0] * 8, [0] * 8),  # on the mean is not a side
    ],
)
def test_a6f_seven_point_one_side_mean(rtm, expected):
    assert spc.one_side_of_mean(rtm).tolist() == expected


@pytest.mark.parametrize(
    "v, expected",
    [
        ([], []),
        ([0] * 6, [0] * 6),
        ([0] * 6 + [1, 0], [1] * 7 + [0]),
        ([0] * 7 + [1, 0], [0] + [1] * 7 + [0]),
        ([0] * 6 + [-1, 0], [1] * 7 + [0]),
        ([0] * 7 + [-1, 0], [0] + [1] * 7 + [0]),
    ],
)
def test_a6f_part_of_seven_trend(v, expected):
    assert spc.part_of_run(v).tolist() == expected


@pytest.mark.parametrize(
    "y, expected",
    [
        ([], []),
        (list(range(1, 7)), [0] * 6),
        ([1, 2, 3, 3, 4, 5, 6], [0] * 7),  # c(1:3, 3:6): the tie breaks the trend
        (list(range(1, 8)), [0] * 6 + [1]),
        ([2, 1, 2, 3, 4, 5, 6, 7, 3], [0, 0, 0, 0, 0, 0, 0, 1, 0]),  # c(2, 1:7, 3)
        (list(range(7, 0, -1)), [0] * 6 + [-1]),
        ([2, 7, 6, 5, 4, 3, 2, 1, 3], [0, 0, 0, 0, 0, 0, 0, -1, 0]),
    ],
)
def test_a6f_seven_point_trend(y, expected):
    assert spc.trend(y).tolist() == expected


@pytest.mark.parametrize(
    "close, rtm, expected",
    [
        ([1, 0, 1], [1, 1, 1], [1, 1, 1]),
        ([0, 1, 1], [1, 1, 1], [1, 1, 1]),
        ([1, 1, 0], [1, 1, 1], [1, 1, 1]),
        ([0, 0, 1, 0, 1, 0, 0], [1] * 7, [0, 0, 1, 1, 1, 0, 0]),
        ([0, 0, 1, 1, 0, 0, 0], [1] * 7, [0, 1, 1, 1, 1, 0, 0]),
        # opposite sides of the mean never count (#143)
        ([1, 0, 1], [1, -1, 1], [0, 0, 0]),
        ([0, 0, 1, 0, 1, 0, 0], [1, -1, 1, -1, 1, -1, 1], [0] * 7),
        ([0, 0, 1, 1, 0, 0, 0], [-1, 1, -1, 1, -1, 1, -1], [0] * 7),
        ([0, 0, 0], [0, 0, 0], [0, 0, 0]),
    ],
)
def test_a6f_two_in_three(close, rtm, expected):
    assert spc.two_in_three(close, rtm).tolist() == expected


@pytest.mark.parametrize(
    "close, expected",
    [
        ([1, 0, 1], [1, 0, 1]),
        ([1, 0, 0, 1], [0, 0, 0, 0]),
        ([1, 0, 0, 1, 1], [0, 0, 0, 1, 1]),
    ],
)
def test_a6f_part_of_two_in_three(close, expected):
    rtm = [1] * len(close)
    assert spc.part_of_two_in_three(spc.two_in_three(close, rtm), close).tolist() == expected


def test_a6f_special_cause_type_priority():
    # R's 8-case test mocks the helpers; here the same precedence with real inputs:
    # outside > trend > two_in_three > shift > common cause.
    y = np.array([1, 2, 3, 4, 5, 6, 7, 3.0])
    rtm = np.array([1, 1, 1, 1, 1, 1, 1, -1])  # the last point is below the mean: ends the run
    outside = np.array([0, 0, 0, 0, 0, 0, 1, 0], dtype=bool)
    close = np.array([0, 0, 0, 0, 1, 1, 0, 0], dtype=bool)
    rule, side = spc.special_cause_type(y, rtm, close, outside)
    # points 0..6 are a 7-point rising trend AND a 7-point run above the mean; 4,5 also 2-in-3;
    # point 6 is outside. Point 7 (3.0, below the mean) is in no pattern: common cause.
    assert rule.tolist() == ["trend"] * 6 + ["outside_limits", ""]
    assert side.tolist() == [1] * 7 + [0]
    # without the trend (a tie at 3->3), 2-in-3 outranks the run
    y2 = np.array([1, 2, 3, 3, 5, 6, 7, 3.0])
    rule2, _ = spc.special_cause_type(y2, rtm, close, outside)
    assert rule2.tolist() == ["shift"] * 4 + ["two_in_three"] * 2 + ["outside_limits", ""]


def test_trend_direction_follows_the_trend_not_the_mean():
    # NHSRplotthedots #171: a falling trend that is above the mean is "Decreasing" (low side).
    y = [10, 9, 8, 7, 6, 5, 4]
    rule, side = spc.special_cause_type(np.array(y, float), np.ones(7, int), np.zeros(7, bool), np.zeros(7, bool))
    assert rule.tolist() == ["trend"] * 7 and side.tolist() == [-1] * 7
    # a peak shared by a rising and a falling trend takes the step to its right (R's sdy rule)
    y = [1, 2, 3, 4, 5, 6, 7, 6, 5, 4, 3, 2, 1]
    rule, side = spc.special_cause_type(np.array(y, float), np.zeros(13, int), np.zeros(13, bool), np.zeros(13, bool))
    assert side.tolist() == [1] * 6 + [-1] * 7


def test_point_type_and_icons():
    assert spc.point_type([1, -1, 0], "up").tolist() == [
        "special_cause_improvement", "special_cause_concern", "common_cause"]
    assert spc.point_type([1, -1, 0], "down").tolist() == [
        "special_cause_concern", "special_cause_improvement", "common_cause"]
    assert spc.point_type([1, -1, 0], "neutral").tolist() == [
        "special_cause_neutral", "special_cause_neutral", "common_cause"]
    assert spc.variation_icon("special_cause_improvement", -1, "down") == "improvement_low"
    assert spc.variation_icon("special_cause_concern", 1, "down") == "concern_high"
    assert spc.variation_icon("special_cause_concern", -1, "up") == "concern_low"
    assert spc.variation_icon("special_cause_neutral", 1, "neutral") == "neutral_high"
    assert spc.variation_icon(None, 0, "up") is None


@pytest.mark.parametrize(
    "lpl, upl, up, down",
    # NHSRplotthedots test-ptd_calculate_assurance_type.R truth table, target = 4
    [(1, 3, "consistent_fail", "consistent_pass"), (5, 7, "consistent_pass", "consistent_fail"),
     (1, 5, "inconsistent", "inconsistent"), (4, 6, "inconsistent", "inconsistent")],  # last: strict at the limit
)
def test_assurance_truth_table(lpl, upl, up, down):
    assert spc.assurance_type(4, lpl, upl, "up") == up
    assert spc.assurance_type(4, lpl, upl, "down") == down
    assert spc.assurance_type(4, lpl, upl, "neutral") is None
    assert spc.assurance_type(np.nan, lpl, upl, "up") is None


def test_assurance_of_a_result_uses_the_last_row():
    # 1..10: limits 2.84..8.16. Target 9 > UPL: fail for "up", pass for "down".
    result = xmr(list(range(1, 11)), target=9)
    assert result.attrs["assurance"] == "consistent_fail"
    assert assurance(result, 9, "down") == "consistent_pass"
    assert assurance(result, 5) == "inconsistent"
    assert assurance(result, float("nan")) is None
    assert xmr(list(range(1, 11))).attrs["assurance"] is None


# ---------------------------------------------------------------------------------------------
# Edge cases
# ---------------------------------------------------------------------------------------------


def test_empty_and_single_point():
    empty = xmr([])
    assert empty.empty and empty.attrs["variation"] is None and empty.attrs["assurance"] is None
    one = xmr([5.0], target=3)
    # one point: mean = 5, no moving range -> no limits, common cause, trial limits
    assert one["mean"].iloc[0] == 5 and np.isnan(one["upl"].iloc[0])
    assert one["point_type"].iloc[0] == "common_cause" and bool(one["trial_limits"].iloc[0])
    assert one.attrs["variation"] == "common_cause" and one.attrs["assurance"] is None
    two = xmr([4.0, 6.0])
    # mean 5, MR 2 (screening 2 < 3.267*2 keeps it) -> limits 5 ± 5.32
    assert limits(two) == pytest.approx((5, -0.32, 10.32))


def test_constant_series_has_zero_width_limits_and_no_signal():
    result = xmr([3.0] * 15, target=3)
    assert limits(result) == (3.0, 3.0, 3.0)
    assert (result["point_type"] == "common_cause").all()
    assert result.attrs["assurance"] == "inconsistent"  # target equals both limits: not strictly outside


def test_ties_on_the_mean_break_a_run():
    # a value exactly on the mean has relative_to_mean 0, which breaks a run of 7
    y = [3, 3, 3, 2, 3, 3, 3, 3]  # mean taken as 2 (e.g. a fixed baseline)
    rtm = spc.relative_to_mean(y, 2.0)
    assert rtm.tolist() == [1, 1, 1, 0, 1, 1, 1, 1]
    assert spc.one_side_of_mean(rtm).tolist() == [0] * 8  # 3 + 4 above, never 7 in a row
    assert spc.one_side_of_mean([1, 1, 1, 1, 1, 1, 1, 1]).tolist() == [0] * 6 + [1, 1]  # without the tie
    # a tie between consecutive values breaks a trend (§A6 f c(1:3, 3:6)) — also end to end:
    assert not xmr([1, 2, 3, 3, 4, 5, 6]).rule.eq("trend").any()
    # 1..7: mean 4, AMR 1, limits 1.34..6.66 -> the ends are outside (which outranks trend)
    assert xmr([1, 2, 3, 4, 5, 6, 7]).rule.tolist() == ["outside_limits"] + ["trend"] * 5 + ["outside_limits"]


def test_nan_values_are_skipped():
    values = [1, 2, 3, 4, 5, 6, np.nan, 7, 8, 9, 10]
    result = xmr(values)
    # the 10 real values are 1..10: same limits as §A6 c (5.5, 2.84, 8.16)
    assert limits(result) == pytest.approx((5.5, 2.84, 8.16))
    row = result.iloc[6]
    assert pd.isna(row["point_type"]) and row["rule"] == "" and row["upl"] == pytest.approx(8.16)
    # the trend joins across the gap: 1..10 rising
    assert result["rule"].iloc[2] == "trend"
    # variation is the last *real* point
    assert xmr([1, 2, 3, 4, 5, 6, 7, 20, np.nan]).attrs["variation"] is not None


def test_rebase_by_date_and_position():
    idx = pd.period_range("2020-01", periods=20, freq="M")
    values = pd.Series([1, 2] * 5 + [11, 12] * 5, index=idx, dtype=float)
    result = xmr(values, rebase_at=["2020-11"])
    # segment 0: 1,2,... mean 1.5, MR 1 -> 1.5 ± 2.66; segment 1: mean 11.5 ± 2.66
    assert result.index.equals(idx)
    assert result["segment"].tolist() == [0] * 10 + [1] * 10
    assert limits(result, 0) == pytest.approx((1.5, -1.16, 4.16))
    assert limits(result, 19) == pytest.approx((11.5, 8.84, 14.16))
    assert (result["point_type"] == "common_cause").all()  # the jump is not a signal after rebasing
    by_pos = xmr(values.to_numpy(), rebase_at=[10])
    assert by_pos["mean"].tolist() == result["mean"].tolist()
    # without the rebase the second half is a long run above the mean
    assert (xmr(values)["rule"].iloc[10:] != "").all()
    with pytest.raises(ValueError, match="outside the series"):
        xmr(values, rebase_at=["2025-01"])
    with pytest.raises(ValueError, match="positions"):
        xmr([1.0, 2.0, 3.0], rebase_at=["2020-01"])


def test_fix_after_n_points_per_segment():
    # segment of 1,2,1,2,... then a jump: fixing after 4 points keeps the first 4's limits
    result = xmr([1, 2, 1, 2, 9, 9, 9], fix_after_n_points=4)
    assert limits(result, 6) == pytest.approx((1.5, 1.5 - 2.66, 1.5 + 2.66))
    assert (result["rule"].iloc[4:] == "outside_limits").all()


def test_shift_and_two_in_three_and_neutral():
    # 8 points at 5 then 7 points at 6 (mean 5.4667): the last 7 form a run above the mean.
    y = [5.0] * 8 + [6.0] * 7
    result = xmr(y, improvement="down")
    # AMR = 1/14 -> UPL = 5.4667 + 0.19 = 5.657: the 6s are outside (rule outside_limits)
    assert (result["rule"].iloc[8:] == "outside_limits").all()
    assert (result["point_type"].iloc[8:] == "special_cause_concern").all()
    assert result.attrs["variation"] == "concern_high"
    neutral = xmr(y, improvement="neutral")
    assert neutral.attrs["variation"] == "neutral_high" and (neutral["point_type"].iloc[8:] == "special_cause_neutral").all()


def test_bad_options_raise():
    with pytest.raises(ValueError, match="improvement"):
        xmr([1, 2], improvement="higher")
    with pytest.raises(ValueError, match="fix_after_n_points"):
        xmr([1, 2], fix_after_n_points=1)
    with pytest.raises(ValueError, match="numeric"):
        xmr(pd.Series(["a", "b"]))


def test_variation_helper_matches_attrs():
    # mean 22/9 = 2.444; MRs seven 1s and an 8: AMR 15/8 = 1.875, 8 ≥ 3.267 × 1.875 = 6.13 is
    # screened out -> AMR 1, UPL 2.444 + 2.66 = 5.104, so the final 10 is outside: improvement_high
    result = xmr([1, 2, 1, 2, 1, 2, 1, 2, 10])
    assert result.attrs["variation"] == "improvement_high"
    assert variation(result) == result.attrs["variation"]
    assert variation(result, "down") == "concern_high"


# ---------------------------------------------------------------------------------------------
# Rebased series (baselines) — NHSRplotthedots behaviour
# ---------------------------------------------------------------------------------------------


def test_rebase_known_answer_from_nhsrplotthedots_snapshot():
    # NHSRplotthedots @050b07d tests/testthat/test-ptd_spc.R "it outputs expected content": data =
    # set.seed(123); rnorm(20) (RNORM20) split into two groups of 10 (facet = rep(c(0, 1), each = 10)).
    # ptd_spc_standard() computes limits per group_by(f, rebase_group), so a rebase after point 10
    # takes the same code path; tests/testthat/_snaps/ptd_spc.md (summary s3) prints
    #   group 0: mean_col 0.0746, lpl -2.60, upl 2.75, n 10, 10 common cause
    #   group 1: mean_col 0.209,  lpl -3.28, upl 3.70, n 10, 10 common cause
    idx = pd.period_range("2019-01", periods=20, freq="M")
    result = xmr(pd.Series(RNORM20, index=idx), rebase_at=["2019-11"])
    assert result["segment"].tolist() == [0] * 10 + [1] * 10
    assert limits(result, 0) == pytest.approx((0.0746, -2.60, 2.75), abs=0.005)
    assert limits(result, 19) == pytest.approx((0.209, -3.28, 3.70), abs=0.005)
    assert (result["point_type"] == "common_cause").all()
    # R wraps s3 in suppressWarnings(): both groups have n = 10 < 13 (getOption default), so both
    # carry short_group_warning, i.e. trial limits here.
    assert result["trial_limits"].all()


@pytest.mark.parametrize(
    "sizes, expected",
    [
        # NHSRplotthedots tests/testthat/test-ptd_add_short_group_warnings.R, warning_threshold 12:
        ([11], [True]),  # "it warns when a group is shorter than the warning_threshold"
        ([12], [False]),  # "it does not warn when a group is equal to the warning_threshold"
        ([20, 20], [False, False]),  # "rebase groups - no warnings"
        ([35, 5], [False, True]),  # "warning on one facet" (facet a: groups of 35 and 5)
    ],
)
def test_short_segments_get_trial_limits_as_r(sizes, expected):
    values = np.concatenate([np.arange(n, dtype=float) % 3 + 10 * i for i, n in enumerate(sizes)])
    starts = list(np.cumsum(sizes)[:-1])
    result = xmr(values, rebase_at=starts, min_segment_points=12)
    want = np.repeat(expected, sizes)
    assert result["trial_limits"].tolist() == want.tolist()
    # a short segment still gets limits from its own points (R draws them), not the neighbour's
    last = result[result["segment"] == len(sizes) - 1]
    assert last["upl"].notna().all() and last["mean"].iloc[0] == pytest.approx(np.mean(values[-sizes[-1]:]))


def test_rebase_at_a_step_change_removes_the_false_signals():
    # Worked by hand. 9 months alternating 60, 62 (5 × 60, 4 × 62) then 15 months alternating 90, 92
    # (8 × 90, 7 × 92); higher is better, target 85.
    y = [60.0, 62.0] * 4 + [60.0] + [90.0, 92.0] * 7 + [90.0]
    idx = pd.period_range("2019-01", periods=24, freq="M")
    series = pd.Series(y, index=idx)
    one = xmr(series, target=85)
    # One baseline: mean 1912/24 = 79.6667; MRs: 22 × 2 and the 30 step; AMR 74/23 = 3.217, 30 ≥
    # 3.267 × 3.217 = 10.51 is screened out -> AMR 2, limits 79.6667 ± 5.32 = 74.3467 .. 84.9867.
    assert limits(one) == pytest.approx((79.6667, 74.3467, 84.9867), abs=1e-4)
    # every month is outside those limits: all 24 are "special cause", and the 85 target lies above
    # the UPL -> "consistently failing" although the last 15 months all met it.
    assert (one["rule"] == "outside_limits").all()
    assert one.attrs["assurance"] == "consistent_fail"
    two = xmr(series, target=85, rebase_at=["2019-10"], min_segment_points=12)
    # segment 0: mean 548/9 = 60.8889 ± 2.66 × 2; segment 1: mean 1364/15 = 90.9333 ± 5.32
    assert limits(two, 0) == pytest.approx((60.8889, 55.5689, 66.2089), abs=1e-4)
    assert limits(two, 23) == pytest.approx((90.9333, 85.6133, 96.2533), abs=1e-4)
    assert (two["point_type"] == "common_cause").all()
    assert two.attrs["assurance"] == "consistent_pass"  # 85 < LPL 85.6133
    assert two["trial_limits"].tolist() == [True] * 9 + [False] * 15  # 9 < 12 ≤ 15


def test_min_segment_points_must_be_whole():
    with pytest.raises(ValueError, match="min_segment_points"):
        xmr([1, 2], min_segment_points=0)
    with pytest.raises(ValueError, match="min_segment_points"):
        pchart([1, 2], [4, 4], min_segment_points=2.5)
