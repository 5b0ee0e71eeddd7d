"""England benchmarks file and the statistical-neighbour CSV loader."""

from __future__ import annotations

import pandas as pd
import pytest

from torbayreport.assess.benchmarks import benchmark_columns, latest, load_benchmarks


def test_shipped_england_figures_carry_the_published_values(registry):
    eng = load_benchmarks(known_ids=registry).set_index(["kpi_id", "period"])["value"]
    # values from indicators.md "Benchmarks" and annex_a_ecosystem.md §5.2
    expected = {
        ("P02", "2018-19"): 23.0, ("P12", "2019-20"): 3.6, ("P20", "2019"): 10.0, ("L01", "2019"): 16.9,
        ("W02", "2019"): 15.1, ("W01", "2019"): 15.9, ("W03", "2019"): 16.3, ("P09", "2023"): 78.5,
        ("P04", "2025"): 85.7, ("P21", "2024"): 68.0,
    }
    for key, value in expected.items():
        assert eng[key] == value, key
    # derived figures re-worked by hand: agency 5,800/(5,800+30,700) = 15.89%; vacancy 6,000/36,700 = 16.35%;
    # ICPC 2023 (6,850+51,480)/(6,850+51,480+7,100+8,920) = 58,330/74,350 = 78.45%
    assert round(5800 / 36500 * 100, 1) == eng[("W01", "2019")]
    assert round(6000 / 36700 * 100, 1) == eng[("W03", "2019")]
    assert round(58330 / 74350 * 100, 1) == eng[("P09", "2023")]
    assert load_benchmarks()["source"].str.len().min() > 20  # every figure says where it came from


def test_latest_period_wins_and_label():
    cols = benchmark_columns(years=[2026])
    # P09 has 2023 and 2025: for a 2026 report the 2025 figure (58,670/72,090 = 81.4%) is shown
    assert cols.loc[("P09", 2026), "benchmark_value"] == 81.4
    assert cols.loc[("P09", 2026), "benchmark_label"] == "England 2025"
    assert cols.loc[("P02", 2026), "benchmark_label"] == "England 2018-19"
    assert pd.isna(cols.loc[("P02", 2026), "sn_value"])


def test_benchmark_is_the_one_published_by_the_report_year():
    cols = benchmark_columns(years=[2018, 2019, 2020, 2024])
    # L01 has 2019 (16.9) and 2023 (16.0): 2019 and 2020 reports quote 2019; 2024 quotes 2023;
    # a 2018 report precedes both and falls back to the earliest figure (2019), labelled as such.
    assert cols.loc[("L01", 2019), "benchmark_label"] == "England 2019"
    assert cols.loc[("L01", 2020), "benchmark_value"] == 16.9
    assert cols.loc[("L01", 2024), "benchmark_value"] == 16.0
    assert cols.loc[("L01", 2018), "benchmark_label"] == "England 2019"
    # P09: 2023 and 2025; a 2024 report quotes 2023 (78.5%)
    assert cols.loc[("P09", 2024), "benchmark_value"] == 78.5


def test_neighbours_file_same_shape(tmp_path, registry):
    path = tmp_path / "sn.csv"
    path.write_text("kpi_id,value,period,source\nP02,21.5,2019-20,DfE LAIT SN average\nP02,20.0,2019,older\n")
    sn = load_benchmarks(path, known_ids=registry)
    cols = benchmark_columns(None, sn, years=[2020])
    assert cols.loc[("P02", 2020), "sn_value"] == 21.5  # 2019-20 sorts after 2019
    assert cols.loc[("P02", 2020), "sn_label"] == "Statistical neighbours 2019-20"
    assert latest(sn)["period"].tolist() == ["2019-20"]


@pytest.mark.parametrize(
    "text, message",
    [
        ("kpi_id,value,period\nP02,1,2019\n", r"missing column\(s\) \['source'\]"),
        ("kpi_id,value,period,source\nP02,abc,2019,x\n", r"sn.csv: row 2, column value: 'abc' is not a number"),
        ("kpi_id,value,period,source\nP02,1,2019,x\nP99,1,2019,x\n", r"row 3, column kpi_id: unknown KPI id 'P99'"),
        ("kpi_id,value,period,source\nP02,1,,x\n", r"row 2, column period: blank"),
        ("kpi_id,value,period,source\nP02,1,2019,x\nP02,2,2019,y\n", r"row 3: P02 2019 appears more than once"),
    ],
)
def test_bad_benchmark_file_names_file_row_and_column(tmp_path, registry, text, message):
    path = tmp_path / "sn.csv"
    path.write_text(text)
    with pytest.raises(ValueError, match=message):
        load_benchmarks(path, known_ids=registry)
