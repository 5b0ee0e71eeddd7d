"""Reading the prepared metrics back: flags written as the words True/False come back as booleans.

Found by looking at the December 2020 report: ``spc_trial`` came back as the text "False", which is
truthy, so every segment's limits were drawn as trial limits and every reading called its normal
range "provisional".
"""

from __future__ import annotations

import pandas as pd

from torbayreport.report.frames import _read_metrics


def test_trial_and_suppressed_flags_are_booleans(tmp_path):
    path = tmp_path / "metrics.csv"
    pd.DataFrame({"month": ["2020-11", "2020-12"], "kpi_id": ["P13", "P13"], "value": ["95.9", ""],
                  "spc_trial": ["True", "False"], "value_suppressed": ["False", "True"]}).to_csv(path, index=False)
    frame = _read_metrics(path)
    assert frame["spc_trial"].tolist() == [True, False]
    assert frame["value_suppressed"].tolist() == [False, True]
    assert not bool(frame.loc[1, "spc_trial"])


def test_council_name_is_front_matter_council_else_la_name():
    """Issue 12: one declared council name for the cover and the title block (params/defaults.yaml
    says front_matter.council "Torbay Council" for la.name "Torbay")."""
    from torbayreport.report.frames import council_name

    la = {"name": "Torbay"}
    assert council_name({"la": la, "params": {"front_matter": {"council": "Torbay Council"}}}) == "Torbay Council"
    assert council_name({"la": la, "params": {"front_matter": {"council": None}}}) == "Torbay"
    assert council_name({"la": la, "params": {}}) == "Torbay"
