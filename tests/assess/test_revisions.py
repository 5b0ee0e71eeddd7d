"""assess.revisions: last month's published figure against the same month recomputed.

Known answers worked out by hand from the small tables below (margin 0.5 percentage points).
"""

import pandas as pd
import pytest

from torbayreport.assess.revisions import REVISION_COLUMNS, revisions


def table(rows):
    return pd.DataFrame(rows, columns=["kpi_id", "title", "month", "unit", "value", "value_suppressed"])


PUBLISHED = table([
    ("P13", "CP visits", "2020-11", "%", 80.0, False),
    ("P17", "CiC visits", "2020-11", "%", 90.0, False),
    ("L01", "Caseload", "2020-11", "children", 17.0, False),
    ("Q08", "Audit grade", "2020-11", "%", None, True),     # withheld when published
    ("P13", "CP visits", "2020-10", "%", 70.0, False),      # an older month: not compared
])
CURRENT = table([
    ("P13", "CP visits", "2020-11", "%", 85.0, False),      # +5.0 > 0.5: revised
    ("P17", "CiC visits", "2020-11", "%", 90.4, False),     # +0.4 <= 0.5: not revised
    ("L01", "Caseload", "2020-11", "children", 16.0, False),  # -1.0: revised (a fall counts too)
    ("Q08", "Audit grade", "2020-11", "%", 50.0, False),    # was withheld: never compared
    ("P13", "CP visits", "2020-10", "%", 99.0, False),
    ("P13", "CP visits", "2020-12", "%", 60.0, False),
])


def test_lists_measures_that_moved_by_more_than_the_margin_with_both_figures():
    out = revisions(PUBLISHED, CURRENT, "2020-11", margin=0.5)
    assert list(out.columns) == REVISION_COLUMNS
    assert list(out["kpi_id"]) == ["P13", "L01"]
    p13 = out.iloc[0]
    assert (p13["published_value"], p13["revised_value"], p13["change"]) == (80.0, 85.0, 5.0)
    assert out.iloc[1]["change"] == -1.0
    assert set(out["month"]) == {"2020-11"}


def test_a_change_equal_to_the_margin_is_not_a_revision():
    current = CURRENT.assign(value=CURRENT["value"].where(CURRENT["kpi_id"] != "P17", 90.5))
    assert "P17" not in set(revisions(PUBLISHED, current, "2020-11", margin=0.5)["kpi_id"])


def test_a_figure_suppressed_now_is_not_shown_as_revised():
    current = CURRENT.copy()
    current.loc[current["kpi_id"] == "P13", "value_suppressed"] = True
    assert "P13" not in set(revisions(PUBLISHED, current, "2020-11", margin=0.5)["kpi_id"])


def test_text_flags_and_values_as_read_back_from_a_csv_work():
    published = PUBLISHED.astype(str).replace({"None": ""})
    out = revisions(published, CURRENT, pd.Period("2020-11", "M"), margin=0.5)
    assert list(out["kpi_id"]) == ["P13", "L01"]


def test_nothing_moved_gives_an_empty_table_and_a_negative_margin_is_refused():
    assert revisions(PUBLISHED, PUBLISHED, "2020-11", margin=0).empty
    with pytest.raises(ValueError):
        revisions(PUBLISHED, CURRENT, "2020-11", margin=-1)
