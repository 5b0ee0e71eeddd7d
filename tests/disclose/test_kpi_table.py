"""apply() on a small hand-built assessed table, public vs internal."""

import numpy as np
import pandas as pd
import pytest

from torbayreport.disclose import (
    DISPLAY_COLUMNS,
    FLAG_COLUMNS,
    DisclosureError,
    Relation,
    apply,
    cell_id,
    protect,
    table_from,
)

NaN = np.nan
# kpi ids X.. are not in the registry: percent/count/ratio KPIs defined only by their unit.
ROWS = [
    # kpi,  month,    num,  den,   value, unit
    ("X01", "2020-01", 40, 43, 93.0, "percent"),   # complement 3 is a small count too
    ("X01", "2020-02", 3, 40, 7.5, "percent"),     # small numerator
    ("X01", "2020-03", 0, 4, 0.0, "percent"),      # zero of a small denominator
    ("X01", "2020-04", 0, 0, NaN, "percent"),      # no data
    ("X01", "2020-05", 5, 5, 100.0, "percent"),    # both small
    ("X01", "2020-06", 1, 2500, 0.04, "percent"),  # rounds to zero
    ("X02", "2020-01", 2, NaN, 2.0, "count"),
    ("X02", "2020-02", 12, NaN, 12.0, "count"),
    ("X02", "2020-03", NaN, NaN, NaN, "count"),    # missing extract
    ("X03", "2020-01", 120, 6.5, 18.5, "ratio"),   # children / FTE
    ("X03", "2020-02", 4, 2.5, 1.6, "ratio"),
]


def assessed() -> pd.DataFrame:
    frame = pd.DataFrame(ROWS, columns=["kpi_id", "month", "numerator", "denominator", "value", "unit"])
    frame["month"] = pd.PeriodIndex(frame["month"], freq="M")
    frame["rag"] = "Green"  # an assess column that must pass through untouched
    return frame


def shown(frame):
    return [tuple(r) for r in frame[DISPLAY_COLUMNS].itertuples(index=False)]


def test_public():
    out = apply(assessed(), audience="public")
    assert shown(out) == [
        ("[c]", "43", "[c]"),     # 43 - 40 = 3 missed: the complement is primary, 40 its partner
        ("[c]", "40", "[c]"),     # 3 -> [c]; its complement 37 (not printed) is the partner
        ("0", "[c]", "[c]"),      # den 4 -> [c]; 0 stays a true zero; value withheld (den <= 5)
        ("0", "0", "[z]"),
        ("[c]", "[c]", "[c]"),
        ("[c]", "2,500", "[c]"),  # 1 -> [c]; value would give it back
        ("[c]", "[z]", "[c]"),    # a count KPI's value is its numerator
        ("12", "[z]", "12"),
        ("[x]", "[z]", "[x]"),
        ("120", "6.5", "18.5"),   # FTE denominator is not a count of people
        ("[c]", "2.5", "[c]"),    # 4 children -> [c], and 1.6 x 2.5 would give it back
    ]
    assert out["numerator_suppressed"].tolist() == [True, True, False, False, True, True, True, False, False, False, True]
    assert out["denominator_suppressed"].tolist() == [False, False, True, False, True] + [False] * 6
    assert out["value_suppressed"].tolist() == [True, True, True, False, True, True, True, False, False, False, True]
    assert out["rag"].tolist() == ["Green"] * len(ROWS)
    assert out[FLAG_COLUMNS].dtypes.eq(bool).all()


def test_internal_shows_everything():
    out = apply(assessed(), audience="internal")
    assert shown(out) == [
        ("40", "43", "93.0%"),
        ("3", "40", "7.5%"),
        ("0", "4", "0.0%"),
        ("0", "0", "[z]"),
        ("5", "5", "100.0%"),
        ("1", "2,500", "[low]"),
        ("2", "[z]", "2"),
        ("12", "[z]", "12"),
        ("[x]", "[z]", "[x]"),
        ("120", "6.5", "18.5"),
        ("4", "2.5", "1.6"),
    ]
    assert not out[FLAG_COLUMNS].to_numpy().any()


