"""Executive-summary sentences from the assessed table."""

from __future__ import annotations

import pandas as pd
import pytest

from torbayreport.assess import assess
from torbayreport.assess.narrative import reading_sentence, summarise, summary_sentences

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
    # P04: 18.0 is Red against 83 and the limits 6.84 .. 12.16 (rounded) are all below the target
    assert s.failing[0] == (
        "Measure P04: Missed the target of 83.0% this month (18.0%), and the whole normal range (6.8% to 12.2%) "
        "is below the target, so it will not be met without a change to the way the work is done."
    )
    # L03 constant at 85: zero-width limits 85..85 and target 90 above them -> failing too
    assert [x.split(":")[0] for x in s.failing] == ["Measure P04", "Measure L03"]
    # P02: target 22 above UPL 4.6 for a lower-is-better measure; P05: 59.1 below a zero-width band at 60
    assert [x.split(":")[0] for x in s.passing] == ["Measure P02", "Measure P05"]


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


# ---------------------------------------------------------------------------------------------
# reading_sentence: this month's RAG and the assurance reading in one sentence
# ---------------------------------------------------------------------------------------------


def reading_row(**kw) -> pd.Series:
    """A higher-is-better percentage, target 85, normal range 73.3 .. 89.1 (P01 in the 2020-12 sample
    after rebasing); keyword arguments override."""
    base = {
        "month": pd.Period("2020-12", "M"), "value": 91.5, "unit": "percent", "target": 85.0, "rag": "Green",
        "polarity": "up", "assurance": "inconsistent", "spc_mean": 81.2, "spc_lpl": 73.3, "spc_upl": 89.1,
        "spc_trial": False,
        "spc_segment": 1, "spc_segment_start": pd.Period("2019-10", "M"),
    }
    base.update(kw)
    return pd.Series(base)


MET, NARROW, MISSED = (
    "Met the target of 85.0% this month ({v})",
    "Narrowly missed the target of 85.0% this month ({v}, within the tolerance)",
    "Missed the target of 85.0% this month ({v})",
)


@pytest.mark.parametrize(
    "rag, value, assurance, lpl, upl, expected",
    [
        # met + hit and miss: the issue-12 wording ("met the target this month, but the normal range ...")
        ("Green", 91.5, "inconsistent", 73.3, 89.1,
         MET + ", but the normal range (73.3% to 89.1%) spans the target, so it will not be met every month."),
        ("Amber", 80.0, "inconsistent", 73.3, 89.1,
         NARROW + "; the normal range (73.3% to 89.1%) spans the target, so it will be met in some months and "
         "missed in others."),
        ("Red", 70.0, "inconsistent", 73.3, 89.1,
         MISSED + "; the normal range (73.3% to 89.1%) spans the target, so it will be met in some months and "
         "missed in others."),
        ("Green", 91.5, "consistent_pass", 86.0, 95.0,
         MET + ", and the whole normal range (86.0% to 95.0%) is above the target, so it can be expected to be "
         "met every month."),
        ("Amber", 80.0, "consistent_pass", 86.0, 95.0,
         NARROW + ", but that was unusual: the whole normal range (86.0% to 95.0%) is above the target, so it "
         "can be expected to be met in other months."),
        ("Red", 70.0, "consistent_pass", 86.0, 95.0,
         MISSED + ", but that was unusual: the whole normal range (86.0% to 95.0%) is above the target, so it "
         "can be expected to be met in other months."),
        # the contradiction issue 12 found (P01 Green and "consistently failing"), said in plain words
        ("Green", 91.5, "consistent_fail", 67.6, 83.2,
         MET + ", but that was unusual: the whole normal range (67.6% to 83.2%) is below the target, so it will "
         "usually be missed without a change to the way the work is done."),
        ("Amber", 80.0, "consistent_fail", 67.6, 83.2,
         NARROW + ", and the whole normal range (67.6% to 83.2%) is below the target, so it will not be met "
         "without a change to the way the work is done."),
        ("Red", 70.0, "consistent_fail", 67.6, 83.2,
         MISSED + ", and the whole normal range (67.6% to 83.2%) is below the target, so it will not be met "
         "without a change to the way the work is done."),
    ],
)
def test_reading_sentence_every_rag_and_assurance(rag, value, assurance, lpl, upl, expected):
    row = reading_row(rag=rag, value=value, assurance=assurance, spc_lpl=lpl, spc_upl=upl)
    assert reading_sentence(row) == expected.format(v=f"{value:.1f}%")


def test_reading_sentence_lower_is_better_sides():
    # W03-like: lower is better, target 15, 11.8 this month, range 12.7 .. 23.8 -> above the target
    row = reading_row(polarity="down", target=15.0, value=11.8, rag="Green", assurance="consistent_fail",
                      spc_lpl=12.7, spc_upl=23.8)
    assert reading_sentence(row) == (
        "Met the target of 15.0% this month (11.8%), but that was unusual: the whole normal range (12.7% to "
        "23.8%) is above the target, so it will usually be missed without a change to the way the work is done."
    )
    row = reading_row(polarity="down", target=15.0, value=9.0, rag="Green", assurance="consistent_pass",
                      spc_lpl=5.0, spc_upl=12.0)
    assert "the whole normal range (5.0% to 12.0%) is below the target, so it can be expected to be met every month" in (
        reading_sentence(row)
    )


