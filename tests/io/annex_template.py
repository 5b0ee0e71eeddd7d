"""A small Annex A workbook in Ofsted's official template layout, written by hand for the tests.

The layout and header spellings are copied from the public copies of Ofsted's template
("Annex A - Child level data, Lists 1 - 11", Guidance tab "Update: August 2019"; CSCDP/sfdata-annexa-clean
examples/annex_a/2016-02-sample.xlsx): guidance tabs first, then ``List_1`` ... ``List_11``, each with
a title row above the header row, and the template's own quirks - List 4's curly apostrophe and
missing "?", List 6 ``Case status``, List 8's trailing space in ``Date Ceased to be Looked After `` and
curly quotes round 'Missing'/'Absent', List 9 ``LA In Touch `` and no Month column. The UASC header
carries the doubled ``)`` seen in liiatools' sample. SSD headers are Data to Insight's short names
(data-to-insight/ssd-data-model, AnnexA_sqlserver SQL). The values are invented.

``EXPECTED_ROWS`` is what a loader must produce from this content, counted by hand from ``LISTS``.
"""

from __future__ import annotations

import datetime as dt

D = dt.datetime

COMMON = ["Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age of Child (Years)"]
SSD_COMMON = ["ChildUniqueID", "Gender", "Ethnicity", "DateOfBirth", "Age"]
KIDS = {
    "C1": ["C1", "a) Male", "a) WBRI", D(2012, 5, 1), 11],
    "C2": ["C2", "b) Female", "f) MWBC", D(2006, 11, 30), 17],
    "C3": ["C3", "c) Not stated/recorded", "t) NOBT", None, None],
    "C4": ["C4", "d) Neither", "m) AOTH", D(2015, 1, 1), 9],
    "C5": ["C5", "a) Male", "a) WBRI", D(2005, 2, 2), 19],
}

