"""kpi_settings: one KPI's target, tolerance and effective SPC options from the merged params."""

from __future__ import annotations

from torbayreport.assess.params import kpi_settings, load_params


def test_global_spc_options_under_per_kpi(registry):
    params = load_params(overrides={"spc": {"screen_outliers": False, "chart": "xmr", "run_length": 8},
                                    "kpis": {"P02": {"spc": {"chart": "p"}}}}, registry=registry)
    default = dict(params["spc"])          # what params/defaults.yaml sets, with the override merged
    assert default["run_length"] == 8 and default["chart"] == "xmr"
    assert kpi_settings(params, "P02")["spc"] == {**default, "chart": "p"}
    assert kpi_settings(params, "P04")["spc"] == default
    assert kpi_settings(params, "P04")["target"] == 83            # params/defaults.yaml
    assert kpi_settings(params, "ZZZ") == {"target": None, "tolerance": None, "spc": default}


def test_overrides_file_then_mapping_in_order(tmp_path, registry):
    la = tmp_path / "la.yaml"
    la.write_text("la: {name: Plymouth}\nkpis:\n  P02: {target: 20}\n")
    params = load_params(overrides=[la, {"kpis": {"P02": {"tolerance": 1}}}], registry=registry)
    assert params["la"] == {"name": "Plymouth", "code": "880", "slug": "torbay"}
    assert kpi_settings(params, "P02") == {"target": 20, "tolerance": 1, "spc": params["spc"]}
