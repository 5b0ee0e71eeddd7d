"""The month-window primitives: boundaries of flow, snapshot, rolling and look-back windows."""

from __future__ import annotations

import pandas as pd

from torbayreport.metrics.windows import (
    active_in_rolling,
    distinct_in_rolling,
    extend_back,
    in_month,
    in_rolling,
    latest_on_or_before,
    month_ends,
    month_window,
    open_at_month_end,
    rolling,
)


def months(start, end):
    return month_window(start, end)


def test_month_window_and_month_ends_include_leap_day():
    window = months("2019-12", "2020-02")
    assert [str(m) for m in window] == ["2019-12", "2020-01", "2020-02"]
    assert list(month_ends(window).strftime("%Y-%m-%d")) == ["2019-12-31", "2020-01-31", "2020-02-29"]


def test_extend_back_adds_look_back_months():
    window = extend_back(months("2020-01", "2020-02"), 11)
    assert str(window[0]) == "2019-02" and str(window[-1]) == "2020-02" and len(window) == 13


def test_in_month_uses_the_date_month_and_drops_missing_dates():
    frame = pd.DataFrame(
        {"id": ["a", "b", "c", "d", "e"],
         "when": pd.to_datetime(["2019-03-31 23:59", "2019-04-01 00:00", "2019-04-30 00:00", None, "2019-05-01 00:00"])}
    )
    out = in_month(frame, "when", months("2019-04", "2019-04"))
    # 31 Mar 23:59 is March; 1 and 30 April are April; the missing date and 1 May are outside
    assert list(out["id"]) == ["b", "c"]
    assert (out["month"] == pd.Period("2019-04", "M")).all()


def test_open_at_month_end_boundaries():
    frame = pd.DataFrame(
        {
            "id": ["ends_on_month_end", "ends_day_after", "starts_on_month_end", "open", "starts_next_day", "no_start"],
            "start": pd.to_datetime(["2019-01-01", "2019-01-01", "2019-04-30", "2018-01-01", "2019-05-01", None]),
            "end": pd.to_datetime(["2019-04-30", "2019-05-01", None, None, None, None]),
        }
    )
    out = open_at_month_end(frame, "start", "end", months("2019-04", "2019-05"))
    april = set(out.loc[out["month"] == pd.Period("2019-04", "M"), "id"])
    may = set(out.loc[out["month"] == pd.Period("2019-05", "M"), "id"])
    # An episode ending on 30 April is closed at the April month end; one ending 1 May is open then.
    assert april == {"ends_day_after", "starts_on_month_end", "open"}
    assert may == {"starts_on_month_end", "open", "starts_next_day"}
    assert set(out["month_end"].dt.strftime("%Y-%m-%d")) == {"2019-04-30", "2019-05-31"}


def test_rolling_assigns_each_row_to_the_next_n_months():
    frame = pd.DataFrame({"month": pd.PeriodIndex(["2019-01", "2019-03", "2019-04"], freq="M"), "x": [1, 2, 3]})
    out = rolling(frame, months("2019-03", "2019-05"), 3)
    totals = out.groupby("month")["x"].sum()
    # R3M: Mar = Jan+Feb+Mar = 1+2; Apr = Feb..Apr = 2+3; May = Mar..May = 2+3
    assert totals.to_dict() == {pd.Period("2019-03", "M"): 3, pd.Period("2019-04", "M"): 5, pd.Period("2019-05", "M"): 5}


def test_active_in_rolling_counts_records_touching_the_period():
    frame = pd.DataFrame(
        {
            "id": ["ended_first_day", "ended_day_before", "open", "starts_after"],
            "start": pd.to_datetime(["2018-01-01", "2018-01-01", "2019-06-01", "2020-01-01"]),
            "end": pd.to_datetime(["2019-01-01", "2018-12-31", None, None]),
        }
    )
    out = active_in_rolling(frame, "start", "end", months("2019-12", "2020-01"), 12)
    dec = set(out.loc[out["month"] == pd.Period("2019-12", "M"), "id"])
    jan = set(out.loc[out["month"] == pd.Period("2020-01", "M"), "id"])
    # Dec 2019's 12 months run 1 Jan–31 Dec 2019; Jan 2020's run 1 Feb 2019–31 Jan 2020
    assert dec == {"ended_first_day", "open"}
    assert jan == {"open", "starts_after"}