def test_complement_is_protected_180_of_183_style_rows():
    # 40 of 43: the complement 3 is primary; the relation 43 = 40 + 3 then needs one more
    # hidden cell and the only other component is the numerator 40.
    out = apply(assessed().iloc[:1], audience="public")
    assert shown(out) == [("[c]", "43", "[c]")]


def test_p07_december_2020_complement_of_one_cannot_be_recovered():
    # Issue 11: P07, December 2020 published 24 of 25 children seen in time, so 25 - 24 = 1 child
    # was not. With the complement a cell: 1 is primary, the numerator 24 is hidden with it, the
    # denominator 25 stays. The LP audit (n + c = 25, n, c >= 0) gives each the interval [0, 25]:
    # by hand, neither is pinned and both can be far outside 1..5.
    frame = pd.DataFrame({"kpi_id": ["X07"], "month": [pd.Period("2020-12", "M")], "numerator": [24.0],
                          "denominator": [25.0], "value": [96.0], "unit": ["percent"]})
    out, protection = protect(frame)
    assert shown(out) == [("[c]", "25", "[c]")]
    comp = cell_id("X07", "2020-12", "complement")
    num = cell_id("X07", "2020-12", "numerator")
    assert protection.suppression.primary == {comp}
    assert protection.suppression.secondary == {num}
    for cell in (comp, num):
        iv = protection.audit.intervals[cell]
        assert (iv.lower, iv.upper) == (0, 25)


def test_small_complement_in_every_month_and_every_size():
    # d - n for n in 0..d, d = 8, threshold 5: by hand the complement d - n is 1..5 for n = 3..7,
    # so those numerators are hidden; n = 8 (complement 0) and n = 0..2 (complement 6..8) are
    # shown except where n itself is 1..5 (n = 1, 2).
    months = pd.period_range("2020-01", periods=9, freq="M")
    frame = pd.DataFrame({"kpi_id": "X08", "month": months, "numerator": np.arange(9.0), "denominator": 8.0,
                          "value": np.arange(9.0) / 8 * 100, "unit": "percent"})
    out = apply(frame, audience="public")
    assert out["numerator_suppressed"].tolist() == [False, True, True, True, True, True, True, True, False]
    assert out["denominator_suppressed"].tolist() == [False] * 9


@pytest.mark.parametrize("bad", [0, -1, 0.5, True, "5", None])
def test_threshold_below_one_is_refused(bad):
    for audience in ("public", "internal"):
        with pytest.raises(ValueError, match="at least 1"):
            apply(assessed(), audience=audience, threshold=bad)


def test_extra_breakdown_table_is_protected_jointly():
    # X02 2020-02 = 12 broken down as 9 + 3 (printed elsewhere): the 3 is primary, the 9 its
    # partner; the total row *is* the KPI numerator (same id), which stays printed.
    base = assessed()
    total = cell_id("X02", "2020-02", "numerator")
    parts = (cell_id("X02", "2020-02", "numerator", "age", "0-9"), cell_id("X02", "2020-02", "numerator", "age", "10-17"))
    extra = table_from({total: 12, parts[0]: 9, parts[1]: 3}, [Relation(total, parts, "breakdown")])
    frame, protection = protect(base, extra=[extra])
    assert protection.suppression.suppressed >= set(parts)
    assert frame.loc[7, "numerator_display"] == "12"
    iv = protection.audit.intervals[parts[1]]
    assert (iv.lower, iv.upper) == (0, 12)


def test_public_raises_when_extra_tables_expose_a_cell():
    # Three printed totals over pairs of the same three small counts pin each of them
    # (a = (7 + 8 - 9) / 2): apply must refuse rather than publish.
    a, b, c = (cell_id("X09", "2020-01", "numerator", "k", k) for k in "abc")
    extra = table_from(
        {a: 3, b: 4, c: 5, "T1": 7, "T2": 8, "T3": 9},
        [Relation("T1", (a, b)), Relation("T2", (a, c)), Relation("T3", (b, c))],
    )
    with pytest.raises(DisclosureError):
        apply(assessed(), audience="public", extra=[extra])


