"""load_params: the one loader (defaults.yaml, then the council's file, then the month's file)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from torbayreport.config import ParamsError, deep_merge, defaults_path, load_params, merge_sources, month_file

PROJECT = Path(__file__).resolve().parents[2]
DEFAULTS = PROJECT / "params" / "defaults.yaml"


def test_defaults_found_from_anywhere(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # not the project directory: found via the package's own project
    monkeypatch.delenv("TORBAYREPORT_PARAMS", raising=False)
    assert defaults_path() == DEFAULTS
    params = load_params()
    # values typed into params/defaults.yaml
    assert params.la.slug == "torbay" and params.disclosure.threshold == 5 and params.report.window_months == 36
    assert params.kpis["P02"].target == 22 and params.kpis["P02"].tolerance == 3
    assert params.files == [DEFAULTS]


def test_defaults_declare_a_target_for_every_kpi_in_the_catalogue():
    from torbayreport.metrics import REGISTRY

    ids = set(yaml.safe_load(DEFAULTS.read_text())["kpis"])
    assert ids == set(REGISTRY), f"only in defaults.yaml: {sorted(ids - set(REGISTRY))}; only in registry: {sorted(set(REGISTRY) - ids)}"


def test_a_councils_file_then_the_months_file_are_merged_over_the_defaults(tmp_path):
    council = tmp_path / "plymouth.yaml"
    council.write_text("la: {name: Plymouth, code: '879', slug: plymouth}\nkpis: {P04: {target: 85}}\n")
    (tmp_path / "2020-12.yaml").write_text("month: '2020-12'\nas_at: 2021-01-08\ncommentary: {P04: Better.}\n")
    params = load_params(council, "2020-12")
    assert params.files == [DEFAULTS, council, tmp_path / "2020-12.yaml"]
    assert params.la.name == "Plymouth"                     # the council's file wins ...
    assert (params.kpis["P04"].target, params.kpis["P04"].tolerance) == (85, 8)   # ... tolerance 8 from defaults
    assert params.kpis["L01"].target == 18                  # not mentioned: the default
    assert params.as_at == dt.date(2021, 1, 8) and params.commentary == {"P04": "Better."}
    assert load_params(council).as_at is None               # no month: no commentary file
    assert load_params(DEFAULTS) == load_params(None)       # defaults.yaml itself = nothing


def test_the_months_file_sits_beside_the_defaults_when_no_council_file_is_given():
    assert month_file(None, "2020-12") == PROJECT / "params" / "2020-12.yaml"
    assert month_file(None, "1999-01") is None
    assert str(load_params(None, "2020-12").as_at) == "2021-01-08"


def test_a_month_file_for_another_month_is_refused(tmp_path):
    council = tmp_path / "la.yaml"
    council.write_text("la: {name: X}\n")
    (tmp_path / "2020-11.yaml").write_text("month: '2020-10'\n")
    with pytest.raises(ParamsError, match=r"2020-11.yaml: month: says '2020-10' but is read for 2020-11"):
        load_params(council, "2020-11")


@pytest.mark.parametrize("text, message", [
    ("kpis:\n  P99: {target: 1}\n", r"la.yaml: kpis.P99: unknown KPI id 'P99'"),
    ("commentary:\n  P4: text\n", r"la.yaml: commentary.P4: unknown KPI id 'P4'"),
    ("kpis:\n  P02: {target: high}\n", r"la.yaml: kpis.P02.target: Value error, a number \(or null for no target\) \(got 'high'\)$"),
    ("kpis:\n  P02: {tolerance: -1}\n", r"la.yaml: kpis.P02.tolerance: Input should be greater than or equal to 0"),
    ("kpis:\n  P02: {goal: 1}\n", r"la.yaml: kpis.P02.goal: unknown key"),
    ("kpis:\n  P02: {spc: {chart: run}}\n", r"la.yaml: kpis.P02.spc.chart: Input should be 'xmr', 'p' or 'pprime'"),
    ("spc: {rebase: [April]}\n", r"la.yaml: spc.rebase: .*month 'April' is not YYYY-MM"),
    ("spc: {run_length: 1}\n", r"la.yaml: spc.run_length: Input should be greater than or equal to 2"),
    ("spc: {min_segment_points: 1}\n", r"la.yaml: spc.min_segment_points: Input should be greater than or equal to 2"),
    ("disclosure: {threshold: 0}\n", r"la.yaml: disclosure.threshold: Input should be greater than or equal to 1 \(got 0\)"),
    ("report: {window_months: 6}\n", r"la.yaml: report.window_months: Input should be greater than or equal to 13"),
    ("colour: blue\n", r"la.yaml: colour: unknown key"),
    ("extracts: {aliases: [Ref Date]}\n", r"la.yaml: extracts.aliases: Value error, a mapping of \{header"),
    ("extracts: {aliases: {Ref Date: Referral Date}}\n",
     r"la.yaml: extracts.aliases: Value error, header 'Ref Date': 'Referral Date' is not a canonical column name"),
    ("extracts: {aliases: {'': referral_date}}\n", r"la.yaml: extracts.aliases: Value error, header '' must be non-empty"),
    ("extracts: {alias: {}}\n", r"la.yaml: extracts.alias: unknown key"),
    ("as_at: soon\n", r"la.yaml: as_at: Input should be a valid date"),
    ("- just a list\n", r"la.yaml: expected a mapping"),
    ("kpis: [\n", r"la.yaml: not valid YAML"),
])
def test_a_wrong_key_or_type_names_the_file_the_key_path_and_what_was_expected(tmp_path, text, message):
    path = tmp_path / "la.yaml"
    path.write_text(text)
    with pytest.raises(ParamsError, match=message):
        load_params(path)


def test_a_missing_required_setting_is_blamed_on_the_defaults(tmp_path):
    defaults = tmp_path / "defaults.yaml"
    defaults.write_text("la: {name: X, code: '1', slug: x}\nreport: {title: T, trend_months: 24}\n"
                        "disclosure: {threshold: 5}\nkpis: {}\n")
    with pytest.raises(ParamsError, match=r"defaults.yaml: report.window_months: Field required"):
        merge_sources([defaults])


def test_spc_options_accepted_at_top_level_and_per_kpi(tmp_path):
    path = tmp_path / "la.yaml"
    path.write_text("spc: {rebase: ['2019-10'], run_length: 7, trend_length: 7, min_segment_points: 12, chart: xmr,\n"
                    "      fix_after_n_points: 20, screen_outliers: true, limit_constant: 2.66}\n"
                    "kpis: {P10: {spc: {chart: p, rebase: ['2020-04']}}}\n")
    data = load_params(path).as_dict()
    assert data["spc"]["rebase"] == ["2019-10"] and data["spc"]["min_segment_points"] == 12
    assert data["kpis"]["P10"]["spc"] == {"chart": "p", "rebase": ["2020-04"]}   # only what was set
    assert data["kpis"]["P10"]["target"] == 39


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(ParamsError, match="parameters file not found: .*nope.yaml"):
        load_params(tmp_path / "nope.yaml")


def test_deep_merge_mappings_recursive_other_values_replaced():
    base = {"la": {"name": "Torbay", "code": "880"}, "kpis": {"P02": {"target": 22, "tolerance": 3}}, "x": [1, 2]}
    over = {"la": {"name": "Plymouth"}, "kpis": {"P02": {"target": 20}}, "x": [3]}
    assert deep_merge(base, over) == {
        "la": {"name": "Plymouth", "code": "880"}, "kpis": {"P02": {"target": 20, "tolerance": 3}}, "x": [3],
    }
    assert base["la"]["name"] == "Torbay"  # inputs untouched


def test_extracts_aliases_and_as_at_are_read(tmp_path):
    path = tmp_path / "la.yaml"
    path.write_text("as_at: 2021-01-08\nextracts:\n  aliases: {'Ref Date': referral_date}\n")
    params = load_params(path)
    assert params.as_at == dt.date(2021, 1, 8)
    assert params.extracts.aliases == {"Ref Date": "referral_date"}
    assert load_params(DEFAULTS).extracts is None  # optional: nothing to set for the shipped aliases
