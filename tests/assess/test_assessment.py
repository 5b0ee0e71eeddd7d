"""assess(): the assessed table, worked by hand for a few KPIs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from torbayreport.assess import ASSESSED_COLUMNS, assess
from torbayreport.assess.params import deep_merge

DEVIATIONS = [1, 2, 1, 2, 10, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1]  # §A6 b, 2020-01 .. 2021-06


@pytest.fixture
def table(metrics_rows, params, registry):
    metrics = pd.concat(
        [
            metrics_rows("P02", DEVIATIONS),
            metrics_rows("P10", [39, 45, 52]),
            metrics_rows("P26", [3, 5, 5], unit="count"),
        ],
        ignore_index=True,
    )
    return assess(metrics, params, registry=registry)


def row(table, kpi_id, month):
    hit = table[(table["kpi_id"] == kpi_id) & (table["month"] == pd.Period(month, "M"))]
    assert len(hit) == 1
    return hit.iloc[0]


def test_columns_and_one_row_per_metric(table):
    assert list(table.columns) == ASSESSED_COLUMNS
    assert len(table) == 18 + 3 + 3
    assert table["month"].dtype == "period[M]"
    assert table["rag"].dtype == "string" and table["spc_mean"].dtype == "float64"


def test_registry_and_params_columns(table):
    r = row(table, "P02", "2020-01")
    assert (r["title"], r["pillar"], r["polarity"], r["target"], r["tolerance"]) == (
        "Measure P02", "practice", "down", 22.0, 3.0)
    assert pd.isna(row(table, "P26", "2020-01")["target"])


def test_rag_direction_previous(table):
    # P02 (down, target 22 ± 3): every value ≤ 22 -> Green. 2020-02: 2 after 1 -> worsened; 2020-03: 1 after 2 -> improved
    assert (table.loc[table["kpi_id"] == "P02", "rag"] == "Green").all()
    assert pd.isna(row(table, "P02", "2020-01")["direction"]) and np.isnan(row(table, "P02", "2020-01")["previous_value"])
    assert row(table, "P02", "2020-02")["direction"] == "worsened" and row(table, "P02", "2020-02")["previous_value"] == 1
    assert row(table, "P02", "2020-03")["direction"] == "improved"
    # P10 (target 39 ± 6): 39 Green; 45 Green (|6| ≤ 6); 52 Red (13 > 12). 45 after 39: further away -> worsened
    assert [row(table, "P10", m)["rag"] for m in ("2020-01", "2020-02", "2020-03")] == ["Green", "Green", "Red"]
    assert row(table, "P10", "2020-02")["direction"] == "worsened"
    # P26 neutral count: no RAG; 5 after 3 "higher", 5 after 5 "no change"
    assert table.loc[table["kpi_id"] == "P26", "rag"].isna().all()
    assert [row(table, "P26", m)["direction"] for m in ("2020-02", "2020-03")] == ["higher", "no change"]


def test_benchmarks(table):
    r = row(table, "P02", "2020-05")
    assert (r["benchmark_value"], r["benchmark_label"]) == (23.0, "England 2018-19")
    assert pd.isna(row(table, "P26", "2020-03")["benchmark_value"])


def test_spc_columns_xmr(table):
    # §A6 b: mean 1.944444, limits -0.715556 .. 4.604444; 2020-05 (the 10) above the UPL.
    r = row(table, "P02", "2020-05")
    assert (r["spc_mean"], r["spc_lpl"], r["spc_upl"]) == pytest.approx((1.944444, -0.715556, 4.604444), abs=1e-5)
    assert r["spc_chart"] == "xmr" and not r["spc_trial"]  # 18 points ≥ 13
    # P02 is "down": a high outlier is a concern
    assert (r["point_type"], r["spc_rule"], r["variation"]) == ("special_cause_concern", "outside_limits", "concern_high")
    last = row(table, "P02", "2021-06")
    assert (last["point_type"], last["variation"], last["spc_rule"]) == ("common_cause", "common_cause", "")
    # target 22 > UPL 4.60 and lower is better -> the target is consistently met
    assert (table.loc[table["kpi_id"] == "P02", "assurance"] == "consistent_pass").all()


def test_target_and_neutral_polarity_have_no_assurance(table):
    p10 = table[table["kpi_id"] == "P10"]
    # 39, 45, 52: mean 45.33, MRs 6, 7 -> AMR 6.5 -> limits 45.33 ± 17.29: all common cause, 3 points = trial
    assert p10["spc_upl"].iloc[0] == pytest.approx(45.3333 + 2.66 * 6.5, abs=1e-3)
    assert (p10["variation"] == "common_cause").all() and p10["assurance"].isna().all() and p10["spc_trial"].all()
    assert table.loc[table["kpi_id"] == "P26", "assurance"].isna().all()


def test_missing_month_gives_no_previous_value(metrics_rows, params, registry):
    m = metrics_rows("P02", [10, 12, 14, 15])
    m = m.drop(index=1)  # 2020-02 missing
    out = assess(m, params, registry=registry)
    r = out[out["month"] == pd.Period("2020-03", "M")].iloc[0]
    assert np.isnan(r["previous_value"]) and pd.isna(r["direction"])
    assert out[out["month"] == pd.Period("2020-04", "M")].iloc[0]["direction"] == "worsened"  # 15 after 14, down


def test_nan_value_month(metrics_rows, params, registry):
    out = assess(metrics_rows("P02", [10, np.nan, 14]), params, registry=registry)
    r = out.iloc[1]
    assert pd.isna(r["rag"]) and pd.isna(r["point_type"]) and pd.isna(r["variation"])
    # the skipped month still carries its limits: values 10, 14 -> mean 12, AMR 4 -> 12 ± 10.64
    assert r["spc_upl"] == pytest.approx(22.64)
    assert pd.isna(out.iloc[2]["direction"])  # previous month had no value


def test_p_chart_by_params(metrics_rows, params, registry):
    # as tests/assess/test_spc.py::test_pchart_by_hand: x 1,3,2,4 of n 10,10,20,10 -> p̄ 20%,
    # UCL 57.9473% (n = 10) and 46.8328% (n = 20), LCL clipped to 0
    m = metrics_rows("P12", [10, 30, 10, 40], numerators=[1.0, 3, 2, 4], denominators=[10.0, 10, 20, 10])
    p = deep_merge(params, {"kpis": {"P12": {"spc": {"chart": "p"}}}})
    out = assess(m, p, registry=registry)
    assert out["spc_chart"].tolist() == ["p"] * 4
    assert out["spc_upl"].tolist() == pytest.approx([57.9473, 57.9473, 46.8328, 57.9473], abs=1e-4)
    assert out["spc_lpl"].tolist() == [0.0] * 4
    # P12 down, target 4: 4 < LPL 0? no; 4 > UPL? no -> inconsistent
    assert (out["assurance"] == "inconsistent").all()


def test_p_chart_needs_a_percentage(metrics_rows, params, registry):
    p = deep_merge(params, {"kpis": {"L01": {"spc": {"chart": "p"}}}})
    with pytest.raises(ValueError, match="L01: spc chart 'p' needs a percentage KPI"):
        assess(metrics_rows("L01", [18, 19], unit="ratio"), p, registry=registry)


def test_spc_months_limits_the_window(metrics_rows, params, registry):
    out = assess(metrics_rows("P02", DEVIATIONS), params, registry=registry, spc_months=5)
    assert out["spc_mean"].iloc[:13].isna().all() and out["point_type"].iloc[:13].isna().all()
    # last 5 values 2,1,2,1,2... DEVIATIONS[13:] = 1,2,1,2,1 -> mean 7/5 = 1.4, AMR 1 -> UPL 4.06
    assert out["spc_mean"].iloc[-1] == pytest.approx(1.4) and out["spc_upl"].iloc[-1] == pytest.approx(4.06)


def test_rebase_from_params(metrics_rows, params, registry):
    values = [1, 2] * 5 + [11, 12] * 5
    p = deep_merge(params, {"kpis": {"P02": {"spc": {"rebase": ["2020-11", "2030-01"]}}}})  # 2030 is outside: ignored
    out = assess(metrics_rows("P02", values), p, registry=registry)
    # segments 1.5 ± 2.66 and 11.5 ± 2.66 (as test_spc.py::test_rebase_by_date_and_position)
    assert out["spc_mean"].tolist() == [1.5] * 10 + [11.5] * 10
    assert (out["point_type"] == "common_cause").all()


def test_bad_metrics_tables(metrics_rows, params, registry):
    with pytest.raises(ValueError, match=r"\['Z99'\] are not in the KPI registry"):
        assess(metrics_rows("Z99", [1]), params, registry=registry)
    twice = pd.concat([metrics_rows("P02", [1]), metrics_rows("P02", [2])])
    with pytest.raises(ValueError, match="P02 2020-01 appears more than once"):
        assess(twice, params, registry=registry)
    with pytest.raises(ValueError, match="missing column"):
        assess(metrics_rows("P02", [1]).drop(columns="unit"), params, registry=registry)


# Hand-worked step change (as tests/assess/test_spc.py::test_rebase_at_a_step_change_removes_the_false_signals):
# P01 (higher is better, target 85 in defaults.yaml) at 60/62 for 2019-01..2019-09, then 90/92.
STEP = [60.0, 62.0] * 4 + [60.0] + [90.0, 92.0] * 7 + [90.0]


def test_default_baseline_is_the_plan_start(metrics_rows, params, registry):
    assert params["spc"]["rebase"] == ["2019-10"] and params["spc"]["min_segment_points"] == 12
    out = assess(metrics_rows("P01", STEP, start="2019-01"), params, registry=registry)
    assert out["spc_segment"].tolist() == [0] * 9 + [1] * 15
    assert out["spc_segment_start"].astype(str).tolist() == ["2019-01"] * 9 + ["2019-10"] * 15
    assert out["spc_mean"].iloc[0] == pytest.approx(548 / 9) and out["spc_mean"].iloc[-1] == pytest.approx(1364 / 15)
    assert (out["spc_lpl"].iloc[-1], out["spc_upl"].iloc[-1]) == pytest.approx((85.6133, 96.2533), abs=1e-4)
    assert out["spc_trial"].tolist() == [True] * 9 + [False] * 15  # min_segment_points 12 from params
    last = out.iloc[-1]
    assert (last["rag"], last["assurance"], last["variation"]) == ("Green", "consistent_pass", "common_cause")
    assert (out["point_type"] == "common_cause").all()


def test_a_council_removes_the_baseline(metrics_rows, params, registry):
    p = deep_merge(params, {"kpis": {"P01": {"spc": {"rebase": []}}}})
    out = assess(metrics_rows("P01", STEP, start="2019-01"), p, registry=registry)
    # one baseline over the step: limits 74.3467..84.9867, every month outside, target above UPL
    assert out["spc_segment"].tolist() == [0] * 24
    assert (out["spc_rule"] == "outside_limits").all()
    last = out.iloc[-1]
    assert (last["rag"], last["assurance"]) == ("Green", "consistent_fail")


# ------------------------------------------------------------------------------ availability (issue 10)

def test_only_ok_months_are_judged(metrics_rows, params, registry):
    # P02 (down, target 22 ± 3). 2020-02 holds 99 but is missing_source: it must count for nothing.
    m = metrics_rows("P02", [10, 99, 14, 15]).assign(availability=["ok", "missing_source", "ok", "ok"])
    out = assess(m, params, registry=registry)
    assert out["availability"].tolist() == ["ok", "missing_source", "ok", "ok"]
    gap = out.iloc[1]
    assert np.isnan(gap["value"]) and pd.isna(gap["rag"]) and pd.isna(gap["direction"])
    for col in ("spc_mean", "spc_lpl", "spc_upl", "point_type", "variation", "assurance", "spc_rule"):
        assert pd.isna(gap[col]), col
    # 2020-03 follows a month without a value: no direction; 2020-04 (15 after 14, down) worsened
    assert pd.isna(out.iloc[2]["direction"]) and out.iloc[3]["direction"] == "worsened"
    # limits from the ok months 10, 14, 15 alone: mean 13, moving ranges 4, 1 -> AMR 2.5,
    # UPL 13 + 2.66 × 2.5 = 19.65 (with 99 included the mean alone would be 34.5)
    assert out.iloc[0]["spc_mean"] == pytest.approx(13.0)
    assert out.iloc[3]["spc_upl"] == pytest.approx(19.65)
    assert (out.loc[[0, 2, 3], "rag"] == "Green").all()


def test_no_availability_column_means_all_ok(metrics_rows, params, registry):
    out = assess(metrics_rows("P02", [10, 12]), params, registry=registry)
    assert out["availability"].tolist() == ["ok", "ok"]


def test_unknown_availability_is_refused(metrics_rows, params, registry):
    m = metrics_rows("P02", [10, 12]).assign(availability=["ok", "maybe"])
    with pytest.raises(ValueError, match="row 1: availability 'maybe'"):
        assess(m, params, registry=registry)
