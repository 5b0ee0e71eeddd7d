"""Hand-built canonical tables for the io tests (no committed binary fixtures)."""

from __future__ import annotations

import shutil

import pytest

from torbayreport.io import write_annex_a
from torbayreport.io.schema import tables_from


def sample_tables():
    """A small, consistent set: three children touching every Annex A list, plus non-Annex tables."""
    return tables_from(
        children=[
            dict(child_id="C1", gender="Male", ethnicity="WBRI", date_of_birth="2012-05-01", disability=False),
            dict(child_id="C2", gender="Female", ethnicity="MWBC", date_of_birth="2009-11-30", disability=True),
            dict(child_id="C3", gender="Not stated", ethnicity="NOBT", date_of_birth=None, disability=None),
            # only in lists 1-3, so its disability must travel in children.csv
            dict(child_id="C4", gender="Neither", ethnicity="AOTH", date_of_birth="2015-01-01", disability=True),
            # in no list at all
            dict(child_id="C5", gender="Male", ethnicity="WBRI", date_of_birth="2010-02-02", disability=False),
        ],
        contacts=[
            dict(child_id="C1", contact_date="2024-01-02", contact_source="6", decision_date="2024-01-03",
                 contact_outcome="Referral"),
            dict(child_id="C2", contact_date="2024-01-05", contact_source="2A"),
            dict(child_id="C4", contact_date="2024-02-01", contact_source="1A", contact_outcome="No further action"),
        ],
        early_help=[dict(child_id="C3", eh_start="2023-12-01", eh_end="2024-02-01", organisation="School X",
                         eh_outcome="Needs met")],
        referrals=[
            dict(referral_id="C1-R20240103", child_id="C1", referral_date="2024-01-03", referral_source="6",
                 referral_nfa=False),
            dict(referral_id="C4-R20240201", child_id="C4", referral_date="2024-02-01", referral_source="1A",
                 referral_nfa=True),
        ],
        assessments=[dict(child_id="C1", referral_id="C1-R20240103", assessment_start="2024-01-04",
                          child_seen_date="2024-01-06", authorised_date="2024-02-10", needs_support=True)],
        s47=[dict(child_id="C1", strategy_date="2024-01-10", child_seen_date="2024-01-11", completed_date="2024-01-20",
                  icpc_not_required=False, icpc_date="2024-01-30", icpc_led_to_plan=True,
                  physical_abuse_disclosed=True, cp_medical_date="2024-01-12")],
        cin_episodes=[
            dict(child_id="C1", cin_start="2024-01-03", cin_end=None, primary_need="N1"),
            dict(child_id="C3", cin_start="2023-06-01", cin_end="2023-11-30", primary_need="N5", closure_reason="RC8"),
        ],
        cp_plans=[dict(child_id="C1", cp_start="2024-01-30", cp_end=None, initial_category="Neglect",
                       latest_category="Multiple")],
        cp_reviews=[dict(child_id="C1", cp_start="2024-01-30", review_date="2024-04-30"),
                    dict(child_id="C1", cp_start="2024-01-30", review_date="2024-07-30")],
        cla_periods=[dict(child_id="C2", cla_start="2023-03-01", cla_end="2024-03-15", legal_status="C2",
                          reason_ceased="E13")],
        placements=[
            dict(child_id="C2", placement_start="2023-03-01", placement_end="2023-09-01", placement_type="U4",
                 provider="PR1", postcode="TQ1 1AA"),
            dict(child_id="C2", placement_start="2023-09-01", placement_end="2024-03-15", placement_type="K2",
                 provider="PR4", postcode="TQ2 2BB"),
        ],
        cla_reviews=[dict(child_id="C2", review_date="2023-03-20"), dict(child_id="C2", review_date="2023-09-20")],
        health_assessments=[dict(child_id="C2", assessment_date="2023-03-25")],
        visits=[
            dict(child_id="C1", visit_date="2024-02-05", visit_type="CP", seen_alone=True),
            dict(child_id="C1", visit_date="2024-02-15", visit_type="CP", seen_alone=False),
            dict(child_id="C1", visit_date="2024-01-20", visit_type="CIN", seen_alone=None),
            dict(child_id="C2", visit_date="2023-10-01", visit_type="CLA", seen_alone=True),
        ],
        missing=[dict(child_id="C2", missing_start="2023-05-01 22:15", returned_at="2023-05-02 08:00",
                      rhi_offered=True, rhi_at="2023-05-03 10:30")],
        care_leavers=[
            dict(child_id="C2", month="2024-04", eligibility="Relevant", in_touch="Yes", accommodation_suitable=True,
                 activity="F2"),
            dict(child_id="C2", month="2024-05", eligibility="Relevant", in_touch="Refused",
                 accommodation_suitable=False, activity="G5"),
        ],
        allocations=[dict(child_id="C1", worker_id="W1", alloc_start="2024-01-03")],
        staff=[dict(worker_id="W1", worker_name="A Smith", role="Social worker", team="Safeguarding 1",
                    employment="Agency", fte=0.8, start_date="2022-09-01", case_holding=True, asye=False)],
        establishment=[dict(month="2024-01", team="Safeguarding 1", budgeted_sw_fte=7.5)],
        audits=[dict(audit_id="A1", child_id="C1", auditor_id="W9", scheduled_month="2024-02",
                     audit_date="2024-02-12", grade="Requires improvement")],
    )


@pytest.fixture
def tables():
    return sample_tables()


@pytest.fixture(scope="session")
def annex_a_written(tmp_path_factory):
    """``write_annex_a(sample_tables())`` once per session: the paths it returned (the workbook and
    the supplement CSVs, all in one folder). Why: writing the workbook is about a third of each
    Annex A test's time, and the writer is deterministic (test_annex_a.test_byte_deterministic).
    Tests read it through ``annex_a_folder``, never in place."""
    return write_annex_a(sample_tables(), tmp_path_factory.mktemp("annex-a"))


@pytest.fixture
def annex_a_folder(annex_a_written, tmp_path):
    """The test's own copy of ``annex_a_written`` in its ``tmp_path`` (free to edit or delete from)."""
    shutil.copytree(annex_a_written[0].parent, tmp_path, dirs_exist_ok=True)
    return tmp_path
