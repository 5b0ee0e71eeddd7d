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
    assert len(index) == 11  # 13 values minus "C12" (short) and "TQ1 1AA"/"tq1 1aa" sharing one key
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
