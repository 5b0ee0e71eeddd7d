""""How we compare" rows, internal and public, from a hand-made regional table.

Three councils, KPI P04 (assessments within 45 working days, polarity up, percent), December 2020:
880 Torbay 7/10 = 70.0% (its public report withholds it: flag given by hand), 878 Devon
45/50 = 90.0%, 879 Plymouth 40/50 = 80.0%. Torbay's neighbours are Devon and Plymouth.
Worked by hand (definitions in region.stats): all three values sorted 70, 80, 90 -> median 80,
q1 70 + 0.5 x 10 = 75, q3 80 + 0.5 x 10 = 85; Torbay ranks 3rd of 3 -> quartile ceil(4 x 3 / 3)
= 4. Neighbours' mean (90 + 80) / 2 = 85. Public: only 80 and 90 may be seen -> median 85,
q1 80 + 0.25 x 10 = 82.5, q3 87.5; Devon ranks 1st of 2 -> quartile ceil(4 x 1 / 2) = 2.
England P04: the only published figure is 85.7% for 2025 (assess/england_benchmarks.csv), used
for 2020 as the earliest figure.
"""

import pandas as pd
import pytest

from torbayreport.assess.params import load_params
from torbayreport.region.compare import how_we_compare, reader_headings
from torbayreport.region.table import regional_table


@pytest.fixture(scope="module")
def table():
    month = pd.Period("2020-12", "M")
    metrics = pd.DataFrame({
        "la_code": ["880", "878", "879", "880", "878", "879"],
        "month": [month] * 6,
        "kpi_id": ["P04"] * 3 + ["L08"] * 3,
        "numerator": [7.0, 45.0, 40.0, 0.0, 3.0, 4.0],
        "denominator": [10.0, 50.0, 50.0, 0.0, 3.0, 4.0],
        "value": [70.0, 90.0, 80.0, float("nan"), 100.0, 100.0],
        "unit": "percent",
        "availability": ["ok", "ok", "ok", "no_events", "ok", "ok"],
    })
    public = metrics[["la_code", "month", "kpi_id"]].assign(public_suppressed=[True, False, False, False, True, True])
    params = load_params()
    neighbours = pd.DataFrame({"la_code": ["880", "880"], "neighbour_code": ["878", "879"], "rank": [1, 2]})
    return regional_table(metrics, region_params=params, params_by_la={c: params for c in ("880", "878", "879")},
                          names={"880": "Torbay", "878": "Devon", "879": "Plymouth"}, neighbours=neighbours,
                          public=public)


def _row(frame, kpi):
    return frame.set_index("kpi_id").loc[kpi].to_dict()


def test_internal_rows(table):
    row = _row(how_we_compare(table, "880", "internal"), "P04")
    assert row["ours"] == "70.0%" and row["neighbours"] == "85.0%"
    assert row["region_median"] == "80.0%" and row["region_middle_half"] == "75.0% to 85.0%"
    assert row["rank"] == "3rd of 3" and row["quartile"] == "bottom quarter"
    assert row["england"] == "85.7% (England 2025)" and row["note"] == ""
    shown = reader_headings(how_we_compare(table, "880", "internal"))
    assert list(shown.columns[:3]) == ["KPI", "Measure", "Torbay"] and "polarity" not in shown.columns


def test_public_rows_withhold_and_use_only_publishable_values(table):
    frame = how_we_compare(table, "880", "public")
    row = _row(frame, "P04")
    assert row["ours"] == "[c]" and row["rank"] == "" and row["quartile"] == ""
    assert row["region_median"] == "85.0%" and row["region_middle_half"] == "82.5% to 87.5%"
    assert row["neighbours"] == "85.0%"
    text = " ".join(frame.to_numpy().ravel().astype(str))
    assert "70.0" not in text  # the withheld figure appears nowhere
    assert "Devon" not in text and "Plymouth" not in text  # no other council is named
    devon = _row(how_we_compare(table, "878", "public"), "P04")
    assert devon["ours"] == "90.0%" and devon["rank"] == "1st of 2" and devon["quartile"] == "second quarter"
    assert devon["neighbours"] == "[x]"  # Devon has no neighbour set here


def test_no_value_says_why_and_is_never_zero(table):
    row = _row(how_we_compare(table, "880", "internal"), "L08")
    assert row["ours"] == "[z]" and row["note"] == "no events this month" and row["rank"] == ""
    # L08's other two values (3/3, 4/4) are withheld in public: no public comparison at all
    public = _row(how_we_compare(table, "880", "public"), "L08")
    assert public["region_median"] == "[x]" and public["neighbours"] == "[x]"


def test_unknown_council_or_audience_is_a_clear_error(table):
    with pytest.raises(ValueError, match="no council 999"):
        how_we_compare(table, "999", "internal")
    with pytest.raises(ValueError, match="audience"):
        how_we_compare(table, "880", "members")
    earlier = table.assign(month="2020-11", public_suppressed=pd.NA)
    with pytest.raises(ValueError, match="public figures only for its report month"):
        how_we_compare(earlier, "880", "public")
