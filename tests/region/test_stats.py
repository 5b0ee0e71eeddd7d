"""Regional median, quartiles, rank and quartile: known answers worked by hand.

How the expected figures were worked (definitions in ``torbayreport.region.stats``):
percentiles by linear interpolation on the sorted compared values x[0..n-1] at h = (n-1)p,
value = x[floor h] + (h - floor h)(x[floor h + 1] - x[floor h]); ranks are competition ranks
(ties share the best rank); quartile = ceil(4 × rank ÷ number ranked).
"""

import numpy as np
import pandas as pd

from torbayreport.region.stats import compare_councils

POLARITY = {"UP": "up", "DOWN": "down", "TGT": "target", "CTX": "neutral", "NOTGT": "target"}
TARGET = {"TGT": 20.0}


def _frame(kpi, values, month="2020-12", availability=None):
    codes = ["A", "B", "C", "D", "E"][: len(values)]
    frame = pd.DataFrame({"la_code": codes, "month": month, "kpi_id": kpi, "value": values})
    frame["availability"] = availability or ["ok" if v == v else "no_events" for v in values]
    return frame


def _result(frame):
    out = compare_councils(frame, POLARITY, TARGET)
    return out.set_index(["month", "kpi_id", "la_code"]).sort_index()


def _col(out, kpi, col, month="2020-12"):
    return {k: (None if pd.isna(v) else v) for k, v in out.loc[(month, kpi)][col].items()}


def test_up_polarity_with_tie_and_missing():
    # A 80, B 90, C 90, D missing, E 70. Compared: 70, 80, 90, 90 (n = 4).
    # median (80 + 90) / 2 = 85; q1 h = 0.75: 70 + 0.75 x 10 = 77.5; q3 h = 2.25: 90 + 0.25 x 0 = 90.
    # Higher is better: B and C tie at 1, A 3, E 4; quartile = ceil(4r/4) = r.
    out = _result(_frame("UP", [80, 90, 90, np.nan, 70]))
    row = out.loc[("2020-12", "UP", "A")]
    assert (row["n_councils"], row["region_median"], row["region_q1"], row["region_q3"]) == (4, 85.0, 77.5, 90.0)
    assert _col(out, "UP", "rank") == {"A": 3, "B": 1, "C": 1, "D": None, "E": 4}
    assert _col(out, "UP", "quartile") == {"A": 3, "B": 1, "C": 1, "D": None, "E": 4}
    assert set(out["rank_of"]) == {4}


def test_down_polarity_reverses_the_order():
    # Lower is better: E 70 first, A 80 second, B and C tie at 3.
    out = _result(_frame("DOWN", [80, 90, 90, np.nan, 70]))
    assert _col(out, "DOWN", "rank") == {"A": 2, "B": 3, "C": 3, "D": None, "E": 1}
    assert _col(out, "DOWN", "quartile") == {"A": 2, "B": 3, "C": 3, "D": None, "E": 1}
    assert out.loc[("2020-12", "DOWN", "A"), "region_q1"] == 77.5  # q1 is the lower value whatever the polarity


def test_target_polarity_ranks_by_distance_to_target():
    # Target 20: A 18 (2), B 22 (2), C 20.5 (0.5), D 25 (5), E missing.
    # Ranks: C 1, A and B tie at 2, D 4 (n = 4). Sorted 18, 20.5, 22, 25: median 21.25,
    # q1 18 + 0.75 x 2.5 = 19.875, q3 22 + 0.25 x 3 = 22.75.
    out = _result(_frame("TGT", [18, 22, 20.5, 25, np.nan]))
    assert _col(out, "TGT", "rank") == {"A": 2, "B": 2, "C": 1, "D": 4, "E": None}
    assert _col(out, "TGT", "quartile") == {"A": 2, "B": 2, "C": 1, "D": 4, "E": None}
    row = out.loc[("2020-12", "TGT", "A")]
    assert (row["region_median"], row["region_q1"], row["region_q3"]) == (21.25, 19.875, 22.75)


def test_target_distances_equal_in_decimal_tie():
    # |19.7 - 20| and |20.3 - 20| differ in binary floating point but are both 0.3.
    out = _result(_frame("TGT", [19.7, 20.3]))
    assert _col(out, "TGT", "rank") == {"A": 1, "B": 1}


def test_neutral_and_target_without_target_are_not_ranked():
    out = _result(pd.concat([_frame("CTX", [3, 1, 2]), _frame("NOTGT", [3, 1, 2])]))
    assert out["rank"].isna().all() and out["quartile"].isna().all() and out["rank_of"].isna().all()
    assert (out["region_median"] == 2.0).all() and (out["n_councils"] == 3).all()


def test_quartiles_of_five_councils_and_months_apart():
    # Up, values 1..5 in 2020-12: ranks 5,4,3,2,1 for A..E; quartile ceil(4r/5): r1 -> 1 (0.8),
    # r2 -> 2 (1.6), r3 -> 3 (2.4), r4 -> 4 (3.2), r5 -> 4. In 2020-11 only two councils.
    frame = pd.concat([_frame("UP", [1, 2, 3, 4, 5]), _frame("UP", [5, 7], month="2020-11")])
    out = _result(frame)
    assert _col(out, "UP", "quartile") == {"A": 4, "B": 4, "C": 3, "D": 2, "E": 1}
    assert _col(out, "UP", "rank", month="2020-11") == {"A": 2, "B": 1}
    assert _col(out, "UP", "quartile", month="2020-11") == {"A": 4, "B": 2}  # ceil(8/2), ceil(4/2)
    assert out.loc[("2020-11", "UP", "A"), "region_median"] == 6.0


def test_a_value_that_is_not_available_is_not_compared():
    # B has a value but its availability says it is not a figure (e.g. short history): ignored.
    out = _result(_frame("UP", [10, 99, 30], availability=["ok", "short_history", "ok"]))
    assert _col(out, "UP", "rank") == {"A": 2, "B": None, "C": 1}
    assert out.loc[("2020-12", "UP", "A"), "region_median"] == 20.0
