"""load_params: finding defaults.yaml, deep-merging overrides, validating against the registry."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from torbayreport.assess.params import ParamsError, deep_merge, defaults_path, kpi_settings, load_params

PROJECT = Path(__file__).resolve().parents[2]


def test_defaults_found_from_anywhere(tmp_path, monkeypatch, registry):
    monkeypatch.chdir(tmp_path)  # not the project directory: found via the package's own project
    assert defaults_path() == PROJECT / "params" / "defaults.yaml"
    params = load_params(registry=registry)
    assert params["la"]["slug"] == "torbay"
    assert params["kpis"]["P02"] == {"target": 22, "tolerance": 3}


def test_defaults_match_the_real_catalogue():
    from torbayreport.metrics import REGISTRY

    if not REGISTRY:
        pytest.skip("the KPI catalogue is not registered yet")
    ids = set(yaml.safe_load((PROJECT / "params" / "defaults.yaml").read_text())["kpis"])
    assert ids == set(REGISTRY), f"only in defaults.yaml: {sorted(ids - set(REGISTRY))}; only in registry: {sorted(set(REGISTRY) - ids)}"
    assert load_params()["kpis"]["P02"]["target"] == 22  # validates against the real registry


def test_deep_merge_mappings_recursive_other_values_replaced():
    base = {"la": {"name": "Torbay", "code": "880"}, "kpis": {"P02": {"target": 22, "tolerance": 3}}, "x": [1, 2]}
    over = {"la": {"name": "Plymouth"}, "kpis": {"P02": {"target": 20}}, "x": [3]}
    merged = deep_merge(base, over)
    assert merged == {
        "la": {"name": "Plymouth", "code": "880"},
        "kpis": {"P02": {"target": 20, "tolerance": 3}},
        "x": [3],
    }
    assert base["la"]["name"] == "Torbay"  # inputs untouched


def test_overrides_file_then_dict_in_order(tmp_path, registry):
    la = tmp_path / "la.yaml"
    la.write_text("la: {name: Plymouth}\nkpis:\n  P02: {target: 20}\n  P10: {spc: {chart: xmr, rebase: [2020-04]}}\n")
    params = load_params(overrides=[la, {"kpis": {"P02": {"tolerance": 1}}}], registry=registry)
    assert params["la"] == {"name": "Plymouth", "code": "880", "slug": "torbay"}
    assert params["kpis"]["P02"] == {"target": 20, "tolerance": 1}
    assert kpi_settings(params, "P10")["spc"] == {"chart": "xmr", "rebase": ["2020-04"]}
    assert kpi_settings(params, "P10")["target"] == 39


def test_global_spc_options_under_per_kpi(registry):
    params = load_params(overrides={"spc": {"screen_outliers": False, "chart": "xmr"}, "kpis": {"P02": {"spc": {"chart": "p"}}}},
                         registry=registry)
    assert kpi_settings(params, "P02")["spc"] == {"screen_outliers": False, "chart": "p"}
    assert kpi_settings(params, "P04")["spc"] == {"screen_outliers": False, "chart": "xmr"}
    assert kpi_settings(params, "ZZZ") == {"target": None, "tolerance": None, "spc": {"screen_outliers": False, "chart": "xmr"}}


@pytest.mark.parametrize(
    "text, message",
    [
        ("kpis:\n  P99: {target: 1}\n", r"month.yaml: kpis: P99: unknown KPI id 'P99'"),
        ("kpis:\n  P02: {target: high}\n", r"kpis: P02: target must be a number or null"),
        ("kpis:\n  P02: {tolerance: -1}\n", r"tolerance must be a number ≥ 0"),
        ("kpis:\n  P02: {goal: 1}\n", r"unknown setting\(s\) \['goal'\]"),
        ("kpis:\n  P02: {spc: {chart: run}}\n", r"spc chart 'run' is not one of"),
        ("kpis:\n  P02: {spc: {rebase: [April]}}\n", r"rebase month 'April' is not YYYY-MM"),
        ("spc: {run_length: 1}\n", r"month.yaml: spc: spc run_length must be a whole number ≥ 2"),
        ("- just a list\n", r"expected a mapping"),
        ("kpis: [\n", r"not valid YAML"),
    ],
)
def test_bad_override_names_the_file(tmp_path, registry, text, message):
    path = tmp_path / "month.yaml"
    path.write_text(text)
    with pytest.raises(ParamsError, match=message):
        load_params(overrides=path, registry=registry)


def test_empty_override_file_is_fine(tmp_path, registry):
    path = tmp_path / "2020-03.yaml"
    path.write_text("# commentary to come\n")
    assert load_params(overrides=path, registry=registry) == load_params(registry=registry)


def test_missing_defaults_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_params(tmp_path / "nope.yaml", registry={})
    assert os.path.exists(PROJECT / "params" / "defaults.yaml")


def test_a_councils_params_file_is_merged_over_the_defaults(tmp_path):
    from torbayreport.assess.params import defaults_path, params_for

    council = tmp_path / "plymouth.yaml"
    council.write_text("la: {name: Plymouth, code: '879', slug: plymouth}\nkpis: {P04: {target: 85}}\n")
    merged = params_for(council)
    # what the council file says wins ...
    assert merged["la"] == {"name": "Plymouth", "code": "879", "slug": "plymouth"}
    assert merged["kpis"]["P04"] == {"target": 85, "tolerance": 8}   # tolerance 8 kept from defaults
    # ... and everything it does not mention comes from defaults.yaml (L01 target 18, threshold 5)
    assert merged["kpis"]["L01"]["target"] == 18
    assert merged["disclosure"]["threshold"] == 5
    # passing defaults.yaml itself, or nothing, gives the defaults
    assert params_for(defaults_path()) == params_for(None)
