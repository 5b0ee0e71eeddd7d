"""Run-wide int codes for text ids (metrics.keys) and the sorted-key helpers built on them."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from torbayreport.metrics import keys
from torbayreport.metrics.populations import count_child_months, find_child_months
from torbayreport.metrics.windows import first_positions, latest_on_or_before, stable_argsort


def text(values):
    return pd.Series(values, dtype="string")



@pytest.fixture
def lookups(monkeypatch) -> list[int]:
    """The sizes of the id arrays ``keys`` codes from scratch (its ``_lookup`` calls), in order."""
    seen: list[int] = []
    real = keys._lookup
    monkeypatch.setattr(keys, "_lookup", lambda text, universe: seen.append(len(text)) or real(text, universe))
    return seen

def test_codes_share_one_space_and_missing_is_minus_one():
    a, b = keys.codes(text(["C2", "C1", None, "C2"]), text(["C1", "C3", "C2"]))
    # equal ids, equal codes, across both arrays; a missing id is -1; distinct ids, distinct codes
    assert a[0] == a[3] == b[2] and a[1] == b[0] and a[2] == -1
    assert len({a[0], a[1], b[1]}) == 3 and min(a[0], a[1], b[1]) >= 0


def test_codes_accept_object_and_categorical_ids():
    (plain,), (cat,) = keys.codes(pd.Series(["x", None], dtype=object)), keys.codes(pd.Series(["x", "x"], dtype="category"))
    assert plain[1] == -1 and plain[0] >= 0 and cat[0] == cat[1]


def test_inside_a_run_codes_are_reused_and_stay_comparable(lookups):
    ids = text(["A", "B", "A"])
    with keys.run():
        (first,) = keys.codes(ids)
        (again,) = keys.codes(ids.to_frame("id")["id"])  # another Series over the same Arrow buffers
        (later,) = keys.codes(text(["B", "Z"]))
        assert list(again) == list(first) and lookups == [3, 2]  # the same array is not coded twice
        assert later[0] == first[1] and later[1] not in set(first)
        again[0] = 99  # a caller's copy: changing it changes nothing kept
        assert list(keys.codes(ids)[0]) == list(first)
    keys.codes(ids)
    assert lookups == [3, 2, 3]  # outside a run nothing is kept


def test_remember_gives_rows_taken_from_a_coded_array_their_codes():
    ids = text(["A", "B", "C"])
    with keys.run():
        (codes,) = keys.codes(ids)
        taken = ids.take([2, 0]).reset_index(drop=True)
        keys.remember(taken, codes[[2, 0]])
        (got,) = keys.codes(taken)
        assert list(got) == [codes[2], codes[0]]


def test_stable_argsort_matches_numpy_stable_sort_with_ties_and_negative_keys():
    rng = np.random.default_rng(7)
    values = rng.integers(-50, 50, 5_000)
    assert np.array_equal(stable_argsort(values), np.argsort(values, kind="stable"))
    # a range too wide to pack with the positions falls back to numpy and still agrees
    wide = np.array([2**61, -(2**61), 0, 2**61, 5])
    assert np.array_equal(stable_argsort(wide), [1, 2, 4, 0, 3])
    # a range that fits with the positions multiplied in (x5) but not shifted in (<< 3 bits);
    # the order is read off by hand: 0 (pos 0), 1 (pos 4), 3 (pos 2), then the two 2**59 in place
    middle = np.array([0, 2**59, 3, 2**59, 1])
    assert (2**59 + 1) << 3 >= 2**62 > (2**59 + 1) * 5
    assert np.array_equal(stable_argsort(middle), [0, 4, 2, 1, 3])
    # one key: a single position (one bit of room), and a run of equal keys keeps its order
    assert np.array_equal(stable_argsort(np.array([9])), [0])
    assert np.array_equal(stable_argsort(np.array([4, 4, 4, 4])), [0, 1, 2, 3])
    assert len(stable_argsort(np.array([], dtype=np.int64))) == 0


def test_first_positions_is_unique_with_first_index():
    values = np.array([5, 3, 5, 1, 3, 3])
    distinct, first = first_positions(values)
    # by hand: 1 first at 3, 3 first at 1, 5 first at 0
    assert list(distinct) == [1, 3, 5] and list(first) == [3, 1, 0]


def test_latest_on_or_before_with_clock_times_and_same_time_ties():
    left = pd.DataFrame({"who": text(["a", "a", "b"]),
                         "at": pd.to_datetime(["2019-01-01 12:00:00", "2019-01-01 11:59:59", "2019-01-02 00:00:00"])})
    right = pd.DataFrame({"who": text(["a", "a", "a", "b"]),
                          "on": pd.to_datetime(["2019-01-01 12:00:00", "2019-01-01 12:00:00", "2019-01-01 11:00:00",
                                                "2019-01-02 00:00:01"]),
                          "n": [1, 2, 3, 4]})
    out = latest_on_or_before(left, "at", right, "on", "who", "last", columns=["n"])
    # a at 12:00:00: two notes at exactly 12:00, the one listed last (n=2) wins; a at 11:59:59 -> the
    # 11:00 note (n=3); b at midnight: its only note is one second later -> none
    assert out["n"].tolist()[:2] == [2, 3] and pd.isna(out["n"].iloc[2]) and pd.isna(out["last"].iloc[2])


def test_find_and_count_child_months():
    rows = pd.DataFrame({"month": pd.PeriodIndex(["2020-01", "2020-01", "2020-02"], freq="M"),
                         "child_id": text(["C1", "C2", "C1"])})
    pairs = pd.DataFrame({"month": pd.PeriodIndex(["2020-02", "2020-01", "2020-01", "2020-02"], freq="M"),
                          "child_id": text(["C1", "C1", "C3", "C1"])})
    with keys.run():
        (child,) = keys.codes(pairs["child_id"])
        month = pairs["month"].array.asi8
        # C1 in Jan is pair 1; C2 in Jan is not there; C1 in Feb is pairs 0 and 3 (first: 0)
        assert list(find_child_months(rows, month, child)) == [1, -1, 0]
        assert list(count_child_months(rows, month, child)) == [1, 0, 2]


def test_a_run_belongs_to_its_thread(lookups):
    import threading

    ids = text(["A", "B"])
    with keys.run():
        keys.codes(ids)
        other = threading.Thread(target=lambda: (keys.codes(ids), keys.codes(ids)))
        other.start()
        other.join()
        keys.codes(ids)
    # this thread codes once and then reuses; the other thread, with no run of its own, codes twice
    assert lookups == [2, 2, 2]


def test_pinned_codes_outlive_the_recently_used_ones(lookups):
    ids = text(["A", "B", "C"])
    with keys.run():
        (codes,) = keys.codes(ids)
        kept, pinned = ids.take([1]).reset_index(drop=True), ids.take([2, 0]).reset_index(drop=True)
        keys.remember(kept, codes[[1]])
        keys.remember(pinned, codes[[2, 0]], pin=True)
        for i in range(keys.KEEP + 1):  # more arrays than the run keeps: ``kept`` is dropped
            keys.codes(text([f"X{i}"]))
        lookups.clear()
        assert list(keys.codes(pinned)[0]) == [codes[2], codes[0]] and lookups == []
        assert list(keys.codes(kept)[0]) == [codes[1]] and lookups == [1]
