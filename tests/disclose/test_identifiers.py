"""sensitive_values and the identifier leak guard."""

import pytest

from torbayreport.disclose import DisclosureError, IdentifierIndex, assert_no_identifiers, sensitive_values
from torbayreport.io.schema import tables_from


def tables():
    return tables_from(
        children=[
            {"child_id": "C000123", "gender": "Male", "ethnicity": "WBRI", "date_of_birth": "2012-03-03"},
            {"child_id": "C12", "gender": "Female", "ethnicity": "WBRI", "date_of_birth": None},
        ],
        staff=[{"worker_id": "W0042", "worker_name": "Jane Smith", "role": "SW", "team": "Safeguarding 1",
                  "employment": "Permanent", "fte": 1.0, "start_date": "2019-01-07", "end_date": None,
                  "case_holding": True, "asye": False}],
        placements=[
            {"child_id": "C000123", "placement_start": "2020-01-01", "placement_type": "U1",
             "provider": "PR1", "postcode": "tq1 1aa"}
        ],
    )


def test_sensitive_values():
    # By hand: ids and names as they are; the DoB in every printable format; the postcode as
    # stored plus its canonical spaced and unspaced upper-case forms. Non-sensitive columns
    # (gender, team, placement_start, ...) are absent.
    assert sensitive_values(tables()) == {
        "C000123", "C12", "W0042", "Jane Smith",
        "2012-03-03", "03/03/2012", "3/3/2012", "3 March 2012", "03 March 2012", "3 Mar 2012",
        "tq1 1aa", "TQ1 1AA", "TQ11AA",
    }


def test_unknown_table_is_an_error():
    with pytest.raises(KeyError, match="not in the canonical schema"):
        sensitive_values({"notes": tables()["children"]})


@pytest.mark.parametrize(
    "text",
    [
        "Child C000123 was not seen.",
        "<td>(c000123)</td>",              # case and punctuation do not hide it
        "allocated to Jane\nSmith",         # a line break inside a name
        "born 3 March 2012",
        "DoB: 3/3/2012",
        "placed at TQ11AA",
        "placed at Tq1 1aa",
        "worker W0042",
    ],
)
def test_leaks_are_found(text):
    with pytest.raises(DisclosureError, match="report.html: 1 identifier"):
        assert_no_identifiers(text, sensitive_values(tables()), where="report.html")


@pytest.mark.parametrize(
    "text",
    [
        "C12 is shorter than 4 characters and is skipped: 12 children, page 12.",
        "C0001234 is another id; C000123X too.",   # whole tokens only
        "Jane Smithson and Mary Smith",             # not the name
        "March 2012 was a month; 2012-03-04 a day.",
    ],
)
def test_no_false_positives(text):
    assert_no_identifiers(text, sensitive_values(tables()))


def test_allow_and_reusable_index():
    values = sensitive_values(tables())
    assert_no_identifiers("as at 3 March 2012", values, allow=["2012-03-03", "3 March 2012"])
    index = IdentifierIndex(values)
    # distinct identifiers: C000123, W0042, Jane Smith, the postcode (3 spellings, one key) and one
    # date of birth (6 written forms); "C12" is shorter than 4 characters and skipped
    assert len(index) == 5
    hits = index.find("C000123 and W0042 and C000123")
    assert hits == [("C000123", 0), ("W0042", 12), ("C000123", 22)]


def test_report_dates_allow_what_a_report_prints_for_its_own_reasons():
    from torbayreport.disclose.identifiers import report_dates

    allow = report_dates(as_at="2021-01-08", window=("2020-11", "2020-12"), other_dates=["2019-12-31"])
    # the as-at date and a plan due date in every printed form
    assert {"2021-01-08", "08/01/2021", "8 January 2021", "2019-12-31", "31/12/2019"} <= allow
    # month ends of the window
    assert {"2020-11-30", "30/11/2020", "2020-12-31"} <= allow
    # the long form of any day in the window ("3 December 2020" reads like "3 / December 2020: …"),
    # but not its ISO or dd/mm/yyyy form, which still count as a date of birth
    assert "3 December 2020" in allow and "03 December 2020" in allow
    assert "2020-12-03" not in allow and "03/12/2020" not in allow
    # a day outside the window is not allowed in any form
    assert "3 October 2020" not in allow and "2020-10-03" not in allow


# ------------------------------------------------------------------ normalised matching (issue 11)

def issue_tables():
    # the issue's own examples: child C000001 born 18 June 2013, worker W0007 Ruth Cox
    return tables_from(
        children=[{"child_id": "C000001", "gender": "Male", "ethnicity": "WBRI", "date_of_birth": "2013-06-18"}],
        staff=[{"worker_id": "W0007", "worker_name": "Ruth Cox", "role": "SW", "team": "SAT 1",
                "employment": "Permanent", "fte": 1.0, "start_date": "2019-01-07", "end_date": None,
                "case_holding": True, "asye": False}],
        placements=[{"child_id": "C000001", "placement_start": "2020-01-01", "placement_type": "U1",
                     "provider": "PR1", "postcode": "TQ1 1AA"}],
    )


