"""RAG and direction of travel by polarity; thresholds worked by hand in each case."""

from __future__ import annotations

import pandas as pd
import pytest

from torbayreport.assess.rag import direction, rag


@pytest.mark.parametrize(
    "value, expected",
    # up, target 83, tolerance 8: Green ≥ 83; Amber ≥ 75; Red below
    [(90, "Green"), (83, "Green"), (82.9, "Amber"), (75, "Amber"), (74.9, "Red"), (None, None)],
)
def test_rag_up(value, expected):
    out = rag([value], 83, 8, "up").iloc[0]
    assert (out is pd.NA and expected is None) or out == expected


@pytest.mark.parametrize(
    "value, expected",
    # down, target 22, tolerance 3: Green ≤ 22; Amber ≤ 25; Red above
    [(10, "Green"), (22, "Green"), (22.1, "Amber"), (25, "Amber"), (25.1, "Red")],
)
def test_rag_down(value, expected):
    assert rag([value], 22, 3, "down").iloc[0] == expected


@pytest.mark.parametrize(
    "value, expected",
    # target 39, tolerance 6: |v − 39| ≤ 6 Green (33..45); ≤ 12 Amber (27..51); else Red
    [(39, "Green"), (33, "Green"), (45, "Green"), (32.9, "Amber"), (51, "Amber"), (27, "Amber"), (51.1, "Red"),
     (26.9, "Red")],
)
def test_rag_target(value, expected):
    assert rag([value], 39, 6, "target").iloc[0] == expected


def test_rag_boundary_survives_floating_point():
    # 59.1 − 10 = 49.099999999999994 in binary; the published value 49.1 is exactly on the Amber boundary
    assert rag([49.1], 59.1, 10, "up").iloc[0] == "Amber"
    # |42.3 − 39| = 3.299999999999997 vs tolerance 3.3: Green
    assert rag([42.3], 39, 3.3, "target").iloc[0] == "Green"


def test_no_rag_for_neutral_null_target_or_missing_value():
    out = rag([5, 5, None], [10, None, 10], [1, None, 1], ["neutral", "up", "up"])
    assert out.isna().all()
    assert out.dtype == "string"


def test_rag_vectorised_mixed_polarities():
    out = rag([90, 30, 40, 12], [85, 22, 39, None], [10, 3, 6, None], ["up", "down", "target", "down"])
    # 90 ≥ 85 Green; 30 > 22 + 3 Red; |40 − 39| = 1 ≤ 6 Green; no target -> NA
    assert out.tolist()[:3] == ["Green", "Red", "Green"] and out.isna().iloc[3]


def test_rag_rejects_unknown_polarity():
    with pytest.raises(ValueError, match="unknown polarity"):
        rag([1], 1, 1, "higher")


def test_direction_up_and_down_with_ties_and_missing():
    cur, prev = [5, 4, 5, None, 5], [4, 5, 5, 5, None]
    assert direction(cur, prev, "up").tolist()[:3] == ["improved", "worsened", "no change"]
    assert direction(cur, prev, "down").tolist()[:3] == ["worsened", "improved", "no change"]
    assert direction(cur, prev, "up").isna().tolist() == [False, False, False, True, True]


def test_direction_target_polarity_closer_is_improved():
    # target 39: 41 -> 38 is 2 away -> 1 away: improved; 38 -> 41 worsened; 41 -> 37 both 2 away: no change
    out = direction([38, 41, 37, 45], [41, 38, 41, 33], "target", 39)
    # 33 -> 45: 6 away both sides: no change (crossing the target at equal distance)
    assert out.tolist() == ["improved", "worsened", "no change", "no change"]


def test_direction_neutral_uses_plain_words():
    assert direction([6, 4, 5], [5, 5, 5], "neutral").tolist() == ["higher", "lower", "no change"]
    # a target-polarity measure without a target has no "better" either
    assert direction([6], [5], "target", None).tolist() == ["higher"]


def test_direction_rounded_values_tie_exactly():
    # values as published (1 dp): 0.1 + 0.2 vs 0.3 must be "no change", not a float artefact
    assert direction([0.1 + 0.2], [0.3], "up").tolist() == ["no change"]
