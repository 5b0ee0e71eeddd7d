"""Executive-summary sentences from the assessed table."""

from __future__ import annotations

import pandas as pd
import pytest

from torbayreport.assess import assess
from torbayreport.assess.narrative import summarise, summary_sentences

DEVIATIONS = [1, 2, 1, 2, 10, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1]


@pytest.fixture
def assessed(metrics_rows, params, registry):
    metrics = pd.concat(
        [
            # P02 (down, target 22 ± 3): May 2020 is the §A6 b outlier (10) -> special-cause concern, Green
            metrics_rows("P02", DEVIATIONS),
            # P04 (up, target 83 ± 8): 1..18 rising -> last point above UPL (improvement); value 18 Red.
            # mean 9.5, AMR 1 -> limits 6.84 .. 12.16; target 83 > UPL -> consistently failing
            metrics_rows("P04", range(1, 19)),
            # P05 (up, target 59.1 ± 10): 60 -> Green; constant -> common cause; 59.1 < LPL 60 -> consistent pass
            metrics_rows("P05", [60] * 18),
            # P03 (down, no target): not rated
            metrics_rows("P03", [5] * 18),
            # L03 (up, target 90 ± 10): 85 -> Amber
            metrics_rows("L03", [85] * 18),
        ],
        ignore_index=True,
    )
    return assess(metrics, params, registry=registry)


def test_pillar_counts(assessed):
    s = summarise(assessed, "2021-06")
    # practice: P02 Green (1 ≤ 22), P04 Red (18 < 83 − 8), P05 Green (60 ≥ 59.1), P03 no target
    assert s.pillars == [
        "Leadership, management and governance: 1 measure rated against target — 0 Green, 1 Amber, 0 Red.",
        "Social work practice: 3 measures rated against target — 2 Green, 0 Amber, 1 Red (1 other measure not rated).",
    ]


def test_special_cause_sentences_use_spc_not_two_points(assessed):
    s = summarise(assessed, "2020-05")
    # 2020-05 for P04 is value 5: below its LPL 6.84 -> a concern for an "up" measure too
    assert s.concern == [
        "Measure P02 (10.0%) shows special-cause concern: a month outside the process limits.",
        "Measure P04 (5.0%) shows special-cause concern: a month outside the process limits.",
    ]
    latest = summarise(assessed, "2021-06")
    assert latest.improvement == ["Measure P04 (18.0%) shows special-cause improvement: a month outside the process limits."]
    # June 2021: P02 went 2 -> 1 (a two-point "improvement") but is common cause, so it is not mentioned
    assert not any("P02" in x for x in latest.sentences() if "special-cause" in x)


def test_assurance_sentences(assessed):
    s = summarise(assessed, "2021-06")
    assert s.failing[0].startswith(
        "Measure P04 (18.0%) is consistently failing its target of 83.0%: the target lies outside the range "
        "the process varies within (6.8% to 12.2%)"
    )
    # L03 constant at 85: zero-width limits 85..85 and target 90 above them -> failing too
    assert [x.split(" (")[0] for x in s.failing] == ["Measure P04", "Measure L03"]
    # P02: target 22 above UPL 4.6 for a lower-is-better measure; P05: 59.1 below a zero-width band at 60
    assert [x.split(" (")[0] for x in s.passing] == ["Measure P02", "Measure P05"]


def test_trend_rule_text(metrics_rows, params, registry):
    # 10,11,...: a 7-point rise inside wide limits (one big swing earlier widens them)
    values = [10, 30, 10, 30, 10, 30, 10, 11, 12, 13, 14, 15, 16]
    out = assess(metrics_rows("P04", values), params, registry=registry)
    s = summarise(out, "2021-01")
    assert s.improvement == ["Measure P04 (16.0%) shows special-cause improvement: 7 or more months in a row each higher than the last."]


def test_value_formatter_and_empty_month(assessed):
    out = summary_sentences(assessed, "2021-06", value_text=lambda row: "[c]")
    assert any("Measure P04 ([c])" in x for x in out)
    assert summary_sentences(assessed, "2030-01") == ["No measures were reported for January 2030."]


def test_headline_counts_and_names_without_listing_everything(assessed):
    s = summarise(assessed, "2021-06")
    lines = s.headline(max_named=1)
    # 2 pillar sentences, then 1 improvement (P04), no concern in June 2021, 2 failing (P04, L03)
    # named up to 1 with "and 1 more", 2 passing (P02, P05) likewise
    assert lines[:2] == s.pillars
    assert lines[2] == "1 measure shows special-cause improvement: Measure P04 (18.0%)."
    assert lines[3].startswith("2 measures will not meet their target without a change")
    assert lines[3].endswith(": Measure P04 (18.0%) and 1 more.")
    assert lines[4] == "2 measures consistently meet their target: Measure P02 (1.0%) and 1 more."
    assert len(lines) == 5


def test_headline_lists_every_concern_in_full(assessed):
    s = summarise(assessed, "2020-05")
    lines = s.headline()
    assert "2 measures show special-cause concern:" in lines
    assert s.concern[0] in lines and s.concern[1] in lines
    assert summary_sentences(assessed, "2020-05", brief=True) == lines