# (title, official headers after the common block, SSD headers after it, rows: child + values)
LISTS = {
    1: ("List 1: Contacts", ["Date of Contact", "Contact Source"], ["DateOfContact", "ContactSource"], [
        ("C1", [D(2024, 1, 2), "q) 6: Police"]),
        ("C2", [D(2024, 1, 5), "e) 2A: Schools"]),
        ("C1", [D(2024, 2, 10), "a) 1A: Individual"]),
    ]),
    2: ("List 2: Early Help", ["Assessment start date", "Assessment completion date", "Organisation completing assessment"],
        ["AssessmentStartDate", "AssessmentCompletionDate", "OrganisationCompletingAssessment"], [
        ("C3", [D(2023, 12, 1), D(2024, 2, 1), "School X"]),
    ]),
    3: ("List 3: Referral", ["Date of referral", "Referral Source", "Referral NFA?", "Number of Referrals in Last 12 Months",
                             "Allocated Team", "Allocated Worker"],
        ["ReferralDate", "ReferralSource", "ReferralNFA", "ReferralsLast12Months", "AllocatedTeam", "AllocatedWorker"], [
        ("C1", [D(2024, 1, 3), "q) 6: Police", "b) No", 0, "Team A", "Worker 1"]),
        ("C4", [D(2024, 2, 1), "a) 1A: Individual", "a) Yes", 2, "Team A", "Worker 2"]),
    ]),
    4: ("List 4: Assessments", ["Does the Child have a Disability", "Continuous Assessment Start Date",
                                "Child Seen During Continuous Assessment", "Continuous Assessment Date of Authorisation",
                                "Was the child assessed as requiring LA children\u2019s social care support",
                                "Allocated Team", "Allocated Worker"],
        ["HasDisability", "ContinuousAssessmentStart", "ContinuousAssessmentChildSeen", "ContinuousAssessmentAuthDate",
         "CSCSupportRequired", "AllocatedTeam", "AllocatedWorker"], [
        ("C1", ["b) No", D(2024, 1, 4), "a) Yes", D(2024, 2, 10), "a) Yes", "Team A", "Worker 1"]),
    ]),
    5: ("List 5: Section 47 enquiries and Initial Child Protection Conferences",
        ["Does the Child have a Disability", "Strategy discussion initiating Section 47 Enquiry Start Date",
         "Was an Initial Child Protection Conference deemed unnecessary?", "Date of Initial Child Protection Conference",
         "Did the Initial Child Protection Conference Result in a Child Protection Plan",
         "Number of Section 47 Enquiries in the last 12 months", "Number of ICPCs in the last 12 months",
         "Allocated Team", "Allocated Worker"],
        ["HasDisability", "StratDiscussionDate", "InitialCPConfUnnecessary", "InitialCPConfDate", "CPConfResultInCPPlan",
         "NumberS47s12m", "NumberICPCs12m", "AllocatedTeam", "AllocatedWorker"], [
        ("C1", ["b) No", D(2024, 1, 10), "b) No", D(2024, 1, 30), "a) Yes", 1, 0, "Team A", "Worker 1"]),
    ]),
    6: ("List 6: Children in Need", ["Does the Child have a Disability", "CIN Start Date", "Primary Need Code",
                                     "Date Child Was Last Seen", "CIN Closure Date", "Reason for Closure", "Case status",
                                     "Allocated Team", "Allocated Worker"],
        ["HasDisability", "CINStartDate", "PrimaryNeedCode", "DateChildLastSeen", "CINClosureDate", "ReasonForClosure",
         "CaseStatus", "AllocatedTeam", "AllocatedWorker"], [
        ("C1", ["b) No", D(2024, 1, 3), "N1 - Abuse or neglect", D(2024, 1, 20), None, None, "b) Child Protection plan",
                "Team A", "Worker 1"]),
        ("C3", [None, D(2023, 6, 1), "N5 - Family dysfunction", None, D(2023, 11, 30),
                "RC8 - Case closed after assessment, no further action", "e) Closed episode", "Team B", "Worker 3"]),
    ]),
    7: ("List 7: Child protection", ["Does the Child have a Disability", "Child Protection Plan Start Date",
                                     "Initial Category of Abuse", "Latest Category of Abuse",
                                     "Date of the Last Statutory Visit", "Was the Child Seen Alone?",
                                     "Date of latest review conference", "Child Protection Plan End Date",
                                     "Subject to Emergency Protection Order or Protected Under Police Powers in Last Six "
                                     "Months (Y/N)", "Number of Previous Child Protection Plans",
                                     "Allocated Team", "Allocated Worker"],
        ["HasDisability", "ChildProtectionPlanStartDate", "InitialCategoryOfAbuse", "LatestCategoryOfAbuse",
         "DateOfLastStatutoryVisit", "ChildSeenAlone", "DateOfLatestReviewConf", "ChildProtectionPlanEndDate",
         "ProtectionLastSixMonths", "NumberOfPreviousChildProtectionPlans", "AllocatedTeam", "AllocatedWorker"], [
        ("C1", ["b) No", D(2024, 1, 30), "a) Neglect", "e) Multiple/not recommended", D(2024, 2, 15), "b) No",
                D(2024, 4, 30), None, "b) No", 1, "Team A", "Worker 1"]),
    ]),
    8: ("List 8: Children in care", [
        "Unaccompanied Asylum Seeking Child (UASC) within the Last 12 Months (Y/N))", "Does the Child have a Disability",
        "Date Started to be Looked After", "Child's Category of Need",
        "Is this a second or subsequent period of being a Looked After Child within the last 12 months (Y/N)",
        "Start date of current legal status", "Child's Legal Status", "Date of Latest Statutory Review",
        "Date of Last Social Work Visit", "What is the permanence plan for this child?",
        "Date of Last IRO Visit / Contact to the Child", "Date of Last Health Assessment", "Date of Last Dental Check",
        "Number of Placements in the Last 12 months", "Date Ceased to be Looked After ", "Reason Ceased to be Looked After",
        "Start Date of Most Recent Placement", "Placement Type", "Placement Provider", "Placement postcode",
        "URN of Placement", "Placement Location", "LA of Placement",
        "Number of Episodes the Child has been \u2018Missing\u2019 from their Placement in the last 12 months",
        "Number of Episodes the Child has been \u2018Absent\u2019 from their Placement in the last 12 months",
        "Was the child offered a Return Interview after their last missing episode (Y/N)?",
        "Did the child accept a Return Interview after their last missing episode (Y/N)?",
        "Allocated Team", "Allocated Worker"],
        ["UASC", "HasDisability", "LoookedAfterStartDate", "ChildCategoryOfNeed", "SubsequentLACEpisodeLast12Months",
         "MostRecentLegalStatusStart", "LegalStatus", "LatestStatutoryReviewDate", "LastSocialWorkVisitDate",
         "PermanencePlan", "LastIROVisitDate", "LastHealthAssessmentDate", "LastDentalCheckDate", "PlacementsLast12Months",
         "CeasedLookedAfterDate", "ReasonCeasedLookedAfter", "MostRecentPlacementStartDate", "PlacementType",
         "PlacementProvider", "PlacementPostcode", "PlacementURN", "PlacementLocation", "PlacementLA",
         "EpisodesChildMissingFromPlacement", "EpisodesChildAbsentFromPlacement",
         "ChildOfferedReturnInterviewAfterLastMFH", "ChildAcceptedReturnInterviewAfterLastMFH",
         "AllocatedTeam", "AllocatedWorker"], [
        ("C2", ["b) No", "a) Yes", D(2023, 3, 1), "N1 - Abuse or neglect", "b) No", D(2023, 3, 1),
                "C2: Full care order", D(2023, 9, 20), D(2023, 10, 1), "f) Long-term fostering", D(2023, 9, 1),
                D(2023, 3, 25), None, 2, D(2024, 3, 15), "g) E13", D(2023, 9, 1),
                "p) K2: Children's homes", "e) PR4: Private provision", "TQ2 2BB", "SC123456", "a) In", "E06000027",
                0, 0, None, None, "Team C", "Worker 4"]),
    ]),
    9: ("List 9: Care leavers", ["Does the Child have a Disability", "Allocated Team", "Allocated Worker",
                                 "Eligibility Category", "LA In Touch ", "Type of Accommodation",
                                 "Suitability of Accommodation", "Activity Status"],
        ["HasDisability", "AllocatedTeam", "AllocatedWorker", "EligibilityCategory", "LAInTouch", "TypeOfAccommodation",
         "SuitabilityOfAccommodation", "ActivityStatus"], [
        ("C2", ["a) Yes", "Leaving care", "PA 1", "a) Relevant child", "a) Yes", "E: Supported lodgings", "a) Suitable",
                "F2: Full time in other education"]),
        ("C5", ["b) No", "Leaving care", "PA 2", "b) Former relevant child", "d) Refu", None, "b) Unsuitable",
                "G5: Not in education, training or employment owing to other reasons"]),
    ]),
}
ADOPTION = ["Child Unique ID", "Family identifier", "Gender", "Ethnicity", "Date of Birth", "Age of Child (Years)",
            "Does the Child have a Disability", "Date the Child Entered Care",
            "Date of Decision that Child Should be Placed for Adoption", "Date of Placement Order",
            "Date of Matching Child and Prospective Adopters", "Date Placed for Adoption", "Date of Adoption Order ",
            "Date of Decision that Child Should No Longer be Placed for Adoption",
            "Reason Why Child No Longer Placed for Adoption",
            "Date the child was placed for fostering in FFA or concurrent planning placement"]
