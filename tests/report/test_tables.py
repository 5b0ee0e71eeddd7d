"""Scorecards and report tables: words beside every symbol, real markdown tables, no invented values."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from torbayreport.report import tables
from torbayreport.metrics.registry import KPI


def _row(**kw) -> dict:
    base = {
        "month": pd.Period("2020-12", "M"), "kpi_id": "P04", "title": "Assessments completed within 45 working days",
        "pillar": "practice", "ref": "2.3.1", "polarity": "up", "unit": "percent",
        "numerator": 47.0, "denominator": 60.0, "value": 78.3, "target": 83.0, "tolerance": 8.0,
        "rag": "Amber", "previous_value": 74.1, "direction": "improved",
        "benchmark_value": 82.9, "benchmark_label": "England 2019-20",
        "point_type": "special_cause_improvement", "assurance": "inconsistent",
    }
    base.update(kw)
    return base


def _rows(*rows) -> pd.DataFrame:
    return pd.DataFrame(list(rows))


def _parse(md: str) -> list[list[str]]:
    """The cells as a reader sees them: split at unescaped pipes, backslash escapes removed (cells
    are inert markdown, disclose.text.inert_inline, so "2.3.1" is written 2\\.3\\.1)."""
    # a table with declared widths sits in a ``::: {.widths ...}`` div (report.markdown): not cells
    lines = [line for line in md.strip().splitlines() if not line.startswith(":::")]
    return [[re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", c).strip()
             for c in re.split(r"(?<!\\)\|", line.strip().strip("|"))] for line in lines]


def test_scorecard_is_a_pipe_table_with_one_header_and_one_row_per_kpi():
    md = tables.scorecard(_rows(_row(), _row(kpi_id="P05", title="Assessments within 20 working days", rag="Red")))
    lines = _parse(md)
    assert lines[0] == tables.SCORECARD_COLUMNS
    assert all(re.fullmatch(r":?-+:?", c) for c in lines[1])  # the separator row
    assert len(lines) == 2 + 2
    assert all(len(line) == len(tables.SCORECARD_COLUMNS) for line in lines)


def test_scorecard_cells_carry_words_not_just_colour():
    md = tables.scorecard(_rows(_row()))
    row = dict(zip(tables.SCORECARD_COLUMNS, _parse(md)[2]))
    assert row["Measure"] == "P04 Assessments completed within 45 working days"
    assert "Plan ref" not in row  # in the measure's heading (issue 12: ten columns squeezed the names)
    assert row["Latest (n/d)"] == "78.3% (47/60)"
    assert row["Previous"] == "74.1%"
    assert row["Target"] == "≥\u00a083.0%"  # a no-break space: "≥" never wraps away from its figure
    assert row["RAG"] == "Amber\u00a0▲"
    assert row["Direction"] == "↑\u00a0improved"  # 78.3 > 74.1, polarity up
    assert row["SPC variation"] == "Special cause: improvement"
    assert row["Assurance"] == "Hit and miss"
    assert row["England"] == "82.9% (England 2019-20)"


def test_every_rag_has_a_distinct_word_and_symbol():
    labels = [tables.rag_label(r) for r in ("Green", "Amber", "Red", None)]
    assert labels == ["Green\u00a0✔", "Amber\u00a0▲", "Red\u00a0✖", "No target"]
    symbols = [label.split("\u00a0")[-1] for label in labels[:3]]
    assert len(set(symbols)) == 3


@pytest.mark.parametrize(
    "polarity_direction, value, previous, expected",
    [
        ("improved", 18.0, 20.0, "↓\u00a0improved"),   # a falling caseload is an improvement (polarity down)
        ("worsened", 25.0, 22.0, "↑\u00a0worsened"),   # rising re-referrals
        ("no change", 50.0, 50.0, "→\u00a0no change"),
        ("higher", 12.0, 10.0, "↑\u00a0higher"),       # neutral context measure: no judgement word
        (None, 12.0, None, "n/a"),
    ],
)
def test_direction_arrow_follows_the_number_and_the_word_follows_polarity(polarity_direction, value, previous, expected):
    assert tables.direction_label(polarity_direction, value, previous) == expected


def test_suppressed_public_values_show_the_symbol_not_the_number():
    row = _row(numerator=3.0, denominator=4.0, value=75.0,
               numerator_display="[c]", denominator_display="[c]", value_display="[c]",
               numerator_suppressed=True, denominator_suppressed=True, value_suppressed=True)
    md = tables.scorecard(_rows(row))
    cells = dict(zip(tables.SCORECARD_COLUMNS, _parse(md)[2]))
    assert cells["Latest (n/d)"] == "[c]"
    assert "75" not in cells["Latest (n/d)"] and "3" not in cells["Latest (n/d)"]
    # issue 12 item 3: everything worked out from a withheld value is withheld too (L08 showed
    # Green beside [c] against a 100% target, which gave the value away)
    for column in ("RAG", "Direction", "SPC variation", "Assurance"):
        assert cells[column] == "[c]", column


def test_withheld_measures_are_counted_in_their_own_column_not_as_no_target():
    rows = pd.concat([_rows(_row(rag="Green")),
                      _rows(_row(kpi_id="P02", rag=None, value=None, value_suppressed=True)),
                      _rows(_row(kpi_id="P03", rag=None, target=None, value_suppressed=False))], ignore_index=True)
    frame = tables.rag_counts_frame(rows, ["practice"])
    first = frame.iloc[0]
    # by hand: P01 Green, P02 withheld, P03 no target; 3 measures
    assert (first["Measures"], first[tables.RAG_LABELS["Green"]], first[tables.RAG_NONE], first[tables.WITHHELD_COLUMN]) == ("3", "1", "1", "1")


def test_zero_denominator_says_no_data_never_zero_percent():
    md = tables.scorecard(_rows(_row(numerator=0.0, denominator=0.0, value=float("nan"), rag=None, direction=None)))
    cells = dict(zip(tables.SCORECARD_COLUMNS, _parse(md)[2]))
    assert cells["Latest (n/d)"].startswith("no data")
    assert "0%" not in cells["Latest (n/d)"] and "0.0%" not in cells["Latest (n/d)"]
    assert cells["RAG"] == "No target" or cells["RAG"] == "No target"


def test_cells_with_pipes_or_newlines_do_not_break_the_table():
    md = tables.markdown_table(pd.DataFrame({"Action": ["a | b\nc"], "Lead": ["DCS"]}))
    lines = md.splitlines()
    assert len(lines) == 3
    assert "a \\| b c" in lines[2]


def test_empty_table_is_a_sentence():
    assert tables.markdown_table(pd.DataFrame(columns=["x"]), empty="None this month.") == "None this month."


def test_definitions_come_from_the_registry_text():
    k = KPI(id="X01", title="Test measure", pillar="practice", ref="2.1.1", polarity="down", unit="percent",
            grain="referrals", window="r12m", definition="Referrals in the month for a child referred before.",
            compute=lambda t, m: None)
    md = tables.definitions_table([k])
    row = _parse(md)[2]
    assert row[0] == "X01 Test measure"
    assert "Referrals in the month for a child referred before." in row
    assert "rolling 12 months" in row and "lower is better" in row


def test_plan_counts_put_last_month_beside_this_month():
    counts = pd.DataFrame({
        "pillar": ["practice"] * 3, "rag": ["Red", "Amber", "Green"],
        "this_month": [1, 4, 7], "last_month": [2, 4, 6], "change": [-1, 0, 1],
    })
    lines = _parse(tables.plan_counts_table(counts))
    assert lines[0] == ["Pillar", *(tables.RAG_LABELS[r] for r in ("Red", "Amber", "Green"))]
    assert lines[2] == ["Practice", "1 (last month 2)", "4 (last month 4)", "7 (last month 6)"]


def test_findings_summary_counts_without_record_values():
    findings = pd.DataFrame({
        "severity": ["error", "warning", "warning"], "file": ["visits.csv"] * 3, "row": [3, 4, 9],
        "column": ["visit_date", "seen_alone", "seen_alone"], "code": ["bad_date", "blank", "blank"],
        "message": ["C0001 bad", "C0002 blank", "C0003 blank"],
    })
    md = tables.findings_summary(findings)
    assert "C000" not in md
    lines = _parse(md)
    assert lines[0] == ["Severity", "File", "Column", "Check", "Findings"]
    assert ["warning", "visits.csv", "seen_alone", "blank", "2"] in lines


def test_markdown_object_displays_as_markdown():
    md = tables.Markdown("**x**")
    assert md._repr_markdown_() == "**x**"


def test_statistical_neighbours_column_only_when_supplied():
    assert "Statistical neighbours" not in tables.scorecard(_rows(_row()))
    md = tables.scorecard(_rows(_row(sn_value=80.1, sn_label="SN average 2019-20")))
    header, _sep, row = _parse(md)
    assert header[-1] == "Statistical neighbours" and row[-1] == "80.1% (SN average 2019-20)"


# ------------------------------------------------------------------------------ months without a figure (issue 10)

def test_a_month_the_data_cannot_support_shows_symbol_and_reason_never_zero():
    reason = "not in this month's extracts: contacts (contacts.decision_date) not supplied"
    row = _row(kpi_id="P01", numerator=0.0, denominator=583.0, value=float("nan"), rag=None, direction=None,
               point_type=None, assurance=None, availability="missing_source", availability_reason=reason,
               value_display="[x]", numerator_display="[x]", denominator_display="[x]")
    assert tables.latest_label(row) == f"[x] {reason}"
    frame = tables.scorecard_frame(_rows(row))
    assert frame.loc[0, "Latest (n/d)"] == f"[x] {reason}"
    assert frame.loc[0, "RAG"] == tables.NO_READING  # not "No target": P01 has one
    assert " 0.0%" not in str(tables.scorecard(_rows(row)))  # (the target 83.0% and England's 82.9% remain)
    # no display column (a frame before disclosure): the symbol comes from the availability
    short = _row(value=float("nan"), availability="short_history", availability_reason="needs 12 months of history")
    assert tables.latest_label(short) == "[x] needs 12 months of history"
    assert tables.latest_label(_row(value=float("nan"), denominator=0.0, availability="no_events")) == "[z]"
    assert tables.latest_label(_row(availability="ok")) == "78.3% (47/60)"