def test_bad_input():
    with pytest.raises(ValueError, match="audience"):
        apply(assessed(), audience="press")
    with pytest.raises(ValueError, match="lacks column"):
        apply(assessed().drop(columns="unit"), audience="public")
    bad = assessed()
    bad.loc[0, "numerator"] = 50
    with pytest.raises(ValueError, match="numerator exceeds denominator"):
        apply(bad, audience="public")
    dup = pd.concat([assessed(), assessed().iloc[:1]], ignore_index=True)
    with pytest.raises(ValueError, match=r"repeated in row\(s\) \[0, 11\]"):
        apply(dup, audience="internal")


# ------------------------------------------------------------------ blank_for_public (was context.guard_public)

def _disclosed() -> pd.DataFrame:
    months = pd.period_range("2020-09", "2020-12", freq="M")
    rows = []
    for kpi_id, suppressed in (("P12", [False, True, False, False]), ("P04", [False] * 4)):
        for m, s in zip(months, suppressed):
            rows.append({"month": m, "kpi_id": kpi_id, "numerator": 3.0 if s else 20.0, "denominator": 40.0,
                         "value": 7.5 if s else 50.0, "previous_value": 50.0, "spc_mean": 40.0, "spc_lpl": 10.0,
                         "spc_upl": 70.0, "numerator_suppressed": s, "denominator_suppressed": False,
                         "value_suppressed": s})
    return pd.DataFrame(rows)


def test_blank_for_public_blanks_suppressed_numbers_and_what_would_reveal_them():
    from torbayreport.disclose import blank_for_public

    given = _disclosed()
    out = blank_for_public(given).set_index(["kpi_id", "month"])
    p12 = out.loc["P12"]
    # the suppressed month: numerator and value blank, denominator (not suppressed) kept
    assert np.isnan(p12.loc[pd.Period("2020-10", "M"), "numerator"])
    assert np.isnan(p12.loc[pd.Period("2020-10", "M"), "value"])
    assert p12.loc[pd.Period("2020-10", "M"), "denominator"] == 40.0
    # the month after: its "previous" is the suppressed month, so it is blanked too
    assert np.isnan(p12.loc[pd.Period("2020-11", "M"), "previous_value"])
    assert p12.loc[pd.Period("2020-11", "M"), "previous_display"] == "[c]"
    assert p12.loc[pd.Period("2020-10", "M"), "previous_value"] == 50.0  # September was published
    assert p12.loc[pd.Period("2020-12", "M"), "previous_value"] == 50.0
    # SPC lines of a series with a suppressed month are blanked everywhere (mean x n - others = it)
    assert p12[["spc_mean", "spc_lpl", "spc_upl"]].isna().all().all()
    # an untouched series keeps everything
    p04 = out.loc["P04"]
    assert (p04["spc_mean"] == 40.0).all() and (p04["value"] == 50.0).all()
    assert given["numerator"].iloc[1] == 3.0  # input untouched


def test_blank_for_public_on_apply_output():
    out = blank_for_public_of(apply(assessed(), audience="public"))
    # every hidden figure is NaN in the numeric columns; shown ones keep their values
    assert out.loc[out["numerator_suppressed"], "numerator"].isna().all()
    assert out.loc[out["value_suppressed"], "value"].isna().all()
    assert out.loc[7, "numerator"] == 12


def blank_for_public_of(frame):
    from torbayreport.disclose import blank_for_public

    return blank_for_public(frame)


