"""``region`` on 3 synthetic councils with a local cluster of 2 workers.

The reference for each council is what its own ``torbayreport metrics`` gives (the command run
for the council's folder and window), never the region code's output.
"""

import shutil

import pandas as pd
import pytest

from torbayreport.cli import main
from torbayreport.io import load
from torbayreport.metrics import compute
from torbayreport.metrics.windows import month_window

from .conftest import MONTH, START

KEY = ["la_code", "month", "kpi_id"]


def test_every_council_gives_exactly_its_own_metrics_command_output(good_run, region_root, tmp_path):
    plan, outcome, out, seen = good_run
    codes = [c.code for c in plan.discovery.councils]
    assert len(codes) == 3 and sorted(r.code for r in seen) == codes  # progress reported per council
    region_csv = pd.read_csv(out / "metrics.csv", dtype=str, keep_default_na=False)
    for code in codes:
        ref = tmp_path / f"{code}.csv"
        assert main(["metrics", "--data", str(region_root / code), "--from", START, "--to", MONTH,
                     "--out", str(ref)]) == 0
        expected = pd.read_csv(ref, dtype=str, keep_default_na=False)
        mine = region_csv[region_csv["la_code"] == code][list(expected.columns)].reset_index(drop=True)
        pd.testing.assert_frame_equal(mine, expected)


def test_parquet_holds_the_unrounded_figures(good_run, region_root):
    _, _, out, _ = good_run
    table = pd.read_parquet(out / "metrics.parquet")
    code = sorted(table["la_code"].unique())[0]
    expected = compute(load(region_root / code).tables, month_window(START, MONTH))
    mine = table[table["la_code"] == code].drop(columns=["la_code"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(mine, expected.assign(month=expected["month"].astype(str)), check_dtype=False)
    # metrics.compute's availability: a value only when ok; otherwise the reason it has none
    assert table.loc[table["value"].isna(), "availability"].isin(["no_events", "short_history", "missing_source"]).all()
    assert (table.loc[table["value"].notna(), "availability"] == "ok").all()
    assert (table.loc[table["value"].isna(), "availability"] != "ok").all()


def test_regional_table_compares_with_neighbours_and_england(good_run, region_root):
    plan, outcome, out, _ = good_run
    region = pd.read_parquet(out / "region.parquet")
    metrics = pd.read_parquet(out / "metrics.parquet")
    assert len(region) == len(metrics)
    sets = pd.read_csv(region_root / "neighbours.csv", dtype=str)
    # neighbours' mean worked directly from the metrics for one council, KPI and month
    code = sets["la_code"].iloc[0]
    theirs = metrics[metrics["la_code"].isin(sets.loc[sets["la_code"] == code, "neighbour_code"])
                     & (metrics["kpi_id"] == "P04") & (metrics["month"] == MONTH)]["value"]
    row = region[(region["la_code"] == code) & (region["kpi_id"] == "P04") & (region["month"] == MONTH)].iloc[0]
    assert row["neighbours_n"] == theirs.notna().sum()
    assert row["neighbours_value"] == pytest.approx(theirs.mean())
    # England P04: 85.7 for 2025 is the only published figure (assess/england_benchmarks.csv)
    assert row["england_value"] == 85.7 and row["england_label"] == "England 2025"
    assert set(region["la_name"]) == set(plan.names.values())
    councils = pd.read_csv(out / "councils.csv", dtype={"la_code": str})
    assert list(councils["status"]) == ["ok"] * 3


def _break(root, code):
    """Drop the required contact_date column from one council's contacts.csv."""
    path = root / code / "contacts.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.drop(columns=["contact_date"]).to_csv(path, index=False)


def test_broken_council_is_listed_and_the_others_are_unaffected(good_run, region_root, tmp_path, capsys):
    _, _, good_out, _ = good_run
    root = tmp_path / "root"
    shutil.copytree(region_root, root)
    codes = sorted(p.name for p in root.iterdir() if p.is_dir())
    broken = codes[1]
    _break(root, broken)
    out = tmp_path / "out"
    code = main(["region", "--data-root", str(root), "--month", MONTH, "--out", str(out), "--workers", "2"])
    assert code == 3  # written, with a council left out
    err = capsys.readouterr().err
    assert f"left out {broken}" in err and "contacts.csv" in err and "contact_date" in err
    councils = pd.read_csv(out / "councils.csv", dtype={"la_code": str}).set_index("la_code")
    assert councils.loc[broken, "status"] == "failed" and councils.loc[broken, "errors"] >= 1
    assert set(councils.loc[[c for c in codes if c != broken], "status"]) == {"ok"}
    findings = pd.read_csv(out / "findings.csv", dtype={"la_code": str})
    mine = findings[(findings["la_code"] == broken) & (findings["severity"] == "error")]
    assert (mine["file"].str.endswith("contacts.csv")).any() and (mine["message"].str.contains("contact_date")).any()
    good = pd.read_parquet(good_out / "metrics.parquet")
    now = pd.read_parquet(out / "metrics.parquet")
    assert broken not in set(now["la_code"])
    pd.testing.assert_frame_equal(now.reset_index(drop=True),
                                  good[good["la_code"] != broken].reset_index(drop=True))