def test_reading_sentence_without_an_assurance_answer():
    # no target: a context measure; its range only
    assert reading_sentence(reading_row(target=None, rag=None, assurance=None)) == (
        "This measure has no target (91.5% this month); its normal range is 73.3% to 89.1%."
    )
    # a "target" polarity measure has a RAG but no assurance (SPC treats it as neutral)
    assert reading_sentence(reading_row(polarity="target", assurance=None)) == (
        "Met the target of 85.0% this month (91.5%); its normal range is 73.3% to 89.1%."
    )
    # no limits (one point in the window): no claim about other months
    assert reading_sentence(reading_row(assurance=None, spc_lpl=float("nan"), spc_upl=float("nan"))) == (
        "Met the target of 85.0% this month (91.5%); there are too few months to say what a normal month looks like."
    )
    # limits withheld from a public report (a suppressed month in the series): no range, no false reason
    nan = float("nan")
    assert reading_sentence(reading_row(spc_mean=nan, spc_lpl=nan, spc_upl=nan)) == (
        "Met the target of 85.0% this month (91.5%), but the normal range spans the target, so it will not be met "
        "every month."
    )
    assert reading_sentence(reading_row(assurance=None, spc_mean=nan, spc_lpl=nan, spc_upl=nan)) == (
        "Met the target of 85.0% this month (91.5%)."
    )
    assert reading_sentence(reading_row(value=float("nan"), rag=None)) == (
        "There is no value for this month, so it cannot be compared with the target."
    )


def test_reading_sentence_range_within_the_unit_and_formatter():
    # W06 in the sample: limits -14.3 .. 67.6 for a percentage -> shown from 0.0%
    row = reading_row(polarity="down", target=0.0, value=0.0, rag="Green", spc_lpl=-14.3, spc_upl=67.6)
    assert "(0.0% to 67.6%)" in reading_sentence(row)
    assert "(105.0% to" not in reading_sentence(reading_row(spc_lpl=80.0, spc_upl=105.0))
    assert "(80.0% to 100.0%)" in reading_sentence(reading_row(spc_lpl=80.0, spc_upl=105.0))
    assert reading_sentence(reading_row(), value_text=lambda r: "[c]").startswith("Met the target of 85.0% this month ([c])")


def test_reading_sentence_says_when_the_range_is_provisional():
    # 2020-03 is the 6th month from a rebase in 2019-10 (Oct, Nov, Dec, Jan, Feb, Mar)
    row = reading_row(month=pd.Period("2020-03", "M"), spc_trial=True)
    assert reading_sentence(row).endswith(
        "will not be met every month. The normal range is provisional: it rests on only 6 months since the "
        "limits were recalculated in October 2019."
    )
    first = reading_row(month=pd.Period("2019-09", "M"), spc_trial=True, spc_segment=0,
                        spc_segment_start=pd.Period("2019-01", "M"))
    assert reading_sentence(first).endswith("it rests on only 9 months of data (from January 2019).")


# ---------------------------------------------------------------------------------------------
# months the data cannot support (issue 10): the reason, never a reading
# ---------------------------------------------------------------------------------------------


def test_reading_sentence_gives_the_reason_for_a_month_without_a_figure():
    # the RAG/assurance fields are set to show they are ignored, not read
    row = reading_row(value=float("nan"), availability="short_history",
                      availability_reason="needs 12 months of history; the extracts start in May 2020")
    assert reading_sentence(row) == (
        "No figure this month: needs 12 months of history; the extracts start in May 2020.")
    row = reading_row(value=float("nan"), availability="missing_source", availability_reason=pd.NA)
    assert reading_sentence(row) == "No figure this month: the data it needs are not in the extracts."
    assert reading_sentence(reading_row(availability="ok")).startswith("Met the target of 85.0%")


def test_summary_leaves_out_months_without_a_figure(metrics_rows, params, registry):
    # P04 rising 1..18 gives special-cause improvement and consistent failure in 2021-06 (see the
    # fixture above); marked missing_source in that month it must appear in no sentence but the
    # pillar count. P05 stays ok (60, Green, consistent pass).
    p04 = metrics_rows("P04", range(1, 19)).assign(availability=["ok"] * 17 + ["missing_source"])
    p05 = metrics_rows("P05", [60] * 18).assign(availability="ok")
    out = assess(pd.concat([p04, p05], ignore_index=True), params, registry=registry)
    s = summarise(out, "2021-06")
    assert s.pillars == [
        "Social work practice: 1 measure rated against target — 1 Green, 0 Amber, 0 Red "
        "(1 other measure not rated, 1 of them without a figure the data can support)."
    ]
    text = " ".join(s.sentences())
    assert "Measure P04" not in text and s.improvement == [] and s.failing == []
    assert s.passing_titles == ["Measure P05 (60.0%)"]
