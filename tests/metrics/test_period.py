"""The reporting period: one rule for build, metrics and the notebooks."""

from __future__ import annotations

import pytest

def test_report_window_starts_where_every_front_door_list_has_activity():
    from torbayreport.io.schema import tables_from
    from torbayreport.metrics.period import report_window

    def referral(rid, date):
        return {"referral_id": rid, "child_id": "C1", "referral_date": date, "referral_source": "6",
                "referral_nfa": False}

    def contact(date):
        return {"child_id": "C1", "contact_date": date, "contact_source": "6"}

    # Referrals carry a year of look-back history (for re-referrals) but contacts start in 2019-01;
    # both run to December 2020. The reporting period, and so the window, starts in 2019-01.
    tables = tables_from(
        referrals=[referral("R1", "2018-01-02"), referral("R2", "2020-12-30")],
        contacts=[contact("2019-01-01"), contact("2020-12-31")],
    )
    window = report_window("2020-12", tables, 36)
    assert str(window[0]) == "2019-01" and str(window[-1]) == "2020-12" and len(window) == 24
    # With contacts (and referrals) back to 2018-01 or earlier, the window is the last 36 months.
    tables["contacts"] = tables_from(contacts=[contact("2016-05-01"), contact("2020-12-31")])["contacts"]
    assert str(report_window("2020-12", tables, 36)[0]) == "2018-01"


def test_a_month_outside_the_extracts_is_refused():
    from torbayreport.io.schema import tables_from
    from torbayreport.metrics.period import report_window

    # contacts and referrals run from January 2019 to December 2020
    tables = tables_from(
        referrals=[{"referral_id": "R1", "child_id": "C1", "referral_date": "2019-01-02",
                    "referral_source": "6", "referral_nfa": False},
                   {"referral_id": "R2", "child_id": "C1", "referral_date": "2020-12-30",
                    "referral_source": "6", "referral_nfa": False}],
        contacts=[{"child_id": "C1", "contact_date": "2019-01-01", "contact_source": "6"},
                  {"child_id": "C1", "contact_date": "2020-12-31", "contact_source": "6"}],
    )
    with pytest.raises(ValueError, match=r"2021-05 is after the last month the extracts cover \(2020-12\)"):
        report_window("2021-05", tables, 36)
    with pytest.raises(ValueError, match=r"2018-06 is before the first month"):
        report_window("2018-06", tables, 36)
    assert str(report_window("2020-12", tables, 36)[-1]) == "2020-12"
