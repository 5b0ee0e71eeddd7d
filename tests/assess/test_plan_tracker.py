"""Improvement-plan tracker: counts, overdue and RAG changes, worked by hand from a small fixture."""

from __future__ import annotations

import pandas as pd
import pytest

from torbayreport.assess.plan_tracker import overdue_actions, plan_tracker, rag_changes, rag_counts
from torbayreport.io.schema import tables_from


def action(month, ref, pillar, rag, status="In progress", due=None, evidence=None):
    return {"month": month, "ref": ref, "pillar": pillar, "action": f"Action {ref}", "lead": "DCS",
            "due_date": due, "status": status, "rag": rag, "evidence": evidence}


@pytest.fixture
def plan():
    rows = [
        # February
        action("2020-02", "1.1.1", "leadership", "Green", due="2020-06-30"),
        action("2020-02", "1.1.2", "leadership", "Amber", due="2020-02-15"),
        action("2020-02", "2.1.1", "practice", "Red", due="2020-03-31"),
        action("2020-02", "2.1.2", "practice", "Green", status="Complete", due="2020-01-31"),
        # March
        action("2020-03", "1.1.1", "leadership", "Red", due="2020-06-30", evidence="Board paper delayed"),
        action("2020-03", "1.1.2", "leadership", "Amber", due="2020-02-15"),
        action("2020-03", "2.1.1", "practice", "Green", due="2020-03-31", evidence="Audit shows progress"),
        action("2020-03", "2.1.2", "practice", "Green", status="Complete", due="2020-01-31"),
        action("2020-03", "3.1.1", "workforce", "Amber", status="Not started", due=None),
    ]
    return tables_from(plan_actions=rows)["plan_actions"]


def test_rag_counts_this_and_last_month(plan):
    counts = rag_counts(plan, "2020-03").set_index(["pillar", "rag"])
    assert len(counts) == 4 * 3  # every pillar × RAG, zeros included
    # leadership: March Red 1 (1.1.1), Amber 1 (1.1.2); February Green 1, Amber 1
    assert counts.loc[("leadership", "Red")].tolist() == [1, 0, 1]
    assert counts.loc[("leadership", "Green")].tolist() == [0, 1, -1]
    assert counts.loc[("leadership", "Amber")].tolist() == [1, 1, 0]
    # practice: March Green 2; February Green 1, Red 1
    assert counts.loc[("practice", "Green")].tolist() == [2, 1, 1]
    assert counts.loc[("practice", "Red")].tolist() == [0, 1, -1]
    assert counts.loc[("workforce", "Amber")].tolist() == [1, 0, 1]
    assert counts.loc[("quality", "Red")].tolist() == [0, 0, 0]


def test_overdue(plan):
    out = overdue_actions(plan, "2020-03")
    # 1.1.2 due 15 Feb, in progress -> overdue by 31 Mar − 15 Feb = 45 days (2020 is a leap year: 14 + 31).
    # 2.1.1 due 31 Mar (the month's last day), not complete -> overdue, 0 days.
    # 2.1.2 complete; 1.1.1 due June; 3.1.1 has no due date.
    assert out["ref"].tolist() == ["1.1.2", "2.1.1"]
    assert out["days_overdue"].tolist() == [45, 0]
    # in February 2.1.1 (due 31 Mar) was not yet overdue; 1.1.2 was by 29 − 15 = 14 days
    feb = overdue_actions(plan, "2020-02")
    assert feb["ref"].tolist() == ["1.1.2"] and feb["days_overdue"].tolist() == [14]


def test_rag_changes_worse_first_with_evidence(plan):
    out = rag_changes(plan, "2020-03")
    # 1.1.1 Green -> Red (slipped), 2.1.1 Red -> Green; 1.1.2 and 2.1.2 unchanged; 3.1.1 new (not a change)
    assert out[["ref", "rag_from", "rag_to"]].values.tolist() == [["1.1.1", "Green", "Red"], ["2.1.1", "Red", "Green"]]
    assert out["evidence"].tolist() == ["Board paper delayed", "Audit shows progress"]


def test_plan_tracker_bundle_and_empty_month(plan):
    summary = plan_tracker(plan, pd.Period("2020-03", "M"))
    assert len(summary.overdue) == 2 and len(summary.changes) == 2
    empty = plan_tracker(plan, "2019-01")
    assert empty.counts["this_month"].sum() == 0 and empty.overdue.empty and empty.changes.empty


def test_bad_inputs(plan):
    with pytest.raises(ValueError, match="not a month"):
        rag_counts(plan, "March")
    with pytest.raises(ValueError, match="missing column"):
        rag_counts(plan.drop(columns="rag"), "2020-03")
    bad = plan.astype({"rag": object})
    bad.loc[0, "rag"] = "Blue"
    with pytest.raises(ValueError, match="row 0, column rag: 'Blue'"):
        rag_counts(bad, "2020-03")
