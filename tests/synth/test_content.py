"""Every table is there in canonical dtypes, ids look right, and each KPI's inputs are populated."""

import pandas as pd

from torbayreport.io import SCHEMA

WINDOW = pd.period_range("2018-01", "2020-12", freq="M")


def test_every_table_in_canonical_dtypes(torbay):
    assert list(torbay) == SCHEMA.table_names
    for table in SCHEMA:
        frame = torbay[table.name]
        assert list(frame.columns) == table.column_names
        assert {c: str(frame[c].dtype) for c in frame} == {c: str(d) for c, d in table.dtypes.items()}, table.name


def test_ids_and_sensitive_values_look_real(torbay):
    assert torbay["children"]["child_id"].str.fullmatch(r"C\d{6}").all()
    assert torbay["staff"]["worker_id"].str.fullmatch(r"W\d{4,}").all()
    r = torbay["referrals"]
    assert (r["referral_id"] == r["child_id"] + "-R" + r["referral_date"].dt.strftime("%Y%m%d")).all()
    assert torbay["staff"]["worker_name"].str.fullmatch(r"[A-Z][a-z]+ [A-Z][a-z]+").all()
    assert torbay["placements"]["postcode"].dropna().str.fullmatch(r"[A-Z]{1,2}\d{1,2} \d[A-Z]{2}").all()
    assert torbay["placements"]["postcode"].str.startswith("TQ").mean() > 0.4


def _months_with(frame, col):
    return frame[col].dropna().dt.to_period("M").isin(WINDOW).groupby(frame[col].dropna().dt.to_period("M")).size()


def test_kpi_inputs_present_in_most_months(torbay):
    t = torbay
    flows = [("contacts", "decision_date"), ("assessments", "child_seen_date"), ("assessments", "authorised_date"),
             ("s47", "child_seen_date"), ("s47", "completed_date"), ("s47", "icpc_date"), ("s47", "cp_medical_date"),
             ("cp_plans", "cp_start"), ("cp_plans", "cp_end"), ("cp_reviews", "review_date"), ("cla_reviews", "review_date"),
             ("health_assessments", "assessment_date"), ("cla_periods", "cla_start"), ("plo", "plo_end"),
             ("missing", "returned_at"), ("missing", "rhi_at"), ("lado", "considered_date"), ("complaints", "due_date"),
             ("audits", "audit_date"), ("audit_actions", "due_date"), ("training", "due_date"), ("drps", "raised_date"),
             ("supervision", "supervision_date"), ("oversight", "oversight_date"), ("visits", "visit_date"),
             ("homeless_16_17", "presented_date"), ("placements", "placement_start"), ("allocations", "alloc_start")]
    for table, col in flows:
        months = t[table][col].dropna().dt.to_period("M")
        covered = WINDOW.isin(months.unique()).sum()
        assert covered >= 0.8 * len(WINDOW), (table, col, covered)
    for table in ("care_leavers", "plan_actions", "establishment"):
        assert WINDOW.isin(t[table]["month"].unique()).all(), table
    s = t["s47"]
    assert s.loc[s["physical_abuse_disclosed"].astype(bool), "cp_medical_date"].notna().mean() > 0.4
    assert set(t["plo"]["complex"].dropna().unique()) == {True, False}
    assert t["staff"]["asye"].astype(bool).sum() >= 10
    assert t["staff"]["fte"].lt(1).any()
    assert set(t["visits"]["visit_type"].unique()) == {"CIN", "CP", "CLA"}
    assert t["visits"]["seen_alone"].astype(bool).mean() > 0.4
    assert t["audits"]["moderated_grade"].notna().sum() > 100
    assert t["audits"]["reaudit_of"].notna().sum() > 20
    cl = t["care_leavers"]
    assert cl["activity"].notna().mean() > 0.7 and cl["accommodation_suitable"].notna().mean() > 0.7
    refs = set(t["plan_actions"]["ref"])
    assert {"1.1.1", "2.4.2", "3.1.1", "4.1.3"} <= refs and len(refs) >= 30


def test_story_audits_over_optimistic_until_late_2019(torbay):
    a = torbay["audits"].dropna(subset=["moderated_grade"])
    order = {"Outstanding": 0, "Good": 1, "Requires improvement": 2, "Inadequate": 3}
    down = a["moderated_grade"].map(order) > a["grade"].map(order)
    month = a["scheduled_month"]
    before = down[month <= pd.Period("2019-09", "M")].mean()
    after = down[month >= pd.Period("2020-06", "M")].mean()
    assert before > 0.2 and after < before / 2, (before, after)
