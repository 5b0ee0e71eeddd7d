"""``torbayreport kpis`` and ``torbayreport metrics``: arguments, output shape and the targets reader."""

from __future__ import annotations

import json
import types

import pandas as pd
import pytest

import torbayreport.io
from torbayreport.cli import main
from torbayreport.io.schema import tables_from
from torbayreport.metrics import REGISTRY
from torbayreport.config import ParamsError, defaults_path, load_params


def test_kpis_json_lists_every_kpi_with_exactly_the_documented_keys(capsys):
    assert main(["kpis", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["id"] for r in rows] == list(REGISTRY)
    assert all(set(r) == {"id", "pillar", "ref", "title", "polarity", "target"} for r in rows)
    by_id = {r["id"]: r for r in rows}
    # from params/defaults.yaml: L01 18, W02 15, Q03 null (context only)
    assert by_id["L01"]["target"] == 18 and by_id["W02"]["target"] == 15 and by_id["Q03"]["target"] is None
    assert by_id["L05"]["title"] == "Return home interviews within 72 hours"


def test_kpis_text_listing_and_explicit_params(tmp_path, capsys):
    params = tmp_path / "la.yaml"
    params.write_text("kpis:\n  L01: {target: 16, tolerance: 1}\n", encoding="utf-8")
    assert main(["kpis", "--params", str(params)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["id", "pillar", "ref", "title", "polarity", "target"]
    l01 = next(line for line in lines if line.startswith("L01"))
    assert l01.rstrip().endswith("16")
    assert load_params(params).kpis["L01"].model_dump() == {"target": 16, "tolerance": 1, "spc": None}


def test_params_search_from_a_subfolder_and_missing_file(tmp_path, monkeypatch):
    (tmp_path / "params").mkdir()
    (tmp_path / "params" / "defaults.yaml").write_text("kpis: {}\n", encoding="utf-8")
    (tmp_path / "deep" / "er").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "deep" / "er")
    monkeypatch.delenv("TORBAYREPORT_PARAMS", raising=False)
    assert defaults_path() == tmp_path / "params" / "defaults.yaml"
    with pytest.raises(ParamsError, match="nope.yaml"):
        defaults_path(tmp_path / "nope.yaml")


def test_metrics_writes_the_tidy_csv(tmp_path, monkeypatch, capsys):
    # A stand-in loader (the real one is tested in tests/io): three LADO referrals in April 2019,
    # two considered within 1 working day (same day; Thu 18 -> Tue 23 over Easter) and one not.
    tables = tables_from(lado=[
        {"lado_id": "A", "referral_date": "2019-04-01", "considered_date": "2019-04-01"},
        {"lado_id": "B", "referral_date": "2019-04-18", "considered_date": "2019-04-23"},
        {"lado_id": "C", "referral_date": "2019-04-18", "considered_date": "2019-04-24"},
    ])
    fake = types.SimpleNamespace(tables=tables, findings=[], ok=True, raise_for_errors=lambda: None, as_at=None)
    monkeypatch.setattr(torbayreport.io, "load", lambda path, **options: fake, raising=False)
    out = tmp_path / "m.csv"
    code = main(["metrics", "--data", str(tmp_path), "--from", "2019-03", "--to", "2019-04", "--out", str(out),
                 "--kpi", "L08", "Q01"])
    assert code == 0
    printed = capsys.readouterr().out
    assert "2 KPIs x 2 months" in printed
    # 4 rows: L08 March no_events, April ok; Q01 missing_source in both (worked out below)
    assert ("4 rows: 1 ok, 1 no_events (nothing to count), 2 missing_source (not in the extracts), "
            "0 short_history (history too short)") in printed
    assert "denominator 0" not in printed
    frame = pd.read_csv(out, dtype={"month": str})
    assert list(frame.columns) == ["month", "kpi_id", "numerator", "denominator", "value", "unit", "availability"]
    l08 = frame[frame["kpi_id"] == "L08"].set_index("month")
    assert l08.loc["2019-04", ["numerator", "denominator", "value", "availability"]].tolist() == [2, 3, 66.7, "ok"]
    assert pd.isna(l08.loc["2019-03", "value"])  # no referrals in March -> empty value, not 0
    assert l08.loc["2019-03", "availability"] == "no_events"
    q01 = frame[frame["kpi_id"] == "Q01"]  # no audit programme supplied at all
    assert q01["value"].isna().all() and (q01["availability"] == "missing_source").all()


def test_metrics_rejects_bad_months_and_unknown_kpis(tmp_path, capsys):
    with pytest.raises(SystemExit):
        main(["metrics", "--data", str(tmp_path), "--from", "2019-13", "--to", "2019-12"])
    assert main(["metrics", "--data", str(tmp_path), "--from", "2019-05", "--to", "2019-04"]) == 2
    assert main(["metrics", "--data", str(tmp_path), "--from", "2019-04", "--to", "2019-04", "--kpi", "ZZ9"]) == 2
    err = capsys.readouterr().err
    assert "not a month" in err and "after --to" in err and "ZZ9" in err


def test_kpis_listing_merges_a_partial_params_file_over_the_defaults(tmp_path, capsys):
    import json

    from torbayreport.cli import main

    council = tmp_path / "council.yaml"
    council.write_text("kpis: {P04: {target: 85}}\n")
    assert main(["kpis", "--json", "--params", str(council)]) == 0
    rows = {row["id"]: row for row in json.loads(capsys.readouterr().out)}
    assert rows["P04"]["target"] == 85      # from the council's file
    assert rows["L01"]["target"] == 18      # not mentioned there: the default


def _front_door(monkeypatch, tmp_path):
    """A stand-in extract whose reporting period is 2019-03..2019-04 (contacts and referrals)."""
    tables = tables_from(
        contacts=[{"contact_id": "C1", "child_id": "X", "contact_date": "2019-03-04"},
                  {"contact_id": "C2", "child_id": "X", "contact_date": "2019-04-30"}],
        referrals=[{"referral_id": "R1", "child_id": "X", "referral_date": "2019-03-05"},
                   {"referral_id": "R2", "child_id": "X", "referral_date": "2019-04-29"}],
    )
    fake = types.SimpleNamespace(tables=tables, findings=[], ok=True, raise_for_errors=lambda: None, as_at=None)
    monkeypatch.setattr(torbayreport.io, "load", lambda path, **options: fake, raising=False)


@pytest.mark.parametrize("start, end, message", [
    ("2019-05", "2019-06", "2019-05 is after the last month the extracts cover (2019-04)"),
    ("2019-02", "2019-04", "2019-02 is before the first month the extracts cover (2019-03)"),
])
def test_metrics_refuses_months_outside_the_extracts_period(tmp_path, monkeypatch, capsys, start, end, message):
    # the same rule and message as the build (metrics.period.check_month); nothing is written
    _front_door(monkeypatch, tmp_path)
    out = tmp_path / "m.csv"
    assert main(["metrics", "--data", str(tmp_path), "--from", start, "--to", end, "--out", str(out)]) == 1
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_metrics_accepts_the_whole_period(tmp_path, monkeypatch):
    _front_door(monkeypatch, tmp_path)
    out = tmp_path / "m.csv"
    assert main(["metrics", "--data", str(tmp_path), "--from", "2019-03", "--to", "2019-04", "--out", str(out),
                 "--kpi", "P01"]) == 0
    assert out.exists()


def test_metrics_passes_as_at_to_the_loader(tmp_path, monkeypatch, capsys):
    import datetime as dt

    seen = {}
    fake = types.SimpleNamespace(tables=tables_from(), findings=[], ok=True, raise_for_errors=lambda: None,
                                 as_at=pd.Timestamp("2021-01-08"), as_at_source="given")

    def load(path, **options):
        seen.update(options)
        return fake

    monkeypatch.setattr(torbayreport.io, "load", load, raising=False)
    monkeypatch.setattr("torbayreport.metrics.period.check_month", lambda month, tables: None)
    assert main(["metrics", "--data", str(tmp_path), "--from", "2020-12", "--to", "2020-12",
                 "--out", str(tmp_path / "m.csv"), "--kpi", "L08", "--as-at", "2021-01-08"]) == 0
    assert seen == {"as_at": dt.date(2021, 1, 8)}
    assert "as at 2021-01-08 (given)" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["metrics", "--data", str(tmp_path), "--from", "2020-12", "--to", "2020-12", "--as-at", "8/1/2021"])
    assert "'8/1/2021' is not a date written YYYY-MM-DD" in capsys.readouterr().err