ADOPTERS = ["Individual adopter identifier", "Family identifier", "Gender", "Ethnicity", "Disability",
            "Is the (prospective) adopter fostering for adoption?", "Date enquiry received", "Date Stage 1 started",
            "Date Stage 1 ended", "Date Stage 2 started", "Date Stage 2 ended", "Date application submitted",
            "Date application approved", "Date adopter matched with child(ren)",
            "Date child/children placed with adopter(s)", "No. of children placed", "Date of Adoption Order",
            "Date of leaving adoption process", "Reason for leaving adoption process"]
TOPIC_NAMES = {1: "Contacts", 2: "Early Help", 3: "Referrals", 4: "Assessments", 5: "Sec47 and ICPC",
               6: "Children in Need", 7: "Child Protection", 8: "Children in Care", 9: "Care Leavers",
               10: "Adoption", 11: "Adopters"}

# Counted by hand from LISTS: visits = C1 CIN 2024-01-20 (List 6), C1 CP 2024-02-15 (List 7), C2 CLA 2023-10-01 (List 8).
EXPECTED_ROWS = {"children": 5, "contacts": 3, "early_help": 1, "referrals": 2, "assessments": 1, "s47": 1,
                 "cin_episodes": 2, "cp_plans": 1, "cp_reviews": 1, "cla_periods": 1, "placements": 1,
                 "cla_reviews": 1, "health_assessments": 1, "visits": 3, "care_leavers": 2}