def test_active_in_rolling_with_one_month_is_open_on_any_day():
    frame = pd.DataFrame({"start": pd.to_datetime(["2019-04-10"]), "end": pd.to_datetime(["2019-04-20"])})
    out = active_in_rolling(frame, "start", "end", months("2019-03", "2019-05"), 1)
    assert [str(m) for m in out["month"]] == ["2019-04"]
    assert open_at_month_end(frame, "start", "end", months("2019-03", "2019-05")).empty


def test_latest_on_or_before_matches_by_key_and_keeps_order():
    left = pd.DataFrame(
        {"who": ["b", "a", "a", "c"], "at": pd.to_datetime(["2019-02-28", "2019-02-28", "2019-01-31", "2019-02-28"])}
    )
    right = pd.DataFrame(
        {"who": ["a", "a", "b", "b"], "on": pd.to_datetime(["2019-01-15", "2019-02-28", "2019-03-01", "2019-02-01"])}
    )
    out = latest_on_or_before(left, "at", right, "on", "who", "last")
    # b at 28 Feb -> 1 Feb (1 Mar is later); a at 28 Feb -> same day; a at 31 Jan -> 15 Jan; c -> none
    assert list(out["who"]) == ["b", "a", "a", "c"]
    got = out["last"].dt.strftime("%Y-%m-%d").fillna("none").tolist()
    assert got == ["2019-02-01", "2019-02-28", "2019-01-15", "none"]


def test_latest_on_or_before_skips_queries_with_no_id_or_no_date():
    left = pd.DataFrame(
        {"who": ["a", None, "a", "b"], "at": pd.to_datetime(["2019-02-28", "2019-02-28", None, "2019-01-31"])}
    )
    right = pd.DataFrame({"who": ["b", "a", None], "on": pd.to_datetime(["2019-01-10", "2019-02-01", "2019-01-05"])})
    out = latest_on_or_before(left, "at", right, "on", "who", "last")
    # a at 28 Feb -> 1 Feb; no id -> none (the unnamed event matches nothing); no date -> none;
    # b at 31 Jan -> 10 Jan. Rows stay in order.
    got = out["last"].dt.strftime("%Y-%m-%d").fillna("none").tolist()
    assert got == ["2019-02-01", "none", "none", "2019-01-10"]
    assert out["who"].tolist()[::2] == ["a", "a"]


def test_in_rolling_places_an_event_in_the_12_months_that_contain_it():
    frame = pd.DataFrame({"id": ["first_of_april", "last_of_march"], "when": pd.to_datetime(["2019-04-01", "2019-03-31"])})
    out = in_rolling(frame, "when", months("2020-03", "2020-04"), 12)
    # March 2020's 12 months are April 2019-March 2020; April 2020's are May 2019-April 2020
    assert sorted(out.loc[out["month"] == pd.Period("2020-03", "M"), "id"]) == ["first_of_april"]
    assert out.loc[out["month"] == pd.Period("2020-04", "M")].empty


def test_distinct_in_rolling_counts_each_worker_once():
    frame = pd.DataFrame(
        {
            "child": ["X", "X", "X", "X", "Y", "Y"],
            "worker": ["W1", "W2", "W1", "W3", None, "W9"],
            "start": pd.to_datetime(["2019-01-05", "2019-06-01", "2019-11-01", "2020-01-15", "2019-05-01", "2018-01-01"]),
            "end": pd.to_datetime(["2019-03-31", None, "2019-11-30", None, None, "2019-01-31"]),
        }
    )
    at = pd.DataFrame(
        {"month": pd.PeriodIndex(["2019-12", "2020-01", "2019-12", "2020-01", "2020-01"], freq="M"),
         "child": ["X", "X", "Y", "Y", "Z"]}
    )
    got = distinct_in_rolling(frame, "start", "end", months("2019-12", "2020-01"), 12, "child", "worker", at=at)
    # X, Dec 2019 (1 Jan-31 Dec 2019): W1 (twice), W2 -> 2; Jan 2020 (1 Feb 2019-31 Jan 2020): W1, W2, W3 -> 3.
    # Y: the unnamed worker is one value; W9 ended 31 Jan 2019, inside Dec's period, before Jan's -> 2 then 1.
    # Z has no allocation at all -> 0.
    assert list(got) == [2, 3, 2, 1, 0]


