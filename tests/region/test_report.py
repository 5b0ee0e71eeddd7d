"""The regional report's content (scorecard, coverage, quartile chart), internal and public.

Uses the hand-made table of test_compare (Torbay 70.0% withheld in public, Devon 90.0%, Plymouth
80.0% on P04; L08 no events for Torbay, both others withheld in public).
"""

import pandas as pd
import pytest

from torbayreport.region.report import coverage_frame, headline_kpis, quartile_chart, scorecard_frame

from .test_compare import table  # noqa: F401  (the shared fixture)


def test_scorecard_cells(table):  # noqa: F811
    internal = scorecard_frame(table, "internal", kpi_ids=["P04", "L08"]).set_index("Council")
    # P04 target 83 tolerance 8 (params/defaults.yaml): 70.0 < 75 -> Red; 90 Green; 80 >= 75 -> Amber.
    # Quarters: Devon 1st of 3 -> ceil(4/3) = 2; Plymouth 2nd -> ceil(8/3) = 3; Torbay 3rd -> 4.
    assert internal.loc["Torbay (880)", "P04"] == "70.0% · Red · Q4"
    assert internal.loc["Devon (878)", "P04"] == "90.0% · Green · Q2"
    assert internal.loc["Plymouth (879)", "P04"] == "80.0% · Amber · Q3"
    assert internal.loc["Torbay (880)", "L08"] == "[z]"
    public = scorecard_frame(table, "public", kpi_ids=["P04", "L08"]).set_index("Council")
    assert public.loc["Torbay (880)", "P04"] == "[c]"
    assert public.loc["Devon (878)", "P04"] == "90.0% · Green · Q2"  # 1st of 2 -> ceil(4/2) = 2
    assert public.loc["Devon (878)", "L08"] == "[c]"
    assert "70.0" not in " ".join(public.to_numpy().ravel().astype(str))


def test_headline_kpis_are_those_with_an_england_figure(table):  # noqa: F811
    assert headline_kpis(table) == ["P04"]  # L08 has no England figure
    assert headline_kpis(table, {"region": {"headline": ["L08"]}}) == ["L08"]
    with pytest.raises(ValueError, match="P99"):
        headline_kpis(table, {"region": {"headline": ["P99"]}})


def test_coverage_lists_left_out_councils(table):  # noqa: F811
    councils = pd.DataFrame({"la_code": ["880", "878", "879", "881"], "la_name": ["Torbay", "Devon", "Plymouth", "Essex"],
                             "status": ["ok", "ok", "ok", "failed"], "reason": ["", "", "", "2 error(s) in the extracts"],
                             "errors": [0, 0, 0, 2], "warnings": [1, 0, 0, 0]})
    out = coverage_frame(table, councils).set_index("Council")
    assert out.loc["Torbay (880)", "KPIs with a value"] == "1 of 2"
    assert out.loc["Essex (881)", "Status"] == "left out: 2 error(s) in the extracts"
    assert out.loc["Essex (881)", "Months"] == "none"


def test_public_chart_plots_only_publishable_values(table):  # noqa: F811
    _, alt = quartile_chart(table, "P04", "internal")
    assert alt.endswith("3 councils shown, from 70.0% to 90.0%; regional median 80.0%, middle half 75.0% to 85.0%.")
    fig, alt = quartile_chart(table, "P04", "public")
    assert "2 councils shown (1 withheld)" in alt and "70.0" not in alt
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels == ["Plymouth (879)", "Devon (878)"]