LATEST_EVENT = dt.date(2024, 4, 30)  # List 7's review conference: the latest non-birth date above


def sheets(ssd: bool = False, front_date: dt.datetime | None = None) -> dict[str, list[list]]:
    """Sheet name -> rows. Official layout (guidance tabs, List_N, title rows) or SSD (topic names, no title)."""
    out: dict[str, list[list]] = {}
    if not ssd:
        front = [["Annex A - Child level data"], ["Lists 1 - 11"], [],
                 ["What point of time are the lists ?"], ["The lists should be as up to date as possible."]]
        if front_date is not None:
            front += [[], ["Date lists produced", front_date]]
        out["Front_Sheet"] = front
        out["FAQ_and_changes"] = [["List", "Date", "Question", "Response"],
                                  ["List - all", D(2019, 8, 1), "Should the codes include 'a)'?", "Yes, ideally."]]
        out["Guidance"] = [["Update: August 2019"], ["List Number/Title", "Field Heading", "Detailed Guidance"],
                           ["List 1: Contacts", "Child Unique ID", "Unique Identity number for each child."]]
        out["Codes_used"] = [["Gender", "Ethnicity"], ["Preferred code", "Preferred code"], ["a) Male", "a) WBRI"]]
    for number, (title, official, short, rows) in LISTS.items():
        header = (SSD_COMMON + short) if ssd else (COMMON + official)
        body = [KIDS[child] + values for child, values in rows]
        name = TOPIC_NAMES[number] if ssd else f"List_{number}"
        out[name] = ([header] if ssd else [[title], header]) + body
    out[TOPIC_NAMES[10] if ssd else "List_10"] = ([] if ssd else [["List 10: Adoption"]]) + [ADOPTION]
    out[TOPIC_NAMES[11] if ssd else "List_11"] = ([] if ssd else [["List 11: Adopters"]]) + [ADOPTERS]
    return out


def write_xlsx(path, book: dict[str, list[list]]) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in book.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, dt.datetime):
                    cell.number_format = "dd/mm/yyyy"
    wb.save(path)


def write_xls(path, book: dict[str, list[list]]) -> None:
    import xlwt

    wb = xlwt.Workbook()
    date_style = xlwt.easyxf(num_format_str="dd/mm/yyyy")
    for name, rows in book.items():
        ws = wb.add_sheet(name)
        for i, row in enumerate(rows):
            for j, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, dt.datetime):
                    ws.write(i, j, value, date_style)
                else:
                    ws.write(i, j, value)
    wb.save(str(path))


def write_ods(path, book: dict[str, list[list]]) -> None:
    import pandas as pd

    with pd.ExcelWriter(path, engine="odf") as writer:
        for name, rows in book.items():
            width = max((len(r) for r in rows), default=1)
            frame = pd.DataFrame([list(r) + [None] * (width - len(r)) for r in rows])
            frame.to_excel(writer, sheet_name=name, header=False, index=False)