def test_latest_on_or_before_carries_the_event_columns_and_breaks_ties_by_order():
    left = pd.DataFrame({"who": ["a", "b"], "at": pd.to_datetime(["2019-02-28", "2019-02-28"])})
    right = pd.DataFrame(
        {
            "who": ["a", "a", "a", "z"],
            "on": pd.to_datetime(["2019-02-10", "2019-02-10", "2019-03-01", "2019-01-01"]),
            "alone": [False, True, False, True],
        }
    )
    out = latest_on_or_before(left, "at", right, "on", "who", "last", columns=["alone"])
    # a: two visits on 10 Feb (the one listed last, alone=True, is the latest); 1 Mar is after. b: none.
    assert out["last"].dt.strftime("%Y-%m-%d").fillna("none").tolist() == ["2019-02-10", "none"]
    assert bool(out["alone"].iloc[0]) is True
    assert pd.isna(out["alone"].iloc[1])


def test_distinct_in_rolling_counts_overlapping_records_of_one_worker_once():
    frame = pd.DataFrame(
        {
            "child": ["X", "X", "X", "X"],
            "worker": ["W1", "W1", "W1", "W2"],
            "start": pd.to_datetime(["2019-01-01", "2019-03-01", "2019-12-01", "2018-01-01"]),
            "end": pd.to_datetime(["2019-06-30", "2019-12-31", None, "2018-12-31"]),
        }
    )
    at = pd.DataFrame({"month": pd.PeriodIndex(["2019-06", "2019-12"], freq="M"), "child": ["X", "X"]})
    got = distinct_in_rolling(frame, "start", "end", months("2019-06", "2019-12"), 12, "child", "worker", at=at)
    # June 2019 (1 Jul 2018-30 Jun 2019): W1 (three overlapping records, one worker) and W2 (to 31 Dec
    # 2018) -> 2; December 2019 (1 Jan-31 Dec 2019): W2 ended before it -> W1 only -> 1
    assert list(got) == [2, 1]


def test_latest_on_or_before_where_counts_only_the_chosen_events():
    from torbayreport.metrics.windows import latest_on_or_before as asof

    left = pd.DataFrame({"who": ["a", "b"], "at": pd.to_datetime(["2019-02-28", "2019-02-28"])})
    right = pd.DataFrame(
        {
            "who": ["a", "a", "b"],
            "on": pd.to_datetime(["2019-01-10", "2019-02-20", "2019-02-01"]),
            "kind": ["CP", "CIN", "CIN"],
            "alone": pd.array([True, False, None], dtype="boolean"),
        }
    )
    out = asof(left, "at", right, "on", "who", "last", columns=["alone"], where=(right["kind"] == "CP").to_numpy())
    # only a's CP visit of 10 Jan counts (its later CIN visit is not chosen); b has no CP visit at all
    assert out["last"].dt.strftime("%Y-%m-%d").fillna("none").tolist() == ["2019-01-10", "none"]
    assert out["alone"].tolist() == [True, pd.NA] and out["alone"].dtype == "boolean"
    same = asof(left, "at", right[right["kind"] == "CP"], "on", "who", "last", columns=["alone"])
    pd.testing.assert_frame_equal(out, same)


def test_is_in_and_search_agree_with_numpy():
    import numpy as np

    from torbayreport.metrics.windows import is_in, search

    # by hand: 5 and 9 are in [9, 2, 5, 5]; 1, 4 and 10 are not
    assert is_in(np.array([5, 1, 9, 4, 10]), np.array([9, 2, 5, 5])).tolist() == [True, False, True, False, False]
    assert is_in(np.array([3]), np.array([], dtype=np.int64)).tolist() == [False]
    haystack = np.array([2, 4, 4, 8])
    needles = np.array([8, 1, 4, 9, 4, 3])
    # left: first position >= needle; right: first position > needle
    assert search(haystack, needles).tolist() == [3, 0, 1, 4, 1, 1]
    assert search(haystack, needles, "right").tolist() == [4, 0, 3, 4, 3, 1]