def test_withhold_derived_hides_what_was_computed_from_a_suppressed_value():
    from torbayreport.disclose import withhold_derived

    # L03-like: denominator 79, target 90% - a Green RAG alone says at least 72 of 79 (by hand:
    # 0.9 x 79 = 71.1), so with the value hidden the RAG, direction and SPC point type go too
    frame = pd.DataFrame({"kpi_id": ["L03", "L03"], "month": ["2020-09", "2020-10"], "value": [85.0, np.nan],
                          "value_suppressed": [False, True], "rag": ["Amber", "Green"],
                          "direction": ["worsened", "improved"], "point_type": ["common_cause", "common_cause"],
                          "target": [90.0, 90.0]})
    out = withhold_derived(frame)
    assert out["rag"].tolist()[0] == "Amber" and pd.isna(out["rag"].iloc[1])
    assert pd.isna(out["direction"].iloc[1]) and pd.isna(out["point_type"].iloc[1])
    assert out["target"].tolist() == [90.0, 90.0]  # not derived from the value
    assert frame["rag"].iloc[1] == "Green"


def test_no_small_complement_is_published_on_the_sample():
    # Issue 11: on the bundled sample, 75 public KPI-months printed a numerator and denominator
    # 1..5 apart. After apply(): none, and P07 December 2020 (24 of 25, from the issue) shows [c] of 25.
    from pathlib import Path

    from torbayreport.io import load
    from torbayreport.metrics import compute

    sample = Path(__file__).resolve().parents[2] / "data" / "sample"
    if not sample.is_dir():
        pytest.skip("the bundled sample is not generated here")
    metrics = compute(load(sample).tables, pd.period_range("2019-01", "2020-12", freq="M", name="month"))
    out = apply(metrics, audience="public")
    printed = out[~out["numerator_suppressed"] & ~out["denominator_suppressed"] & (out["unit"] == "percent")]
    gap = printed["denominator"] - printed["numerator"]
    whole = printed["denominator"].notna() & (printed["denominator"] % 1 == 0)
    assert not printed[whole & (gap >= 1) & (gap <= 5)].shape[0]
    p07 = out[(out["kpi_id"] == "P07") & (out["month"].astype(str) == "2020-12")].iloc[0]
    assert (p07["numerator"], p07["denominator"]) == (24, 25)
    assert (p07["numerator_display"], p07["denominator_display"], p07["value_display"]) == ("[c]", "25", "[c]")


# ------------------------------------------------------------------------------ availability (issue 10)

AVAILABILITY_ROWS = [
    # kpi,  month,    num,  den,  value, unit,     availability
    ("X01", "2020-01", 30, 40, 75.0, "percent", "ok"),
    ("X01", "2020-02", 0, 0, NaN, "percent", "no_events"),           # 0 of 0: true zeros, value [z]
    ("X01", "2020-03", 0, 583, NaN, "percent", "missing_source"),     # a zero from an absent table
    ("X01", "2020-04", 36, 150, NaN, "percent", "short_history"),     # a partial count
    ("X01", "2020-05", 2, 150, NaN, "percent", "short_history"),      # small too: [x] wins over [c]
    ("X02", "2020-01", 0, NaN, NaN, "count", "missing_source"),       # a count's denominator stays [z]
]


def availability_table() -> pd.DataFrame:
    frame = pd.DataFrame(AVAILABILITY_ROWS,
                         columns=["kpi_id", "month", "numerator", "denominator", "value", "unit", "availability"])
    frame["month"] = pd.PeriodIndex(frame["month"], freq="M")
    return frame


@pytest.mark.parametrize("audience", ["internal", "public"])
def test_a_month_the_data_cannot_support_shows_a_symbol_never_a_figure(audience):
    out = apply(availability_table(), audience=audience)
    assert shown(out)[1:] == [
        ("0", "0", "[z]"),
        ("[x]", "[x]", "[x]"),
        ("[x]", "[x]", "[x]"),
        ("[x]", "[x]", "[x]"),
        ("[x]", "[z]", "[x]"),
    ]
    assert shown(out)[0] == ("30", "40", "75.0%")


def test_public_frame_blanks_the_counts_of_unavailable_months():
    out = apply(availability_table(), audience="public")
    assert out["numerator"].isna().tolist() == [False, False, True, True, True, True]
    assert out["denominator"].tolist()[:2] == [40, 0] and out["denominator"].iloc[2:].isna().all()
    internal = apply(availability_table(), audience="internal")
    assert internal["numerator"].tolist()[2:4] == [0, 36]  # the analyst still sees the partial counts