def issue_index(**kwargs):
    from torbayreport.disclose.identifiers import sensitive_identifiers

    return IdentifierIndex(sensitive_identifiers(issue_tables()), **kwargs)


CAUGHT = [
    # ids: separators and case removed
    ("C-000001 was not seen", "C000001"),
    ("C 000001 was not seen", "C000001"),
    ("c000001", "C000001"),
    ("ref (C_000001).", "C000001"),
    ("worker W-0007", "W0007"),
    ("worker W\u2013 0007", "W0007"),      # en dash
    ("child C000\u200b001", "C000001"),    # a zero-width space inside the id
    ("worker w 0007", "W0007"),
    ("placed at tq11aa", "TQ1 1AA"),
    ("placed at TQ1-1AA", "TQ1 1AA"),
    # names in every order and initial form
    ("allocated to Ruth Cox", "Ruth Cox"),
    ("allocated to Cox, Ruth", "Ruth Cox"),
    ("allocated to R. Cox", "Ruth Cox"),
    ("allocated to R Cox", "Ruth Cox"),
    ("allocated to COX, R.", "Ruth Cox"),
    ("allocated to Ruth\nCox", "Ruth Cox"),
    # dates of birth in every common form, tied to a child by a birth word
    ("born 18/06/2013", "date of birth 2013-06-18"),
    ("born 18-06-2013", "date of birth 2013-06-18"),
    ("born 18.06.2013", "date of birth 2013-06-18"),
    ("born 18/6/13", "date of birth 2013-06-18"),
    ("date of birth: 2013-06-18", "date of birth 2013-06-18"),
    ("DOB 20130618", "date of birth 2013-06-18"),
    ("D.O.B. 18062013", "date of birth 2013-06-18"),
    ("born 18 June 2013", "date of birth 2013-06-18"),
    ("born on the 18th June 2013", "date of birth 2013-06-18"),
    ("born 18th of June, 2013", "date of birth 2013-06-18"),
    ("born June 18, 2013", "date of birth 2013-06-18"),
    ("born June 18th 2013", "date of birth 2013-06-18"),
    ("born 18 Jun 2013", "date of birth 2013-06-18"),
    ("Birthday: 18-Jun-2013", "date of birth 2013-06-18"),
    ("a boy (18 June 2013, born in Torbay)", "date of birth 2013-06-18"),
]


@pytest.mark.parametrize("text,value", CAUGHT)
def test_every_variant_is_caught(text, value):
    hits = issue_index().find(text)
    assert value in [v for v, _ in hits], hits


def test_a_date_of_birth_next_to_the_child_id_is_caught_too():
    hits = issue_index().find("C000001 (18 June 2013) moved placement")
    assert [v for v, _ in hits] == ["C000001", "date of birth 2013-06-18"]


CLEAN = [
    "The audit on 18/06/2013 found good practice.",        # the DoB as an analyst's own date
    "Plans reviewed between 1 June 2013 and 18 June 2013.",
    "Data as at 2013-06-18; 20130618 is the extract's stamp.",
    "Two babies were born in care this year. The panel met on 18 June 2013 and agreed the plan.",
    "Cox and Ruth are common words: Coxon, Ruthven, R. Coxwell, Ruth Coxon.",
    "C0000012 and C000001X are other ids; page 000001 of 12.",
    "W00070 and W00071 are other ids; 2007 workers; W 00070.",
    "18/06/2012 and 19/06/2013 are not the date of birth, though born is near.",
    "born 2013: 18 06 2013 written with spaces is not a date form.",
]


@pytest.mark.parametrize("text", CLEAN)
def test_clean_text_is_not_refused(text):
    assert issue_index().find(text) == []


def test_allowed_dates_need_a_birth_word_and_ids_never_cross_a_field():
    from torbayreport.disclose.identifiers import FIELD

    index = issue_index(allow=["18 June 2013"])
    assert index.find("W0007 reviewed it on 18 June 2013") == [("W0007", 0)]  # an allowed date near an id
    assert [v for v, _ in index.find("born 18 June 2013")] == ["date of birth 2013-06-18"]
    plain = issue_index()
    # a field boundary: "Ruth" ends one CSV cell, "Cox" starts the next; "=2+5" then 2019
    assert plain.find(f"Ruth{FIELD}Cox") == []
    assert plain.find(f"C{FIELD}000001") == []
    assert plain.find(f"born{FIELD}18 June 2013") == []
